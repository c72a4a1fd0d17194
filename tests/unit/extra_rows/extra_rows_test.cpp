// Built only into unit_tests_extra_rows, whose core is compiled with VRAM_TEST_EXTRA_ROWS: each table then has one
// more row (gpu_catalog.cpp: test-gpu-40gb; precision.cpp: int3; profiles.cpp: KV dtype fp4_test offered by vLLM,
// and a vLLM default context of 8192). These tests show that one row is all it takes: the option parser, the CLI's
// --help text, the vocabularies the page and the embed read, and the estimate all see it.
#include <catch2/catch.hpp>

#include "cli/options.hpp"
#include "estimator/estimate.hpp"
#include "estimator/vocabulary.hpp"

using namespace vram;

namespace {

bool lists(const nlohmann::json& rows, const char* key, const std::string& value) {
    for (const auto& r : rows)
        if (r.at(key) == value) return true;
    return false;
}

// One BF16 tensor of 1,000,000 parameters with a Llama-shaped config: 2 layers, 4 KV heads of 64.
Model small_model() {
    Model m;
    m.repo_id = "test/small";
    ArchitectureResult a = parse_architecture(
        R"({"model_type":"llama","hidden_size":512,"intermediate_size":1024,"num_hidden_layers":2,
            "num_attention_heads":8,"num_key_value_heads":4,"max_position_embeddings":32768,"vocab_size":1000})");
    REQUIRE_FALSE(a.error);
    m.arch = a.arch;
    m.has_llm = true;
    m.components.push_back(Component{"root", {}, 1, 2'000'000, 1'000'000, ""});
    TensorRecord t;
    t.dtype = DType::BF16;
    t.flags = kFloating;
    t.bytes = 2'000'000;
    t.params = 1'000'000;
    m.tensors.push_back(t);
    return m;
}

}  // namespace

TEST_CASE("a GPU row reaches the parser, the help's --list-gpus source, the vocabularies and the fit table",
          "[extra_rows]") {
    OptionsResult r = resolve_options({{"gpu", "test-gpu-40gb"}});
    REQUIRE_FALSE(r.error);
    REQUIRE(r.options.gpu);
    CHECK(r.options.gpu->usable_bytes == 40ull << 30);
    CHECK(lists(vocabularies_json()["gpus"], "id", "test-gpu-40gb"));
    Estimate e = estimate(small_model(), r.options);
    REQUIRE_FALSE(e.error);
    CHECK(e.gpu == r.options.gpu);
    bool in_fit_table = false;
    for (const auto& row : e.gpu_fit) in_fit_table = in_fit_table || std::string(row.gpu->id) == "test-gpu-40gb";
    CHECK(in_fit_table);
}

TEST_CASE("a precision row is parsed, listed, and sizes the weights", "[extra_rows]") {
    OptionsResult r = resolve_options({{"precision", "int3"}});
    REQUIRE_FALSE(r.error);
    CHECK(lists(vocabularies_json()["precisions"], "name", "int3"));
    CHECK(cli_usage().find("int3") != std::string::npos);
    Estimate e = estimate(small_model(), r.options);
    REQUIRE_FALSE(e.error);
    // 1,000,000 parameters × 3 bits = 375,000 bytes.
    CHECK(e.weights_bytes == 375'000);
}

TEST_CASE("a KV dtype row is parsed, offered only by its engines, and sizes the cache", "[extra_rows]") {
    OptionsResult r = resolve_options({{"profile", "vllm"}, {"kv_dtype", "fp4_test"}, {"context_tokens", "1024"}});
    REQUIRE_FALSE(r.error);
    CHECK(lists(vocabularies_json()["kv_dtypes"], "name", "fp4_test"));
    CHECK(cli_usage().find("fp4_test") != std::string::npos);
    Estimate e = estimate(small_model(), r.options);
    REQUIRE_FALSE(e.error);
    // 2 layers × 4 KV heads × (64 + 64) elements per token at 1 byte per 2 elements = 512 bytes per token.
    CHECK(e.kv_bytes_per_token == 512);
    CHECK(resolve_options({{"profile", "transformers"}, {"kv_dtype", "fp4_test"}}).error.code ==
          ErrorCode::invalid_argument);
}

TEST_CASE("a profile default row changes that profile's default everywhere", "[extra_rows]") {
    OptionsResult vllm = resolve_options({{"profile", "vllm"}});
    REQUIRE_FALSE(vllm.error);
    CHECK(vllm.options.context_tokens == 8192);
    CHECK(resolve_options({{"profile", "transformers"}}).options.context_tokens == 0);
    CHECK(resolve_options({{"profile", "vllm"}, {"context_tokens", "4096"}}).options.context_tokens == 4096);
    for (const auto& p : vocabularies_json()["profiles"])
        if (p["name"] == "vllm") CHECK(p["defaults"]["context_tokens"] == 8192);
    CHECK(cli_usage().find("vllm 8192") != std::string::npos);
    CliOptions cli = parse_cli({"test/small", "--profile", "vllm"});
    CHECK(cli.error.empty());
    CHECK(cli.estimate.context_tokens == 8192);
}
