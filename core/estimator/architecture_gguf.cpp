// GGUF metadata → Architecture, as llama.cpp reads it (architecture.hpp describes the keys).
#include <algorithm>
#include <array>

#include "estimator/architecture.hpp"
#include "estimator/gguf.hpp"

namespace vram {
namespace {

// llama.cpp load_hparams: which layers use the sliding window when the GGUF has %s.attention.sliding_window but
// no sliding_window_pattern. hparams.set_swa_pattern(n): layer il is SWA when il % n < n - 1. Table as
// gguf-parser-go v0.26 and its issue #32 list it; llama4 is
// chunked attention with the same rule.
struct SwaPattern {
    const char* arch;
    uint32_t period;
    AttentionKind kind;
};
constexpr std::array<SwaPattern, 6> kGgufSwaPatterns = {{
    {"gemma2", 2, AttentionKind::sliding},
    {"gemma3", 6, AttentionKind::sliding},
    {"cohere2", 4, AttentionKind::sliding},
    {"gpt-oss", 2, AttentionKind::sliding},
    {"exaone4", 4, AttentionKind::sliding},
    {"llama4", 4, AttentionKind::chunked},
}};
// Encoder-only architectures (llama.cpp gives them no KV cache).
constexpr std::array<const char*, 6> kGgufEncoders = {
    {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "neo-bert", "t5encoder"}};
// Fully recurrent architectures: every layer holds a state, none a KV cache.
constexpr std::array<const char*, 5> kGgufRecurrent = {{"mamba", "mamba2", "rwkv6", "rwkv7", "rwkv6qwen2"}};

template <size_t N>
bool in(const std::array<const char*, N>& list, const std::string& s) {
    for (const char* x : list)
        if (s == x) return true;
    return false;
}

// A scalar integer key, 0 when absent or not an integer.
uint64_t g_u(const GgufFile& f, const std::string& key, uint64_t max = UINT64_MAX) {
    const GgufValue* v = f.find(key);
    if (!v || !v->is_integer() || v->u > max) return 0;
    return v->u;
}

// llama.cpp get_key_or_arr: a scalar applies to every layer, an array gives one value per layer.
// false when the key is an array of the wrong length (or unreadable).
bool g_per_layer(const GgufFile& f, const std::string& key, uint32_t n_layers, std::vector<uint64_t>& out,
                 bool& present) {
    const GgufValue* v = f.find(key);
    present = v != nullptr;
    if (!v) return true;
    if (v->is_integer()) {
        out.assign(n_layers, v->u);
        return true;
    }
    if (!v->is_array() || !v->kept() || v->n_elements != n_layers) return false;
    out.clear();
    for (const auto& e : v->elements) {
        if (!e.is_integer()) return false;
        out.push_back(e.u);
    }
    return true;
}

// Which layers use the sliding window (and whether it is sliding or chunked): the GGUF's own pattern, else
// llama.cpp's per-architecture period (kGgufSwaPatterns); an assumption line says which.
std::vector<bool> gguf_swa_layers(const GgufFile& f, const std::string& p, uint64_t window, Architecture& a,
                                  AttentionKind& swa_kind) {
    std::vector<bool> swa(a.n_layers, false);
    swa_kind = AttentionKind::sliding;
    if (window) {
        const GgufValue* pat = f.find(p + "attention.sliding_window_pattern");
        uint64_t period = 0;
        if (pat && pat->is_integer()) {
            period = pat->u;
        } else if (pat && pat->is_array() && pat->kept() && pat->n_elements == a.n_layers) {
            for (uint32_t il = 0; il < a.n_layers; ++il) swa[il] = pat->elements[il].u != 0;
            a.assumptions.push_back("GGUF " + p +
                                    "attention.sliding_window_pattern: per-layer flags, true = sliding window");
        } else {
            for (const auto& row : kGgufSwaPatterns)
                if (a.model_type == row.arch) {
                    period = row.period;
                    swa_kind = row.kind;
                }
            if (!period)
                a.assumptions.push_back("GGUF " + a.model_type + " has " + p +
                                        "attention.sliding_window but llama.cpp's pattern for it is "
                                        "not in the table: every layer read as full attention");
            else
                a.assumptions.push_back("GGUF " + a.model_type + ": llama.cpp's sliding-window pattern " +
                                        std::to_string(period) + " (layer il uses the window when il % " +
                                        std::to_string(period) + " < " + std::to_string(period - 1) + ")");
        }
        if (period)
            for (uint32_t il = 0; il < a.n_layers; ++il) swa[il] = il % period < period - 1;
    }

    return swa;
}

}  // namespace

ArchitectureResult parse_gguf_architecture(const GgufFile& f, const std::string& file) {
    ArchitectureResult out;
    Architecture& a = out.arch;
    a.from_gguf = true;
    auto fail = [&](const std::string& message) {
        out.error = make_error(ErrorCode::gguf_metadata_invalid, message + " in " + file);
        return out;
    };
    const GgufValue* arch = f.find("general.architecture");
    if (!arch || arch->type != GgufType::string || arch->s.empty())
        return fail("general.architecture is missing or not a string");
    const std::string p = arch->s + ".";
    a.model_type = arch->s;
    a.known_family = true;
    a.n_layers = static_cast<uint32_t>(g_u(f, p + "block_count", kMaxLayers));
    if (!a.n_layers) return fail(p + "block_count is missing, 0 or above " + std::to_string(kMaxLayers));
    a.hidden_size = g_u(f, p + "embedding_length", 1u << 24);
    a.max_context_tokens = g_u(f, p + "context_length", 1ull << 32);
    a.n_experts = static_cast<uint32_t>(g_u(f, p + "expert_count", kMaxHeads));
    a.n_experts_active = static_cast<uint32_t>(g_u(f, p + "expert_used_count", kMaxHeads));
    a.moe_intermediate_size = g_u(f, p + "expert_feed_forward_length", 1u << 26);
    a.vocab_size = g_u(f, p + "vocab_size", 1u << 26);
    if (const GgufValue* t = f.find("tokenizer.ggml.tokens"); !a.vocab_size && t && t->is_array())
        a.vocab_size = t->n_elements;
    if (const GgufValue* m = f.find("tokenizer.ggml.merges"); m && m->is_array()) a.n_merges = m->n_elements;
    const GgufValue* causal = f.find(p + "attention.causal");
    const bool encoder =
        in(kGgufEncoders, a.model_type) || (causal && causal->type == GgufType::boolean && causal->u == 0);
    if (encoder) a.assumptions.push_back("GGUF " + a.model_type + ": a non-causal encoder, no KV cache");

    std::vector<uint64_t> heads, kv_heads, ffn;
    bool has_heads = false, has_kv = false, has_ffn = false;
    if (!g_per_layer(f, p + "attention.head_count", a.n_layers, heads, has_heads))
        return fail(p + "attention.head_count is neither a number nor an array of one per layer");
    if (!g_per_layer(f, p + "attention.head_count_kv", a.n_layers, kv_heads, has_kv))
        return fail(p + "attention.head_count_kv is neither a number nor an array of one per layer");
    if (!g_per_layer(f, p + "feed_forward_length", a.n_layers, ffn, has_ffn))
        return fail(p + "feed_forward_length is neither a number nor an array of one per layer");
    if (!has_heads) heads.assign(a.n_layers, 0);
    if (!has_kv) kv_heads = heads;  // llama.cpp: head_count_kv defaults to head_count
    for (uint64_t h : heads)
        a.n_heads = std::max<uint32_t>(a.n_heads, static_cast<uint32_t>(std::min<uint64_t>(h, kMaxHeads)));
    for (uint64_t h : kv_heads)
        a.n_kv_heads = std::max<uint32_t>(a.n_kv_heads, static_cast<uint32_t>(std::min<uint64_t>(h, kMaxHeads)));
    for (uint64_t x : ffn)
        a.intermediate_size = std::max<uint64_t>(a.intermediate_size, std::min<uint64_t>(x, 1u << 26));
    const uint64_t head_k = g_u(f, p + "attention.key_length", kMaxHeads);
    const uint64_t head_v = g_u(f, p + "attention.value_length", kMaxHeads);
    const uint64_t derived = a.n_heads && a.hidden_size ? a.hidden_size / a.n_heads : 0;  // llama.cpp: n_embd / n_head
    a.head_dim = static_cast<uint32_t>(head_k ? head_k : derived);
    const uint32_t head_dim_v = static_cast<uint32_t>(head_v ? head_v : derived);

    // MLA (deepseek2, kimi …): the cache holds head_count_kv heads of key_length + value_length (new-format GGUFs:
    // 1 × (576 + 512)); key_length_mla / value_length_mla are the per-head widths after decompression.
    a.kv_lora_rank = static_cast<uint32_t>(g_u(f, p + "attention.kv_lora_rank", kMaxHeads));
    a.qk_rope_head_dim = static_cast<uint32_t>(g_u(f, p + "rope.dimension_count", kMaxHeads));
    if (const uint64_t k_mla = g_u(f, p + "attention.key_length_mla", kMaxHeads); k_mla > a.qk_rope_head_dim)
        a.qk_nope_head_dim = static_cast<uint32_t>(k_mla - a.qk_rope_head_dim);
    a.v_head_dim = static_cast<uint32_t>(g_u(f, p + "attention.value_length_mla", kMaxHeads));

    // Recurrent layers: llama.cpp n_embd_r = (d_conv − 1)·(d_inner + 2·n_group·d_state), n_embd_s = d_state·d_inner
    // (llama-hparams.cpp; F32 in llama_memory_recurrent); LFM2 short convolutions: (l_cache − 1)·n_embd.
    const uint64_t d_conv = g_u(f, p + "ssm.conv_kernel", 64), d_inner = g_u(f, p + "ssm.inner_size", 1u << 24);
    const uint64_t d_state = g_u(f, p + "ssm.state_size", 1u << 16), n_group = g_u(f, p + "ssm.group_count", 1u << 16);
    uint64_t state = (d_conv ? (d_conv - 1) * (d_inner + 2 * n_group * d_state) : 0) + d_state * d_inner;
    if (const uint64_t l_cache = g_u(f, p + "shortconv.l_cache", 64); l_cache > 1)
        state += (l_cache - 1) * a.hidden_size;
    const uint64_t full_interval = g_u(f, p + "full_attention_interval", kMaxLayers);

    const uint64_t window = g_u(f, p + "attention.sliding_window", 1ull << 32);
    AttentionKind swa_kind = AttentionKind::sliding;
    const std::vector<bool> swa = gguf_swa_layers(f, p, window, a, swa_kind);

    const bool all_recurrent = in(kGgufRecurrent, a.model_type);
    if (all_recurrent && a.model_type.rfind("rwkv", 0) == 0)
        a.assumptions.push_back("GGUF " + a.model_type + ": RWKV state sizes are not modelled (counted as 0)");
    a.has_kv_cache = !encoder && (a.n_heads > 0 || all_recurrent);
    a.layers.resize(a.n_layers);
    for (uint32_t il = 0; il < a.n_layers; ++il) {
        AttentionLayer& l = a.layers[il];
        const bool recurrent = all_recurrent || (has_kv && kv_heads[il] == 0 && (state || heads[il] == 0)) ||
                               (full_interval && (il + 1) % full_interval != 0);
        if (recurrent) {
            l = AttentionLayer{AttentionKind::linear_state, 0, 0, 0, 0, state};
            continue;
        }
        l.n_head_kv = static_cast<uint32_t>(std::min<uint64_t>(kv_heads[il], kMaxHeads));
        l.head_dim_k = a.head_dim;
        l.head_dim_v = head_dim_v;
        if (a.kv_lora_rank) {
            l.kind = AttentionKind::mla;
        } else if (swa[il]) {
            l.kind = swa_kind;
            l.window_tokens = static_cast<uint32_t>(window);
        }
    }
    if (full_interval)
        a.assumptions.push_back("GGUF " + p + "full_attention_interval " + std::to_string(full_interval) +
                                ": layer il is full attention when (il + 1) % interval == 0, else recurrent");
    if (has_kv && std::find(kv_heads.begin(), kv_heads.end(), 0) != kv_heads.end())
        a.assumptions.push_back("GGUF " + p +
                                "attention.head_count_kv: layers with 0 KV heads are recurrent (no KV cache)");
    if (!a.has_kv_cache) a.layers.clear();
    return out;
}

}  // namespace vram
