#include "estimator/architecture.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "estimator/gguf.hpp"

namespace vram {
namespace {

using nlohmann::json;

enum class Family : uint8_t { decoder, encoder_only, encoder_decoder, mla, hybrid_linear, non_llm };

struct FamilyInfo {
    const char* model_type;
    Family family;
};

// transformers model_type → how its config is read. Anything else: generic decoder keys + an assumption.
constexpr std::array<FamilyInfo, 40> kFamilies = {{
    {"llama", Family::decoder},
    {"mistral", Family::decoder},
    {"mixtral", Family::decoder},
    {"qwen2", Family::decoder},
    {"qwen2_moe", Family::decoder},
    {"qwen3", Family::decoder},
    {"qwen3_moe", Family::decoder},
    {"gemma", Family::decoder},
    {"gemma2", Family::decoder},
    {"gemma3", Family::decoder},
    {"gemma3_text", Family::decoder},
    {"gemma4", Family::decoder},
    {"gemma4_text", Family::decoder},
    {"phi3", Family::decoder},
    {"phi", Family::decoder},
    {"gpt2", Family::decoder},
    {"gpt_neox", Family::decoder},
    {"falcon", Family::decoder},
    {"gpt_oss", Family::decoder},
    {"qwen2_vl", Family::decoder},
    {"qwen2_5_vl", Family::decoder},
    {"qwen2_5_vl_text", Family::decoder},
    {"qwen2_vl_text", Family::decoder},
    {"starcoder2", Family::decoder},
    {"bert", Family::encoder_only},
    {"roberta", Family::encoder_only},
    {"xlm-roberta", Family::encoder_only},
    {"distilbert", Family::encoder_only},
    {"clip_text_model", Family::encoder_only},
    {"t5", Family::encoder_decoder},
    {"umt5", Family::encoder_decoder},
    {"bart", Family::encoder_decoder},
    {"whisper", Family::encoder_decoder},
    {"deepseek_v2", Family::mla},
    {"deepseek_v3", Family::mla},
    {"kimi_k2", Family::mla},
    {"qwen3_next", Family::hybrid_linear},
    {"qwen3_5_moe_text", Family::hybrid_linear},
    {"qwen3_5_text", Family::hybrid_linear},
    {"clip", Family::encoder_only},
}};

const FamilyInfo* find_family(const std::string& model_type) {
    for (const auto& f : kFamilies)
        if (model_type == f.model_type) return &f;
    return nullptr;
}

// First present, positive, in-range unsigned value among `keys`.
uint64_t get_u(const json& c, std::initializer_list<const char*> keys, uint64_t max = UINT64_MAX) {
    for (const char* k : keys) {
        auto it = c.find(k);
        if (it == c.end()) continue;
        if (it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() > 0)) {
            uint64_t v = it->get<uint64_t>();
            if (v > 0 && v <= max) return v;
        } else if (it->is_number_float()) {
            double v = it->get<double>();
            if (v >= 1 && v <= static_cast<double>(max) && v == static_cast<double>(static_cast<uint64_t>(v)))
                return static_cast<uint64_t>(v);
        }
    }
    return 0;
}

std::string get_s(const json& c, const char* key) {
    auto it = c.find(key);
    return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool get_b(const json& c, const char* key, bool fallback) {
    auto it = c.find(key);
    return it != c.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

AttentionKind kind_from_layer_type(const std::string& t) {
    if (t == "sliding_attention" || t == "sliding") return AttentionKind::sliding;
    if (t == "chunked_attention") return AttentionKind::chunked;
    if (t == "linear_attention" || t == "mamba" || t == "conv" || t == "linear") return AttentionKind::linear_state;
    return AttentionKind::full;
}

// Gated DeltaNet state per sequence (Qwen3-Next / Qwen3.5, transformers modeling_qwen3_next.py):
// conv state (kernel-1) × (2·key_dim + value_dim) plus recurrent state v_heads × k_dim × v_dim.
uint64_t gated_deltanet_state(const json& c) {
    uint64_t kernel = get_u(c, {"linear_conv_kernel_dim"}, 64);
    uint64_t k_heads = get_u(c, {"linear_num_key_heads"}, kMaxHeads);
    uint64_t v_heads = get_u(c, {"linear_num_value_heads"}, kMaxHeads);
    uint64_t k_dim = get_u(c, {"linear_key_head_dim"}, kMaxHeads);
    uint64_t v_dim = get_u(c, {"linear_value_head_dim"}, kMaxHeads);
    if (!kernel || !k_heads || !v_heads || !k_dim || !v_dim) return 0;
    uint64_t key_dim = k_heads * k_dim, value_dim = v_heads * v_dim;
    return (kernel - 1) * (2 * key_dim + value_dim) + v_heads * k_dim * v_dim;
}

// The dimensions every estimate rests on: a value that is present but negative, fractional or past
// its bound is not "absent" — the config is wrong, and estimating from it would print a total
// computed from nonsense. Returns one line per offending key.
std::vector<std::string> out_of_range(const json& c) {
    struct Bound {
        const char* key;
        uint64_t max;
    };
    static const Bound kBounds[] = {{"num_hidden_layers", kMaxLayers},
                                    {"n_layer", kMaxLayers},
                                    {"num_layers", kMaxLayers},
                                    {"n_layers", kMaxLayers},
                                    {"hidden_size", 1u << 24},
                                    {"n_embd", 1u << 24},
                                    {"d_model", 1u << 24},
                                    {"num_attention_heads", kMaxHeads},
                                    {"n_head", kMaxHeads},
                                    {"num_heads", kMaxHeads},
                                    {"num_key_value_heads", kMaxHeads},
                                    {"num_kv_heads", kMaxHeads},
                                    {"head_dim", kMaxHeads},
                                    {"intermediate_size", 1u << 26},
                                    {"vocab_size", 1u << 26},
                                    {"max_position_embeddings", 1ull << 32},
                                    {"n_positions", 1ull << 32},
                                    {"max_seq_len", 1ull << 32}};
    std::vector<std::string> bad;
    for (const auto& b : kBounds) {
        auto it = c.find(b.key);
        if (it == c.end() || !it->is_number()) continue;
        const double v = it->get<double>();
        if (v < 0 || v > static_cast<double>(b.max) || v != static_cast<double>(static_cast<uint64_t>(v)))
            bad.push_back(std::string(b.key) + " = " + it->dump() + " (expected a whole number from 0 to " +
                          std::to_string(b.max) + ")");
    }
    return bad;
}

// RoPE keys (transformers' rope_config_validation names): rope_scaling | rope_parameters {rope_type | type, factor,
// original_max_position_embeddings, mrope_section, alpha}, partial_rotary_factor (top level or inside).
void read_rope(const json& c, Architecture& a) {
    for (const char* k : {"rope_theta", "rope_scaling", "rope_parameters", "partial_rotary_factor", "qk_rope_head_dim",
                          "rope_local_base_freq"})
        if (auto it = c.find(k); it != c.end() && !it->is_null()) a.rope_named = true;
    const json* r = nullptr;
    for (const char* k : {"rope_scaling", "rope_parameters"})
        if (auto it = c.find(k); it != c.end() && it->is_object()) {
            r = &*it;
            break;
        }
    auto number = [](const json& o, const char* k) {
        auto it = o.find(k);
        return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    if (const double p = number(c, "partial_rotary_factor"); p > 0 && p <= 1) a.partial_rotary_factor = p;
    a.rope_local_base = c.contains("rope_local_base_freq");
    if (!r) return;
    // transformers 5 keys Gemma 3's parameters by layer type ({"full_attention": {…}, "sliding_attention": {…}}).
    for (const auto& [key, value] : r->items())
        if (value.is_object() && (key == "full_attention" || key == "sliding_attention")) a.rope_per_layer_type = true;
    if (a.rope_per_layer_type) {
        if (auto it = r->find("full_attention"); it != r->end() && it->is_object())
            r = &*it;
        else
            return;
    }
    a.rope_type = get_s(*r, "rope_type");
    if (a.rope_type.empty()) a.rope_type = get_s(*r, "type");
    const double f = number(*r, "factor");
    a.rope_factor = f > 0 && f <= 1e6 ? f : 0;
    a.rope_original_positions = get_u(*r, {"original_max_position_embeddings"}, 1ull << 32);
    a.rope_mrope = r->contains("mrope_section");
    a.rope_alpha = r->contains("alpha");
    if (const double p = number(*r, "partial_rotary_factor"); p > 0 && p <= 1) a.partial_rotary_factor = p;
}

void read_common(const json& c, Architecture& a) {
    a.n_layers = static_cast<uint32_t>(
        get_u(c, {"num_hidden_layers", "n_layer", "num_layers", "n_layers", "decoder_layers"}, kMaxLayers));
    a.hidden_size = get_u(c, {"hidden_size", "n_embd", "d_model", "dim"}, 1u << 24);
    a.n_heads = static_cast<uint32_t>(
        get_u(c, {"num_attention_heads", "n_head", "num_heads", "n_heads", "decoder_attention_heads"}, kMaxHeads));
    a.n_kv_heads =
        static_cast<uint32_t>(get_u(c, {"num_key_value_heads", "num_kv_heads", "n_head_kv", "n_kv_heads"}, kMaxHeads));
    a.head_dim = static_cast<uint32_t>(get_u(c, {"head_dim", "d_kv", "attention_head_dim"}, kMaxHeads));
    a.intermediate_size = get_u(c, {"intermediate_size", "n_inner", "ffn_dim", "d_ff", "decoder_ffn_dim"}, 1u << 26);
    a.vocab_size = get_u(c, {"vocab_size", "padded_vocab_size"}, 1u << 26);
    a.max_context_tokens = get_u(c,
                                 {"max_position_embeddings", "n_positions", "max_seq_len", "seq_length",
                                  "max_sequence_length", "n_ctx", "max_target_positions"},
                                 1ull << 32);
    a.n_experts = static_cast<uint32_t>(
        get_u(c, {"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"}, kMaxHeads));
    a.n_experts_active = static_cast<uint32_t>(
        get_u(c, {"num_experts_per_tok", "experts_per_token", "top_k_experts", "moe_topk"}, kMaxHeads));
    a.moe_intermediate_size = get_u(c, {"moe_intermediate_size"}, 1u << 26);
    a.tied_embeddings =
        get_b(c, "tie_word_embeddings", a.model_type == "gpt2" || a.model_type == "t5" || a.model_type == "bart");
    if (auto cap = c.find("attn_logit_softcapping"); cap != c.end() && cap->is_number())
        a.attention_softcapping = cap->get<double>() > 0;
    read_rope(c, a);
    a.torch_dtype = get_s(c, "torch_dtype");
    if (a.torch_dtype.empty()) a.torch_dtype = get_s(c, "dtype");
    if (auto q = c.find("quantization_config"); q != c.end() && q->is_object()) a.quantization_config = q->dump();

    if (a.n_kv_heads == 0 && a.n_heads != 0) {
        if (get_b(c, "multi_query", false)) {
            a.n_kv_heads = 1;
            a.assumptions.push_back("multi_query: one KV head");
        } else {
            a.n_kv_heads = a.n_heads;
            a.assumptions.push_back("no num_key_value_heads: KV heads = attention heads (" + std::to_string(a.n_heads) +
                                    ")");
        }
    }
    if (a.head_dim == 0 && a.n_heads != 0 && a.hidden_size != 0) {
        a.head_dim = static_cast<uint32_t>(a.hidden_size / a.n_heads);
        if (a.model_type != "gpt2" && a.model_type != "llama" && a.model_type != "mistral")
            a.assumptions.push_back("no head_dim: hidden_size / num_attention_heads = " + std::to_string(a.head_dim));
    }
}

// What a config key holds, for a message: "is missing", "is null", "is the string \"32\"" …
std::string key_state(const json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::string(key) + " is missing";
    std::string v = it->dump();
    if (v.size() > 40) v = v.substr(0, 40) + "…";
    if (it->is_null()) return std::string(key) + " is null";
    if (it->is_string()) return std::string(key) + " is the string " + v;
    if (it->is_boolean()) return std::string(key) + " is the boolean " + v;
    if (it->is_number()) return std::string(key) + " is " + v;
    return std::string(key) + " is " + it->type_name();
}

// A decoder needs its layer and head counts; when config.json lacks them, the tensor names and the
// Q/K projection shapes tell them (n_heads = q rows / head_dim, n_kv_heads = k rows / head_dim). False
// with `error` set when they stay unknown for a family that must have them.
bool fill_counts(const json& root, const json& c, bool must_have, const LayerHints* hints, Architecture& a,
                 Error& error) {
    if (a.n_layers && a.n_heads) return true;
    // A multimodal config whose text_config lacks the count may carry it at the top level.
    if (!a.n_layers && &c != &root)
        if (uint64_t n = get_u(root, {"num_hidden_layers", "n_layer", "num_layers", "n_layers"}, kMaxLayers)) {
            a.n_layers = static_cast<uint32_t>(n);
            a.assumptions.push_back("the nested config has no layer count: " + std::to_string(n) +
                                    " layers from the top-level config");
        }
    std::string missing;
    if (!a.n_layers) missing = key_state(c, "num_hidden_layers");
    if (!a.n_heads) missing += (missing.empty() ? "" : ", ") + key_state(c, "num_attention_heads");
    if (missing.empty()) return true;
    if (!hints) {
        if (must_have) a.missing_counts = missing;
        return true;
    }
    std::vector<std::string> found;
    if (!a.n_layers && hints->n_layers) {
        a.n_layers = hints->n_layers;
        found.push_back(std::to_string(a.n_layers) + " layers counted from the tensor names (layers.0 … layers." +
                        std::to_string(a.n_layers - 1) + ")");
    }
    if (!a.n_heads && hints->q_proj_rows) {
        uint64_t head_dim = a.head_dim;
        if (!head_dim && a.n_kv_heads && hints->k_proj_rows && hints->k_proj_rows % a.n_kv_heads == 0)
            head_dim = hints->k_proj_rows / a.n_kv_heads;
        if (head_dim && hints->q_proj_rows % head_dim == 0 && hints->q_proj_rows / head_dim <= kMaxHeads) {
            a.n_heads = static_cast<uint32_t>(hints->q_proj_rows / head_dim);
            a.head_dim = static_cast<uint32_t>(head_dim);
            found.push_back(std::to_string(a.n_heads) + " attention heads from q_proj's " +
                            std::to_string(hints->q_proj_rows) + " rows / head_dim " + std::to_string(head_dim));
            if (!a.n_kv_heads && hints->k_proj_rows % head_dim == 0 && hints->k_proj_rows / head_dim <= kMaxHeads &&
                hints->k_proj_rows) {
                a.n_kv_heads = static_cast<uint32_t>(hints->k_proj_rows / head_dim);
                found.push_back(std::to_string(a.n_kv_heads) + " KV heads from k_proj's " +
                                std::to_string(hints->k_proj_rows) + " rows");
            }
        }
    }
    if (a.n_layers && a.n_heads) {
        std::string text = "config.json has no usable count (" + missing + "): ";
        for (size_t i = 0; i < found.size(); ++i) text += (i ? "; " : "") + found[i];
        a.assumptions.push_back(text);
        return true;
    }
    if (!must_have) return true;
    error = make_error(ErrorCode::config_invalid,
                       "config.json (model_type \"" + a.model_type + "\") has no usable " +
                           (!a.n_layers ? std::string("layer count") : std::string("attention head count")) + ": " +
                           missing + ", and the tensor names do not tell it either");
    return false;
}

void build_layers(const json& c, Family family, Architecture& a) {
    a.layers.assign(a.n_layers, AttentionLayer{AttentionKind::full, a.n_kv_heads, a.head_dim, a.head_dim, 0, 0});
    if (family == Family::mla) {
        a.kv_lora_rank = static_cast<uint32_t>(get_u(c, {"kv_lora_rank"}, kMaxHeads));
        a.qk_rope_head_dim = static_cast<uint32_t>(get_u(c, {"qk_rope_head_dim"}, kMaxHeads));
        a.qk_nope_head_dim = static_cast<uint32_t>(get_u(c, {"qk_nope_head_dim"}, kMaxHeads));
        a.v_head_dim = static_cast<uint32_t>(get_u(c, {"v_head_dim"}, kMaxHeads));
        if (a.kv_lora_rank) {
            for (auto& l : a.layers)
                l = AttentionLayer{AttentionKind::mla, 1, a.kv_lora_rank + a.qk_rope_head_dim, 0, 0, 0};
            return;
        }
        a.assumptions.push_back("no kv_lora_rank: MLA read as full attention");
    }
    const uint64_t window = get_u(c, {"sliding_window"}, 1ull << 32);
    const uint64_t chunk = get_u(c, {"attention_chunk_size"}, 1ull << 32);
    const uint64_t state = gated_deltanet_state(c);
    // Gemma 4: full-attention layers use their own head width and KV heads.
    const uint32_t global_head_dim = static_cast<uint32_t>(get_u(c, {"global_head_dim"}, kMaxHeads));
    const uint32_t global_kv = static_cast<uint32_t>(get_u(c, {"num_global_key_value_heads"}, kMaxHeads));
    auto apply = [&](AttentionLayer& l, AttentionKind k) {
        l.kind = k;
        if (k == AttentionKind::sliding) l.window_tokens = static_cast<uint32_t>(window);
        if (k == AttentionKind::chunked) l.window_tokens = static_cast<uint32_t>(chunk);
        if (k == AttentionKind::linear_state) {
            l.n_head_kv = 0;
            l.head_dim_k = l.head_dim_v = 0;
            l.state_elements = state;
        }
        if (k == AttentionKind::full && global_head_dim) l.head_dim_k = l.head_dim_v = global_head_dim;
        if (k == AttentionKind::full && global_kv) l.n_head_kv = global_kv;
    };

    auto types = c.find("layer_types");
    if (types != c.end() && types->is_array() && types->size() == a.n_layers) {
        for (size_t i = 0; i < a.layers.size(); ++i)
            apply(a.layers[i], kind_from_layer_type((*types)[i].is_string() ? (*types)[i].get<std::string>() : ""));
        return;
    }
    if (uint64_t interval = get_u(c, {"full_attention_interval"}, kMaxLayers);
        interval && family == Family::hybrid_linear) {
        for (size_t i = 0; i < a.layers.size(); ++i)
            apply(a.layers[i], (i + 1) % interval == 0 ? AttentionKind::full : AttentionKind::linear_state);
        a.assumptions.push_back(
            "layer i is full attention when (i+1) % full_attention_interval == 0, else Gated DeltaNet");
        return;
    }
    if (!window) return;
    if (a.model_type == "qwen2" || a.model_type == "qwen2_moe" || a.model_type == "qwen3" ||
        a.model_type == "qwen3_moe") {
        if (!get_b(c, "use_sliding_window", false)) return;  // Qwen ships sliding_window but leaves it off
    }
    if (window >= a.max_context_tokens && a.max_context_tokens) return;
    if (a.model_type == "gemma2") {
        for (size_t i = 0; i < a.layers.size(); ++i)
            apply(a.layers[i], i % 2 == 0 ? AttentionKind::sliding : AttentionKind::full);
        a.assumptions.push_back("gemma2: even layers use the sliding window, odd layers full attention");
    } else if (uint64_t pattern = get_u(c, {"sliding_window_pattern"}, kMaxLayers)) {
        for (size_t i = 0; i < a.layers.size(); ++i)
            apply(a.layers[i], (i + 1) % pattern == 0 ? AttentionKind::full : AttentionKind::sliding);
        a.assumptions.push_back("sliding_window_pattern " + std::to_string(pattern) + ": every " +
                                std::to_string(pattern) + "th layer is full attention");
    } else {
        for (auto& l : a.layers) apply(l, AttentionKind::sliding);
    }
}

}  // namespace

const char* attention_kind_name(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::full:
            return "full";
        case AttentionKind::sliding:
            return "sliding";
        case AttentionKind::chunked:
            return "chunked";
        case AttentionKind::mla:
            return "mla";
        case AttentionKind::linear_state:
            return "linear_state";
        case AttentionKind::none:
            return "none";
    }
    return "unknown";
}

ArchitectureResult parse_architecture(std::string_view config_json, const LayerHints* hints) {
    ArchitectureResult out;
    json root;
    try {
        root = json::parse(config_json.begin(), config_json.end());
    } catch (const json::exception& e) {
        out.error = make_error(ErrorCode::config_invalid, std::string("config.json is not valid JSON: ") + e.what());
        return out;
    }
    if (!root.is_object()) {
        out.error = make_error(ErrorCode::config_invalid,
                               std::string("config.json is ") + root.type_name() + ", not an object");
        return out;
    }
    Architecture& a = out.arch;
    if (auto arch = root.find("architectures");
        arch != root.end() && arch->is_array() && !arch->empty() && (*arch)[0].is_string())
        a.architecture = (*arch)[0].get<std::string>();
    if (auto cls = root.find("_class_name"); cls != root.end() && cls->is_string())
        a.class_name = cls->get<std::string>();
    else
        a.class_name = a.architecture;
    const json* c = &root;
    for (const char* nested : {"text_config", "llm_config", "language_config"}) {
        auto it = root.find(nested);
        if (it != root.end() && it->is_object()) {
            a.outer_model_type = get_s(root, "model_type");
            c = &*it;
            break;
        }
    }
    a.model_type = get_s(*c, "model_type");
    if (a.model_type.empty()) a.model_type = get_s(root, "model_type");
    const FamilyInfo* fam = find_family(a.model_type);
    a.known_family = fam != nullptr;
    Family family = fam ? fam->family : Family::decoder;
    if (!fam)
        a.assumptions.push_back("model_type \"" + a.model_type +
                                "\" is not in the family table: read with the generic decoder keys");
    if (auto bad = out_of_range(*c); !bad.empty()) {
        std::string list;
        for (const auto& b : bad) list += (list.empty() ? "" : "; ") + b;
        out.error = make_error(ErrorCode::config_invalid, "config.json has values no model can have: " + list);
        return out;
    }
    read_common(*c, a);
    if (a.quantization_config.empty() && c != &root)
        if (auto q = root.find("quantization_config"); q != root.end() && q->is_object())
            a.quantization_config = q->dump();
    if (a.torch_dtype.empty() && c != &root) {
        a.torch_dtype = get_s(root, "torch_dtype");
        if (a.torch_dtype.empty()) a.torch_dtype = get_s(root, "dtype");
    }

    switch (family) {
        case Family::encoder_only:
            a.has_kv_cache = false;
            break;
        case Family::encoder_decoder:
            a.encoder_decoder = true;
            a.has_kv_cache = true;
            a.n_encoder_layers = static_cast<uint32_t>(get_u(*c, {"encoder_layers", "num_layers"}, kMaxLayers));
            if (uint64_t dec = get_u(*c, {"decoder_layers", "num_decoder_layers"}, kMaxLayers))
                a.n_layers = static_cast<uint32_t>(dec);
            if (a.model_type == "t5" || a.model_type == "umt5") {
                a.n_kv_heads = a.n_heads;
                if (a.max_context_tokens == 0) {
                    a.max_context_tokens = 512;
                    a.assumptions.push_back(
                        "T5 has relative positions and no max_position_embeddings: context 512 (its training length)");
                }
            }
            // Cross-attention length: Whisper's encoder emits max_source_positions frames (1500 for 30 s);
            // text encoder-decoders (T5, BART) are charged a full encoder input of the config's max context.
            a.encoder_tokens = get_u(*c, {"max_source_positions"}, 1ull << 32);
            if (!a.encoder_tokens) a.encoder_tokens = a.max_context_tokens;
            break;
        default: {
            const bool must_have = fam && family != Family::non_llm;
            if (family != Family::non_llm && !fill_counts(root, *c, must_have, hints, a, out.error)) return out;
            if (a.n_kv_heads == 0 && a.n_heads != 0) {  // heads read from q_proj, no k_proj seen
                a.n_kv_heads = a.n_heads;
                a.assumptions.push_back("KV heads = attention heads (" + std::to_string(a.n_heads) + ")");
            }
            if (a.head_dim == 0 && a.n_heads != 0 && a.hidden_size != 0)
                a.head_dim = static_cast<uint32_t>(a.hidden_size / a.n_heads);
            a.has_kv_cache = a.n_layers > 0 && a.n_heads > 0;
            break;
        }
    }
    if (a.has_kv_cache) build_layers(*c, family, a);
    return out;
}

}  // namespace vram
