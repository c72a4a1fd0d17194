// Unit tests of core/estimator/checked_math.hpp: the edges of 64-bit sums and products.
#include <catch2/catch.hpp>

#include <limits>

#include "estimator/checked_math.hpp"

using namespace vram;

namespace {
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
}

TEST_CASE("checked_add adds up to 2^64 - 1 and refuses one more", "[checked_math]") {
    uint64_t out = 7;
    CHECK(checked_add(kMax - 1, 1, out));
    CHECK(out == kMax);
    out = 7;
    CHECK_FALSE(checked_add(kMax, 1, out));
    CHECK(out == 7);  // untouched on overflow
    CHECK_FALSE(checked_add(1ull << 63, 1ull << 63, out));
    CHECK(checked_add(0, 0, out));
    CHECK(out == 0);
}

TEST_CASE("checked_mul multiplies up to 2^64 - 1 and refuses a wrapping product", "[checked_math]") {
    uint64_t out = 7;
    CHECK(checked_mul(1ull << 32, (1ull << 32) - 1, out));
    CHECK(out == (1ull << 32) * ((1ull << 32) - 1));
    CHECK_FALSE(checked_mul(1ull << 32, 1ull << 32, out));
    CHECK(checked_mul(0, kMax, out));
    CHECK(out == 0);
    CHECK(checked_mul(kMax, 1, out));
    CHECK(out == kMax);
    CHECK_FALSE(checked_mul(kMax, 2, out));
}

TEST_CASE("add_to keeps a running sum and leaves it as it was when the next value would wrap it", "[checked_math]") {
    // 9 shards of 2^61 bytes: the 8th reaches 2^64 and is refused, where a plain sum would wrap to 0.
    uint64_t total = 0;
    int added = 0;
    for (int i = 0; i < 9; ++i)
        if (add_to(total, 1ull << 61)) ++added;
    CHECK(added == 7);
    CHECK(total == 7 * (1ull << 61));
}
