// Unit tests of core/estimator/precision.* — the precision table and tensor_bytes_at.
#include <catch2/catch.hpp>

#include "estimator/precision.hpp"

using namespace vram;

namespace {
TensorRecord tensor(uint64_t params, uint64_t bytes, uint8_t flags) {
    TensorRecord t;
    t.params = params;
    t.bytes = bytes;
    t.flags = flags;
    return t;
}
}  // namespace

TEST_CASE("the original tool's -q values, in their order, with auto first", "[precision]") {
    std::string names;
    for (const auto& p : precisions()) names += std::string(names.empty() ? "" : " ") + p.name;
    CHECK(names == "auto float32 float16 bfloat16 int8 int4");
    Precision p{};
    REQUIRE(parse_precision("bfloat16", p));
    CHECK(p == Precision::bfloat16);
    CHECK(precision_bits(Precision::int4) == 4);
    CHECK_FALSE(parse_precision("fp16", p));
}

TEST_CASE("a floating weight takes the target width, rounded up to whole bytes", "[precision]") {
    const TensorRecord bf16 = tensor(1001, 2002, kFloating);
    CHECK(tensor_bytes_at(bf16, Precision::auto_) == 2002);
    CHECK(tensor_bytes_at(bf16, Precision::float32) == 4004);
    CHECK(tensor_bytes_at(bf16, Precision::int8) == 1001);
    CHECK(tensor_bytes_at(bf16, Precision::int4) == 501);  // 1001 × 4 bits = 500.5 bytes
}

TEST_CASE("quantized storage keeps its bytes unless the target is narrower; bookkeeping never changes", "[precision]") {
    const TensorRecord packed = tensor(1000, 560, kQuantized);  // ~4.5 bits per parameter with scales
    CHECK(tensor_bytes_at(packed, Precision::float16) == 560);
    CHECK(tensor_bytes_at(packed, Precision::int4) == 500);
    const TensorRecord scales = tensor(0, 64, kBookkeeping);
    CHECK(tensor_bytes_at(scales, Precision::int4) == 64);
}

TEST_CASE("a parameter count past 2^61 saturates instead of wrapping", "[precision][overflow]") {
    const TensorRecord huge = tensor(1ull << 62, 1ull << 63, kFloating);
    CHECK(tensor_bytes_at(huge, Precision::float32) == UINT64_MAX);
}
