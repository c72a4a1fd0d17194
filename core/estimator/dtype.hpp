// Tensor element types of the safetensors format, with their bit widths.
// Source of truth: huggingface/safetensors `safetensors/src/tensor.rs` enum Dtype and `bitsize()`
// (as of 24b0b28, 2026-05-12), plus the non-canonical spellings seen in the wild that
// huggingface.js accepts (E8M0, UE8, FP4). An unknown dtype is not an error: its bytes come
// from data_offsets and the header parser adds a warning.
#pragma once
#include <cstdint>
#include <string_view>

namespace vram {

enum class DType : uint8_t {
    BOOL,
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F16,
    BF16,
    F32,
    F64,
    F8_E4M3,
    F8_E5M2,
    F8_E4M3FNUZ,
    F8_E5M2FNUZ,
    F8_E8M0,
    F6_E2M3,
    F6_E3M2,
    F4,
    C64,
    unknown,
};

enum class DTypeKind : uint8_t { boolean, integer, floating, complex, scale, unknown };

struct DTypeInfo {
    DType dtype;
    const char* name;  // canonical safetensors spelling
    uint32_t bits;     // storage bits per element; 0 for unknown
    DTypeKind kind;
};

// Parses a safetensors dtype string (also the aliases E8M0, UE8 → F8_E8M0 and FP4 → F4).
DType dtype_from_name(std::string_view name);
const DTypeInfo& dtype_info(DType dtype);
inline const char* dtype_name(DType d) { return dtype_info(d).name; }
inline uint32_t dtype_bits(DType d) { return dtype_info(d).bits; }
bool dtype_is_floating(DType d);  // F16, BF16, F32, F64, F8_*, F6_*, F4 — the weights a precision target may resize

}  // namespace vram
