// Unit tests of core/estimator/vocabulary.* — what the page and the embed build their controls from.
#include <catch2/catch.hpp>

#include <set>
#include <string>

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

TEST_CASE("the fit table's bound and rule follow the profile: an even split, TP up to 8, or one GPU", "[vocabulary]") {
    for (const auto& p : vocabularies_json()["profiles"]) {
        INFO(p["name"]);
        if (p["name"] == "classic") CHECK(p["fit_max_gpus"] == 64);
        if (p["name"] == "vllm" || p["name"] == "sglang" || p["name"] == "transformers") {
            CHECK(p["fit_max_gpus"] == 8);
            CHECK(p["fit_rule"].get<std::string>().find("tensor-parallel size (1, 2, 4 or 8)") != std::string::npos);
        }
        // llama.cpp and diffusers are modelled on one GPU (max_tp 1): no "TP <= 8", no "more than 8".
        if (p["name"] == "llama.cpp" || p["name"] == "diffusers") {
            CHECK(p["fit_max_gpus"] == 1);
            CHECK(p["tp"] == nlohmann::json::array({1}));
            CHECK(p["fit_rule"].get<std::string>().find("one GPU") != std::string::npos);
        }
    }
}

TEST_CASE("a framework's own fine-tuning settings are marked for the page to fold away, the common ones are not",
          "[vocabulary]") {
    // The page shows the method, rank, optimizer, sequence and micro-batch at once and folds the rows that say how one
    // framework runs a step (PEFT, TRL, litgpt) under one summary; the mark is the row's, so a new row chooses its place.
    const nlohmann::json v = vocabularies_json();
    std::set<std::string> framework, common;
    for (const auto& o : v["options"]) {
        if (!o["training"].get<bool>()) {
            CHECK_FALSE(o.contains("framework"));
            continue;
        }
        (o["framework"].get<bool>() ? framework : common).insert(o["key"].get<std::string>());
        if (o["framework"].get<bool>()) CHECK(o["kind"] == "flag");
    }
    CHECK(framework == std::set<std::string>{"adapters_fp32", "kbit_fp32_upcast", "nf4_every_linear", "litgpt_modules",
                                             "untie_head", "repeat_kv", "litgpt_loss", "fp32_norms",
                                             "no_sync_accumulation"});
    for (const char* k : {"train", "lora_rank", "optimizer", "micro_batch", "seq_tokens", "gradient_checkpointing"})
        CHECK(common.count(k) == 1);
}
