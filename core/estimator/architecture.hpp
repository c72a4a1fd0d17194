// config.json → architecture: the per-layer facts that the KV cache and activation formulas need.
// Sources: each model family's transformers configuration_*.py (key names and defaults), with the
// attention kinds as vLLM's kv_cache_interface.py distinguishes them (full, sliding window,
// chunked local, MLA, Mamba/linear state). Keys are looked up table-driven: the generic aliases
// (num_hidden_layers | n_layer | num_layers …) first, family overrides second. Multimodal configs
// nest the language model under text_config (or llm_config); that is where the LLM is read from.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "estimator/error.hpp"

namespace vram {

// Upper bounds on what a real config (or GGUF) holds; a value above them is treated as absent so that a
// hostile config cannot make the estimator allocate per-layer tables of absurd size.
// 10,000 layers is 50× the deepest published decoder.
constexpr uint64_t kMaxLayers = 10'000;
// 2^20 heads / head dims / experts is far past any published model.
constexpr uint64_t kMaxHeads = 1u << 20;

enum class AttentionKind : uint8_t { full, sliding, chunked, mla, linear_state, none };
const char* attention_kind_name(AttentionKind kind);

struct AttentionLayer {
    AttentionKind kind = AttentionKind::full;  // full, sliding, chunked, mla, linear_state, none
    uint32_t n_head_kv = 0;                    // KV heads of this layer (GQA); 0 = no KV cache
    uint32_t head_dim_k = 0;                   // K width per head (MLA: kv_lora_rank + qk_rope_head_dim, one "head")
    uint32_t head_dim_v = 0;                   // V width per head (MLA: 0, the latent is shared)
    uint32_t window_tokens = 0;                // sliding/chunked span; 0 = unbounded
    uint64_t state_elements = 0;  // linear_state: fixed recurrent state per sequence (conv + SSM), elements
};

struct Architecture {
    std::string model_type;        // config "model_type" (of the LLM part for multimodal configs)
    std::string outer_model_type;  // the top-level model_type when the LLM is nested (e.g. qwen2_5_vl)
    std::string architecture;      // first entry of "architectures"
    std::string class_name;     // "_class_name" when a string, else the first of "architectures" (a component's class)
    bool known_family = false;  // model_type found in the family table
    bool has_kv_cache = false;  // a decoder that generates (false: encoder-only, diffusion parts)
    bool encoder_decoder = false;    // T5, BART, Whisper: decoder layers add cross-attention
    uint32_t n_layers = 0;           // decoder layers (or encoder layers of an encoder-only model)
    uint32_t n_encoder_layers = 0;   // encoder layers of an encoder-decoder
    uint64_t hidden_size = 0;        // d_model
    uint64_t intermediate_size = 0;  // FFN width (dense layers)
    uint32_t n_heads = 0;            // query heads
    uint32_t n_kv_heads = 0;         // KV heads of a full-attention layer (GQA)
    uint32_t head_dim = 0;           // per-head width (explicit head_dim, else hidden / heads)
    uint64_t vocab_size = 0;
    uint64_t max_context_tokens = 0;     // max_position_embeddings | n_positions | max_seq_len …
    uint32_t n_experts = 0;              // routed experts per MoE layer (0 = dense)
    uint32_t n_experts_active = 0;       // experts per token
    uint32_t kv_lora_rank = 0;           // MLA latent width
    uint32_t qk_rope_head_dim = 0;       // MLA decoupled RoPE width
    uint32_t qk_nope_head_dim = 0;       // MLA per-head non-RoPE K width (an engine that expands the latent caches it)
    uint32_t v_head_dim = 0;             // MLA per-head V width (ditto)
    uint64_t moe_intermediate_size = 0;  // FFN width of one routed expert (0: intermediate_size is the expert width)
    uint64_t encoder_tokens = 0;         // encoder-decoder: encoder positions each decoder layer cross-attends to
    // RoPE as config.json states it: rope_scaling (transformers 4) or rope_parameters (transformers 5), with
    // partial_rotary_factor at the top level or inside. The vLLM profile sizes its resident cos/sin cache from these
    // (engine_vllm_rope.cpp); nothing else reads them.
    bool rope_named = false;               // a RoPE key is present (rope_theta, rope_scaling, rope_parameters, …)
    std::string rope_type;                 // "rope_type" (or legacy "type"); "" = none stated (vLLM's "default")
    double rope_factor = 0;                // "factor" (0 = absent)
    uint64_t rope_original_positions = 0;  // "original_max_position_embeddings" (0 = absent)
    double partial_rotary_factor = 1.0;    // the rotated share of head_dim
    bool rope_mrope = false;               // "mrope_section" present (multimodal M-RoPE)
    bool rope_alpha = false;               // "alpha" present (dynamic NTK-alpha)
    bool rope_per_layer_type = false;      // rope_parameters keyed by layer type (Gemma 3 under transformers 5)
    bool rope_local_base = false;          // rope_local_base_freq present (Gemma 3's local layers use their own base)
    bool tied_embeddings = false;
    bool attention_softcapping = false;    // attn_logit_softcapping > 0 (Gemma 2): eager attention tanh-caps the scores
    std::string torch_dtype;               // "bfloat16", … ("" when absent)
    std::string quantization_config;       // raw JSON of quantization_config (top level or text_config), "" if none
    uint64_t n_merges = 0;                 // GGUF: tokenizer.ggml.merges entries (llama.cpp keeps them in host memory)
    bool from_gguf = false;                // read from GGUF metadata rather than config.json
    std::vector<AttentionLayer> layers;    // one per decoder layer
    std::vector<std::string> assumptions;  // defaults taken, keys missing, fallbacks used
    // A decoder whose config.json lacks a usable layer or head count: the keys and what they hold
    // ("num_hidden_layers is null"). parse_architecture(config, &hints) then reads the counts from the
    // tensor names, or fails naming these keys. "" when the config has the counts.
    std::string missing_counts;
};

// What the weights' tensor names tell about a decoder whose config lacks its counts
// (model.cpp collects them while it reads the headers).
struct LayerHints {
    uint32_t n_layers = 0;     // 1 + the largest N of "layers.N." (or "h.N.", "blocks.N."), 0 = none or gaps
    uint64_t q_proj_rows = 0;  // shape[0] of layer 0's q_proj.weight: n_heads × head_dim (0 = not seen)
    uint64_t k_proj_rows = 0;  // shape[0] of layer 0's k_proj.weight: n_kv_heads × head_dim (0 = not seen)
};

struct ArchitectureResult {
    Error error;
    Architecture arch;
};

// Parses config.json text. A model type outside the family table falls back to the generic keys
// and says so in arch.assumptions. Without hints, a decoder lacking its counts comes back with
// arch.missing_counts set and no KV cache; with hints, the counts are read from them (an
// assumption says so) or the result is a config_invalid error naming the keys.
ArchitectureResult parse_architecture(std::string_view config_json, const LayerHints* hints = nullptr);

struct GgufFile;
// GGUF metadata → architecture, as llama.cpp reads it (src/llama-model.cpp load_hparams, src/llama-arch.cpp
// LLM_KV_NAMES): `%s` is general.architecture; %s.block_count layers;
// %s.attention.head_count[_kv] a scalar or a per-layer array (a 0 entry is a recurrent layer without KV cache);
// key_length / value_length default to embedding_length / head_count; %s.attention.sliding_window with the
// arch's layer pattern; MLA (%s.attention.kv_lora_rank, key_length_mla); recurrent state from %s.ssm.* and
// %s.full_attention_interval; %s.context_length the training context. `file` names the file in messages.
ArchitectureResult parse_gguf_architecture(const GgufFile& f, const std::string& file);

}  // namespace vram
