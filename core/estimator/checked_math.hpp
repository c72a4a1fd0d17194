// Overflow-checked arithmetic for sums of bytes and parameters read from strangers' files.
// Every count in a header is a u64 the file chose; a sum across tensors or files that wraps around
// would print a small, wrong total (9 shards of 2^61 bytes sum to 2^64 + 2^61, which wraps to 2^61
// — or to a few KB with other values). The helpers say whether the result fit; callers turn
// `false` into an Error that names what was being added. Standard C++ only (no builtins), so the
// same code runs natively and in the wasm build.
#pragma once
#include <cstdint>
#include <limits>

namespace vram {

// a + b into out; false (out untouched) when the sum does not fit in 64 bits.
inline bool checked_add(uint64_t a, uint64_t b, uint64_t& out) {
    if (b > std::numeric_limits<uint64_t>::max() - a) return false;
    out = a + b;
    return true;
}

// a × b into out; false (out untouched) when the product does not fit in 64 bits.
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
    out = a * b;
    return true;
}

// total += value; false (total untouched) on overflow. For running sums: `ok = add_to(sum, x) && ok`.
inline bool add_to(uint64_t& total, uint64_t value) { return checked_add(total, value, total); }

}  // namespace vram
