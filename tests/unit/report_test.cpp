// Unit tests of core/estimator/report.* — text, JSON and Markdown rendered from one Estimate, checked
// against golden files in tests/unit/golden/. The model is built from a RepoSnapshot typed here: the
// shapes of Llama-3.1-8B (config: meta-llama/Llama-3.1-8B config.json,
// 291 BF16 tensors = 8,030,261,248 parameters, the Hub's published count) in one safetensors file.
// To approve new goldens after reading the diff: tools/approve-golden.sh.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "estimator/model.hpp"
#include "estimator/report.hpp"
#include "option_helpers.hpp"

using namespace vram;

namespace {

const char* kConfig = R"({"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
  "max_position_embeddings":131072,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
  "num_key_value_heads":8,"tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":128256})";

RepoSnapshot llama_shaped_snapshot() {
    nlohmann::ordered_json header;
    uint64_t offset = 0;
    auto add = [&](const std::string& name, std::vector<uint64_t> shape) {
        uint64_t n = 1;
        for (uint64_t d : shape) n *= d;
        header[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {offset, offset + 2 * n}}};
        offset += 2 * n;
    };
    add("model.embed_tokens.weight", {128256, 4096});
    for (int i = 0; i < 32; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        add(p + "input_layernorm.weight", {4096});
        add(p + "self_attn.q_proj.weight", {4096, 4096});
        add(p + "self_attn.k_proj.weight", {1024, 4096});
        add(p + "self_attn.v_proj.weight", {1024, 4096});
        add(p + "self_attn.o_proj.weight", {4096, 4096});
        add(p + "post_attention_layernorm.weight", {4096});
        add(p + "mlp.gate_proj.weight", {14336, 4096});
        add(p + "mlp.up_proj.weight", {14336, 4096});
        add(p + "mlp.down_proj.weight", {4096, 14336});
    }
    add("model.norm.weight", {4096});
    add("lm_head.weight", {128256, 4096});
    const std::string text = header.dump();
    RepoSnapshot s;
    s.repo_id = "test/llama-3.1-8b-shaped";
    s.revision = "main";
    s.sha = "0000000000000000000000000000000000000000";
    s.files = {{"config.json", std::string(kConfig).size()}, {"model.safetensors", 8 + text.size() + offset}};
    s.texts["config.json"] = kConfig;
    s.headers["model.safetensors"] = text;
    return s;
}

const Model& llama_model() {
    static const Model m = analyze(llama_shaped_snapshot());
    return m;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// Compares with the golden; with VRAM_GOLDEN_ACTUAL_DIR set, also writes what was rendered there
// (tools/approve-golden.sh diffs that folder against tests/unit/golden and copies it over when approved).
void check_golden(const std::string& name, const std::string& actual) {
    if (const char* dir = std::getenv("VRAM_GOLDEN_ACTUAL_DIR"))
        std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << actual;
    const std::string expected = read_file(std::string(VRAM_SOURCE_DIR) + "/tests/unit/golden/" + name);
    INFO("golden " << name << " differs; run tools/approve-golden.sh to review the diff");
    CHECK(actual == expected);
}

struct GoldenCase {
    const char* name;
    const char* profile;
    uint64_t context;
    uint32_t batch;
    uint32_t tp;
    const char* gpu;
};

// Every profile, and each extension of the original layout (a GPU, tensor parallelism).
const GoldenCase kCases[] = {
    {"llama8b-classic", "classic", 8192, 1, 1, ""},
    {"llama8b-classic-rtx4090", "classic", 8192, 1, 1, "rtx-4090"},
    {"llama8b-transformers", "transformers", 8192, 1, 1, ""},
    {"llama8b-vllm-h100", "vllm", 8192, 1, 1, "h100-80gb"},
    {"llama8b-vllm-tp2-l4", "vllm", 32768, 4, 2, "l4"},
    {"llama8b-sglang-h100", "sglang", 8192, 8, 1, "h100-80gb"},
};

}  // namespace

TEST_CASE("the Llama-shaped snapshot has the 8,030,261,248 parameters the Hub reports", "[report]") {
    const Model& m = llama_model();
    REQUIRE_FALSE(m.error);
    CHECK(m.params == 8'030'261'248);
    CHECK(m.n_tensors == 291);
    CHECK(m.has_llm);
}

TEST_CASE("format_bytes keeps the original tool's binary units", "[report]") {
    CHECK(format_bytes(512) == "512 B");
    CHECK(format_bytes(1536) == "1.50 KB");
    CHECK(format_bytes(500ull << 20) == "500.00 MB");
    CHECK(format_bytes(16'060'522'496) == "14.96 GB");
    CHECK(format_count(131072) == "131,072");
}

TEST_CASE("text, JSON and Markdown reports match their goldens for every profile", "[report][golden]") {
    for (const auto& c : kCases) {
        EstimateOptions o;
        o.profile = profile_id(c.profile);
        o.context_tokens = c.context;
        o.batch = c.batch;
        o.tp = c.tp;
        o.gpu = gpu_row(c.gpu);
        Estimate e = estimate(llama_model(), o);
        REQUIRE_FALSE(e.error);
        check_golden(std::string(c.name) + ".expected.txt", render_text(llama_model(), e));
        check_golden(std::string(c.name) + ".expected.json", render_json(llama_model(), e));
        check_golden(std::string(c.name) + ".expected.md", render_markdown(llama_model(), e));
    }
}

TEST_CASE("the classic text report ends with the original recommendation block", "[report][classic]") {
    EstimateOptions o;
    o.context_tokens = 8192;
    const std::string t = render_text(llama_model(), estimate(llama_model(), o));
    const std::string tail = "GPU Recommendations:\n  - RTX 3090/4090 (24GB) or better\n";
    REQUIRE(t.size() > tail.size());
    CHECK(t.compare(t.size() - tail.size(), tail.size(), tail) == 0);
}

TEST_CASE("the JSON report keeps every original key and adds the engine fields", "[report][json]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    const auto j = nlohmann::json::parse(render_json(llama_model(), estimate(llama_model(), o)));
    for (const char* k : {"model_id", "architecture", "dtype_distribution", "component_sizes", "quantization",
                          "batch_size", "context_length", "estimates", "estimates_bytes", "schema_version"})
        CHECK(j.contains(k));
    for (const char* k :
         {"model_weights", "model_weights_raw", "kv_cache", "activation_overhead", "cuda_overhead", "total"})
        CHECK(j["estimates_bytes"].contains(k));
    for (const char* k : {"kv_cache_per_layer", "per_gpu", "gpu_fit", "max_context_tokens_fit", "max_batch_fit",
                          "profile_details", "engine_reservation", "gpu", "kv_dtype", "tensor_parallel"})
        CHECK(j.contains(k));
    CHECK(j["kv_cache_per_layer"][0]["bytes_per_token"] == 4096);
    CHECK(j["gpu"]["memory_gib"] == 80.0);
    CHECK(j["gpu"]["memory_gb"] == 85.9);
    CHECK(j["estimates_bytes"]["model_weights"] == j["per_gpu"]["model_weights"]);
}
