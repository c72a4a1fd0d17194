// The inversions' one search: the largest value that still fits (context, batch, -ngl, micro-batch, sequence).
#pragma once
#include <cstdint>

namespace vram {

// Largest x in [1, hi] with pred(x), for a monotone pred; 0 when hi is 0 or pred(1) is false.
template <class Pred>
uint64_t largest_true(uint64_t hi, Pred pred) {
    if (hi == 0 || !pred(1)) return 0;
    uint64_t lo = 1;
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo + 1) / 2;
        if (pred(mid))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

}  // namespace vram
