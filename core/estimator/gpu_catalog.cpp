#include "estimator/gpu_catalog.hpp"

namespace vram {
namespace {

constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t gib(uint64_t n) { return n * kGiB; }
// Hundredths of a GiB, for capacities a runtime printed with two decimals.
constexpr uint64_t gib_hundredths(uint64_t h) { return h * kGiB / 100; }
// Metal's default recommendedMaxWorkingSetSize on Apple silicon: about 75 % of RAM on machines with
// 36 GB or more, about two thirds below. Apple does not publish the rule; these are the values the
// ggml-metal init log prints on such machines (an assumption, stated in every Apple row's source).
constexpr uint64_t apple_usable(uint64_t ram_gib) {
    return ram_gib >= 36 ? gib(ram_gib) / 4 * 3 : gib(ram_gib) / 3 * 2;
}

constexpr const char* kSpec =
    "vendor spec sheet capacity; usable = capacity (no measurement; the CUDA context is charged by the profile)";
constexpr const char* kAmdSpec = "AMD spec sheet capacity; usable = capacity (no measurement)";
constexpr const char* kApple =
    "Apple spec (unified memory); usable = Metal recommendedMaxWorkingSetSize default, assumed 75 % of RAM at >= 36 "
    "GB, 2/3 below";

}  // namespace

const char* gpu_backend_name(GpuBackend b) {
    switch (b) {
        case GpuBackend::cuda:
            return "cuda";
        case GpuBackend::rocm:
            return "rocm";
        case GpuBackend::metal:
            return "metal";
    }
    return "cuda";
}

const std::vector<GpuInfo>& gpu_catalog() {
    static const std::vector<GpuInfo> kCatalog = {
        // NVIDIA GeForce (consumer)
        {"rtx-3060-12gb", "NVIDIA GeForce RTX 3060 12GB", GpuBackend::cuda, "consumer", gib(12), gib(12), true, kSpec,
         86},
        {"rtx-3070", "NVIDIA GeForce RTX 3070", GpuBackend::cuda, "consumer", gib(8), gib(8), true, kSpec, 86},
        {"rtx-3080-10gb", "NVIDIA GeForce RTX 3080 10GB", GpuBackend::cuda, "consumer", gib(10), gib(10), true, kSpec,
         86},
        {"rtx-3090", "NVIDIA GeForce RTX 3090", GpuBackend::cuda, "consumer", gib(24), gib(24), true, kSpec, 86},
        {"rtx-4060-ti-16gb", "NVIDIA GeForce RTX 4060 Ti 16GB", GpuBackend::cuda, "consumer", gib(16), gib(16), true,
         kSpec, 89},
        {"rtx-4070", "NVIDIA GeForce RTX 4070", GpuBackend::cuda, "consumer", gib(12), gib(12), true, kSpec, 89},
        {"rtx-4070-ti-super", "NVIDIA GeForce RTX 4070 Ti SUPER", GpuBackend::cuda, "consumer", gib(16), gib(16), true,
         kSpec, 89},
        {"rtx-4080", "NVIDIA GeForce RTX 4080", GpuBackend::cuda, "consumer", gib(16), gib(16), true, kSpec, 89},
        {"rtx-4090", "NVIDIA GeForce RTX 4090", GpuBackend::cuda, "consumer", gib(24), gib(24), true, kSpec, 89},
        {"rtx-5060-ti-16gb", "NVIDIA GeForce RTX 5060 Ti 16GB", GpuBackend::cuda, "consumer", gib(16), gib(16), true,
         kSpec, 120},
        {"rtx-5070", "NVIDIA GeForce RTX 5070", GpuBackend::cuda, "consumer", gib(12), gib(12), true, kSpec, 120},
        {"rtx-5080", "NVIDIA GeForce RTX 5080", GpuBackend::cuda, "consumer", gib(16), gib(16), true, kSpec, 120},
        {"rtx-5090", "NVIDIA GeForce RTX 5090", GpuBackend::cuda, "consumer", gib(32), gib(32), true, kSpec, 120},
        // NVIDIA RTX professional (workstation)
        {"rtx-a4000", "NVIDIA RTX A4000", GpuBackend::cuda, "workstation", gib(16), gib(16), true, kSpec, 86},
        {"rtx-a5000", "NVIDIA RTX A5000", GpuBackend::cuda, "workstation", gib(24), gib(24), true, kSpec, 86},
        {"rtx-a6000", "NVIDIA RTX A6000", GpuBackend::cuda, "workstation", gib(48), gib(48), true, kSpec, 86},
        {"rtx-4000-ada", "NVIDIA RTX 4000 Ada Generation", GpuBackend::cuda, "workstation", gib(20), gib(20), true,
         kSpec, 89},
        {"rtx-5000-ada", "NVIDIA RTX 5000 Ada Generation", GpuBackend::cuda, "workstation", gib(32), gib(32), true,
         kSpec, 89},
        {"rtx-6000-ada", "NVIDIA RTX 6000 Ada Generation", GpuBackend::cuda, "workstation", gib(48), gib(48), true,
         kSpec, 89},
        {"rtx-pro-6000-blackwell", "NVIDIA RTX PRO 6000 Blackwell", GpuBackend::cuda, "workstation", gib(96), gib(96),
         true, kSpec, 120},
        // NVIDIA data center
        {"t4", "NVIDIA T4", GpuBackend::cuda, "datacenter", gib(16), gib(16), true, kSpec, 75},
        {"l4", "NVIDIA L4", GpuBackend::cuda, "datacenter", gib(24), gib(24), true, kSpec, 89},
        {"a10", "NVIDIA A10", GpuBackend::cuda, "datacenter", gib(24), gib(24), true, kSpec, 86},
        {"l40s", "NVIDIA L40S", GpuBackend::cuda, "datacenter", gib(48), gib(48), true, kSpec, 89},
        {"a100-40gb", "NVIDIA A100 40GB", GpuBackend::cuda, "datacenter", gib(40), gib(40), true, kSpec, 80},
        {"a100-80gb", "NVIDIA A100 80GB", GpuBackend::cuda, "datacenter", gib(80), gib(80), true, kSpec, 80},
        {"h100-80gb", "NVIDIA H100 80GB", GpuBackend::cuda, "datacenter", gib(80), gib_hundredths(7919), true,
         "spec 80 GB HBM3; usable = 79.19 GiB, the total CUDA reports (vLLM 0.19 logs, llm-d-planner results_raw.csv "
         "init_total_memory_gib, tests/validation/vllm)",
         90},
        {"h200-141gb", "NVIDIA H200 141GB", GpuBackend::cuda, "datacenter", gib(141), gib(141), true,
         "spec 141 GB HBM3e, read as GiB like the other HBM parts; usable = capacity (no measurement)", 90},
        {"b200-192gb", "NVIDIA B200 192GB", GpuBackend::cuda, "datacenter", gib(192), gib(180), true,
         "spec 192 GB HBM3e; usable 180 GB per GPU as NVIDIA's DGX B200 datasheet lists (1,440 GB for 8 GPUs)", 100},
        // AMD Instinct
        {"mi250-128gb", "AMD Instinct MI250 128GB", GpuBackend::rocm, "datacenter", gib(128), gib(64), true,
         "spec 128 GB HBM2e on two GCDs; each GCD is a separate 64 GB device to ROCm, so usable per device = 64 GiB",
         0},
        {"mi300x-192gb", "AMD Instinct MI300X 192GB", GpuBackend::rocm, "datacenter", gib(192), gib(192), true,
         kAmdSpec, 0},
        // Apple silicon (unified memory; one device, no tensor parallelism)
        {"apple-m4-24gb", "Apple M4 (24 GB)", GpuBackend::metal, "apple", gib(24), apple_usable(24), false, kApple, 0},
        {"apple-m4-pro-48gb", "Apple M4 Pro (48 GB)", GpuBackend::metal, "apple", gib(48), apple_usable(48), false,
         kApple, 0},
        {"apple-m1-max-64gb", "Apple M1 Max (64 GB)", GpuBackend::metal, "apple", gib(64), apple_usable(64), false,
         kApple, 0},
        {"apple-m2-max-96gb", "Apple M2 Max (96 GB)", GpuBackend::metal, "apple", gib(96), apple_usable(96), false,
         kApple, 0},
        {"apple-m3-max-128gb", "Apple M3 Max (128 GB)", GpuBackend::metal, "apple", gib(128), apple_usable(128), false,
         kApple, 0},
        {"apple-m4-max-128gb", "Apple M4 Max (128 GB)", GpuBackend::metal, "apple", gib(128), apple_usable(128), false,
         kApple, 0},
        {"apple-m2-ultra-192gb", "Apple M2 Ultra (192 GB)", GpuBackend::metal, "apple", gib(192), apple_usable(192),
         false, kApple, 0},
        {"apple-m3-ultra-512gb", "Apple M3 Ultra (512 GB)", GpuBackend::metal, "apple", gib(512), apple_usable(512),
         false, kApple, 0},
#ifdef VRAM_TEST_EXTRA_ROWS
        {"test-gpu-40gb", "Test GPU (40 GB)", GpuBackend::cuda, "datacenter", gib(40), gib(40), true,
         "a row added by the extra-rows test build", 0},
#endif
    };
    return kCatalog;
}

const GpuInfo* find_gpu(std::string_view id) {
    for (const auto& g : gpu_catalog())
        if (id == g.id) return &g;
    return nullptr;
}

}  // namespace vram
