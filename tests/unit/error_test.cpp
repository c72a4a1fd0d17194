// Unit tests of core/estimator/error.* — stable code names (tests, the CLI's JSON and the page match on them).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "estimator/error.hpp"

using namespace vram;

TEST_CASE("every error code has its own stable name", "[error]") {
    std::set<std::string> names;
    for (int c = 0; c <= static_cast<int>(ErrorCode::training_unsupported); ++c) {
        const std::string name = error_code_name(static_cast<ErrorCode>(c));
        CHECK(name != "unknown");
        CHECK(names.insert(name).second);
    }
    CHECK(std::string(error_code_name(ErrorCode::header_too_large)) == "header_too_large");
    CHECK(std::string(error_code_name(ErrorCode::invalid_option)) == "invalid_option");
    CHECK(std::string(error_code_name(ErrorCode::out_of_memory)) == "out_of_memory");
}

TEST_CASE("an Error is false when it carries no code", "[error]") {
    Error none;
    CHECK_FALSE(none);
    Error e = make_error(ErrorCode::timeout, "timed out");
    CHECK(e);
    CHECK(e.message == "timed out");
}
