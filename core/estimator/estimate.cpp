// estimate(): the options checked against the model, the weights at the precision target, the engine's
// evaluation at the chosen context and batch, then the fit (fit.cpp) and the assumptions in the report's order.
#include "estimator/estimate.hpp"

#include <array>
#include <cstdio>

#include "estimator/engine.hpp"

namespace vram {
namespace {

struct Tier {
    uint64_t gib;
    const char* text;
};
// The one-line recommendation. The 8, 24 and 80 GB lines are the original README's examples;
// the others fill the gaps between them with the usual cards of that size.
constexpr std::array<Tier, 6> kClassicTiers = {{
    {8, "RTX 3070/4070 (8GB) or better"},
    {12, "RTX 3060/4070 Ti (12GB) or better"},
    {16, "RTX 4060 Ti/4080 (16GB) or better"},
    {24, "RTX 3090/4090 (24GB) or better"},
    {48, "RTX A6000/L40S (48GB) or better"},
    {80, "A100 (80GB) or multi-GPU setup"},
}};

std::string classic_recommendation(uint64_t total_bytes) {
    for (const auto& t : kClassicTiers)
        if (total_bytes <= t.gib * kGiB) return t.text;
    return "Multi-GPU setup required (more than 80GB)";
}

// The checks that need the model as well as the options.
Error check_against_model(const Model& m, const EstimateOptions& o) {
    const ProfileInfo& p = profile_info(o.profile);
    if (o.tp > 1 && (!m.arch.n_heads || m.arch.n_heads % o.tp))
        return make_error(ErrorCode::invalid_argument, "tp " + std::to_string(o.tp) + " does not divide the " +
                                                           std::to_string(m.arch.n_heads) +
                                                           " attention heads (vLLM and SGLang require it)");
    if (p.preallocates && (m.layout == "diffusers" || !m.arch.hidden_size))
        return make_error(ErrorCode::invalid_argument,
                          std::string("profile ") + p.name +
                              " serves transformer language and encoder models; this repo has no such config.json");
    if (precision_info(o.precision).linear_only && (!m.arch.quantization_config.empty() || m.layout == "gguf"))
        return make_error(ErrorCode::invalid_argument,
                          std::string("precision ") + precision_name(o.precision) +
                              " quantizes a 16-bit checkpoint as it loads; " + m.repo_id +
                              " is already quantized: estimate it as stored (precision auto), as vLLM serves a "
                              "quantized checkpoint with its own method");
    if (const KvDtypeInfo& kv = kv_dtype_info(o.kv_dtype); kv.mla_record_bytes)
        for (const auto& l : m.arch.layers)
            if (l.kind != AttentionKind::none && l.kind != AttentionKind::linear_state &&
                (l.kind != AttentionKind::mla || l.head_dim_k != kv.mla_latent_width))
                return make_error(ErrorCode::invalid_argument,
                                  std::string("kv_dtype ") + kv.name + " holds MLA latents of " +
                                      std::to_string(kv.mla_latent_width) + " (kv_lora_rank + qk_rope_head_dim); " +
                                      m.repo_id + " has " +
                                      (l.kind == AttentionKind::mla
                                           ? "an MLA latent of " + std::to_string(l.head_dim_k)
                                           : std::string(attention_kind_name(l.kind)) + " attention layers") +
                                      " (use fp8 for its KV cache)");
    if (p.id == ProfileId::diffusers && (m.layout != "diffusers" || !m.pipeline.present))
        return make_error(ErrorCode::invalid_argument,
                          "profile diffusers estimates diffusers pipelines (a model_index.json with component "
                          "folders): " +
                              m.repo_id + " has layout " + (m.layout.empty() ? std::string("unknown") : m.layout) +
                              "; use transformers, vllm, sglang or llama.cpp");
    if (p.gguf && m.layout != "gguf")
        return make_error(
            ErrorCode::invalid_argument,
            "profile llama.cpp needs a GGUF repo: " + m.repo_id + " has " +
                (m.layout.empty() ? std::string("no GGUF files") : "layout " + m.layout + " (safetensors)"));
    return {};
}

// Weights at the precision target, per component, and by llama.cpp layer for GGUF repos.
Weights weights_for(const Model& m, Estimate& e) {
    const EstimateOptions& o = e.options;
    Weights w;
    e.components.reserve(m.components.size());
    for (const auto& c : m.components) e.components.push_back({c.name, 0, c.params});
    // Per-component sums at each precision are computed once by analyze(); a Model built by hand
    // (tests) without them is summed here.
    const size_t pi = static_cast<size_t>(o.precision);
    const bool cached = pi < m.component_bytes_at.size() && m.component_bytes_at[pi].size() == m.components.size();
    for (size_t i = 0; i < m.components.size(); ++i) {
        w.raw = add_sat(w.raw, m.components[i].bytes);
        if (cached) e.components[i].bytes = m.component_bytes_at[pi][i];
    }
    if (!cached)
        for (const auto& t : m.tensors)
            e.components[t.component].bytes = add_sat(e.components[t.component].bytes, tensor_bytes_at(t, o.precision));
    for (const auto& c : e.components) {
        w.total = add_sat(w.total, c.bytes);
        w.component.push_back(c.bytes);
    }
    if (m.layout == "gguf") {  // llama.cpp places GGUF tensors by layer
        Weights g = weights_of(m.tensors, o.precision, m.gguf_duplicated_bytes, m.arch.n_layers);
        w.block = std::move(g.block);
        w.input = g.input;
        w.output = g.output;
        w.projector = g.projector;
        w.duplicated = g.duplicated;
    }
    return w;
}

// Stays whole on every rank: RMSNorm/LayerNorm weights (2 per layer + the final one) and MoE router gates
// (ReplicatedLinear in vLLM). Embeddings and lm_head are vocab-parallel in vLLM and SGLang
// (VocabParallelEmbedding / ParallelLMHead), so they are split like the other matrices.
uint64_t replicated_bytes(const Model& m, uint32_t width) {
    const Architecture& a = m.arch;
    uint64_t params = mul_sat(2ull * a.n_layers + 1, a.hidden_size);
    if (a.n_experts) params = add_sat(params, mul_sat(static_cast<uint64_t>(a.n_layers) * a.n_experts, a.hidden_size));
    return mul_sat(params, width);
}

// The compute width and the KV element type before the engine's own rules (Engine::resolve).
Setup base_setup(const Model& m, const EstimateOptions& o) {
    Setup s;
    s.profile = &profile_info(o.profile);
    const uint32_t width = precision_info(o.precision).compute_bytes;
    // vLLM and SGLang run float32 checkpoints in 16 bits unless --dtype float32 is given; transformers keeps them.
    s.act_bytes = width ? width : (m.arch.torch_dtype == "float32" && o.profile == ProfileId::transformers ? 4 : 2);
    s.weight_bits = precision_info(o.precision).bits;
    s.flash_attention = o.flash_attention;
    s.ubatch = o.ubatch_tokens;
    s.n_gpu_layers = o.n_gpu_layers;
    const KvDtypeInfo& kv = kv_dtype_info(o.kv_dtype);
    if (o.kv_dtype == KvDtype::auto_) {
        s.kv_name = s.act_bytes == 4 ? "fp32" : (m.arch.torch_dtype == "float16" ? "fp16" : "bf16");
        s.kv_block_bytes = s.act_bytes;
    } else {
        s.kv_name = kv.name;
        s.kv_block_bytes = kv.block_bytes;
        s.kv_block_elements = kv.block_elements;
        s.kv_mla_record_bytes = kv.mla_record_bytes;
    }
    return s;
}

// The original guard: a KV cache past 2^62 bytes at this context × batch (the engine's element width as bound).
bool kv_too_large(const Model& m, const Estimate& e, const Engine& engine) {
    if (!e.has_kv) return false;
    const double kv_approx = 2.0 * m.arch.n_layers * m.arch.n_kv_heads * m.arch.head_dim *
                             engine.kv_guard_element_bytes * static_cast<double>(e.context_tokens) * e.options.batch;
    return kv_approx > static_cast<double>(UINT64_MAX / 4);
}

void fill_from_eval(Estimate& e, const Setup& s, const Eval& ev) {
    const uint32_t tp = e.options.tp;
    const ProfileInfo& p = *s.profile;
    e.per_gpu = ev.share;
    e.overhead_parts = ev.parts;
    e.kv_groups = ev.groups;
    e.kv_bytes_per_token = ev.kv_bytes_per_token;
    e.weights_bytes = mul_sat(ev.share.weights_bytes, tp);
    e.kv_cache_bytes = mul_sat(ev.share.kv_cache_bytes, tp);
    e.activation_bytes = mul_sat(ev.share.activation_bytes, tp);
    e.overhead_bytes = mul_sat(ev.share.overhead_bytes, tp);
    e.total_bytes = mul_sat(ev.share.total_bytes, tp);
    e.details.engine = p.engine;
    e.details.version = p.version;
    e.details.sources = p.sources;
    e.details.block_tokens = ev.block_tokens;
    e.details.max_num_batched_tokens = s.batched_tokens;
    e.details.max_num_seqs = s.max_num_seqs;
    e.details.fraction_option = p.fraction_option;
    e.details.memory_fraction = s.fraction;
    e.details.activation_bytes = s.act_bytes;
    e.host = ev.host;
    e.pipeline = ev.pipeline;
    e.context_cells = ev.context_cells;
    e.n_gpu_layers = ev.gpu_layers;
    e.recommendation = classic_recommendation(ev.share.total_bytes);
}

// The precision's assumption line.
std::string precision_line(const EstimateOptions& o) {
    if (o.precision == Precision::auto_) return "precision auto: every tensor keeps its stored dtype";
    if (precision_info(o.precision).linear_only)
        return std::string("precision ") + precision_name(o.precision) + ": " + precision_info(o.precision).help +
               " [vLLM 0.19 quantization/fp8.py: Fp8Config.get_quant_method, scaled_fp8_quant(weight, scale=None)]";
    return std::string("precision ") + precision_name(o.precision) +
           ": floating weights at that width; quantized storage keeps its bytes unless narrower";
}

// The engine's assumption lines inside the lines every engine profile shares (classic states its own).
void add_assumptions(Estimate& e, const Model& m, const Setup& s, const Weights& w, const Eval& ev) {
    const ProfileInfo& p = *s.profile;
    const Engine& engine = engine_for(p.id);
    if (engine.standalone_assumptions) return engine.assumptions(e, m, s, w, ev);
    if (e.has_kv && !e.options.context_tokens)
        e.assumptions.push_back("context: the config's max context, " + std::to_string(e.context_tokens) + " tokens");
    if (!e.has_kv)
        e.assumptions.push_back(p.id == ProfileId::diffusers
                                    ? "no KV cache: a diffusers pipeline generates no tokens"
                                    : "no KV cache: the config describes no generating decoder");
    engine.assumptions(e, m, s, w, ev);
    if (!p.preallocates && (e.options.gpu_memory_utilization > 0 || e.options.max_num_batched_tokens))
        e.assumptions.push_back(std::string("gpu_memory_utilization and max_num_batched_tokens ignored: profile ") +
                                p.name + " has no such setting");
    e.assumptions.push_back(
        "the recommendation line applies the classic tiers to the per-GPU total; GiB = 2^30 bytes, GB = 10^9 bytes");
}

}  // namespace

Estimate estimate(const Model& m, const EstimateOptions& o) {
    Estimate e;
    e.options = o;
    if (m.error) {
        e.error = m.error;
        return e;
    }
    if ((e.error = validate_options(o))) return e;
    if ((e.error = check_against_model(m, o))) return e;
    const Engine& engine = engine_for(o.profile);

    Weights w = weights_for(m, e);
    e.weights_raw_bytes = w.raw;
    e.tp = o.tp;
    e.has_kv = m.has_llm && o.profile != ProfileId::diffusers;  // a pipeline generates no tokens
    e.context_tokens = o.context_tokens ? o.context_tokens : m.arch.max_context_tokens;
    if (profile_info(o.profile).gguf) e.n_layers_offloadable = m.arch.n_layers + 1;
    if (o.assumption_lines) e.assumptions.push_back(precision_line(o));  // off: a chart point, a matrix cell

    const std::vector<LayerClass> classes = layer_classes(m.arch);
    Setup base = base_setup(m, o);
    base.layer_classes = &classes;
    engine.resolve(base, o);
    w.replicated = replicated_bytes(m, base.act_bytes);
    e.kv_dtype = base.kv_name;
    const Setup s = resolve_setup(base, o, o.gpu, o.tp);
    if (kv_too_large(m, e, engine)) {
        e.error = make_error(ErrorCode::invalid_argument, "context × batch is too large to estimate");
        return e;
    }
    const Eval ev = engine.evaluate(m, w, s, e.context_tokens, o.batch);
    fill_from_eval(e, s, ev);
    if (w.total == kSaturated || e.total_bytes == kSaturated) {
        e.error = make_error(ErrorCode::invalid_argument,
                             "the weights or the total pass 2^64 bytes: the repo's sizes cannot be real");
        return e;
    }
    if (o.assumption_lines) add_assumptions(e, m, s, w, ev);
    fill_fit_table(e, m, w, base);
    if (o.gpu) {
        e.gpu = o.gpu;
        fill_fit_limits(e, m, w, s, ev);
    }
    fill_gguf_rows(e, m, w, s);
    return e;
}

}  // namespace vram
