// Unit tests of core/estimator/dtype.* — the safetensors dtype table and its aliases.
#include <catch2/catch.hpp>

#include "estimator/dtype.hpp"

using namespace vram;

TEST_CASE("every safetensors dtype has the width of safetensors' bitsize()", "[dtype]") {
    // safetensors/src/tensor.rs Dtype::bitsize: BOOL and U8 are 8 bits, F8_* 8, F6_* 6, F4 4, C64 64.
    CHECK(dtype_bits(dtype_from_name("BOOL")) == 8);
    CHECK(dtype_bits(dtype_from_name("BF16")) == 16);
    CHECK(dtype_bits(dtype_from_name("F32")) == 32);
    CHECK(dtype_bits(dtype_from_name("F64")) == 64);
    CHECK(dtype_bits(dtype_from_name("F8_E4M3")) == 8);
    CHECK(dtype_bits(dtype_from_name("F6_E2M3")) == 6);
    CHECK(dtype_bits(dtype_from_name("F4")) == 4);
    CHECK(dtype_bits(dtype_from_name("C64")) == 64);
    CHECK(dtype_bits(dtype_from_name("I64")) == 64);
}

TEST_CASE("the aliases seen in the wild map to their canonical dtype", "[dtype]") {
    CHECK(dtype_from_name("E8M0") == DType::F8_E8M0);
    CHECK(dtype_from_name("UE8") == DType::F8_E8M0);
    CHECK(dtype_from_name("FP4") == DType::F4);
}

TEST_CASE("an unknown name is DType::unknown with no width, never an error", "[dtype]") {
    CHECK(dtype_from_name("F12") == DType::unknown);
    CHECK(dtype_from_name("") == DType::unknown);
    CHECK(dtype_from_name("bf16") == DType::unknown);  // names are case-sensitive, as in the format
    CHECK(dtype_bits(DType::unknown) == 0);
}

TEST_CASE("only floating dtypes may be resized by a precision target", "[dtype]") {
    CHECK(dtype_is_floating(DType::BF16));
    CHECK(dtype_is_floating(DType::F8_E5M2));
    CHECK(dtype_is_floating(DType::F4));
    CHECK_FALSE(dtype_is_floating(DType::I32));
    CHECK_FALSE(dtype_is_floating(DType::U8));
    CHECK_FALSE(dtype_is_floating(DType::BOOL));
}
