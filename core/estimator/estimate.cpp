#include "estimator/estimate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "estimator/profiles.hpp"

namespace vram {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t gib_hundredths(uint64_t h) { return h * kGiB / 100; }

// ---- classic (the original tool; unchanged) ----------------------------------------------------
// The original tool's fixed runtime allowance ("CUDA Overhead … ~500MB").
constexpr uint64_t kClassicOverheadBytes = 500 * kMiB;
// The original tool's KV element width: 2 bytes (fp16) whatever the weight precision
// (its Qwen2-7B int4 example keeps 448 MB of KV at 8,192 tokens = 57,344 B/token × 8,192).
constexpr uint64_t kClassicKvElementBytes = 2;

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

// ---- engine constants (sources beside each; docs/estimates.md derives them) -------------------
// CUDA context and library handles present before the first tensor: 0.51 GiB on an H100
// (vLLM 0.19 "worker init memory snapshot … non_torch_memory=0.51GiB", llm-d-planner logs in data/real/_measured).
constexpr uint64_t kCudaContextBytes = gib_hundredths(51);
// vLLM "non-torch forward increase" (NCCL, custom all-reduce, cuBLAS workspaces): 0.24–0.27 GiB at TP 1 and
// 2.06–2.21 GiB at TP 2/4 across the 63 llm-d vLLM 0.19 runs (results_raw.csv). Calibrated, not derived.
constexpr uint64_t kNonTorchTp1Bytes = gib_hundredths(25);
constexpr uint64_t kNonTorchTpNBytes = gib_hundredths(210);
// CUDA graphs (FULL_AND_PIECEWISE, 51 capture sizes): 0.51–1.85 GiB, mean 1.04 GiB in the same runs
// (accuracy_report.final.md §4). vLLM 0.19 captures them after sizing the KV pool, outside the reservation.
constexpr uint64_t kCudaGraphBytes = kGiB;
// vLLM profile run (gpu_worker.py determine_available_memory): a dummy forward of max_num_batched_tokens and a
// dummy sampler over min(max_num_seqs, max_num_batched_tokens) rows of logits. Per logit: the compute dtype plus
// 12 bytes (a float32 copy and int64 sort indices). Calibrated on the llm-d runs: Llama-3.1-8B 1.89 GiB,
// Qwen2.5-7B 2.21 GiB, gemma-2 3.62–3.66 GiB, Llama-3.1-8B in float32 2.21 GiB.
constexpr uint64_t kSamplerExtraBytesPerLogit = 12;
// Persistent buffers of the profile run beyond the two peaks (same calibration; 0.06–0.18 GiB).
constexpr uint64_t kProfileBaseBytes = 128 * kMiB;
// vllm/config/cache.py: gpu_memory_utilization = 0.9.
constexpr double kVllmDefaultUtilization = 0.9;
// vllm/engine/arg_utils.py get_batch_defaults (OpenAI server): a GPU with ≥ 70 GiB that is not an A100 gets
// max_num_batched_tokens 8192 and max_num_seqs 1024; any other GPU 2048 and 256. No GPU chosen: the former.
constexpr uint64_t kVllmLargeGpuBytes = 70 * kGiB;
constexpr uint64_t kVllmLargeBatchedTokens = 8192, kVllmSmallBatchedTokens = 2048;
constexpr uint32_t kVllmLargeMaxSeqs = 1024, kVllmSmallMaxSeqs = 256;
// SGLang server_args.py: chunked_prefill_size 2048 below 25,000 MB of GPU memory, else 8192.
constexpr uint64_t kSglangSmallGpuBytes = 25'000 * kMiB;
constexpr uint64_t kSglangLargePrefill = 8192, kSglangSmallPrefill = 2048;
struct FractionStep {
    uint32_t min_tp;
    double fraction;
};
// SGLang server_args.py (0.4.x): mem_fraction_static by tensor-parallel size.
constexpr std::array<FractionStep, 5> kSglangFraction = {{{16, 0.79}, {8, 0.81}, {4, 0.85}, {2, 0.87}, {1, 0.88}}};
// vLLM hybrid KV grouping (kv_cache_utils.py): groups take the largest layer count when it is below
// 1.5 × the smallest, else the smallest (reference engines-and-peers.md §10).
constexpr double kVllmGroupRatio = 1.5;
// Tensor-parallel sizes tried for "how many GPUs": powers of two up to one 8-GPU node.
constexpr std::array<uint32_t, 4> kTpSteps = {1, 2, 4, 8};
// Search bounds of the inversions: 2^24 tokens when the config has no max context; 2^20 sequences.
constexpr uint64_t kMaxSearchContext = 1ull << 24;
constexpr uint64_t kMaxSearchBatch = 1ull << 20;

// ---- llama.cpp constants (../shared/reference/engines-and-peers.md §2, §7.3, §9) ----------------------------
// gguf-parser-go --platform-footprint default "150,250": MiB of system memory and VRAM the runtime takes before any
// tensor (CUDA context, backend buffers).
constexpr uint64_t kLlamaCppGpuFootprintBytes = 250 * kMiB;
constexpr uint64_t kLlamaCppHostFootprintBytes = 150 * kMiB;
// gguf-parser-go footprint: 5 MiB + (file − tensor data) + tokenizer tables: tokens × (4 + 4) + merges × (48 + 56)
// + tokens × (32 + 24 + 32) bytes.
constexpr uint64_t kLlamaCppHostBaseBytes = 5 * kMiB;
constexpr uint64_t kLlamaCppBytesPerToken = 4 + 4 + 32 + 24 + 32;
constexpr uint64_t kLlamaCppBytesPerMerge = 48 + 56;
// Context padding: n_ctx = pad(n_ctx, 256) with flash attention, else 32 (gguf-parser-go; llama.cpp cparams / the
// KV cache's get_padding).
constexpr uint64_t kLlamaCppPadFlash = 256, kLlamaCppPadPlain = 32;
// llama-memory-recurrent.cpp: the r and s states are GGML_TYPE_F32; logits and graph activations are F32 too.
constexpr uint64_t kF32Bytes = 4;
constexpr uint64_t kF16Bytes = 2;

uint64_t mul_sat(uint64_t a, uint64_t b) {
    if (a == 0 || b == 0) return 0;
    return a > UINT64_MAX / b ? UINT64_MAX : a * b;
}
uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t cdiv(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }
// gpu_worker.py: requested_memory = ceil(total_memory × gpu_memory_utilization).
uint64_t scale(uint64_t bytes, double fraction) {
    return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) * fraction));
}

std::string fmt_fraction(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", f);
    return buf;
}
std::string gib_text(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / kGiB);
    return buf;
}

// Everything resolved once per (options, GPU): the parameters the formulas read.
struct Setup {
    const ProfileInfo* profile = nullptr;
    const GpuInfo* gpu = nullptr;
    uint32_t tp = 1;
    uint32_t act_bytes = 2;  // compute dtype width
    std::string kv_name;     // resolved KV element type
    uint32_t kv_block_bytes = 2;
    uint32_t kv_block_elements = 1;
    uint64_t batched_tokens = 0;  // vLLM max_num_batched_tokens / SGLang chunked_prefill_size
    uint32_t max_num_seqs = 0;
    double fraction = 0;
    // llama.cpp
    bool flash_attention = true;
    uint64_t ubatch = 512;
    int64_t n_gpu_layers = -1;  // -1 = all
};

struct Weights {
    uint64_t total = 0;  // all tensors at the precision target
    uint64_t raw = 0;
    uint64_t replicated = 0;  // stays whole on every rank under TP
    // GGUF, by llama.cpp layer (TensorRecord::block)
    std::vector<uint64_t> block;  // repeating layer il
    uint64_t input = 0;           // token_embd … (always in system memory)
    uint64_t output = 0;          // output, output_norm
    uint64_t projector = 0;       // mmproj
    uint64_t duplicated = 0;      // tied token_embd loaded again for the output layer
};

// One attention spec and its layer count.
struct Spec {
    AttentionKind kind = AttentionKind::full;
    bool cross = false;
    uint32_t window = 0;
    uint64_t bytes_per_token = 0;  // one layer, one rank
    uint64_t state_bytes = 0;      // linear_state, one layer, one rank, one sequence
    uint32_t n = 0;
};

struct Eval {
    GpuShare share;
    OverheadParts parts;
    std::vector<KvLayerGroup> groups;
    uint64_t kv_bytes_per_token = 0;
    uint32_t block_tokens = 1;
    uint64_t non_kv_bytes = 0;  // preallocating engines: what is subtracted before the KV pool
    // capacity: vLLM num_blocks = pool / (page × group_size); tokens = num_blocks / n_groups × block_tokens
    uint64_t page_bytes = 0;
    uint32_t group_size = 0, n_groups = 0;
    uint64_t cell_bytes = 0;  // SGLang: bytes of one token over every attention layer
    // llama.cpp
    HostShare host;
    uint64_t context_cells = 0;
    uint32_t gpu_layers = 0;
};

uint64_t kv_row_bytes(uint64_t elements, const Setup& s) {
    return cdiv(mul_sat(elements, s.kv_block_bytes), s.kv_block_elements);
}

uint32_t compute_width(const Model& m, const EstimateOptions& o, ProfileId id) {
    switch (o.precision) {
        case Precision::float32:
            return 4;
        case Precision::float16:
        case Precision::bfloat16:
        case Precision::int8:
        case Precision::int4:
            return 2;
        case Precision::auto_:
            break;
    }
    // vLLM and SGLang run float32 checkpoints in 16 bits unless --dtype float32 is given; transformers keeps them.
    return m.arch.torch_dtype == "float32" && id == ProfileId::transformers ? 4 : 2;
}

std::string compute_dtype_name(const Model& m, uint32_t width) {
    if (width == 4) return "fp32";
    return m.arch.torch_dtype == "float16" ? "fp16" : "bf16";
}

std::vector<Spec> layer_specs(const Model& m, const Setup& s) {
    const Architecture& a = m.arch;
    std::vector<Spec> specs;
    auto add = [&](const Spec& sp) {
        for (auto& x : specs)
            if (x.kind == sp.kind && x.cross == sp.cross && x.window == sp.window &&
                x.bytes_per_token == sp.bytes_per_token && x.state_bytes == sp.state_bytes) {
                ++x.n;
                return;
            }
        specs.push_back(sp);
        specs.back().n = 1;
    };
    for (const auto& l : a.layers) {
        Spec sp;
        sp.kind = l.kind;
        sp.window = (l.kind == AttentionKind::sliding || l.kind == AttentionKind::chunked) ? l.window_tokens : 0;
        if (l.kind == AttentionKind::linear_state) {
            // Recurrent state splits over the heads of each rank; kept at the compute width (vLLM
            // mamba_ssm_cache_dtype "auto" = the model dtype).
            sp.state_bytes = mul_sat(cdiv(l.state_elements, s.tp), s.act_bytes);
        } else if (l.kind == AttentionKind::mla) {
            if (s.profile->mla_latent || a.v_head_dim == 0 || a.qk_nope_head_dim == 0) {
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
        add(sp);
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

uint64_t replicated_bytes(const Model& m, uint32_t width) {
    // Stays whole on every rank: RMSNorm/LayerNorm weights (2 per layer + the final one) and MoE router
    // gates (ReplicatedLinear in vLLM). Embeddings and lm_head are vocab-parallel in vLLM and SGLang
    // (VocabParallelEmbedding / ParallelLMHead), so they are split like the other matrices.
    const Architecture& a = m.arch;
    uint64_t params = (2ull * a.n_layers + 1) * a.hidden_size;
    if (a.n_experts) params += static_cast<uint64_t>(a.n_layers) * a.n_experts * a.hidden_size;
    return params * width;
}

uint64_t sglang_fraction(uint32_t tp) {
    for (const auto& f : kSglangFraction)
        if (tp >= f.min_tp) return static_cast<uint64_t>(f.fraction * 1000);
    return 880;
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

// transformers generate(): the whole prompt is prefilled at once (context × batch tokens), layer by layer.
uint64_t transformers_activation(const Model& m, const Setup& s, uint64_t context, uint32_t batch) {
    const Architecture& a = m.arch;
    if (!a.hidden_size || !a.n_layers) return 0;
    const uint64_t T = mul_sat(context, batch), H = a.hidden_size, dt = s.act_bytes;
    const uint64_t hd = a.head_dim, heads = a.n_heads / s.tp, kv = std::max<uint64_t>(1, a.n_kv_heads / s.tp);
    const uint64_t ffn =
        (a.n_experts && a.moe_intermediate_size ? std::max(a.moe_intermediate_size, a.intermediate_size)
                                                : a.intermediate_size) /
        s.tp;
    const uint64_t residual = mul_sat(mul_sat(T, H), 2 * dt);                  // hidden states + residual
    const uint64_t attn = mul_sat(mul_sat(T, dt), (2 * heads + 2 * kv) * hd);  // q, k, v, attention output (SDPA)
    const uint64_t mlp = mul_sat(mul_sat(T, dt), 3 * ffn);                     // gate, up, act(gate)·up
    uint64_t act = add_sat(residual, std::max(attn, mlp));
    if (m.has_llm)
        act = add_sat(act, mul_sat(mul_sat(batch, a.vocab_size), dt + 8));  // last-token logits, float32 copy, probs
    return act;
}

uint64_t pad_up(uint64_t x, uint64_t p) { return cdiv(x, p) * p; }

// Weights at the precision target, with the GGUF records also summed by llama.cpp layer.
Weights weights_of(const std::vector<TensorRecord>& tensors, Precision p, uint64_t duplicated, uint32_t n_layers) {
    Weights w;
    w.duplicated = duplicated;
    for (const auto& t : tensors) {
        const uint64_t b = tensor_bytes_at(t, p);
        w.total += b;
        w.raw += t.bytes;
        switch (t.block) {
            case kBlockNone:
                break;
            case kBlockInput:
                w.input += b;
                break;
            case kBlockOutput:
                w.output += b;
                break;
            case kBlockProjector:
                w.projector += b;
                break;
            default:
                if (t.block >= 0) {
                    const size_t il = static_cast<size_t>(t.block);
                    if (w.block.size() <= il) w.block.resize(std::max<size_t>(il + 1, n_layers), 0);
                    w.block[il] += b;
                }
        }
    }
    return w;
}

// llama.cpp: what it allocates for this GGUF model at `context` tokens × `batch` sequences (rules cited inline).
Eval evaluate_llama_cpp(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev;
    const Architecture& a = m.arch;
    const uint64_t n_seq = std::max<uint32_t>(1, batch);
    // One unified cache of context × sequences cells (llama-server --parallel), padded: n_ctx = pad(n_ctx, 256 | 32).
    const uint64_t pad = s.flash_attention ? kLlamaCppPadFlash : kLlamaCppPadPlain;
    const uint64_t n_ctx = pad_up(mul_sat(context, n_seq), pad);
    const uint64_t n_t = std::min(n_ctx, s.ubatch);  // tokens of the worst-case graph llama.cpp reserves
    const uint64_t n_layer = a.n_layers;
    // llama.cpp offloads the output layer first (gguf-parser-go issue #42): i_gpu_start = max(n_layer + 1 − ngl, 0);
    // repeating layer il is on the GPU when il ≥ i_gpu_start, the output layer whenever ngl ≥ 1.
    const uint64_t ngl =
        s.n_gpu_layers < 0 ? n_layer + 1 : std::min<uint64_t>(static_cast<uint64_t>(s.n_gpu_layers), n_layer + 1);
    const uint64_t gpu_start = n_layer + 1 - ngl;
    const bool output_gpu = ngl >= 1;
    auto on_gpu = [&](uint64_t il) { return il >= gpu_start; };
    ev.context_cells = n_ctx;
    ev.gpu_layers = static_cast<uint32_t>(ngl);

    // Weights: the input layer (token_embd) always stays in system memory (llama-model.cpp load_tensors: "there is
    // very little benefit to offloading the input layer"); tied embeddings are loaded again for the output layer.
    uint64_t gpu_w = 0, host_w = w.input;
    for (uint64_t il = 0; il < w.block.size(); ++il) (on_gpu(il) ? gpu_w : host_w) += w.block[il];
    (output_gpu ? gpu_w : host_w) += w.output + w.projector;
    if (output_gpu) gpu_w += w.duplicated;

    // KV cache and recurrent state, per layer, on the layer's device (llama-kv-cache.cpp, offload_kqv on).
    uint64_t gpu_kv = 0, host_kv = 0;
    bool cpu_layers = false;
    for (uint64_t il = 0; il < a.layers.size(); ++il) {
        const AttentionLayer& l = a.layers[il];
        KvLayerGroup g;
        g.kind = attention_kind_name(l.kind);
        g.n_layers = 1;
        uint64_t bytes = 0;
        if (l.kind == AttentionKind::linear_state) {
            // llama-memory-recurrent.cpp: max(1, n_seq_max) cells of F32 r and s states.
            g.state_bytes = mul_sat(l.state_elements, kF32Bytes);
            bytes = mul_sat(g.state_bytes, n_seq);
        } else if (l.kind != AttentionKind::none) {
            // ggml_row_size(type_k, n_embd_k_gqa) + ggml_row_size(type_v, n_embd_v_gqa) per cell.
            g.bytes_per_token = add_sat(kv_row_bytes(static_cast<uint64_t>(l.n_head_kv) * l.head_dim_k, s),
                                        kv_row_bytes(static_cast<uint64_t>(l.n_head_kv) * l.head_dim_v, s));
            uint64_t cells = n_ctx;
            if ((l.kind == AttentionKind::sliding || l.kind == AttentionKind::chunked) && l.window_tokens)
                // llama-kv-cache-iswa.cpp: size_swa = min(size_base, GGML_PAD(n_swa·n_seq_max + n_ubatch, n_pad)).
                cells = std::min(n_ctx, pad_up(add_sat(mul_sat(l.window_tokens, n_seq), s.ubatch), pad));
            g.window_tokens =
                (l.kind == AttentionKind::sliding || l.kind == AttentionKind::chunked) ? l.window_tokens : 0;
            g.tokens_per_sequence = cells;
            bytes = mul_sat(g.bytes_per_token, cells);
            ev.kv_bytes_per_token += g.bytes_per_token;
        }
        g.bytes = bytes;
        if (on_gpu(il)) {
            gpu_kv = add_sat(gpu_kv, bytes);
        } else {
            host_kv = add_sat(host_kv, bytes);
            cpu_layers = true;
        }
        bool merged = false;
        for (auto& x : ev.groups)
            if (x.kind == g.kind && x.window_tokens == g.window_tokens && x.bytes_per_token == g.bytes_per_token &&
                x.state_bytes == g.state_bytes && x.tokens_per_sequence == g.tokens_per_sequence) {
                ++x.n_layers;
                x.bytes = add_sat(x.bytes, g.bytes);
                merged = true;
                break;
            }
        if (!merged) ev.groups.push_back(g);
    }
    cpu_layers = cpu_layers || (gpu_start > 0 && n_layer > 0);  // a repeating layer runs on the CPU

    // Compute buffer, after gguf-parser-go (file_estimate__llamacpp.go): layers run one after another, so the buffer
    // is the largest of one layer's attention, one layer's FFN and the output head, for n_t = min(n_ctx, n_ubatch).
    const uint64_t H = a.hidden_size, heads = a.n_heads, kvh = a.n_kv_heads, hd = a.head_dim;
    uint64_t hd_v = hd;
    for (const auto& l : a.layers)
        if (l.kind != AttentionKind::linear_state && l.kind != AttentionKind::none) {
            hd_v = l.head_dim_v;
            break;
        }
    uint64_t attention = 0;
    if (s.flash_attention)  // F32 Q, K, V of the ubatch + the F16 KQ mask [n_kv, n_t]
        attention = add_sat(mul_sat(mul_sat(kF32Bytes, n_t), heads * hd + kvh * (hd + hd_v)),
                            mul_sat(mul_sat(kF16Bytes, n_ctx), n_t));
    else  // F32 KQ scores [n_kv, n_t, n_head] + Q and the attention output
        attention = add_sat(mul_sat(mul_sat(mul_sat(kF32Bytes, n_ctx), n_t), heads),
                            mul_sat(mul_sat(2 * kF32Bytes, n_t), heads * hd));
    uint64_t ffn = 0;
    if (a.n_experts && a.n_experts_active) {
        const uint64_t n_ff = a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size;
        ffn = mul_sat(mul_sat(kF32Bytes, n_t),
                      H + a.n_experts + a.n_experts_active * (2 * n_ff + H));  // router logits, gate/up, down
    } else {
        ffn = mul_sat(mul_sat(kF32Bytes, n_t), H + 2 * a.intermediate_size);  // norm, gate, up
    }
    const uint64_t head = mul_sat(mul_sat(kF32Bytes, n_t), a.vocab_size + H);  // F32 logits [n_vocab, n_t] + final norm
    const uint64_t layer_peak = std::max(attention, ffn);
    // Graph inputs live in host memory: the embeddings the CPU input layer gathers, the F32 KQ mask, token ids, positions.
    const uint64_t inputs = add_sat(mul_sat(mul_sat(kF32Bytes, n_t), H + n_ctx), 8 * n_t);
    uint64_t gpu_compute = 0, host_compute = inputs;
    if (ngl > 0) {
        gpu_compute = output_gpu ? std::max(layer_peak, head) : layer_peak;
        if (cpu_layers) host_compute = add_sat(host_compute, layer_peak);
    } else {
        host_compute = add_sat(host_compute, std::max(layer_peak, head));
    }

    ev.share.weights_bytes = gpu_w;
    ev.share.kv_cache_bytes = gpu_kv;
    ev.share.activation_bytes = gpu_compute;
    ev.parts.fixed_bytes = kLlamaCppGpuFootprintBytes;
    ev.share.overhead_bytes = kLlamaCppGpuFootprintBytes;
    ev.share.total_bytes = add_sat(add_sat(gpu_w, gpu_kv), add_sat(gpu_compute, kLlamaCppGpuFootprintBytes));

    HostShare& h = ev.host;
    h.weights_bytes = host_w;
    h.kv_cache_bytes = host_kv;
    h.compute_bytes = host_compute;
    h.output_bytes = mul_sat(mul_sat(a.vocab_size, kF32Bytes), n_seq);  // llama-context.cpp output_reserve: logits
    h.overhead_bytes = add_sat(
        kLlamaCppHostFootprintBytes + kLlamaCppHostBaseBytes,
        add_sat(m.gguf_metadata_bytes, a.vocab_size * kLlamaCppBytesPerToken + a.n_merges * kLlamaCppBytesPerMerge));
    h.total_bytes = add_sat(add_sat(h.weights_bytes, h.kv_cache_bytes),
                            add_sat(add_sat(h.compute_bytes, h.output_bytes), h.overhead_bytes));
    return ev;
}

// One evaluation at (context, batch) for a resolved setup: the per-rank breakdown and the KV groups.
Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    if (s.profile->id == ProfileId::llama_cpp) return evaluate_llama_cpp(m, w, s, context, batch);
    Eval ev;
    const Architecture& a = m.arch;
    const ProfileId id = s.profile->id;
    ev.share.weights_bytes =
        s.tp == 1 ? w.total
                  : add_sat(cdiv(w.total - std::min(w.total, w.replicated), s.tp), std::min(w.total, w.replicated));

    if (id == ProfileId::classic) {
        if (m.has_llm) {
            ev.kv_bytes_per_token = 2ull * a.n_layers * a.n_kv_heads * a.head_dim * kClassicKvElementBytes;
            KvLayerGroup g;
            g.kind = "full";
            g.n_layers = a.n_layers;
            g.bytes_per_token = 2ull * a.n_kv_heads * a.head_dim * kClassicKvElementBytes;
            g.tokens_per_sequence = context;
            g.bytes = mul_sat(mul_sat(ev.kv_bytes_per_token, context), batch);
            ev.share.kv_cache_bytes = g.bytes;
            ev.groups.push_back(g);
        }
        ev.share.activation_bytes = w.total / 10;
        ev.parts.fixed_bytes = kClassicOverheadBytes;
        ev.share.overhead_bytes = kClassicOverheadBytes;
        ev.share.total_bytes = add_sat(add_sat(ev.share.weights_bytes, ev.share.kv_cache_bytes),
                                       add_sat(ev.share.activation_bytes, ev.share.overhead_bytes));
        return ev;
    }

    std::vector<Spec> specs = m.has_llm ? layer_specs(m, s) : std::vector<Spec>{};
    uint64_t max_bpt = 0, max_state = 0;
    uint32_t min_n = UINT32_MAX, max_n = 0;
    for (const auto& sp : specs) {
        max_bpt = std::max(max_bpt, sp.bytes_per_token);
        max_state = std::max(max_state, sp.state_bytes);
        min_n = std::min(min_n, sp.n);
        max_n = std::max(max_n, sp.n);
        if (sp.kind != AttentionKind::linear_state && !sp.cross) ev.kv_bytes_per_token += sp.bytes_per_token * sp.n;
    }
    uint32_t block = s.profile->block_tokens;
    if (id == ProfileId::vllm && max_state && max_bpt) {
        // vLLM hybrid linear attention: the attention block grows (in steps of 16) until its page holds one
        // sequence's recurrent state, so every group shares one page size ("Setting attention block size to …").
        block = static_cast<uint32_t>(s.profile->block_tokens * cdiv(max_state, s.profile->block_tokens * max_bpt));
    }
    ev.block_tokens = block;
    uint32_t group_size =
        specs.size() > 1 && id == ProfileId::vllm ? (max_n < kVllmGroupRatio * min_n ? max_n : min_n) : 0;
    const uint64_t page = block * max_bpt > max_state ? block * max_bpt : max_state;
    uint32_t n_groups = 0;
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
            const uint64_t per_seq = id == ProfileId::vllm ? page : sp.state_bytes;  // vLLM: one page per request
            g.bytes = mul_sat(mul_sat(per_seq, slots), batch);
        } else {
            g.tokens_per_sequence = held_tokens(sp, s, context, block, a);
            g.bytes = mul_sat(mul_sat(mul_sat(g.tokens_per_sequence, sp.bytes_per_token), slots), batch);
        }
        ev.share.kv_cache_bytes = add_sat(ev.share.kv_cache_bytes, g.bytes);
        ev.groups.push_back(g);
    }
    ev.page_bytes = page;
    ev.group_size = group_size ? group_size : (specs.empty() ? 0 : specs.front().n);
    ev.n_groups = group_size ? n_groups : (specs.empty() ? 0 : 1);
    for (const auto& sp : specs)
        if (sp.kind != AttentionKind::linear_state) ev.cell_bytes += sp.bytes_per_token * sp.n;

    ev.parts.cuda_context_bytes = kCudaContextBytes;
    if (id == ProfileId::transformers) {
        ev.share.activation_bytes = transformers_activation(m, s, context, batch);
    } else {
        ev.share.activation_bytes = engine_activation(m, s);
        ev.parts.non_torch_bytes = s.tp > 1 ? kNonTorchTpNBytes : kNonTorchTp1Bytes;
        ev.parts.cuda_graph_bytes = kCudaGraphBytes;
        if (id == ProfileId::vllm)  // gpu_worker.py: non-KV = weights + torch peak increase + non-torch increase
            ev.non_kv_bytes = ev.share.weights_bytes + ev.share.activation_bytes + ev.parts.non_torch_bytes;
        else  // model_runner.py profile_max_num_token: free memory after load = total − context − weights − NCCL
            ev.non_kv_bytes = ev.share.weights_bytes + ev.parts.cuda_context_bytes + ev.parts.non_torch_bytes;
    }
    ev.share.overhead_bytes = ev.parts.cuda_context_bytes + ev.parts.non_torch_bytes + ev.parts.cuda_graph_bytes;
    ev.share.total_bytes = add_sat(add_sat(ev.share.weights_bytes, ev.share.kv_cache_bytes),
                                   add_sat(ev.share.activation_bytes, ev.share.overhead_bytes));
    return ev;
}

// Resolves the engine defaults that depend on the GPU (and on tp for SGLang's fraction).
Setup resolve_setup(Setup base, const EstimateOptions& o, const GpuInfo* gpu, uint32_t tp) {
    base.gpu = gpu;
    base.tp = tp;
    const ProfileId id = base.profile->id;
    if (id == ProfileId::vllm) {
        const bool large =
            !gpu || (gpu->usable_bytes >= kVllmLargeGpuBytes && std::string(gpu->id).rfind("a100", 0) != 0);
        base.batched_tokens = o.max_num_batched_tokens ? o.max_num_batched_tokens
                                                       : (large ? kVllmLargeBatchedTokens : kVllmSmallBatchedTokens);
        base.max_num_seqs = large ? kVllmLargeMaxSeqs : kVllmSmallMaxSeqs;
        base.fraction = o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : kVllmDefaultUtilization;
    } else if (id == ProfileId::sglang) {
        const bool small = gpu && gpu->usable_bytes < kSglangSmallGpuBytes;
        base.batched_tokens =
            o.max_num_batched_tokens ? o.max_num_batched_tokens : (small ? kSglangSmallPrefill : kSglangLargePrefill);
        base.max_num_seqs = small ? kVllmSmallMaxSeqs : kVllmLargeMaxSeqs;
        base.fraction =
            o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : static_cast<double>(sglang_fraction(tp)) / 1000.0;
    }
    return base;
}

// Does this evaluation fit on one device of `gpu`?
bool fits_on(const Eval& ev, const Setup& s, const GpuInfo& gpu) {
    if (ev.share.total_bytes > gpu.usable_bytes) return false;
    if (!s.profile->preallocates) return true;
    return add_sat(ev.non_kv_bytes, ev.share.kv_cache_bytes) <= scale(gpu.usable_bytes, s.fraction);
}

EngineReservation reserve(const Eval& ev, const Setup& s, const GpuInfo& gpu) {
    EngineReservation r;
    r.present = true;
    r.fraction = s.fraction;
    r.reserved_bytes = scale(gpu.usable_bytes, s.fraction);
    r.non_kv_bytes = ev.non_kv_bytes;
    r.kv_pool_bytes = r.reserved_bytes > r.non_kv_bytes ? r.reserved_bytes - r.non_kv_bytes : 0;
    if (s.profile->id == ProfileId::vllm && ev.page_bytes && ev.group_size && ev.n_groups) {
        // kv_cache_utils.py: num_blocks = available // page_size // group_size; the log's "GPU KV cache size"
        // = num_blocks // len(kv_cache_groups) × block_size.
        const uint64_t num_blocks = r.kv_pool_bytes / ev.page_bytes / ev.group_size;
        r.kv_pool_tokens = num_blocks / ev.n_groups * ev.block_tokens;
    } else if (ev.cell_bytes) {
        r.kv_pool_tokens = r.kv_pool_bytes / ev.cell_bytes;  // SGLang: max_total_num_tokens = rest // cell_size
    }
    return r;
}

// Smallest power-of-two TP (≤ 8) at which this context × batch fits on `gpu`; 0 = none.
struct TpFit {
    uint32_t tp = 0;
    uint64_t per_gpu_total = 0;
};
TpFit smallest_tp(const Model& m, const Weights& w, const Setup& base, const EstimateOptions& o, const GpuInfo& gpu,
                  uint64_t context, uint32_t batch) {
    TpFit out;
    if (!profile_runs_on(*base.profile, gpu.backend)) return out;
    for (uint32_t tp : kTpSteps) {
        if (tp > 1 && (!base.profile->supports_tp || !gpu.multi_gpu || !m.arch.n_heads || m.arch.n_heads % tp)) break;
        Setup s = resolve_setup(base, o, &gpu, tp);
        Eval ev = evaluate(m, w, s, context, batch);
        if (tp == 1) out.per_gpu_total = ev.share.total_bytes;
        if (fits_on(ev, s, gpu)) return {tp, ev.share.total_bytes};
    }
    return out;
}

void add_llama_cpp_assumptions(Estimate& e, const Model& m, const Setup& s, const Weights& w) {
    const ProfileInfo& p = *s.profile;
    const std::string src = " [llama.cpp]";
    auto add = [&](const std::string& text) { e.assumptions.push_back(text + src); };
    add(std::string("profile llama.cpp: rules read from ") + p.sources);
    if (m.gguf_quants.size() > 0)
        add("GGUF file " + m.gguf_file + ": weights are the tensors' bytes (n_elements / block × block bytes)");
    const uint64_t pad = s.flash_attention ? kLlamaCppPadFlash : kLlamaCppPadPlain;
    add("context: one unified KV cache of context × batch = " + std::to_string(e.context_tokens) + " × " +
        std::to_string(e.options.batch) + " cells padded to a multiple of " + std::to_string(pad) +
        (s.flash_attention ? " (flash attention on)" : " (flash attention off)") + " = " +
        std::to_string(e.context_cells) +
        " cells (gguf-parser-go: n_ctx = pad(n_ctx, 256 if FA else 32); llama-server --parallel)");
    add("KV cache per attention layer and cell: ggml_row_size(type_k, n_head_kv × key_length) + ggml_row_size(type_v, "
        "n_head_kv × "
        "value_length), cache type " +
        e.kv_dtype +
        " (llama-kv-cache.cpp; quantized types round each row up to whole blocks of 32); "
        "MLA GGUFs cache head_count_kv × (key_length + value_length)");
    add("sliding-window layers hold min(n_ctx, pad(window × sequences + n_ubatch, pad)) cells (llama-kv-cache-iswa.cpp "
        "size_swa, unified "
        "cache); n_ubatch " +
        std::to_string(s.ubatch));
    add("recurrent layers (head_count_kv 0, %s.ssm.*, full_attention_interval): one F32 state of (d_conv − 1)·(d_inner "
        "+ 2·n_group·d_state) + "
        "d_state·d_inner elements per sequence (llama-memory-recurrent.cpp, llama-hparams.cpp n_embd_r/n_embd_s)");
    add("offload: -ngl " + std::to_string(e.n_gpu_layers) + " of " + std::to_string(m.arch.n_layers + 1) +
        " (the output layer counts as one and is offloaded first: i_gpu_start = max(n_layer + 1 − ngl, 0), "
        "gguf-parser-go issue #42); "
        "the input layer (token_embd, " +
        gib_text(w.input) +
        ") stays in system memory (llama-model.cpp load_tensors); each layer's KV "
        "cache lives with the layer");
    if (w.duplicated)
        add("tied embeddings (no output.weight): the output layer loads token_embd again (TENSOR_DUPLICATED), " +
            gib_text(w.duplicated) + " on the GPU");
    add("compute buffer (GPU), after gguf-parser-go: the largest of one layer's attention, one layer's FFN and the "
        "output head for "
        "n_t = min(n_ctx, n_ubatch) tokens, all F32 — attention with flash attention 4·n_t·(Q + K + V widths) + "
        "2·n_ctx·n_t (F16 mask), "
        "without 4·n_ctx·n_t·n_head (KQ scores) + 8·n_t·n_head·head_dim; FFN 4·n_t·(n_embd + 2·n_ff) (MoE: "
        "4·n_t·(n_embd + n_expert + "
        "n_used·(2·n_ff_exp + n_embd))); output 4·n_t·(n_vocab + n_embd)");
    add("system memory: graph inputs 4·n_t·(n_embd + n_ctx) + 8·n_t (plus a layer's activations when some layers stay "
        "on the CPU), "
        "the logits output buffer n_vocab × 4 B × sequences (llama-context.cpp output_reserve), 150 MiB runtime + 5 "
        "MiB + GGUF metadata (" +
        std::to_string(m.gguf_metadata_bytes) +
        " B) + tokenizer tables (tokens × 96 B + merges × 104 B) (gguf-parser-go footprint)");
    add("overhead (GPU): 250 MiB runtime footprint (gguf-parser-go --platform-footprint default \"150,250\" MiB)");
    add("not validated against measured llama.cpp runs in this repository (gguf-parser-go reports ~100 MiB deviation "
        "for the same model)");
}

void add_profile_assumptions(Estimate& e, const Model& m, const Setup& s, const Eval& ev) {
    const ProfileInfo& p = *s.profile;
    const std::string src = " [" + std::string(p.engine) + " " + p.version + "]";
    auto add = [&](const std::string& text) { e.assumptions.push_back(text + src); };
    add(std::string("profile ") + p.name + ": rules read from " + p.sources);
    add("KV cache per layer: K and V rows of max(1, kv_heads / tp) heads × (head_dim_k + head_dim_v) per token; "
        "KV dtype " +
        e.kv_dtype);
    if (p.mla_latent)
        add("MLA layers: one latent of kv_lora_rank + qk_rope_head_dim per token and layer (no K/V pair), on every TP "
            "rank");
    else
        add("MLA layers: the expanded per-head K (qk_nope + qk_rope) and V (v_head_dim) of every attention head");
    switch (p.sliding) {
        case SlidingRule::window:
            add("sliding / chunked layers keep min(window, context) tokens (DynamicSlidingWindowLayer)");
            break;
        case SlidingRule::window_plus_batch:
            add("sliding layers hold (ceil(min(window - 1 + max_num_batched_tokens, context) / block) + 1) blocks; "
                "chunked layers "
                "ceil(min(chunk + max_num_batched_tokens, context) / block); full layers ceil(context / block), "
                "block " +
                std::to_string(ev.block_tokens) + " tokens");
            break;
        case SlidingRule::full_context:
            add("every attention layer, sliding ones included, holds the whole context (uniform cell_size)");
            break;
    }
    add("linear-attention / SSM layers hold a fixed recurrent state per sequence at the compute width, split over TP "
        "ranks");
    if (m.arch.encoder_decoder)
        add("cross-attention: every decoder layer holds K and V of " + std::to_string(m.arch.encoder_tokens) +
            " encoder positions per sequence (max_source_positions, else the config's max context)");
    if (s.tp > 1)
        add("tensor parallelism " + std::to_string(s.tp) +
            ": weights split evenly except norms and MoE router gates, which stay whole; "
            "embeddings and lm_head are vocab-parallel (split)");
    if (p.id == ProfileId::transformers) {
        add("activations: prefill of context × batch tokens at once; per layer hidden + residual (2·T·H) plus the "
            "larger of "
            "q/k/v/attention output (SDPA, no T×T scores) and gate/up/act (3·T·intermediate); logits for the last "
            "token only "
            "(vocab × (dtype + 8) bytes per sequence)");
        add("overhead: CUDA context 0.51 GiB (measured at vLLM start-up on an H100, data/real/_measured)");
    } else {
        add("activations: profile-run peak = max(forward of " + std::to_string(s.batched_tokens) +
            " tokens · (3·H + 3·intermediate/tp) · dtype, "
            "sampler over min(max_num_seqs " +
            std::to_string(s.max_num_seqs) +
            ", tokens) rows · vocab · (dtype + 12) + tokens·H·dtype) "
            "+ fused-MoE workspace + 128 MiB; calibrated on vLLM 0.19 runs (data/real/_measured)");
        add("overhead: CUDA context 0.51 GiB + non-torch " + gib_text(ev.parts.non_torch_bytes) +
            " (NCCL/all-reduce; calibrated, 0.25 GiB at TP 1, 2.1 GiB above) + CUDA graphs 1 GiB (mean of the measured "
            "runs)");
    }
    if (p.id == ProfileId::vllm)
        add("KV pool = gpu_memory_utilization × GPU memory − (weights + activation peak + non-torch); tokens = "
            "num_blocks // groups × "
            "block (hybrid models: layers grouped by spec and padded, kv_cache_utils.py)");
    if (p.id == ProfileId::sglang)
        add("KV pool = mem_fraction_static × GPU memory − (weights + CUDA context + non-torch); tokens = pool // "
            "cell_size; "
            "activations and CUDA graphs live in the remaining share; activation model reused from vLLM (not "
            "calibrated for SGLang)");
}

}  // namespace

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::auto_:
            return "auto";
        case Precision::float32:
            return "float32";
        case Precision::float16:
            return "float16";
        case Precision::bfloat16:
            return "bfloat16";
        case Precision::int8:
            return "int8";
        case Precision::int4:
            return "int4";
    }
    return "auto";
}

bool parse_precision(std::string_view text, Precision& out) {
    for (Precision p : {Precision::auto_, Precision::float32, Precision::float16, Precision::bfloat16, Precision::int8,
                        Precision::int4})
        if (text == precision_name(p)) {
            out = p;
            return true;
        }
    return false;
}

uint32_t precision_bits(Precision p) {
    switch (p) {
        case Precision::float32:
            return 32;
        case Precision::float16:
        case Precision::bfloat16:
            return 16;
        case Precision::int8:
            return 8;
        case Precision::int4:
            return 4;
        case Precision::auto_:
            return 0;
    }
    return 0;
}

uint64_t tensor_bytes_at(const TensorRecord& t, Precision p) {
    const uint64_t bits = precision_bits(p);
    if (bits == 0 || t.params == 0) return t.bytes;
    const uint64_t at_target = (t.params * bits + 7) / 8;
    if (t.flags & kFloating) return at_target;
    if ((t.flags & kQuantized) && at_target < t.bytes) return at_target;
    return t.bytes;
}

Estimate estimate(const Model& m, const EstimateOptions& o) {
    Estimate e;
    e.options = o;
    if (m.error) {
        e.error = m.error;
        return e;
    }
    const ProfileInfo* profile = find_profile(o.profile);
    if (!profile) {
        e.error = make_error(ErrorCode::invalid_argument,
                             "unknown profile \"" + o.profile + "\" (known: " + std::string(profile_names()) + ")");
        return e;
    }
    if (!profile->implemented) {
        e.error = make_error(ErrorCode::invalid_argument,
                             std::string("profile ") + profile->name + " " + profile->unsupported_reason);
        return e;
    }
    const ProfileId id = profile->id;
    if (o.batch == 0) {
        e.error = make_error(ErrorCode::invalid_argument, "batch size must be at least 1");
        return e;
    }
    const KvDtypeInfo* kv = find_kv_dtype(o.kv_dtype);
    if (!kv) {
        e.error = make_error(ErrorCode::invalid_argument,
                             "unknown kv_dtype \"" + o.kv_dtype + "\" (known: " + kv_dtype_names() + ")");
        return e;
    }
    if (!profile_supports(*profile, kv->dtype)) {
        std::string offered;
        for (const auto& d : kv_dtypes())
            if (profile_supports(*profile, d.dtype)) offered += (offered.empty() ? "" : ", ") + std::string(d.name);
        e.error = make_error(ErrorCode::invalid_argument, std::string("kv_dtype ") + kv->name + " is not offered by " +
                                                              profile->engine + " (profile " + profile->name +
                                                              " accepts: " + offered + ")");
        return e;
    }
    if (o.tp == 0) {
        e.error = make_error(ErrorCode::invalid_argument, "tp must be at least 1");
        return e;
    }
    if (o.tp > 1 && !profile->supports_tp) {
        e.error = make_error(ErrorCode::invalid_argument, std::string("profile ") + profile->name +
                                                              " has no tensor parallelism (tp " + std::to_string(o.tp) +
                                                              "); use transformers, vllm or sglang");
        return e;
    }
    if (o.tp > 1 && (!m.arch.n_heads || m.arch.n_heads % o.tp)) {
        e.error = make_error(ErrorCode::invalid_argument, "tp " + std::to_string(o.tp) + " does not divide the " +
                                                              std::to_string(m.arch.n_heads) +
                                                              " attention heads (vLLM and SGLang require it)");
        return e;
    }
    if (o.gpu_memory_utilization < 0 || o.gpu_memory_utilization > 1) {
        e.error = make_error(ErrorCode::invalid_argument,
                             "gpu_memory_utilization must be in (0, 1], got " + fmt_fraction(o.gpu_memory_utilization));
        return e;
    }
    const GpuInfo* gpu = nullptr;
    if (!o.gpu.empty()) {
        gpu = find_gpu(o.gpu);
        if (!gpu) {
            e.error = make_error(ErrorCode::invalid_argument,
                                 "unknown gpu \"" + o.gpu +
                                     "\" (catalog ids such as rtx-4090, a100-80gb, h100-80gb, apple-m3-max-128gb)");
            return e;
        }
        if (!profile_runs_on(*profile, gpu->backend)) {
            e.error =
                make_error(ErrorCode::invalid_argument, std::string(profile->engine) + " does not run on " + gpu->name +
                                                            " (" + gpu_backend_name(gpu->backend) + ")");
            return e;
        }
        if (o.tp > 1 && !gpu->multi_gpu) {
            e.error = make_error(ErrorCode::invalid_argument,
                                 std::string(gpu->name) + " is a single unified-memory device: tp must be 1");
            return e;
        }
    }
    if ((id == ProfileId::vllm || id == ProfileId::sglang) && (m.layout == "diffusers" || !m.arch.hidden_size)) {
        e.error = make_error(ErrorCode::invalid_argument,
                             std::string("profile ") + profile->name +
                                 " serves transformer language and encoder models; this repo has no such config.json");
        return e;
    }

    if (id == ProfileId::llama_cpp) {
        if (m.layout != "gguf") {
            e.error = make_error(
                ErrorCode::invalid_argument,
                "profile llama.cpp needs a GGUF repo: " + m.repo_id + " has " +
                    (m.layout.empty() ? std::string("no GGUF files") : "layout " + m.layout + " (safetensors)"));
            return e;
        }
        if (o.ubatch_tokens == 0 || o.n_gpu_layers < -1) {
            e.error = make_error(ErrorCode::invalid_argument,
                                 "ubatch_tokens must be at least 1 and n_gpu_layers -1 (all) or more");
            return e;
        }
        // llama-context.cpp: "V cache quantization requires flash_attn" — llama.cpp refuses to start otherwise.
        if (!o.flash_attention && kv->block_elements > 1) {
            e.error = make_error(ErrorCode::invalid_argument,
                                 std::string("llama.cpp needs flash attention for a quantized V cache (kv_dtype ") +
                                     kv->name + "): V cache quantization requires flash_attn");
            return e;
        }
    }

    Weights w;
    e.components.reserve(m.components.size());
    for (const auto& c : m.components) e.components.push_back({c.name, 0, c.params});
    // Per-component sums at each precision are computed once by analyze(); a Model built by hand
    // (tests) without them is summed here.
    const size_t pi = static_cast<size_t>(o.precision);
    const bool cached = pi < m.component_bytes_at.size() && m.component_bytes_at[pi].size() == m.components.size();
    for (size_t i = 0; i < m.components.size(); ++i) {
        w.raw += m.components[i].bytes;
        if (cached) e.components[i].bytes = m.component_bytes_at[pi][i];
    }
    if (!cached)
        for (const auto& t : m.tensors) e.components[t.component].bytes += tensor_bytes_at(t, o.precision);
    for (const auto& c : e.components) w.total += c.bytes;
    if (m.layout == "gguf") {  // llama.cpp places GGUF tensors by layer
        Weights g = weights_of(m.tensors, o.precision, m.gguf_duplicated_bytes, m.arch.n_layers);
        w.block = std::move(g.block);
        w.input = g.input;
        w.output = g.output;
        w.projector = g.projector;
        w.duplicated = g.duplicated;
    }
    e.weights_raw_bytes = w.raw;
    e.tp = o.tp;
    e.has_kv = m.has_llm;
    e.context_tokens = o.context_tokens ? o.context_tokens : m.arch.max_context_tokens;
    if (o.precision == Precision::auto_)
        e.assumptions.push_back("precision auto: every tensor keeps its stored dtype");
    else
        e.assumptions.push_back(std::string("precision ") + precision_name(o.precision) +
                                ": floating weights at that width; quantized storage keeps its bytes unless narrower");

    Setup base;
    base.profile = profile;
    base.act_bytes = compute_width(m, o, id);
    base.flash_attention = o.flash_attention;
    base.ubatch = o.ubatch_tokens;
    base.n_gpu_layers = o.n_gpu_layers;
    if (id == ProfileId::classic) {
        base.kv_name = "fp16";
    } else if (id == ProfileId::llama_cpp && kv->dtype == KvDtype::auto_) {
        base.kv_name = "fp16";  // llama.cpp's default cache type, -ctk/-ctv f16
        base.kv_block_bytes = 2;
    } else if (kv->dtype == KvDtype::auto_) {
        base.kv_name = compute_dtype_name(m, base.act_bytes);
        base.kv_block_bytes = base.act_bytes;
    } else {
        base.kv_name = kv->name;
        base.kv_block_bytes = kv->block_bytes;
        base.kv_block_elements = kv->block_elements;
    }
    w.replicated = id == ProfileId::classic ? 0 : replicated_bytes(m, base.act_bytes);
    e.kv_dtype = base.kv_name;
    Setup s = resolve_setup(base, o, gpu, o.tp);

    if (e.has_kv) {
        // The original guard (classic: its own bytes per token); other profiles with a 4-byte element as the bound.
        const double element = id == ProfileId::classic ? static_cast<double>(kClassicKvElementBytes) : 4.0;
        const double kv_approx = 2.0 * m.arch.n_layers * m.arch.n_kv_heads * m.arch.head_dim * element *
                                 static_cast<double>(e.context_tokens) * o.batch;
        if (kv_approx > static_cast<double>(UINT64_MAX / 4)) {
            e.error = make_error(ErrorCode::invalid_argument, "context × batch is too large to estimate");
            return e;
        }
    }
    const Eval ev = evaluate(m, w, s, e.context_tokens, o.batch);
    e.per_gpu = ev.share;
    e.overhead_parts = ev.parts;
    e.kv_groups = ev.groups;
    e.kv_bytes_per_token = ev.kv_bytes_per_token;
    e.weights_bytes = mul_sat(ev.share.weights_bytes, o.tp);
    e.kv_cache_bytes = mul_sat(ev.share.kv_cache_bytes, o.tp);
    e.activation_bytes = mul_sat(ev.share.activation_bytes, o.tp);
    e.overhead_bytes = mul_sat(ev.share.overhead_bytes, o.tp);
    e.total_bytes = mul_sat(ev.share.total_bytes, o.tp);
    e.details.engine = profile->engine;
    e.details.version = profile->version;
    e.details.sources = profile->sources;
    e.details.block_tokens = ev.block_tokens;
    e.details.max_num_batched_tokens = s.batched_tokens;
    e.details.max_num_seqs = s.max_num_seqs;
    e.details.fraction_option = profile->fraction_option;
    e.details.memory_fraction = s.fraction;
    e.details.activation_bytes = s.act_bytes;
    e.host = ev.host;
    e.context_cells = ev.context_cells;
    e.n_gpu_layers = ev.gpu_layers;
    if (id == ProfileId::llama_cpp) e.n_layers_offloadable = m.arch.n_layers + 1;

    if (id == ProfileId::classic) {
        // The original assumption lines, in the original order.
        if (e.has_kv) {
            e.assumptions.push_back(
                "KV cache (classic): 2 × layers × kv_heads × head_dim × context × batch × 2 bytes, every layer full "
                "attention");
            if (!o.context_tokens)
                e.assumptions.push_back("context: the config's max context, " + std::to_string(e.context_tokens) +
                                        " tokens");
        }
        e.assumptions.push_back("activations (classic): 10 % of the weights");
        e.assumptions.push_back("runtime overhead (classic): 500 MiB");
        e.recommendation = classic_recommendation(e.total_bytes);
        e.assumptions.push_back("GB in this report are 2^30 bytes, as in the original tool");
    } else {
        if (e.has_kv && !o.context_tokens)
            e.assumptions.push_back("context: the config's max context, " + std::to_string(e.context_tokens) +
                                    " tokens");
        if (!e.has_kv) e.assumptions.push_back("no KV cache: the config describes no generating decoder");
        if (id == ProfileId::llama_cpp)
            add_llama_cpp_assumptions(e, m, s, w);
        else
            add_profile_assumptions(e, m, s, ev);
        if (!profile->preallocates && (o.gpu_memory_utilization > 0 || o.max_num_batched_tokens))
            e.assumptions.push_back(std::string("gpu_memory_utilization and max_num_batched_tokens ignored: profile ") +
                                    profile->name + " has no such setting");
        e.recommendation = classic_recommendation(ev.share.total_bytes);
        e.assumptions.push_back(
            "the recommendation line applies the classic tiers to the per-GPU total; GiB = 2^30 bytes, GB = 10^9 "
            "bytes");
    }

    // The GPU table: every catalog GPU, its own engine defaults, smallest power-of-two TP that fits.
    for (const auto& g : gpu_catalog()) {
        if (!o.fit_table) break;
        GpuFitRow row;
        row.gpu = &g;
        row.engine_runs = profile_runs_on(*profile, g.backend);
        TpFit f = smallest_tp(m, w, base, o, g, e.context_tokens, o.batch);
        row.gpus_needed = f.tp;
        row.fits_one = f.tp == 1;
        row.per_gpu_total_bytes = f.per_gpu_total;
        e.gpu_fit.push_back(row);
    }

    if (gpu) {
        e.gpu = gpu;
        e.fits = fits_on(ev, s, *gpu);
        if (profile->preallocates) e.reservation = reserve(ev, s, *gpu);
        e.has_fit_limits = true;
        auto fits_at = [&](uint64_t context, uint64_t batch) {
            return fits_on(evaluate(m, w, s, context, static_cast<uint32_t>(batch)), s, *gpu);
        };
        // Largest x in [1, hi] with pred(x), for a monotone pred; 0 when pred(1) is false.
        auto search = [](uint64_t hi, auto pred) -> uint64_t {
            if (!pred(1)) return 0;
            uint64_t lo = 1;
            while (lo < hi) {
                const uint64_t mid = lo + (hi - lo + 1) / 2;
                if (pred(mid))
                    lo = mid;
                else
                    hi = mid - 1;
            }
            return lo;
        };
        if (e.has_kv) {
            const uint64_t cap = m.arch.max_context_tokens ? m.arch.max_context_tokens : kMaxSearchContext;
            e.max_context_tokens_fit = search(cap, [&](uint64_t c) { return fits_at(c, o.batch); });
        }
        e.max_batch_fit = search(kMaxSearchBatch, [&](uint64_t b) { return fits_at(e.context_tokens, b); });
        if (id == ProfileId::llama_cpp) {
            // The largest -ngl (layers offloaded, the output layer counting as one) that fits at this context and batch.
            e.has_gpu_layers_fit = true;
            const uint64_t n_max = static_cast<uint64_t>(m.arch.n_layers) + 1;
            const uint64_t x = search(n_max + 1, [&](uint64_t k) {
                Setup t = s;
                t.n_gpu_layers = static_cast<int64_t>(k - 1);
                return fits_on(evaluate(m, w, t, e.context_tokens, o.batch), t, *gpu);
            });
            e.max_gpu_layers_fit = x ? static_cast<uint32_t>(x - 1) : 0;
            e.assumptions.push_back(
                "max GPU layers: the largest -ngl (0 … n_layer + 1) whose GPU share fits; the rest runs from system "
                "memory");
        }
        e.assumptions.push_back(std::string("GPU ") + gpu->name + ": " + gib_text(gpu->usable_bytes) + " usable (" +
                                gpu->source + ")");
        if (e.has_kv)
            e.assumptions.push_back(
                "max context searched up to the model's max context; max batch up to 2^20 sequences");
    }
    // GGUF repos: every quantization at this context, batch and GPU (the same rules as the main estimate).
    for (const auto& q : m.gguf_quants) {
        Model rm;
        rm.layout = m.layout;
        rm.arch = q.arch;
        rm.has_llm = q.arch.has_kv_cache;
        rm.gguf_metadata_bytes = q.metadata_bytes;
        rm.gguf_duplicated_bytes = q.duplicated_bytes;
        rm.tensors = q.tensors;
        for (const auto& t : m.tensors)
            if (t.block == kBlockProjector) rm.tensors.push_back(t);
        Weights rw = weights_of(rm.tensors, o.precision, q.duplicated_bytes, q.arch.n_layers);
        rw.replicated = w.replicated;
        const Eval rev = evaluate(rm, rw, s, e.context_tokens, o.batch);
        GgufRow row;
        row.quant = &q;
        row.bits_per_weight = q.params ? 8.0 * static_cast<double>(q.bytes) / static_cast<double>(q.params) : 0;
        row.weights_bytes = rev.share.weights_bytes;
        row.kv_cache_bytes = rev.share.kv_cache_bytes;
        row.total_bytes = rev.share.total_bytes;
        row.host_bytes = rev.host.total_bytes;
        row.fits = gpu && fits_on(rev, s, *gpu);
        e.gguf_rows.push_back(row);
    }
    return e;
}

}  // namespace vram
