// Unit tests of core/estimator/precision.* — the precision table and tensor_bytes_at.
#include <catch2/catch.hpp>

#include "estimator/precision.hpp"
#include "option_helpers.hpp"

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
    CHECK(names == "auto float32 float16 bfloat16 int8 int4 fp8");
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

TEST_CASE("quantized storage keeps its bytes unless the target is narrower, bookkeeping never changes", "[precision]") {
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

TEST_CASE("fp8 resizes Linear matrices to one byte plus a 4-byte scale and keeps the rest 16-bit", "[precision][fp8]") {
    // Llama-3.1-8B's q_proj: 4,096 × 4,096 BF16 → 16,777,216 B of float8_e4m3fn + one float32 scale.
    const TensorRecord q_proj = tensor(4096ull * 4096, 4096ull * 4096 * 2, kFloating | kLinear);
    CHECK(tensor_bytes_at(q_proj, precision_id("fp8")) == 16'777'216 + 4);
    // embed_tokens 128,256 × 4,096 stays BF16; an F32 norm of 4,096 runs at the 16-bit compute width.
    const TensorRecord embed = tensor(128256ull * 4096, 128256ull * 4096 * 2, kFloating);
    CHECK(tensor_bytes_at(embed, precision_id("fp8")) == 1'050'673'152);
    const TensorRecord f32_norm = tensor(4096, 4096 * 4, kFloating);
    CHECK(tensor_bytes_at(f32_norm, precision_id("fp8")) == 8192);
    // Already-quantized storage and bookkeeping keep their bytes.
    CHECK(tensor_bytes_at(tensor(1000, 560, kQuantized), precision_id("fp8")) == 560);
    CHECK(tensor_bytes_at(tensor(0, 64, kBookkeeping), precision_id("fp8")) == 64);
    // int8 still resizes every floating tensor, the embeddings too.
    CHECK(tensor_bytes_at(embed, Precision::int8) == 525'336'576);
}
