// vLLM 0.19's resident RoPE cos/sin cache (core/estimator/engine_vllm_rope.cpp names the source of every rule).
#include <catch2/catch.hpp>

#include <string>

#include "estimator/engine_vllm_rope.hpp"
#include "estimator/estimate.hpp"
#include "option_helpers.hpp"

using namespace vram;

namespace {

// Llama-3.1-8B's shapes (tests/validation/vllm/meta-llama__Llama-3.1-8B/config.copy.json): head_dim 4096 / 32 = 128,
// max_position_embeddings 131,072, rope_type llama3.
const char* kLlama31 = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,
  "intermediate_size":14336,"num_attention_heads":32,"num_key_value_heads":8,"num_hidden_layers":32,
  "vocab_size":128256,"max_position_embeddings":131072,"rope_theta":500000.0,"rope_scaling":{"factor":8.0,
  "low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},
  "torch_dtype":"bfloat16"})";
// The same shapes with no RoPE key at all.
const char* kLlamaNoRope = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,
  "intermediate_size":14336,"num_attention_heads":32,"num_key_value_heads":8,"num_hidden_layers":32,
  "vocab_size":128256,"max_position_embeddings":131072,"torch_dtype":"bfloat16"})";
// gpt-oss-20b's attention and rope (tests/validation/vllm/openai__gpt-oss-20b/config.json).
const char* kGptOss = R"({"architectures":["GptOssForCausalLM"],"model_type":"gpt_oss","head_dim":64,
  "hidden_size":2880,"intermediate_size":2880,"num_attention_heads":64,"num_key_value_heads":8,"num_hidden_layers":24,
  "num_local_experts":32,"num_experts_per_tok":4,"sliding_window":128,"vocab_size":201088,
  "max_position_embeddings":131072,"rope_theta":150000,"rope_scaling":{"beta_fast":32.0,"beta_slow":1.0,
  "factor":32.0,"original_max_position_embeddings":4096,"rope_type":"yarn","truncate":false}})";

Architecture arch(const std::string& config) {
    ArchitectureResult a = parse_architecture(config);
    REQUIRE_FALSE(a.error);
    return a.arch;
}

Model model(const char* config, uint64_t bytes) {
    Model m;
    m.repo_id = "test/rope";
    m.arch = arch(config);
    m.has_llm = true;
    m.components.push_back(Component{"root", {}, 1, bytes, 0, ""});
    TensorRecord t;
    t.dtype = DType::BF16;
    t.bytes = bytes;
    m.tensors.push_back(t);
    m.n_tensors = 1;
    m.bytes = bytes;
    return m;
}

Estimate run(const Model& m, const char* profile, uint32_t tp, const char* precision = "") {
    EstimateOptions o;
    o.profile = profile_id(profile);
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    o.tp = tp;
    if (*precision) o.precision = precision_id(precision);
    Estimate e = estimate(m, o);
    REQUIRE_FALSE(e.error);
    return e;
}

bool states(const Estimate& e, const std::string& text) {
    for (const auto& line : e.assumptions)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

// Worked by hand. Llama-3.1-8B (llama3 → Llama3RotaryEmbedding(max_position)): 131,072 positions × 128 (64 cos +
// 64 sin) × 2 B (bf16) = 33,554,432 B = 32 MiB; at float32 × 4 B = 67,108,864 B. The campaign's "Model loading took"
// is 0.03 GiB above the checkpoint / tp at tp 1, 2 and 4 (14.96 → 14.99, 7.48 → 7.51, 3.74 → 3.77) and 0.06 above at
// float32 (29.92 → 29.98): the cache is per rank, not split.
// gpt-oss (yarn, float32 in gpt_oss.py): ceil(4096 × 32.0) = 131,072 positions × 64 × 4 B = 33,554,432 B = 32 MiB.
TEST_CASE("vLLM's RoPE cos/sin cache is sized as rotary_embedding sizes it", "[estimate][vllm][rope]") {
    const VllmRopeCache llama = vllm_rope_cache(arch(kLlama31), 2);
    CHECK(llama.positions == 131'072);
    CHECK(llama.rotary_dim == 128);
    CHECK(llama.width == 2);
    CHECK(llama.count == 1);
    CHECK(llama.bytes == 33'554'432);
    CHECK(llama.established);
    CHECK(vllm_rope_cache(arch(kLlama31), 4).bytes == 67'108'864);

    const VllmRopeCache oss = vllm_rope_cache(arch(kGptOss), 2);  // float32 whatever the model dtype
    CHECK(oss.positions == 131'072);
    CHECK(oss.rotary_dim == 64);
    CHECK(oss.width == 4);
    CHECK(oss.bytes == 33'554'432);

    CHECK(vllm_rope_cache(arch(kLlamaNoRope), 2).bytes == 0);

    // linear / dynamic (factor): max_position × factor rows. 4096 × 2.0 = 8,192 × 128 × 2 B = 2,097,152.
    const std::string base = R"({"model_type":"llama","hidden_size":4096,"num_attention_heads":32,
      "num_key_value_heads":8,"num_hidden_layers":2,"vocab_size":32000,"max_position_embeddings":4096,)";
    CHECK(vllm_rope_cache(arch(base + R"("rope_scaling":{"type":"linear","factor":2.0}})"), 2).bytes == 2'097'152);
    CHECK(vllm_rope_cache(arch(base + R"("rope_scaling":{"rope_type":"dynamic","factor":2.0}})"), 2).bytes ==
          2'097'152);
    // partial_rotary_factor 0.5 (top level or in rope_parameters): rotary_dim int(128 × 0.5) = 64 → 4096 × 64 × 2.
    CHECK(vllm_rope_cache(arch(base + R"("rope_theta":10000,"partial_rotary_factor":0.5})"), 2).bytes == 524'288);
    CHECK(vllm_rope_cache(arch(base + R"("rope_parameters":{"rope_type":"default","rope_theta":10000,
      "partial_rotary_factor":0.5}})"),
                          2)
              .bytes == 524'288);
    // An M-RoPE section or an unread type: sized as the default rope and marked so (4096 × 128 × 2).
    const VllmRopeCache mrope =
        vllm_rope_cache(arch(base + R"("rope_scaling":{"type":"default","mrope_section":[16,24,24]}})"), 2);
    CHECK(mrope.bytes == 1'048'576);
    CHECK_FALSE(mrope.established);
    CHECK_FALSE(
        vllm_rope_cache(arch(base + R"("rope_scaling":{"rope_type":"longrope","factor":2.0}})"), 2).established);

    // MLA (DeepSeek-V2-Lite's published rope: yarn factor 40 on 4096): deepseek_yarn, qk_rope_head_dim 64:
    // 4096 × 40 = 163,840 × 64 × 2 B = 20,971,520.
    const VllmRopeCache mla = vllm_rope_cache(
        arch(R"({"model_type":"deepseek_v2","hidden_size":2048,"num_attention_heads":16,"num_key_value_heads":16,
          "num_hidden_layers":27,"vocab_size":102400,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,
          "v_head_dim":128,"max_position_embeddings":163840,"rope_theta":10000,"rope_scaling":{"type":"yarn",
          "factor":40,"original_max_position_embeddings":4096,"mscale":0.707,"mscale_all_dim":0.707}})"),
        2);
    CHECK(mla.positions == 163'840);
    CHECK(mla.rotary_dim == 64);
    CHECK(mla.bytes == 20'971'520);
}

TEST_CASE("the vLLM profile adds the RoPE cache to every rank's weights, and only the vLLM profile",
          "[estimate][vllm][rope]") {
    // Same bytes, with and without the RoPE keys: the difference is the cache, whole on each rank.
    const uint64_t bytes = 16'060'522'496;  // 8,030,261,248 BF16 parameters × 2 B
    const Model with = model(kLlama31, bytes), without = model(kLlamaNoRope, bytes);
    for (uint32_t tp : {1u, 2u, 4u}) {
        INFO("tp " << tp);
        CHECK(run(with, "vllm", tp).per_gpu.weights_bytes - run(without, "vllm", tp).per_gpu.weights_bytes ==
              33'554'432);
    }
    CHECK(run(with, "vllm", 1, "float32").per_gpu.weights_bytes -
              run(without, "vllm", 1, "float32").per_gpu.weights_bytes ==
          67'108'864);
    const Estimate e = run(with, "vllm", 1);
    CHECK(states(
        e, "RoPE cos/sin cache: + 0.03 GiB per rank (in the weights) = 131072 positions × 128 (cos + sin) × 2 B"));
    CHECK(states(run(without, "vllm", 1), "RoPE cos/sin cache: none counted"));
    // It is less KV pool: the pool is what the weights leave.
    CHECK(e.reservation.kv_pool_bytes < run(without, "vllm", 1).reservation.kv_pool_bytes);
    // SGLang's profile is not changed (its sources at the profile's version were not read for this buffer).
    CHECK(run(with, "sglang", 1).per_gpu.weights_bytes == run(without, "sglang", 1).per_gpu.weights_bytes);
}
