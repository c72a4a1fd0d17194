// Unit tests of core/estimator/gpu_catalog.* — the GPU table as data.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "estimator/gpu_catalog.hpp"

using namespace vram;

TEST_CASE("every catalog id is unique and found by find_gpu", "[gpu_catalog]") {
    std::set<std::string> ids;
    for (const auto& g : gpu_catalog()) {
        CHECK(ids.insert(g.id).second);
        CHECK(find_gpu(g.id) == &g);
        CHECK(g.usable_bytes > 0);
        CHECK(g.usable_bytes <= g.memory_bytes);
        CHECK(std::string(g.source).size() > 10);
    }
    CHECK(find_gpu("rtx-9090") == nullptr);
}

TEST_CASE("the catalog spans consumer, workstation, data-center, AMD and Apple parts", "[gpu_catalog]") {
    for (const char* id : {"rtx-3060-12gb", "rtx-5090", "rtx-a4000", "rtx-6000-ada", "rtx-pro-6000-blackwell", "t4",
                           "l4", "a10", "a100-40gb", "a100-80gb", "h100-80gb", "h200-141gb", "b200-192gb",
                           "mi250-128gb", "mi300x-192gb", "apple-m3-max-128gb"})
        CHECK(find_gpu(id) != nullptr);
}

TEST_CASE("a 24 GB card holds 24 GiB and the H100 keeps the 79.19 GiB CUDA reports", "[gpu_catalog]") {
    CHECK(find_gpu("rtx-4090")->memory_bytes == 25'769'803'776);
    CHECK(find_gpu("rtx-4090")->usable_bytes == 25'769'803'776);
    CHECK(find_gpu("h100-80gb")->memory_bytes == 85'899'345'920);
    CHECK(find_gpu("h100-80gb")->usable_bytes == 7919ull * (1ull << 30) / 100);
}

TEST_CASE("Apple silicon may use 75 % of 36 GB or more and two thirds below, on one device", "[gpu_catalog][apple]") {
    const GpuInfo* big = find_gpu("apple-m3-max-128gb");
    CHECK(big->usable_bytes == 96ull << 30);
    CHECK_FALSE(big->multi_gpu);
    CHECK(big->backend == GpuBackend::metal);
    CHECK(find_gpu("apple-m4-24gb")->usable_bytes == 16ull << 30);
}

TEST_CASE("an MI250 is two 64 GB devices to ROCm", "[gpu_catalog][amd]") {
    const GpuInfo* g = find_gpu("mi250-128gb");
    CHECK(g->memory_bytes == 128ull << 30);
    CHECK(g->usable_bytes == 64ull << 30);
    CHECK(std::string(gpu_backend_name(g->backend)) == "rocm");
}
