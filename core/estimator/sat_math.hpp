// Saturating arithmetic for byte counts: a sum or product that would pass 2^64 − 1 stays at UINT64_MAX, which
// estimate() then refuses as "too large to estimate" instead of printing a wrapped-around number.
#pragma once
#include <cstdint>

namespace vram {

constexpr uint64_t kSaturated = UINT64_MAX;

constexpr uint64_t mul_sat(uint64_t a, uint64_t b) {
    if (a == 0 || b == 0) return 0;
    return a > kSaturated / b ? kSaturated : a * b;
}
constexpr uint64_t add_sat(uint64_t a, uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }
constexpr uint64_t cdiv(uint64_t a, uint64_t b) { return b ? a / b + (a % b != 0) : 0; }
constexpr uint64_t pad_up(uint64_t x, uint64_t p) { return mul_sat(cdiv(x, p), p); }

}  // namespace vram
