// Test helpers: options by name, as a user types them, for tests that build EstimateOptions by hand.
#pragma once
#include <catch2/catch.hpp>

#include <string_view>

#include "estimator/options.hpp"

namespace vram {

inline ProfileId profile_id(std::string_view name) {
    ProfileId p{};
    REQUIRE(parse_profile(name, p));
    return p;
}

inline KvDtype kv_dtype_id(std::string_view name) {
    KvDtype d{};
    REQUIRE(parse_kv_dtype(name, d));
    return d;
}

inline Precision precision_id(std::string_view name) {
    Precision p{};
    REQUIRE(parse_precision(name, p));
    return p;
}

// nullptr for "" (no GPU chosen) and for ids not in the catalog.
inline const GpuInfo* gpu_row(std::string_view id) { return id.empty() ? nullptr : find_gpu(id); }

}  // namespace vram
