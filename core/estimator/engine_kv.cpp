// What the KV-paging engines (transformers, vLLM, SGLang) share: per-layer KV specs, how many tokens each layer
// holds under the engine's rules, the pool's page and group sizes, and the server engines' calibrated overhead.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "estimator/engine.hpp"

namespace vram {
namespace {

// CUDA context and library handles present before the first tensor: 0.51 GiB on an H100
// (vLLM 0.19 "worker init memory snapshot … non_torch_memory=0.51GiB", tests/validation/vllm logs).
constexpr uint64_t kCudaContextBytes = gib_hundredths(51);
// vLLM "non-torch forward increase" (NCCL, custom all-reduce, cuBLAS workspaces): 0.24–0.27 GiB at TP 1 and
// 2.06–2.21 GiB at TP 2/4 across the 63 llm-d vLLM 0.19 runs (results_raw.csv). Calibrated, not derived.
constexpr uint64_t kNonTorchTp1Bytes = gib_hundredths(25);
constexpr uint64_t kNonTorchTpNBytes = gib_hundredths(210);
// CUDA graphs (FULL_AND_PIECEWISE, 51 capture sizes): 0.51–1.85 GiB, mean 1.04 GiB in the same runs
// (accuracy_report.final.md §4). SGLang keeps this flat allowance; vLLM models its captures (engine_vllm.cpp).
constexpr uint64_t kCudaGraphBytes = kGiB;
// vLLM profile run (gpu_worker.py determine_available_memory): a dummy forward of max_num_batched_tokens and a
// dummy sampler over min(max_num_seqs, max_num_batched_tokens) rows of logits. Per logit: the compute dtype plus
// 12 bytes (a float32 copy and int64 sort indices). Calibrated on the llm-d runs: Llama-3.1-8B 1.89 GiB,
// Qwen2.5-7B 2.21 GiB, gemma-2 3.62–3.66 GiB, Llama-3.1-8B in float32 2.21 GiB.
constexpr uint64_t kSamplerExtraBytesPerLogit = 12;
// Persistent buffers of the profile run beyond the two peaks (same calibration; 0.06–0.18 GiB).
constexpr uint64_t kProfileBaseBytes = 128 * kMiB;
// vLLM hybrid KV grouping (kv_cache_utils.py): groups take the largest layer count when it is below
// 1.5 × the smallest, else the smallest (docs/estimates.md).
constexpr double kVllmGroupRatio = 1.5;

// One attention spec and its layer count.
struct Spec {
    AttentionKind kind = AttentionKind::full;
    bool cross = false;
    uint32_t window = 0;
    uint64_t bytes_per_token = 0;  // one layer, one rank
    uint64_t state_bytes = 0;      // linear_state, one layer, one rank, one sequence
    uint32_t n = 0;
};

Spec layer_spec(const Architecture& a, const AttentionLayer& l, const Setup& s) {
    Spec sp;
    sp.kind = l.kind;
    sp.window = (l.kind == AttentionKind::sliding || l.kind == AttentionKind::chunked) ? l.window_tokens : 0;
    if (l.kind == AttentionKind::linear_state) {
        // Recurrent state splits over the heads of each rank; kept at the compute width (vLLM
        // mamba_ssm_cache_dtype "auto" = the model dtype).
        sp.state_bytes = mul_sat(cdiv(l.state_elements, s.tp), s.act_bytes);
    } else if (l.kind == AttentionKind::mla) {
        if (s.kv_mla_record_bytes && s.profile->mla_latent) {
            // A fixed per-token record (fp8_ds_mla: 656 B, profiles.cpp kv_dtypes).
            sp.bytes_per_token = s.kv_mla_record_bytes;
        } else if (s.profile->mla_latent || a.v_head_dim == 0 || a.qk_nope_head_dim == 0) {
            // vLLM kv_cache_interface.py MLAAttentionSpec: one latent of kv_lora_rank + qk_rope_head_dim per
            // token and layer, no K/V pair, the same on every TP rank.
            sp.bytes_per_token = kv_row_bytes(l.head_dim_k, s);
        } else {
            // transformers modeling_deepseek_v3.py: the cache holds the expanded per-head K (nope + rope) and V.
            const uint64_t heads = std::max<uint64_t>(1, a.n_heads / s.tp);
            sp.bytes_per_token = kv_row_bytes(heads * (a.qk_nope_head_dim + a.qk_rope_head_dim + a.v_head_dim), s);
        }
    } else if (l.kind != AttentionKind::none) {
        // GQA: K and V rows for the layer's KV heads on this rank, max(1, kv_heads / tp) (vLLM replicates
        // KV heads when tp > kv_heads).
        const uint64_t heads = std::max<uint64_t>(1, l.n_head_kv / s.tp);
        sp.bytes_per_token = kv_row_bytes(heads * (l.head_dim_k + l.head_dim_v), s);
    }
    return sp;
}

std::vector<Spec> layer_specs(const Model& m, const Setup& s) {
    const Architecture& a = m.arch;
    std::vector<LayerClass> own;
    const std::vector<LayerClass>& classes = s.layer_classes ? *s.layer_classes : (own = layer_classes(a));
    std::vector<Spec> specs;
    specs.reserve(classes.size() + 1);  // one per class at most, and the cross-attention spec
    for (const auto& c : classes) {
        const Spec sp = layer_spec(a, c.layer, s);
        auto same = std::find_if(specs.begin(), specs.end(), [&](const Spec& x) {
            return x.kind == sp.kind && x.cross == sp.cross && x.window == sp.window &&
                   x.bytes_per_token == sp.bytes_per_token && x.state_bytes == sp.state_bytes;
        });
        if (same != specs.end()) {
            same->n += c.n;
        } else {
            specs.push_back(sp);
            specs.back().n = c.n;
        }
    }
    if (a.encoder_decoder && a.encoder_tokens) {
        // Each decoder layer cross-attends to the encoder output: K and V of encoder_tokens positions.
        Spec sp;
        sp.cross = true;
        sp.bytes_per_token = kv_row_bytes(std::max<uint64_t>(1, a.n_kv_heads / s.tp) * 2ull * a.head_dim, s);
        sp.n = a.n_layers;
        specs.push_back(sp);
    }
    return specs;
}

std::string spec_kind(const Spec& sp) { return sp.cross ? "cross_attention" : attention_kind_name(sp.kind); }

// Tokens one layer of this spec holds per sequence at `context`, engine rounding included.
uint64_t held_tokens(const Spec& sp, const Setup& s, uint64_t context, uint32_t block, const Architecture& a) {
    if (sp.kind == AttentionKind::linear_state) return 0;
    const uint64_t enc = a.encoder_tokens;
    const uint64_t w = sp.window;
    switch (s.profile->sliding) {
        case SlidingRule::window:  // transformers
            if (sp.cross) return enc;
            return w ? std::min(w, context) : context;
        case SlidingRule::full_context:  // SGLang: one uniform cell per token over every layer
            return sp.cross ? enc : context;
        case SlidingRule::window_plus_batch: {  // vLLM max_memory_usage_bytes, in whole blocks
            if (sp.cross) return cdiv(enc, block) * block;
            if (sp.kind == AttentionKind::sliding && w)
                return (cdiv(std::min(w - 1 + s.batched_tokens, context), block) + 1) * block;
            if (sp.kind == AttentionKind::chunked && w)
                return cdiv(std::min(w + s.batched_tokens, context), block) * block;
            return cdiv(context, block) * block;
        }
    }
    return context;
}

}  // namespace

std::vector<LayerClass> layer_classes(const Architecture& a) {
    using Key = std::tuple<AttentionKind, uint32_t, uint32_t, uint32_t, uint32_t, uint64_t>;
    std::vector<LayerClass> classes;
    std::map<Key, size_t> index;  // a hostile config may give every layer its own parameters
    for (const auto& l : a.layers) {
        const Key k{l.kind, l.n_head_kv, l.head_dim_k, l.head_dim_v, l.window_tokens, l.state_elements};
        const auto [it, added] = index.emplace(k, classes.size());
        if (added) classes.push_back({l, 0});
        ++classes[it->second].n;
    }
    return classes;
}

uint64_t scale(uint64_t bytes, double fraction) {
    return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) * fraction));
}

std::string gib_text(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / kGiB);
    return buf;
}

uint64_t kv_row_bytes(uint64_t elements, const Setup& s) {
    return cdiv(mul_sat(elements, s.kv_block_bytes), s.kv_block_elements);
}

Weights weights_of(const std::vector<TensorRecord>& tensors, Precision p, uint64_t duplicated, uint32_t n_layers) {
    Weights w;
    w.duplicated = duplicated;
    for (const auto& t : tensors) {
        const uint64_t b = tensor_bytes_at(t, p);
        w.total = add_sat(w.total, b);
        w.raw = add_sat(w.raw, t.bytes);
        if (t.block == kBlockInput) w.input = add_sat(w.input, b);
        if (t.block == kBlockOutput) w.output = add_sat(w.output, b);
        if (t.block == kBlockProjector) w.projector = add_sat(w.projector, b);
        if (t.block >= 0) {
            const size_t il = static_cast<size_t>(t.block);
            if (w.block.size() <= il) w.block.resize(std::max<size_t>(il + 1, n_layers), 0);
            w.block[il] = add_sat(w.block[il], b);
        }
    }
    return w;
}

uint64_t rank_weights(const Weights& w, uint32_t tp) {
    if (tp == 1) return w.total;
    const uint64_t whole = std::min(w.total, w.replicated);
    return add_sat(cdiv(w.total - whole, tp), whole);
}

void total_share(GpuShare& share) {
    share.total_bytes = add_sat(add_sat(share.weights_bytes, share.kv_cache_bytes),
                                add_sat(share.activation_bytes, share.overhead_bytes));
}

void paged_kv(const Model& m, const Setup& s, uint64_t context, uint32_t batch, Eval& ev) {
    const std::vector<Spec> specs = m.has_llm ? layer_specs(m, s) : std::vector<Spec>{};
    const bool shared_page = s.profile->shared_page;
    uint64_t max_bpt = 0, max_state = 0;
    uint32_t min_n = UINT32_MAX, max_n = 0;
    for (const auto& sp : specs) {
        max_bpt = std::max(max_bpt, sp.bytes_per_token);
        max_state = std::max(max_state, sp.state_bytes);
        min_n = std::min(min_n, sp.n);
        max_n = std::max(max_n, sp.n);
        if (sp.kind != AttentionKind::linear_state && !sp.cross)
            ev.kv_bytes_per_token = add_sat(ev.kv_bytes_per_token, mul_sat(sp.bytes_per_token, sp.n));
    }
    uint32_t block = s.profile->block_tokens;
    if (shared_page && max_state && max_bpt) {
        // vLLM hybrid linear attention: the attention block grows (in steps of 16) until its page holds one
        // sequence's recurrent state, so every group shares one page size ("Setting attention block size to …").
        block = static_cast<uint32_t>(s.profile->block_tokens * cdiv(max_state, s.profile->block_tokens * max_bpt));
    }
    ev.block_tokens = block;
    const uint32_t group_size = specs.size() > 1 && shared_page ? (max_n < kVllmGroupRatio * min_n ? max_n : min_n) : 0;
    const uint64_t page = block * max_bpt > max_state ? block * max_bpt : max_state;
    uint32_t n_groups = 0;
    ev.groups.reserve(ev.groups.size() + specs.size());
    for (const auto& sp : specs) {
        KvLayerGroup g;
        g.kind = spec_kind(sp);
        g.n_layers = sp.n;
        g.window_tokens = sp.window;
        g.bytes_per_token = sp.bytes_per_token;
        // vLLM pads each spec to whole groups of group_size layers; the padding layers hold blocks too.
        const uint64_t slots = group_size ? cdiv(sp.n, group_size) * group_size : sp.n;
        n_groups += group_size ? static_cast<uint32_t>(cdiv(sp.n, group_size)) : 1;
        if (sp.kind == AttentionKind::linear_state) {
            g.state_bytes = sp.state_bytes;
            const uint64_t per_seq = shared_page ? page : sp.state_bytes;  // vLLM: one page per request
            g.bytes = mul_sat(mul_sat(per_seq, slots), batch);
        } else {
            g.tokens_per_sequence = held_tokens(sp, s, context, block, m.arch);
            g.bytes = mul_sat(mul_sat(mul_sat(g.tokens_per_sequence, sp.bytes_per_token), slots), batch);
        }
        ev.share.kv_cache_bytes = add_sat(ev.share.kv_cache_bytes, g.bytes);
        ev.groups.push_back(std::move(g));
    }
    ev.page_bytes = page;
    ev.group_size = group_size ? group_size : (specs.empty() ? 0 : specs.front().n);
    ev.n_groups = group_size ? n_groups : (specs.empty() ? 0 : 1);
    for (const auto& sp : specs)
        if (sp.kind != AttentionKind::linear_state)
            ev.cell_bytes = add_sat(ev.cell_bytes, mul_sat(sp.bytes_per_token, sp.n));
    ev.parts.cuda_context_bytes = kCudaContextBytes;
}

void server_resolve(Setup& s, const EstimateOptions& o) {
    const BatchDefault& b = batch_default(s.profile->id, s.gpu);
    s.batched_tokens = o.max_num_batched_tokens ? o.max_num_batched_tokens : b.batched_tokens;
    s.max_num_seqs = b.max_num_seqs;
}

Eval server_evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev;
    ev.share.weights_bytes = rank_weights(w, s.tp);
    paged_kv(m, s, context, batch, ev);
    ev.share.activation_bytes = engine_activation(m, s);
    ev.parts.non_torch_bytes = s.tp > 1 ? kNonTorchTpNBytes : kNonTorchTp1Bytes;
    ev.parts.cuda_graph_bytes = kCudaGraphBytes;
    ev.share.overhead_bytes = ev.parts.cuda_context_bytes + ev.parts.non_torch_bytes + ev.parts.cuda_graph_bytes;
    total_share(ev.share);
    return ev;
}

// Engine activation peak (vLLM profile run; SGLang reuses it for its chunked prefill, uncalibrated).
uint64_t engine_activation(const Model& m, const Setup& s) {
    const Architecture& a = m.arch;
    const uint64_t T = s.batched_tokens, H = a.hidden_size, dt = s.act_bytes;
    const uint64_t inter = a.intermediate_size / s.tp;
    uint64_t forward = mul_sat(mul_sat(T, dt), 3 * H + 3 * inter);
    uint64_t sampler = 0;
    if (m.has_llm) {
        const uint64_t rows = std::min<uint64_t>(s.max_num_seqs, T);
        sampler =
            add_sat(mul_sat(mul_sat(rows, a.vocab_size), dt + kSamplerExtraBytesPerLogit), mul_sat(mul_sat(T, H), dt));
    }
    uint64_t moe = 0;
    if (a.n_experts && a.n_experts_active) {
        // vLLM fused_moe workspaces: cache13 = T·k·max(2N, H), cache2 = T·k·N, N = expert width per rank.
        const uint64_t n = (a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size) / s.tp;
        moe = mul_sat(mul_sat(T, a.n_experts_active), mul_sat(dt, std::max(2 * n, H) + n));
    }
    return add_sat(add_sat(std::max(forward, sampler), moe), kProfileBaseBytes);
}

void paged_kv_assumptions(Estimate& e, const Model& m, const Setup& s, const Eval& ev, const std::string& src) {
    const ProfileInfo& p = *s.profile;
    auto add = [&](const std::string& text) { e.assumptions.push_back(text + src); };
    add(std::string("profile ") + p.name + ": rules read from " + p.sources);
    add("KV cache per layer: K and V rows of max(1, kv_heads / tp) heads × (head_dim_k + head_dim_v) per token; "
        "KV dtype " +
        e.kv_dtype);
    // The rules below are stated for the layer kinds this model has (a Llama report listed the MLA, sliding and
    // linear-attention rules too).
    auto has = [&](std::initializer_list<AttentionKind> kinds) {
        for (const auto& l : m.arch.layers)
            for (AttentionKind k : kinds)
                if (l.kind == k) return true;
        return false;
    };
    const bool mla = has({AttentionKind::mla});
    if (mla && p.mla_latent && s.kv_mla_record_bytes)
        add("MLA layers: one " + e.kv_dtype + " record of " + std::to_string(s.kv_mla_record_bytes) +
            " B per token and layer (512 fp8 latent + 4 fp32 scales + 64 bf16 rope; kv_cache_interface.py "
            "MLAAttentionSpec), on every TP rank");
    else if (mla && p.mla_latent)
        add("MLA layers: one latent of kv_lora_rank + qk_rope_head_dim per token and layer (no K/V pair), on every TP "
            "rank");
    else if (mla)
        add("MLA layers: the expanded per-head K (qk_nope + qk_rope) and V (v_head_dim) of every attention head");
    const bool windowed = has({AttentionKind::sliding, AttentionKind::chunked});
    const std::string blocks = "block " + std::to_string(ev.block_tokens) + " tokens";
    switch (p.sliding) {
        case SlidingRule::window:
            if (windowed) add("sliding / chunked layers keep min(window, context) tokens (DynamicSlidingWindowLayer)");
            break;
        case SlidingRule::window_plus_batch:
            if (windowed)
                add("sliding layers hold (ceil(min(window - 1 + max_num_batched_tokens, context) / block) + 1) blocks; "
                    "chunked layers ceil(min(chunk + max_num_batched_tokens, context) / block); full layers "
                    "ceil(context / block), " +
                    blocks);
            else
                add("attention layers hold ceil(context / block) blocks, " + blocks);
            break;
        case SlidingRule::full_context:
            if (windowed)
                add("every attention layer, sliding ones included, holds the whole context (uniform cell_size)");
            break;
    }
    if (has({AttentionKind::linear_state}))
        add("linear-attention / SSM layers hold a fixed recurrent state per sequence at the compute width, split over "
            "TP ranks");
    if (m.arch.encoder_decoder)
        add("cross-attention: every decoder layer holds K and V of " + std::to_string(m.arch.encoder_tokens) +
            " encoder positions per sequence (max_source_positions, else the config's max context)");
    if (s.tp > 1)
        add("tensor parallelism " + std::to_string(s.tp) +
            ": weights split evenly except norms and MoE router gates, which stay whole; "
            "embeddings and lm_head are vocab-parallel (split)");
}

void server_assumptions(Estimate& e, const Setup& s, const Eval& ev, const std::string& src) {
    e.assumptions.push_back("activations: profile-run peak = max(forward of " + std::to_string(s.batched_tokens) +
                            " tokens · (3·H + 3·intermediate/tp) · dtype, sampler over min(max_num_seqs " +
                            std::to_string(s.max_num_seqs) +
                            ", tokens) rows · vocab · (dtype + 12) + tokens·H·dtype) + fused-MoE workspace + 128 MiB; "
                            "calibrated on vLLM 0.19 runs (tests/validation/vllm)" +
                            src);
    e.assumptions.push_back("overhead: CUDA context 0.51 GiB + non-torch " + gib_text(ev.parts.non_torch_bytes) +
                            " (NCCL/all-reduce; calibrated, 0.25 GiB at TP 1, 2.1 GiB above) + CUDA graphs " +
                            gib_text(ev.parts.cuda_graph_bytes) +
                            (s.profile->id == ProfileId::vllm
                                 ? " (from the captured sizes, below)"
                                 : " (the mean measured under vLLM 0.19; this engine's captures are not modelled)") +
                            src);
}

const Engine& engine_for(ProfileId id) {
    switch (id) {
        case ProfileId::classic:
            return kClassicEngine;
        case ProfileId::transformers:
            return kTransformersEngine;
        case ProfileId::vllm:
            return kVllmEngine;
        case ProfileId::sglang:
            return kSglangEngine;
        case ProfileId::llama_cpp:
            return kLlamaCppEngine;
        case ProfileId::diffusers:
            return kDiffusersEngine;
    }
    return kClassicEngine;
}

}  // namespace vram
