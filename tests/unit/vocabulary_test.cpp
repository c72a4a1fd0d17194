// Unit tests of core/estimator/vocabulary.* — what the page and the embed build their controls from.
#include <catch2/catch.hpp>

#include "estimator/options.hpp"
#include "estimator/vocabulary.hpp"

using namespace vram;

TEST_CASE("the vocabularies list every row of every table", "[vocabulary]") {
    const nlohmann::json v = vocabularies_json();
    CHECK(v["profiles"].size() == profiles().size());
    CHECK(v["precisions"].size() == precisions().size());
    CHECK(v["kv_dtypes"].size() == kv_dtypes().size());
    CHECK(v["gpus"].size() == gpu_catalog().size());
    CHECK(v["options"].size() == option_specs().size());
    CHECK(v["units"]["GiB"] == 1073741824ull);
}

TEST_CASE("each profile says what it accepts and its resolved defaults", "[vocabulary]") {
    for (const auto& p : vocabularies_json()["profiles"]) {
        CHECK(p["precisions"].size() == precisions().size());
        if (p["name"] == "classic") {
            CHECK(p["kv_dtypes"] == nlohmann::json::array({"auto", "fp16"}));
            CHECK(p["tp"] == nlohmann::json::array({1}));
            CHECK(p["fixed_kv_reason"] != "");
            CHECK(p["defaults"]["context_tokens"] == 0);  // the model's max context, as the original tool
        }
        if (p["name"] == "vllm") {
            CHECK(p["tp"] == nlohmann::json::array({1, 2, 4, 8}));
            CHECK(p["defaults"]["gpu_memory_utilization"] == 0.9);
            CHECK(p["backends"] == nlohmann::json::array({"cuda", "rocm"}));
        }
        if (p["name"] == "llama.cpp") {
            CHECK(p["gguf"] == true);
            CHECK(p["defaults"]["n_gpu_layers"] == -1);
            CHECK(p["defaults"]["ubatch_tokens"] == 512);
        }
    }
}
