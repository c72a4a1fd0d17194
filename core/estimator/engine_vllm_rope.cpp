// vLLM 0.19's RoPE cos/sin cache, read from these sources (stored copies of vllm-project/vllm; the v0.19.0 tag itself
// could not be fetched here, as for engine_vllm_mxfp4.cpp):
//  1. model_executor/layers/rotary_embedding/base.py @ 04458da0 (RotaryEmbedding.__init__): "cache =
//     self._compute_cos_sin_cache()", "cache = cache.to(dtype)", "self.register_buffer("cos_sin_cache", cache,
//     persistent=False)"; _compute_cos_sin_cache: "t = torch.arange(self.max_position_embeddings, …)",
//     "cache = torch.cat((cos, sin), dim=-1)" — [positions, rotary_dim] (rotary_dim / 2 cos + rotary_dim / 2 sin).
//     The buffer is created in the model's __init__, under the model loader's default dtype, before the weights load:
//     it is inside "Model loading took". A later copy (@ the RotaryEmbeddingBase refactor) keeps the same
//     "if not self.use_flashinfer: cache = cache.to(dtype)"; use_flashinfer needs the custom op enabled, and the
//     campaign's logs print "custom_ops': ['none']" (compiled mode), so the model dtype is taken.
//  2. rotary_embedding/__init__.py @ 07b12f1b (get_rope): "rotary_dim = int(head_size * partial_rotary_factor)";
//     the instance is cached in _ROPE_DICT under (head_size, rotary_dim, max_position, is_neox_style,
//     rope_parameters, dual_chunk_attention, dtype) — layers with the same parameters share one cache; "default" →
//     RotaryEmbedding(max_position); "llama3" → Llama3RotaryEmbedding(max_position) (llama3_rope.py @ 045d7575 only
//     changes _compute_inv_freq: the base cache, max_position rows); "linear" → LinearScalingRotaryEmbedding
//     (linear_scaling_rope.py @ 0f17ee06: "max_len = self.max_position_embeddings * scaling_factor"); "dynamic" with
//     "factor" → DynamicNTKScalingRotaryEmbedding (dynamic_ntk_scaling_rope.py @ 3cfbaf33: "max_len =
//     self.max_position_embeddings * self.scaling_factor"); "yarn" → YaRNScalingRotaryEmbedding(original_max_position)
//     (yarn_scaling_rope.py @ 0cd57848: "num_positions = math.ceil(self.max_position_embeddings *
//     self.scaling_factor)"); "deepseek_yarn" → DeepseekScalingRotaryEmbedding(original_max_position)
//     (deepseek_scaling_rope.py @ 00d678e1: "torch.arange(self.max_position_embeddings * self.scaling_factor, …)").
//  3. models/deepseek_v2.py @ 002d6073 (MLA): a non-default rope_type becomes "deepseek_yarn", and "self.rotary_emb =
//     get_rope(qk_rope_head_dim, max_position=max_position_embeddings, …)" — the rope dim is qk_rope_head_dim.
//  4. models/gpt_oss.py @ 0025d69b: "get_rope(self.head_dim, rotary_dim=self.head_dim, …, dtype=torch.float32,
//     rope_scaling={"rope_type": "yarn", …})" — gpt-oss keeps a float32 cache.
// Not read, so sized as the default rope (max_position rows) and said so: M-RoPE (mrope.py), dynamic NTK-alpha, ntk,
// longrope, and other types; a second cache for Gemma 3's local layers (gemma3.py not read).
// Check against the H100 campaign (tests/validation/vllm): Llama-3.1-8B "Model loading took" 14.99 GiB at tp 1
// (bf16, float16), 29.98 at float32, 7.51 at tp 2, 3.77 at tp 4 = the weights + 131,072 × 128 × 2 (4) B per rank.
#include "estimator/engine_vllm_rope.hpp"

#include <cmath>
#include <string_view>

#include "estimator/sat_math.hpp"

namespace vram {

VllmRopeCache vllm_rope_cache(const Architecture& a, uint32_t act_bytes, bool with_rule) {
    VllmRopeCache c;
    if (!a.rope_named) return c;
    const bool mla = a.kv_lora_rank > 0 && a.qk_rope_head_dim > 0;
    const std::string_view type = a.rope_type.empty() ? std::string_view("default") : std::string_view(a.rope_type);
    const uint64_t max_position = a.max_context_tokens;
    // get_rope: rotary_dim = int(head_size × partial_rotary_factor); MLA passes qk_rope_head_dim as the head size.
    c.rotary_dim =
        mla ? a.qk_rope_head_dim : static_cast<uint64_t>(static_cast<double>(a.head_dim) * a.partial_rotary_factor);
    c.width = a.model_type == "gpt_oss" ? 4 : act_bytes;
    auto scaled = [](uint64_t positions, double factor) {
        return static_cast<uint64_t>(std::ceil(static_cast<double>(positions) * factor));
    };
    const bool has_yarn_keys = a.rope_factor > 0 && a.rope_original_positions > 0;
    if (mla && type != "default" && has_yarn_keys) {
        c.positions = scaled(a.rope_original_positions, a.rope_factor);
        if (with_rule)
            c.rule = "deepseek_yarn (MLA): original_max_position_embeddings " +
                     std::to_string(a.rope_original_positions) + " × factor, qk_rope_head_dim " +
                     std::to_string(c.rotary_dim);
    } else if ((type == "yarn" || type == "deepseek_yarn") && has_yarn_keys && !a.rope_mrope) {
        c.positions = scaled(a.rope_original_positions, a.rope_factor);
        if (with_rule)
            c.rule = std::string(type) + ": ceil(original_max_position_embeddings " +
                     std::to_string(a.rope_original_positions) + " × factor)";
    } else if ((type == "linear" || (type == "dynamic" && !a.rope_alpha)) && a.rope_factor > 0) {
        c.positions = scaled(max_position, a.rope_factor);
        if (with_rule) c.rule = std::string(type) + ": max_position_embeddings × factor";
    } else {
        c.positions = max_position;
        c.established = (type == "default" || type == "llama3") && !a.rope_mrope;
        if (with_rule)
            c.rule = c.established
                         ? std::string(type) + ": max_position_embeddings"
                         : "rope type '" + std::string(type) + (a.rope_mrope ? "' with mrope_section" : "'") +
                               ": its vLLM class was not read; sized as the default rope (max_position_embeddings)";
    }
    if (with_rule && mla && type == "default") c.rule = "default (MLA): max_position_embeddings, qk_rope_head_dim";
    if (!c.positions || !c.rotary_dim) return VllmRopeCache{0, 0, 0, 0, 0, "", true};
    c.count = 1;
    c.bytes = mul_sat(mul_sat(c.positions, c.rotary_dim), c.width);
    return c;
}

}  // namespace vram
