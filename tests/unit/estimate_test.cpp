// Unit tests of core/estimator/estimate.* — per-layer KV cache, engine profiles, tensor parallelism,
// GPU fit and its inversions. Configs are typed in from the models' public config.json (the Hub repo is named above each),
// keeping the keys the estimator reads.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "estimator/estimate.hpp"
#include "estimator/gpu_catalog.hpp"
#include "estimator/report.hpp"
#include "gguf_writer.hpp"
#include "option_helpers.hpp"

using namespace vram;

namespace {

// meta-llama__Llama-3.1-8B/config.copy.json
const char* kLlama31_8B = R"({"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
  "max_position_embeddings":131072,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
  "num_key_value_heads":8,"tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":128256})";

// Qwen__Qwen2-7B-Instruct/config.transcribed.json
const char* kQwen2_7B = R"({"architectures":["Qwen2ForCausalLM"],"hidden_size":3584,"intermediate_size":18944,
  "max_position_embeddings":32768,"max_window_layers":28,"model_type":"qwen2","num_attention_heads":28,
  "num_hidden_layers":28,"num_key_value_heads":4,"sliding_window":null,"torch_dtype":"bfloat16",
  "use_sliding_window":false,"vocab_size":152064})";

// deepseek-ai__DeepSeek-R1/config.json (DeepseekV3ForCausalLM; every dimension equals DeepSeek-V3's)
const char* kDeepSeekV3 = R"({"architectures":["DeepseekV3ForCausalLM"],"hidden_size":7168,"intermediate_size":18432,
  "kv_lora_rank":512,"max_position_embeddings":163840,"model_type":"deepseek_v3","moe_intermediate_size":2048,
  "n_routed_experts":256,"num_attention_heads":128,"num_experts_per_tok":8,"num_hidden_layers":61,
  "num_key_value_heads":128,"q_lora_rank":1536,"qk_nope_head_dim":128,"qk_rope_head_dim":64,
  "torch_dtype":"bfloat16","v_head_dim":128,"vocab_size":129280})";

// openai__gpt-oss-20b/config.json (layer_types alternate sliding_attention / full_attention, 24 entries)
std::string gpt_oss_20b() {
    std::string types;
    for (int i = 0; i < 24; ++i)
        types += std::string(i ? "," : "") + (i % 2 ? "\"full_attention\"" : "\"sliding_attention\"");
    return R"({"architectures":["GptOssForCausalLM"],"experts_per_token":4,"head_dim":64,"hidden_size":2880,
      "intermediate_size":2880,"layer_types":[)" +
           types + R"(],"max_position_embeddings":131072,"model_type":"gpt_oss",
      "num_attention_heads":64,"num_experts_per_tok":4,"num_hidden_layers":24,"num_key_value_heads":8,
      "num_local_experts":32,"sliding_window":128,"vocab_size":201088})";
}

// Qwen__Qwen3-Next-80B-A3B-Instruct/config.json
const char* kQwen3Next = R"({"architectures":["Qwen3NextForCausalLM"],"full_attention_interval":4,"head_dim":256,
  "hidden_size":2048,"intermediate_size":5120,"linear_conv_kernel_dim":4,"linear_key_head_dim":128,
  "linear_num_key_heads":16,"linear_num_value_heads":32,"linear_value_head_dim":128,"max_position_embeddings":262144,
  "model_type":"qwen3_next","moe_intermediate_size":512,"num_attention_heads":16,"num_experts":512,
  "num_experts_per_tok":10,"num_hidden_layers":48,"num_key_value_heads":2,"torch_dtype":"bfloat16","vocab_size":151936})";

// google__flan-t5-base/config.json
const char* kFlanT5Base = R"({"architectures":["T5ForConditionalGeneration"],"d_ff":2048,"d_kv":64,"d_model":768,
  "is_encoder_decoder":true,"model_type":"t5","n_positions":512,"num_decoder_layers":12,"num_heads":12,
  "num_layers":12,"vocab_size":32128})";

// A Model from a config alone, with one BF16 weight record of `params` parameters (2 bytes each).
Model model_from_config(const std::string& config, uint64_t params = 0) {
    Model m;
    m.repo_id = "test/model";
    ArchitectureResult a = parse_architecture(config);
    REQUIRE_FALSE(a.error);
    m.arch = a.arch;
    m.has_llm = m.arch.has_kv_cache;
    m.components.push_back(Component{"root", {}, 1, params * 2, params, ""});
    TensorRecord t;
    t.dtype = DType::BF16;
    t.flags = kFloating;
    t.bytes = params * 2;
    t.params = params;
    m.tensors.push_back(t);
    m.n_tensors = 1;
    m.bytes = t.bytes;
    m.params = params;
    return m;
}

Estimate run(const Model& m, const std::string& profile, uint64_t context = 8192, uint32_t batch = 1) {
    EstimateOptions o;
    o.profile = profile_id(profile);
    o.context_tokens = context;
    o.batch = batch;
    return estimate(m, o);
}

const KvLayerGroup* group(const Estimate& e, const std::string& kind) {
    for (const auto& g : e.kv_groups)
        if (g.kind == kind) return &g;
    return nullptr;
}

// Published parameter count of Llama-3.1-8B (HF API safetensors total, meta-llama__Llama-3.1-8B/facts.json).
constexpr uint64_t kLlama8BParams = 8'030'261'248;

}  // namespace

TEST_CASE("Llama-3.1-8B holds 131,072 bytes of KV per token in every engine profile", "[estimate][kv]") {
    // 32 layers × 8 KV heads × 128 × 2 (K and V) × 2 bytes
    const Model m = model_from_config(kLlama31_8B);
    for (const char* p : {"classic", "transformers", "vllm", "sglang"}) {
        Estimate e = run(m, p);
        REQUIRE_FALSE(e.error);
        CHECK(e.kv_bytes_per_token == 131'072);
        REQUIRE(e.kv_groups.size() == 1);
        CHECK(e.kv_groups[0].kind == "full");
        CHECK(e.kv_groups[0].n_layers == 32);
        CHECK(e.kv_cache_bytes == 131'072ull * 8192);
    }
}

TEST_CASE("a chart point (no assumption lines, no fit table, no searches) has the full estimate's figures",
          "[estimate][point]") {
    // The page's view() asks for ~30 such points per change (api.cpp point_json); they read the per-GPU parts and
    // whether the model fits, never the lines, so the lines are not written for them. Every figure stays the same.
    const Model m = model_from_config(kLlama31_8B, 8'030'261'248);
    for (const char* p : {"classic", "transformers", "vllm", "sglang"}) {
        EstimateOptions o;
        o.profile = profile_id(p);
        o.context_tokens = 32'768;
        o.gpu = find_gpu("rtx-4090");
        const Estimate full = estimate(m, o);
        o.fit_table = o.fit_limits = o.assumption_lines = false;
        const Estimate point = estimate(m, o);
        REQUIRE_FALSE(full.error);
        REQUIRE_FALSE(point.error);
        CHECK_FALSE(full.assumptions.empty());
        CHECK(point.assumptions.empty());
        CHECK(point.per_gpu.total_bytes == full.per_gpu.total_bytes);
        CHECK(point.per_gpu.kv_cache_bytes == full.per_gpu.kv_cache_bytes);
        CHECK(point.per_gpu.activation_bytes == full.per_gpu.activation_bytes);
        CHECK(point.per_gpu.overhead_bytes == full.per_gpu.overhead_bytes);
        CHECK(point.fits == full.fits);
    }
}

TEST_CASE("Qwen2-7B holds 57,344 bytes of KV per token and ignores its disabled sliding window", "[estimate][kv]") {
    // 28 layers × 4 KV heads × 128 × 2 × 2 bytes
    const Model m = model_from_config(kQwen2_7B);
    for (const char* p : {"transformers", "vllm", "sglang"}) {
        Estimate e = run(m, p, 4096, 2);
        REQUIRE_FALSE(e.error);
        CHECK(e.kv_bytes_per_token == 57'344);
        CHECK(e.kv_cache_bytes == 57'344ull * 4096 * 2);
    }
}

TEST_CASE("DeepSeek-V3 caches one 576-wide MLA latent per token and layer: 70,272 bytes in bf16",
          "[estimate][kv][mla]") {
    // 61 layers × (kv_lora_rank 512 + qk_rope_head_dim 64) × 2 bytes, no K/V pair
    const Model m = model_from_config(kDeepSeekV3);
    for (const char* p : {"vllm", "sglang"}) {
        Estimate e = run(m, p);
        REQUIRE_FALSE(e.error);
        CHECK(e.kv_bytes_per_token == 70'272);
        REQUIRE(group(e, "mla"));
        CHECK(group(e, "mla")->bytes_per_token == 1'152);
    }
}

TEST_CASE("transformers caches DeepSeek-V3's expanded per-head K and V instead of the latent", "[estimate][kv][mla]") {
    // 61 layers × 128 heads × (qk_nope 128 + qk_rope 64 + v 128) × 2 bytes
    Estimate e = run(model_from_config(kDeepSeekV3), "transformers");
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_bytes_per_token == 61ull * 128 * 320 * 2);
}

TEST_CASE("an fp8 KV cache halves Llama-3.1-8B's bytes per token under vllm", "[estimate][kv][kv_dtype]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.kv_dtype = kv_dtype_id("fp8");
    Estimate e = estimate(model_from_config(kLlama31_8B), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_dtype == "fp8");
    CHECK(e.kv_bytes_per_token == 65'536);
}

TEST_CASE("an int8 KV cache under transformers takes one byte per element", "[estimate][kv][kv_dtype]") {
    EstimateOptions o;
    o.profile = profile_id("transformers");
    o.context_tokens = 1024;
    o.kv_dtype = kv_dtype_id("int8");
    Estimate e = estimate(model_from_config(kQwen2_7B), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_bytes_per_token == 28'672);
}

TEST_CASE("a KV dtype the engine does not offer is invalid_argument naming what it accepts",
          "[estimate][kv_dtype][malformed]") {
    const Model m = model_from_config(kLlama31_8B);
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.kv_dtype = kv_dtype_id("int8");
    Estimate e = estimate(m, o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message ==
          "kv_dtype int8 is not offered by vLLM (profile vllm accepts: auto, fp16, bf16, fp8, fp8_ds_mla)");
    o.kv_dtype = kv_dtype_id("q4_0");
    CHECK(estimate(m, o).error.code == ErrorCode::invalid_argument);
    o.profile = profile_id("classic");
    o.kv_dtype = kv_dtype_id("fp8");
    CHECK(estimate(m, o).error.code == ErrorCode::invalid_argument);
    OptionsResult unknown = resolve_options({{"kv_dtype", "fp4"}});
    CHECK(unknown.error.code == ErrorCode::invalid_option);
    CHECK(unknown.error.message ==
          "kv_dtype (--kv-dtype): \"fp4\" is not one of: auto, fp16, bf16, fp8, int8, q8_0, q4_0, fp32, q4_1, q5_0, "
          "q5_1, iq4_nl, fp8_ds_mla");
}

TEST_CASE("the llama.cpp profile on a safetensors model says it needs a GGUF repo", "[estimate][profile][malformed]") {
    Estimate e = run(model_from_config(kLlama31_8B), "llama.cpp");
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message == "profile llama.cpp needs a GGUF repo: test/model has no GGUF files");
}

TEST_CASE("an unknown profile is invalid_option listing the known ones", "[estimate][profile][malformed]") {
    OptionsResult r = resolve_options({{"profile", "tgi"}});
    CHECK(r.error.code == ErrorCode::invalid_option);
    CHECK(r.error.message ==
          "profile (--profile): \"tgi\" is not one of: classic, transformers, vllm, sglang, llama.cpp, diffusers");
}

TEST_CASE("gpt-oss-20b's sliding layers keep the window in transformers and window plus a batch in vllm",
          "[estimate][kv][sliding]") {
    // 12 sliding (window 128) + 12 full layers, 8 KV heads × 64 × 2 × 2 = 2,048 bytes per layer and token
    const Model m = model_from_config(gpt_oss_20b());
    Estimate t = run(m, "transformers");
    REQUIRE_FALSE(t.error);
    REQUIRE(group(t, "sliding"));
    CHECK(group(t, "sliding")->n_layers == 12);
    CHECK(group(t, "sliding")->window_tokens == 128);
    CHECK(group(t, "sliding")->tokens_per_sequence == 128);
    CHECK(group(t, "sliding")->bytes == 12ull * 128 * 2048);
    CHECK(group(t, "full")->bytes == 12ull * 8192 * 2048);
    CHECK(t.kv_bytes_per_token == 24ull * 2048);

    // vLLM: (ceil(min(128 - 1 + 8192, 8192) / 16) + 1) × 16 = 8,208 tokens
    Estimate v = run(m, "vllm");
    REQUIRE_FALSE(v.error);
    CHECK(group(v, "sliding")->tokens_per_sequence == 8208);
    CHECK(group(v, "full")->tokens_per_sequence == 8192);
    // SGLang's uniform cell charges every layer the whole context.
    Estimate s = run(m, "sglang");
    CHECK(group(s, "sliding")->tokens_per_sequence == 8192);
}

TEST_CASE("vllm rounds a full layer's context up to whole 16-token blocks", "[estimate][kv]") {
    Estimate e = run(model_from_config(kLlama31_8B), "vllm", 1000);
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_groups[0].tokens_per_sequence == 1008);
    CHECK(e.kv_cache_bytes == 1008ull * 131'072);
}

TEST_CASE("Qwen3-Next's Gated DeltaNet layers hold a fixed state per sequence", "[estimate][kv][linear]") {
    // 36 linear layers: conv (4 - 1) × (2 × 16 × 128 + 32 × 128) + recurrent 32 × 128 × 128 = 548,864 elements × 2 bytes;
    // 12 full layers: 2 KV heads × (256 + 256) × 2 bytes = 2,048 bytes per token
    const Model m = model_from_config(kQwen3Next);
    Estimate a = run(m, "transformers", 1000);
    Estimate b = run(m, "transformers", 2000);
    REQUIRE_FALSE(a.error);
    REQUIRE(group(a, "linear_state"));
    CHECK(group(a, "linear_state")->n_layers == 36);
    CHECK(group(a, "linear_state")->state_bytes == 1'097'728);
    CHECK(group(a, "linear_state")->bytes == group(b, "linear_state")->bytes);
    CHECK(group(a, "full")->n_layers == 12);
    CHECK(a.kv_bytes_per_token == 12ull * 2048);
    // vLLM grows the attention block until one page holds a state: 16 × ceil(1,097,728 / (16 × 2,048)) = 544 tokens
    Estimate v = run(m, "vllm", 1000);
    REQUIRE_FALSE(v.error);
    CHECK(v.details.block_tokens == 544);
    CHECK(group(v, "full")->tokens_per_sequence == 1088);
}

TEST_CASE("the KV assumptions state the rule of each layer kind the model has and no other", "[estimate][kv]") {
    auto lines_with = [](const Estimate& e, const std::string& word) {
        size_t n = 0;
        for (const auto& a : e.assumptions) n += a.find(word) != std::string::npos;
        return n;
    };
    // Llama-3.1-8B: full layers only.
    Estimate llama = run(model_from_config(kLlama31_8B), "vllm", 1000);
    REQUIRE_FALSE(llama.error);
    CHECK(lines_with(llama, "MLA layers") == 0);
    CHECK(lines_with(llama, "sliding") == 0);
    CHECK(lines_with(llama, "linear-attention") == 0);
    CHECK(lines_with(llama, "attention layers hold ceil(context / block) blocks, block 16 tokens") == 1);
    // DeepSeek-V3: MLA under vLLM (the latent) and transformers (expanded K and V).
    const Model ds = model_from_config(kDeepSeekV3);
    CHECK(lines_with(run(ds, "vllm"), "MLA layers: one latent") == 1);
    CHECK(lines_with(run(ds, "transformers"), "MLA layers: the expanded per-head K") == 1);
    // gpt-oss: sliding and full layers, each engine's sliding rule.
    const Model oss = model_from_config(gpt_oss_20b());
    CHECK(lines_with(run(oss, "vllm"), "sliding layers hold (ceil(min(window - 1 + max_num_batched_tokens") == 1);
    CHECK(lines_with(run(oss, "transformers"), "sliding / chunked layers keep min(window, context)") == 1);
    CHECK(lines_with(run(oss, "sglang"), "sliding ones included, holds the whole context") == 1);
    CHECK(lines_with(run(oss, "vllm"), "MLA layers") == 0);
    // Qwen3-Next: Gated DeltaNet (linear) and full layers.
    Estimate next = run(model_from_config(kQwen3Next), "vllm", 1000);
    CHECK(lines_with(next, "linear-attention / SSM layers hold a fixed recurrent state") == 1);
    CHECK(lines_with(next, "MLA layers") == 0);
}

TEST_CASE("flan-t5-base's decoder layers add cross-attention over the 512-token encoder",
          "[estimate][kv][encoder_decoder]") {
    // 12 decoder layers × 12 KV heads × 64 × 2 × 2 bytes = 3,072 bytes per layer and token
    Estimate e = run(model_from_config(kFlanT5Base), "transformers", 256);
    REQUIRE_FALSE(e.error);
    REQUIRE(group(e, "cross_attention"));
    CHECK(group(e, "cross_attention")->n_layers == 12);
    CHECK(group(e, "cross_attention")->tokens_per_sequence == 512);
    CHECK(group(e, "cross_attention")->bytes == 12ull * 512 * 3072);
    CHECK(group(e, "full")->bytes == 12ull * 256 * 3072);
}

TEST_CASE("tensor parallelism splits KV heads, replicates them past the head count and keeps the MLA latent whole",
          "[estimate][tp]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.tp = 2;
    Estimate e = estimate(model_from_config(kLlama31_8B, kLlama8BParams), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_bytes_per_token == 65'536);
    CHECK(e.total_bytes == e.per_gpu.total_bytes * 2);
    o.tp = 16;  // 8 KV heads over 16 ranks: one head each
    CHECK(estimate(model_from_config(kLlama31_8B), o).kv_bytes_per_token == 32ull * 1 * 256 * 2);
    o.tp = 8;
    CHECK(estimate(model_from_config(kDeepSeekV3), o).kv_bytes_per_token == 70'272);
}

TEST_CASE("per-GPU weights are an even split plus the replicated norms", "[estimate][tp]") {
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    Estimate one = estimate(m, o);
    o.tp = 4;
    Estimate four = estimate(m, o);
    // norms: (2 × 32 + 1) × 4096 parameters × 2 bytes, whole on every rank
    const uint64_t replicated = 65ull * 4096 * 2;
    CHECK(one.per_gpu.weights_bytes == kLlama8BParams * 2);
    CHECK(four.per_gpu.weights_bytes == (kLlama8BParams * 2 - replicated + 3) / 4 + replicated);
}

TEST_CASE("a tensor-parallel size that does not divide the heads is invalid_argument", "[estimate][tp][malformed]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.tp = 3;
    Estimate e = estimate(model_from_config(kLlama31_8B), o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message == "tp 3 does not divide the 32 attention heads (vLLM and SGLang require it)");
    o.profile = profile_id("classic");
    o.tp = 2;
    CHECK(estimate(model_from_config(kLlama31_8B), o).error.code == ErrorCode::invalid_argument);
    o.profile = profile_id("vllm");
    o.tp = 0;
    CHECK(estimate(model_from_config(kLlama31_8B), o).error.code == ErrorCode::invalid_option);
}

TEST_CASE("an unknown GPU id and a utilization above 1 are invalid_option", "[estimate][gpu][malformed]") {
    CHECK(resolve_options({{"profile", "vllm"}, {"gpu", "rtx-9090"}}).error.code == ErrorCode::invalid_option);
    CHECK(resolve_options({{"gpu_memory_utilization", "1.5"}}).error.code == ErrorCode::invalid_option);
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.gpu = gpu_row("h100-80gb");
    o.gpu_memory_utilization = 1.5;
    CHECK(estimate(model_from_config(kLlama31_8B), o).error.code == ErrorCode::invalid_option);
    o.gpu_memory_utilization = 0;
    o.gpu = gpu_row("apple-m3-max-128gb");
    o.tp = 2;
    CHECK(estimate(model_from_config(kLlama31_8B), o).error.code == ErrorCode::invalid_argument);
}

TEST_CASE("vllm's KV pool on an H100 is the reservation minus weights, activations and non-torch memory",
          "[estimate][vllm][gpu]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    o.gpu_memory_utilization = 0.95;
    Estimate e = estimate(model_from_config(kLlama31_8B, kLlama8BParams), o);
    REQUIRE_FALSE(e.error);
    REQUIRE(e.reservation.present);
    CHECK(e.reservation.reserved_bytes ==
          static_cast<uint64_t>(std::ceil(static_cast<double>(e.gpu->usable_bytes) * 0.95)));
    CHECK(e.reservation.non_kv_bytes ==
          e.per_gpu.weights_bytes + e.per_gpu.activation_bytes + e.overhead_parts.non_torch_bytes);
    CHECK(e.reservation.kv_pool_bytes == e.reservation.reserved_bytes - e.reservation.non_kv_bytes);
    // one group of 32 layers: num_blocks = pool / (16 × 4,096) / 32; tokens = num_blocks × 16
    CHECK(e.reservation.kv_pool_tokens == e.reservation.kv_pool_bytes / (16 * 4096) / 32 * 16);
    // vLLM 0.19 logged 476,016 tokens for this setup (llm-d-planner results_raw.csv); the activation and
    // non-torch terms are calibrated, so agreement is to a tolerance: 1 %.
    CHECK(static_cast<double>(e.reservation.kv_pool_tokens) == Approx(476'016).epsilon(0.01));
}

TEST_CASE("vllm counts a hybrid model's KV tokens per padded layer group", "[estimate][vllm][sliding]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    o.tp = 2;
    Estimate e = estimate(model_from_config(gpt_oss_20b(), 10'000'000'000), o);
    REQUIRE_FALSE(e.error);
    // 12 sliding + 12 full layers: two groups of 12; page = 16 tokens × 1,024 bytes (4 KV heads per rank)
    CHECK(e.reservation.kv_pool_tokens == e.reservation.kv_pool_bytes / (16 * 1024) / 12 / 2 * 16);
}

TEST_CASE("SGLang's pool is mem_fraction_static of the GPU minus weights, context and non-torch",
          "[estimate][sglang][gpu]") {
    EstimateOptions o;
    o.profile = profile_id("sglang");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    Estimate e = estimate(model_from_config(kLlama31_8B, kLlama8BParams), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.details.memory_fraction == Approx(0.88));  // server_args.py default at TP 1
    CHECK(e.reservation.kv_pool_tokens == e.reservation.kv_pool_bytes / 131'072);
}

TEST_CASE("the largest context and batch that fit invert the estimate exactly", "[estimate][gpu][fit]") {
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    for (const char* p : {"classic", "transformers", "vllm", "sglang"}) {
        EstimateOptions o;
        o.profile = profile_id(p);
        o.context_tokens = 4096;
        o.gpu = gpu_row("rtx-4090");
        Estimate e = estimate(m, o);
        REQUIRE_FALSE(e.error);
        REQUIRE(e.has_fit_limits);
        REQUIRE(e.max_context_tokens_fit > 0);
        REQUIRE(e.max_context_tokens_fit < m.arch.max_context_tokens);
        o.context_tokens = e.max_context_tokens_fit;
        CHECK(estimate(m, o).fits);
        o.context_tokens = e.max_context_tokens_fit + 1;
        CHECK_FALSE(estimate(m, o).fits);
        o.context_tokens = 4096;
        o.batch = static_cast<uint32_t>(e.max_batch_fit);
        CHECK(estimate(m, o).fits);
        o.batch += 1;
        CHECK_FALSE(estimate(m, o).fits);
    }
}

TEST_CASE("the GPU table counts power-of-two GPUs and never puts two Macs together", "[estimate][gpu][fit]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    Estimate e = estimate(model_from_config(kLlama31_8B, kLlama8BParams), o);
    REQUIRE_FALSE(e.error);
    REQUIRE(e.gpu_fit.size() == gpu_catalog().size());
    for (const auto& r : e.gpu_fit) {
        CHECK((r.gpus_needed == 0 || r.gpus_needed == 1 || r.gpus_needed == 2 || r.gpus_needed == 4 ||
               r.gpus_needed == 8));
        if (!r.gpu->multi_gpu) CHECK(r.gpus_needed <= 1);
        if (std::string(r.gpu->id) == "h100-80gb") CHECK(r.gpus_needed == 1);
        if (std::string(r.gpu->id) == "rtx-3070") CHECK(r.gpus_needed > 1);
    }
    Estimate huge = estimate(model_from_config(kDeepSeekV3, 671'000'000'000), o);
    for (const auto& r : huge.gpu_fit)
        if (std::string(r.gpu->id) == "rtx-4090") CHECK(r.gpus_needed == 0);
}

TEST_CASE("classic counts the GPUs a model needs as an even split, not as tensor parallelism", "[estimate][classic]") {
    // DeepSeek-V3-shaped, 671e9 params stored bf16, 8,192 tokens: weights 1,342,000,000,000 B; KV (classic: head_dim =
    // hidden 7,168 / 128 heads = 56) 2 × 61 layers × 128 KV heads × 56 × 2 B = 1,748,992 B/token × 8,192 =
    // 14,327,742,464 B; activations 134,200,000,000 B; overhead 524,288,000 B: total 1,491,052,030,464 B.
    // B200 (192 GiB usable = 206,158,430,208 B): N = ceil((total − 524,288,000) / (206,158,430,208 − 524,288,000)) =
    // ceil(1,490,527,742,464 / 205,634,142,208) = ceil(7.25) = 8, each 1,490,527,742,464 / 8 + 524,288,000 =
    // 186,840,255,808 B. RTX 4090 (24 GiB): ceil(1,490,527,742,464 / 25,245,515,776) = ceil(59.04) = 60.
    // T4 (16 GiB): ceil(89.5) = 90 > 64, so none.
    Estimate e = run(model_from_config(kDeepSeekV3, 671'000'000'000), "classic", 8192);
    REQUIRE_FALSE(e.error);
    REQUIRE(e.total_bytes == 1'491'052'030'464ull);
    for (const auto& r : e.gpu_fit) {
        const std::string id = r.gpu->id;
        if (id == "b200-192gb") {
            CHECK(r.gpus_needed == 8);
            CHECK(r.per_gpu_total_bytes == 186'840'255'808ull);
        }
        if (id == "rtx-4090") CHECK(r.gpus_needed == 60);
        if (id == "t4") CHECK(r.gpus_needed == 0);
        if (!r.gpu->multi_gpu) CHECK(r.gpus_needed == 0);
    }
}

TEST_CASE("classic keeps the original formulas and assumption lines", "[estimate][classic]") {
    Estimate e = run(model_from_config(kLlama31_8B, kLlama8BParams), "classic", 8192);
    REQUIRE_FALSE(e.error);
    CHECK(e.weights_bytes == kLlama8BParams * 2);
    CHECK(e.kv_cache_bytes == 131'072ull * 8192);
    CHECK(e.activation_bytes == kLlama8BParams * 2 / 10);
    CHECK(e.overhead_bytes == 500ull << 20);
    CHECK(e.total_bytes == e.weights_bytes + e.kv_cache_bytes + e.activation_bytes + e.overhead_bytes);
    CHECK(e.recommendation == "RTX 3090/4090 (24GB) or better");
    CHECK(e.assumptions == std::vector<std::string>{
                               "precision auto: every tensor keeps its stored dtype",
                               "KV cache (classic): 2 × layers × kv_heads × head_dim × context × batch × 2 bytes, "
                               "every layer full attention",
                               "activations (classic): 10 % of the weights",
                               "runtime overhead (classic): 500 MiB",
                               "units: the text report prints GB, MB and KB as the original tool does, meaning GiB, "
                               "MiB and KiB (2^30, 2^20, 2^10 bytes)",
                           });
}

TEST_CASE("every engine profile lists its engine, version and source files in the assumptions", "[estimate][profile]") {
    const Model m = model_from_config(kLlama31_8B);
    for (const char* p : {"transformers", "vllm", "sglang"}) {
        Estimate e = run(m, p);
        REQUIRE_FALSE(e.error);
        bool named = false;
        for (const auto& a : e.assumptions)
            if (a.find("rules read from") != std::string::npos && a.find(e.details.version) != std::string::npos)
                named = true;
        CHECK(named);
    }
}

TEST_CASE("vLLM and SGLang do not run on Apple silicon, transformers does", "[estimate][gpu]") {
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 4096;
    o.gpu = gpu_row("apple-m3-max-128gb");
    Estimate e = estimate(m, o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message == "vLLM does not run on Apple M3 Max (128 GB) (metal)");
    o.gpu = gpu_row("");
    for (const auto& r : estimate(m, o).gpu_fit)
        if (r.gpu->backend == GpuBackend::metal) {
            CHECK_FALSE(r.engine_runs);
            CHECK(r.gpus_needed == 0);
        }
    o.profile = profile_id("transformers");
    o.gpu = gpu_row("apple-m3-max-128gb");
    Estimate t = estimate(m, o);
    REQUIRE_FALSE(t.error);
    CHECK(t.fits);
}

TEST_CASE("vllm and sglang refuse a diffusers pipeline, transformers sizes its weights",
          "[estimate][profile][malformed]") {
    Model m = model_from_config(R"({"_class_name":"FluxPipeline"})", 1000);
    m.layout = "diffusers";
    Estimate v = run(m, "vllm");
    CHECK(v.error.code == ErrorCode::invalid_argument);
    CHECK(v.error.message ==
          "profile vllm serves transformer language and encoder models; this repo has no such config.json");
    Estimate t = run(m, "transformers");
    REQUIRE_FALSE(t.error);
    CHECK_FALSE(t.has_kv);
    CHECK(t.weights_bytes == 2000);
    CHECK(t.kv_cache_bytes == 0);
}

// ---- llama.cpp profile (GGUF repos) -------------------------------------------------------------------------

namespace {

using vram::test::build_llama_gguf;
using vram::test::LlamaGguf;

// Meta-Llama-3-8B's shapes (meta-llama__Llama-3.1-8B/config.copy.json: 32 layers, hidden 4096, FFN 14336, 32/8
// heads, vocab 128256) as a Q4_K_M-style GGUF (Q4_K matrices, Q6_K output), context 8192.
LlamaGguf llama3_8b() {
    LlamaGguf g;
    g.layers = 32, g.hidden = 4096, g.ffn = 14336, g.heads = 32, g.kv_heads = 8, g.vocab = 128256, g.context = 8192;
    return g;
}

Model gguf_model(const std::vector<std::pair<std::string, LlamaGguf>>& files, const std::string& pick = "") {
    RepoSnapshot s;
    s.repo_id = "test/gguf";
    for (const auto& [path, g] : files) {
        auto b = build_llama_gguf(g);
        s.files.push_back({path, b.size});
        s.gguf_prefixes[path] = b.header;
    }
    Model m = analyze(s, pick);
    REQUIRE_FALSE(m.error);
    return m;
}

Estimate llama_cpp(const Model& m, uint64_t context, uint32_t batch = 1, const std::string& kv = "auto", bool fa = true,
                   int32_t ngl = -1, const std::string& gpu = "") {
    EstimateOptions o;
    o.profile = profile_id("llama.cpp");
    o.context_tokens = context;
    o.batch = batch;
    o.kv_dtype = kv_dtype_id(kv);
    o.flash_attention = fa;
    o.n_gpu_layers = ngl;
    o.gpu = gpu_row(gpu);
    return estimate(m, o);
}

}  // namespace

TEST_CASE("llama.cpp's text fit table says one GPU, not 'TP <= 8' (the profile models no split)",
          "[report][llama.cpp]") {
    Model m = gguf_model({{"llama3-8b.Q4_K_M.gguf", llama3_8b()}});
    // 64 sequences of 8,192 tokens: 131,072 B × 8,192 × 64 = 64 GiB of KV cache, more than most GPUs hold.
    Estimate e = llama_cpp(m, 8192, 64);
    REQUIRE_FALSE(e.error);
    const std::string t = render_text(m, e);
    CHECK(t.find("GPUs Needed (this profile models one GPU):") != std::string::npos);
    CHECK(t.find("does not fit on one GPU") != std::string::npos);
    CHECK(t.find("TP <=") == std::string::npos);
}

TEST_CASE("Llama-3-8B's KV cache is 131,072 bytes per token in f16 under llama.cpp", "[estimate][llama.cpp][kv]") {
    Model m = gguf_model({{"llama3-8b.Q4_K_M.gguf", llama3_8b()}});
    Estimate e = llama_cpp(m, 8192);
    REQUIRE_FALSE(e.error);
    CHECK(e.kv_dtype == "fp16");
    // 32 layers × (8 KV heads × 128 K + 8 × 128 V) × 2 bytes
    CHECK(e.kv_bytes_per_token == 131072);
    CHECK(e.context_cells == 8192);
    CHECK(e.kv_cache_bytes == 131072ull * 8192);
    REQUIRE(e.kv_groups.size() == 1);
    CHECK(e.kv_groups[0].n_layers == 32);
    CHECK(e.kv_groups[0].bytes_per_token == 4096);
}

TEST_CASE("llama.cpp pads the context to 256 cells with flash attention and to 32 without",
          "[estimate][llama.cpp][kv]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    CHECK(llama_cpp(m, 4000, 1, "auto", true).context_cells == 4096);
    CHECK(llama_cpp(m, 4000, 1, "auto", false).context_cells == 4000);
    CHECK(llama_cpp(m, 4001, 1, "auto", false).context_cells == 4032);
    // Sequences share one unified cache: context × batch cells.
    CHECK(llama_cpp(m, 1000, 4, "auto", true).context_cells == 4096);
}

TEST_CASE("quantized llama.cpp caches round each row up to whole blocks of 32", "[estimate][llama.cpp][kv][kv_dtype]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    // 1,024 elements per K row = 32 blocks: q8_0 32 × 34 B, q4_0 32 × 18 B; K and V, 32 layers.
    CHECK(llama_cpp(m, 8192, 1, "q8_0").kv_bytes_per_token == 32ull * 2 * 32 * 34);
    CHECK(llama_cpp(m, 8192, 1, "q4_0").kv_bytes_per_token == 32ull * 2 * 32 * 18);
    CHECK(llama_cpp(m, 8192, 1, "q5_1").kv_bytes_per_token == 32ull * 2 * 32 * 24);
    CHECK(llama_cpp(m, 8192, 1, "fp32").kv_bytes_per_token == 32ull * 2 * 1024 * 4);
}

TEST_CASE("a quantized V cache without flash attention is refused, as llama.cpp refuses it",
          "[estimate][llama.cpp][malformed]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    Estimate e = llama_cpp(m, 8192, 1, "q8_0", false);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message.find("requires flash_attn") != std::string::npos);
    CHECK_FALSE(llama_cpp(m, 8192, 1, "fp16", false).error);
    CHECK(llama_cpp(m, 8192, 1, "fp8").error.code == ErrorCode::invalid_argument);  // not a llama.cpp cache type
}

TEST_CASE("llama.cpp keeps token_embd in system memory and offloads the output layer first",
          "[estimate][llama.cpp][offload]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    const uint64_t token_embd = 4096ull * 128256 / 256 * 144;
    const uint64_t output = 4096ull * 128256 / 256 * 210 + 4096 * 4;
    const uint64_t layer = (m.bytes - token_embd - output) / 32;
    Estimate all = llama_cpp(m, 8192);
    CHECK(all.n_gpu_layers == 33);
    CHECK(all.weights_bytes == m.bytes - token_embd);
    CHECK(all.host.weights_bytes == token_embd);
    CHECK(all.host.kv_cache_bytes == 0);
    Estimate one = llama_cpp(m, 8192, 1, "auto", true, 1);
    CHECK(one.weights_bytes == output);
    CHECK(one.kv_cache_bytes == 0);
    CHECK(one.host.kv_cache_bytes == 131072ull * 8192);
    Estimate most = llama_cpp(m, 8192, 1, "auto", true, 32);  // every layer but blk.0
    CHECK(most.weights_bytes == output + 31 * layer);
    CHECK(most.kv_cache_bytes == 31ull * 4096 * 8192);
    CHECK(most.host.kv_cache_bytes == 4096ull * 8192);
    Estimate none = llama_cpp(m, 8192, 1, "auto", true, 0);
    CHECK(none.weights_bytes == 0);
    CHECK(none.host.weights_bytes == m.bytes);
    CHECK(none.activation_bytes == 0);
}

TEST_CASE(
    "llama.cpp's compute buffer is the output head for Llama-3-8B at 512 tokens, and the logits buffer is host memory",
    "[estimate][llama.cpp]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    Estimate e = llama_cpp(m, 8192);
    // ggml-alloc's plan of the graph (llama_cpp_graph.cpp): at the head only the last layer's output (4 B × 4096 ×
    // 512) is live, the norm reuses it and the logits 4 B × 128,256 × 512 follow: 258.5 MiB, above every layer's peak.
    CHECK(e.activation_bytes == 4ull * 512 * (128256 + 4096));
    CHECK(e.host.output_bytes == 128256ull * 4);
    CHECK(e.overhead_bytes == 250ull << 20);
    CHECK(e.total_bytes == e.weights_bytes + e.kv_cache_bytes + e.activation_bytes + e.overhead_bytes);
    // Without flash attention the KQ scores dominate: they are planned after the input copies (embeddings 4 B × 4096 ×
    // 512, positions and output ids 4 B × 512 each, the F32 mask 4 B × 8192 × 512) and a layer's norm, Q and RoPE'd Q
    // (4 B × 4096 × 512 each): 4 B × 8,192 × 512 × 32 heads + 16 MiB + 4 × 8 MiB + 4 KiB.
    Estimate plain = llama_cpp(m, 8192, 1, "fp16", false);
    CHECK(plain.activation_bytes == 4ull * 8192 * 512 * 32 + 4ull * 8192 * 512 + 4 * (4ull * 4096 * 512) + 8ull * 512);
}

TEST_CASE("llama.cpp sliding-window layers hold min(n_ctx, window × sequences + n_ubatch) cells",
          "[estimate][llama.cpp][kv][swa]") {
    // gpt-oss-20b's attention (openai__gpt-oss-20b/config.json: 24 layers, 64/8 heads of 64, window 128), F16 matrices.
    LlamaGguf g;
    g.arch = "gpt-oss";
    g.layers = 24, g.hidden = 2880, g.ffn = 2880, g.heads = 64, g.kv_heads = 8, g.vocab = 1024, g.context = 131072;
    g.matrix_type = 1, g.output_type = 1, g.file_type = 1;
    vram::test::GgufWriter extra;
    extra.kv_u32("gpt-oss.attention.sliding_window", 128)
        .kv_u32("gpt-oss.attention.key_length", 64)
        .kv_u32("gpt-oss.attention.value_length", 64);
    g.extra = extra.bytes;
    g.extra_kv = 3;
    Model m = gguf_model({{"gpt-oss.gguf", g}});
    Estimate e = llama_cpp(m, 8192);
    REQUIRE_FALSE(e.error);
    REQUIRE(e.kv_groups.size() == 2);
    const KvLayerGroup* swa = group(e, "sliding");
    const KvLayerGroup* full = group(e, "full");
    REQUIRE(swa);
    REQUIRE(full);
    CHECK(swa->n_layers == 12);  // llama.cpp set_swa_pattern(2): even layers
    CHECK(swa->window_tokens == 128);
    CHECK(swa->tokens_per_sequence == 768);  // pad(128 + 512, 256)
    CHECK(full->tokens_per_sequence == 8192);
    CHECK(e.kv_cache_bytes == 12ull * 2048 * 768 + 12ull * 2048 * 8192);
}

TEST_CASE("llama.cpp recurrent layers (head_count_kv 0) hold one F32 state per sequence and no KV cache",
          "[estimate][llama.cpp][kv][recurrent]") {
    LlamaGguf g;
    g.arch = "lfm2";
    g.layers = 4, g.hidden = 256, g.heads = 4, g.kv_heads = 2;
    g.kv_heads_per_layer = {0, 0, 2, 0};
    vram::test::GgufWriter extra;
    extra.kv_u32("lfm2.shortconv.l_cache", 3);
    g.extra = extra.bytes;
    g.extra_kv = 1;
    Model m = gguf_model({{"lfm2.gguf", g}});
    CHECK(m.arch.layers[0].kind == AttentionKind::linear_state);
    CHECK(m.arch.layers[2].kind == AttentionKind::full);
    Estimate e = llama_cpp(m, 1024, 2);
    REQUIRE_FALSE(e.error);
    const KvLayerGroup* state = group(e, "linear_state");
    REQUIRE(state);
    CHECK(state->n_layers == 3);
    CHECK(state->state_bytes == 2 * 256 * 4);  // (l_cache − 1) × n_embd F32
    CHECK(e.kv_bytes_per_token == 2 * 64 * 2 * 2);
    CHECK(e.kv_cache_bytes == 3ull * 2048 * 2 + 512ull * 2048);
}

TEST_CASE("the quantization table gives every GGUF file at the same context, with the selected one marked",
          "[estimate][llama.cpp][gguf]") {
    LlamaGguf q4 = llama3_8b(), q8 = llama3_8b();
    q8.file_type = 7, q8.matrix_type = 8, q8.output_type = 8;
    Model m = gguf_model({{"m.Q8_0.gguf", q8}, {"m.Q4_K_M.gguf", q4}});
    Estimate e = llama_cpp(m, 8192, 1, "auto", true, -1, "rtx-3070");
    REQUIRE_FALSE(e.error);
    REQUIRE(e.gguf_rows.size() == 2);
    CHECK(e.gguf_rows[0].quant->file_type == "Q8_0");
    CHECK(e.gguf_rows[1].quant->selected);
    CHECK(e.gguf_rows[1].total_bytes == e.total_bytes);
    CHECK(e.gguf_rows[1].kv_cache_bytes == e.kv_cache_bytes);
    CHECK(e.gguf_rows[0].bits_per_weight == Approx(8.5).epsilon(0.01));  // Q8_0 34 B / 32, norms at 32 bits: within 1 %
    CHECK(e.gguf_rows[0].total_bytes > e.gguf_rows[1].total_bytes);
    CHECK(e.gguf_rows[1].fits == e.fits);
}

TEST_CASE("max GPU layers is the largest -ngl that fits, and one more does not",
          "[estimate][llama.cpp][offload][fit]") {
    Model m = gguf_model({{"m.gguf", llama3_8b()}});
    Estimate e = llama_cpp(m, 65536, 1, "auto", true, -1, "rtx-3070");
    REQUIRE_FALSE(e.error);
    CHECK_FALSE(e.fits);
    REQUIRE(e.has_gpu_layers_fit);
    const uint32_t n = e.max_gpu_layers_fit;
    CHECK(n > 0);
    CHECK(n < 33);
    CHECK(llama_cpp(m, 65536, 1, "auto", true, static_cast<int32_t>(n), "rtx-3070").fits);
    CHECK_FALSE(llama_cpp(m, 65536, 1, "auto", true, static_cast<int32_t>(n + 1), "rtx-3070").fits);
}

TEST_CASE(
    "transformers with bitsandbytes 4-bit keeps embeddings and lm_head 16-bit and adds the absmax and a "
    "dequantized Linear",
    "[estimate][transformers][bnb]") {
    // Llama-3.1-8B, 8,030,261,248 parameters in one BF16 record, context 1024, batch 1.
    // Flat int4: 8,030,261,248 / 2 = 4,015,130,624 B. Embeddings + lm_head (untied): 2 × 128,256 × 4,096 =
    // 1,050,673,152 params, 16-bit instead of 4: + 1,050,673,152 × 12 / 8 = 1,576,009,728 B. The rest,
    // 6,979,588,096 params, one float32 absmax per 64: 109,056,064 × 4 = 436,224,256 B.
    // Weights: 4,015,130,624 + 1,576,009,728 + 436,224,256 = 6,027,364,608 B.
    // (Cross-check: the HF API count of unsloth's bnb-4bit Llama-3.1-8B has BF16 1,050,939,392 = these embeddings
    // + 266,240 norm weights, and 6,979,321,856 quantized: meta-llama__Llama-3.1-8B/facts.json.)
    // Prefill dequantizes the largest Linear, 14,336 × 4,096 × 2 B = 117,440,512 B, on top of the bf16 activations.
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    EstimateOptions o;
    o.profile = profile_id("transformers");
    o.context_tokens = 1024;
    o.precision = Precision::int4;
    const Estimate q = estimate(m, o);
    REQUIRE_FALSE(q.error);
    CHECK(q.per_gpu.weights_bytes == 6'027'364'608);
    o.precision = Precision::bfloat16;
    const Estimate b = estimate(m, o);
    REQUIRE_FALSE(b.error);
    CHECK(q.per_gpu.activation_bytes - b.per_gpu.activation_bytes == 117'440'512);
    CHECK(q.per_gpu.kv_cache_bytes == b.per_gpu.kv_cache_bytes);
}

TEST_CASE("transformers with bitsandbytes 8-bit keeps embeddings and lm_head 16-bit, no absmax, no dequant buffer",
          "[estimate][transformers][bnb]") {
    // Flat int8: 8,030,261,248 B; embeddings + lm_head at 2 bytes instead of 1: + 1,050,673,152 B = 9,080,934,400 B.
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    EstimateOptions o;
    o.profile = profile_id("transformers");
    o.context_tokens = 1024;
    o.precision = Precision::int8;
    const Estimate q = estimate(m, o);
    REQUIRE_FALSE(q.error);
    CHECK(q.per_gpu.weights_bytes == 9'080'934'400);
    o.precision = Precision::bfloat16;
    CHECK(q.per_gpu.activation_bytes == estimate(m, o).per_gpu.activation_bytes);
}

TEST_CASE("a pre-quantized checkpoint under transformers gets no bitsandbytes terms", "[estimate][transformers][bnb]") {
    Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    m.arch.quantization_config = R"({"quant_method":"gptq","bits":4})";
    EstimateOptions o;
    o.profile = profile_id("transformers");
    o.context_tokens = 1024;
    o.precision = Precision::int4;
    const Estimate q = estimate(m, o);
    REQUIRE_FALSE(q.error);
    CHECK(q.per_gpu.weights_bytes == 4'015'130'624);
}

TEST_CASE("vllm --quantization fp8 puts Llama-3.1-8B's Linear layers at one byte and keeps embeddings and lm_head",
          "[estimate][vllm][fp8]") {
    // Llama-3.1-8B by part (config shapes; the Linear part is the rest of the published 8,030,261,248):
    // embed_tokens + lm_head 2 × 128,256 × 4,096 = 1,050,673,152; norms (2 × 32 + 1) × 4,096 = 266,240;
    // Linear matrices 6,979,321,856, here one record (one 4-byte scale).
    Model m = model_from_config(kLlama31_8B);
    m.tensors.clear();
    for (uint64_t n : {1'050'673'152ull, 266'240ull, 6'979'321'856ull}) {
        TensorRecord t;
        t.dtype = DType::BF16;
        t.flags = kFloating | (n == 6'979'321'856ull ? kLinear : 0);
        t.params = n;
        t.bytes = 2 * n;
        m.tensors.push_back(t);
    }
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.precision = precision_id("fp8");
    Estimate e = estimate(m, o);
    REQUIRE_FALSE(e.error);
    // 6,979,321,856 × 1 B + 4 B scale + (1,050,673,152 + 266,240) × 2 B = 9,081,200,644 B (8.46 GiB;
    // vLLM 0.19 logged "Model loading took 8.49 GiB", llm-d-planner results_raw.csv, …-8192-qfp8).
    CHECK(e.per_gpu.weights_bytes == 9'081'200'644ull);
    o.precision = Precision::int8;  // int8 halves every floating tensor: 8,030,261,248 B
    CHECK(estimate(m, o).per_gpu.weights_bytes == 8'030'261'248ull);
}

TEST_CASE("fp8 weights are refused by engines that do not take them and on an already-quantized checkpoint",
          "[estimate][fp8][malformed]") {
    const Model m = model_from_config(kLlama31_8B, kLlama8BParams);
    EstimateOptions o;
    o.precision = precision_id("fp8");
    o.profile = profile_id("transformers");
    Estimate e = estimate(m, o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message ==
          "precision fp8 is not offered by Hugging Face transformers (profile transformers "
          "accepts: auto, float32, float16, bfloat16, int8, int4)");
    for (const char* p : {"classic", "sglang"}) {
        o.profile = profile_id(p);
        CHECK(estimate(m, o).error.code == ErrorCode::invalid_argument);
    }
    Model gptq = model_from_config(kLlama31_8B, kLlama8BParams);
    gptq.arch.quantization_config = R"({"quant_method":"gptq","bits":4})";
    o.profile = profile_id("vllm");
    e = estimate(gptq, o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message.find("is already quantized") != std::string::npos);
}

TEST_CASE("fp8_ds_mla stores DeepSeek-V3's MLA latent as a 656-byte record per token and layer under vllm",
          "[estimate][kv][kv_dtype][mla]") {
    const Model m = model_from_config(kDeepSeekV3);
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    Estimate bf16 = estimate(m, o);
    REQUIRE_FALSE(bf16.error);
    CHECK(bf16.kv_bytes_per_token == 61ull * (512 + 64) * 2);  // 70,272: the bf16 latent
    o.kv_dtype = kv_dtype_id("fp8_ds_mla");
    Estimate ds = estimate(m, o);
    REQUIRE_FALSE(ds.error);
    CHECK(ds.kv_dtype == "fp8_ds_mla");
    // 61 layers × (512 fp8 + 4 × 4 B scales + 64 × 2 B rope) = 61 × 656 = 40,016
    CHECK(ds.kv_bytes_per_token == 40'016);
    // 8,192 tokens in 16-token blocks: 8,192 × 40,016 B on one sequence
    CHECK(ds.per_gpu.kv_cache_bytes == 8192ull * 40'016);
    o.kv_dtype = kv_dtype_id("fp8");  // plain fp8: the 576-element latent at 1 B
    CHECK(estimate(m, o).kv_bytes_per_token == 61ull * 576);
}

TEST_CASE("fp8_ds_mla is refused with its reason for a model without MLA and by engines that lack it",
          "[estimate][kv_dtype][mla][malformed]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.kv_dtype = kv_dtype_id("fp8_ds_mla");
    Estimate e = estimate(model_from_config(kLlama31_8B), o);
    CHECK(e.error.code == ErrorCode::invalid_argument);
    CHECK(e.error.message ==
          "kv_dtype fp8_ds_mla holds MLA latents of 576 (kv_lora_rank + qk_rope_head_dim); "
          "test/model has full attention layers (use fp8 for its KV cache)");
    for (const char* p : {"transformers", "sglang", "classic"}) {
        o.profile = profile_id(p);
        CHECK(estimate(model_from_config(kDeepSeekV3), o).error.code == ErrorCode::invalid_argument);
    }
}

TEST_CASE("vllm's CUDA graphs follow the captured sizes, the layers per rank and MoE layers",
          "[estimate][vllm][cuda_graphs]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    const Model llama = model_from_config(kLlama31_8B, kLlama8BParams);
    // H100: max_num_seqs 1024, so sizes up to min(2 × 1024, 512) = 512: 1, 2, 4 + 8…248 (31) + 256…512 (17) = 51
    // PIECEWISE and 51 FULL. Per graph 6 MiB + 32 layers × 96 KiB = 9,437,184 B; × 102 = 962,592,768 B.
    Estimate e = estimate(llama, o);
    REQUIRE_FALSE(e.error);
    CHECK(e.overhead_parts.cuda_graph_bytes == 962'592'768);
    o.tp = 2;  // 6 MiB + 16 × 96 KiB = 7,864,320 B per graph
    CHECK(estimate(llama, o).overhead_parts.cuda_graph_bytes == 102ull * 7'864'320);
    o.tp = 1;
    o.max_num_batched_tokens = 256;  // sizes stop at 256: 35 PIECEWISE + 35 FULL
    CHECK(estimate(llama, o).overhead_parts.cuda_graph_bytes == 70ull * 9'437'184);
    o.max_num_batched_tokens = 0;
    o.gpu = gpu_row("l4");  // < 70 GiB: max_num_seqs 256, FULL graphs only up to 256: 51 + 35
    CHECK(estimate(llama, o).overhead_parts.cuda_graph_bytes == 86ull * 9'437'184);
    // gpt-oss raises the largest size to 1024: 3 + 31 + 49 = 83 sizes, both modes; at tp 2 a graph holds
    // 6 MiB + 24 layers × 96 KiB / 2 + 24 MoE layers × 104 KiB = 10,027,008 B.
    o.gpu = gpu_row("h100-80gb");
    o.tp = 2;
    Estimate g = estimate(model_from_config(gpt_oss_20b(), 20'900'000'000), o);
    REQUIRE_FALSE(g.error);
    CHECK(g.overhead_parts.cuda_graph_bytes == 166ull * 10'027'008);
    // SGLang keeps the flat 1 GiB.
    o.profile = profile_id("sglang");
    o.tp = 1;
    CHECK(estimate(llama, o).overhead_parts.cuda_graph_bytes == 1ull << 30);
}

TEST_CASE("vllm enforce_eager drops the CUDA graphs from the total and leaves the KV pool as it was",
          "[estimate][vllm][cuda_graphs][eager]") {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    const Model llama = model_from_config(kLlama31_8B, kLlama8BParams);
    const Estimate graphs = estimate(llama, o);
    REQUIRE_FALSE(graphs.error);
    o.enforce_eager = true;
    const Estimate eager = estimate(llama, o);
    REQUIRE_FALSE(eager.error);
    // Worked by hand: the test above gives 102 graphs × 9,437,184 B = 962,592,768 B for this model and GPU; eager
    // captures none, so the per-GPU total is exactly that much lower. gpu_worker.py sizes the pool
    // (requested − non-KV) before any capture: pool bytes and tokens do not move.
    CHECK(graphs.overhead_parts.cuda_graph_bytes == 962'592'768);
    CHECK(eager.overhead_parts.cuda_graph_bytes == 0);
    CHECK(graphs.per_gpu.total_bytes - eager.per_gpu.total_bytes == 962'592'768);
    CHECK(eager.reservation.kv_pool_bytes == graphs.reservation.kv_pool_bytes);
    CHECK(eager.reservation.kv_pool_tokens == graphs.reservation.kv_pool_tokens);
    // Other profiles refuse it rather than ignore it.
    o.profile = profile_id("sglang");
    const Estimate refused = estimate(llama, o);
    CHECK(refused.error.code == ErrorCode::invalid_argument);
    CHECK(refused.error.message == "enforce_eager (--eager) is read by the vllm profile only (profile sglang)");
}
