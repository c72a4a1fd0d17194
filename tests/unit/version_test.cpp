// The one version number: package.json's "version" reaches the core (cmake/version.cmake → VRAM_VERSION).
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "estimator/version.hpp"

TEST_CASE("the core's version is package.json's version", "[version]") {
    std::ifstream f(std::string(VRAM_SOURCE_DIR) + "/package.json");
    REQUIRE(f.good());
    const auto package = nlohmann::json::parse(f);
    CHECK(package.at("version").get<std::string>() == vram::kToolVersion);
}
