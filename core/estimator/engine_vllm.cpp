// Profile "vllm": vLLM's own accounting (profiles.cpp names the version and files). The KV cache follows
// engine_kv.cpp (blocks of 16 tokens, hybrid groups sharing one page); the activation peak is the profile run's;
// the engine reserves gpu_memory_utilization of the GPU and sizes its KV pool from what is left.
#include <algorithm>
#include <cstdlib>

#include "estimator/engine.hpp"
#include "estimator/engine_vllm_mxfp4.hpp"
#include "estimator/engine_vllm_rope.hpp"

namespace vram {
namespace {

// CUDA graphs (FULL_AND_PIECEWISE, vLLM 0.19's default mode). Capture sizes: vllm/config/vllm.py
// _set_cudagraph_sizes — max = min(max_num_seqs × 2, 512, max_num_batched_tokens), sizes [1, 2, 4] +
// range(8, min(max + 1, 256), 8) + range(256, max + 1, 16); PIECEWISE graphs at every size, FULL (uniform decode)
// graphs at the sizes ≤ max_num_seqs. gpt-oss raises the max to 1024 (model_executor/models/config.py
// GptOssForCausalLMConfig.verify_and_update_config: "from 67 to 83" graphs).
constexpr uint32_t kGraphMaxCapture = 512;
struct CaptureOverride {
    const char* model_type;
    uint32_t max_capture;
};
constexpr CaptureOverride kCaptureOverrides[] = {{"gpt_oss", 1024}};
// Bytes per captured graph, fitted on the 26 estimated H100 runs of tests/validation/vllm (actual "Graph capturing
// finished … took X GiB", 0.64–1.57 GiB; SPLIT.md: that campaign calibrates the vLLM profile): a fixed part per
// graph, a part per decoder layer on each rank (piecewise graphs split at every attention layer) and one per MoE
// layer (fused-MoE buffers). Least squares (tools/validate/fit_vllm_graphs.py): 6.07 MiB, 96.0 KiB, 104.8 KiB.
constexpr uint64_t kGraphFixedBytes = 6 * kMiB;
constexpr uint64_t kGraphPerLayerBytes = 96 * 1024;
constexpr uint64_t kGraphPerMoeLayerBytes = 104 * 1024;

struct Graphs {
    uint32_t piecewise = 0, full = 0, largest = 0;
    uint64_t bytes = 0;
};

Graphs cuda_graphs(const Model& m, const Setup& s) {
    Graphs g;
    uint32_t max = std::min<uint64_t>(2ull * s.max_num_seqs, kGraphMaxCapture);
    for (const auto& o : kCaptureOverrides)
        if (m.arch.model_type == o.model_type) max = o.max_capture;
    max = static_cast<uint32_t>(std::min<uint64_t>(max, s.batched_tokens ? s.batched_tokens : max));
    auto add = [&](uint32_t size) {
        ++g.piecewise;
        if (size <= s.max_num_seqs) ++g.full;
        g.largest = size;
    };
    for (uint32_t size : {1u, 2u, 4u})
        if (size <= max) add(size);
    for (uint32_t size = 8; size < std::min<uint32_t>(max + 1, 256); size += 8) add(size);
    for (uint32_t size = 256; size <= max; size += 16) add(size);
    const uint64_t layers = m.arch.n_layers;
    const uint64_t per_graph = kGraphFixedBytes + layers * kGraphPerLayerBytes / s.tp +
                               (m.arch.n_experts ? layers * kGraphPerMoeLayerBytes : 0);
    g.bytes = mul_sat(g.piecewise + g.full, per_graph);
    return g;
}

void resolve(Setup& s, const EstimateOptions& o) {
    server_resolve(s, o);
    s.enforce_eager = o.enforce_eager;
    const char* d = profile_default(ProfileId::vllm, "gpu_memory_utilization");
    s.fraction = o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : (d ? std::strtod(d, nullptr) : 0.9);
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev = server_evaluate(m, w, s, context, batch);
    // gpt-oss MXFP4 on Hopper: the TRITON backend's padding, float32 biases, kept scales and swizzle padding
    // (engine_vllm_mxfp4.cpp).
    if (vllm_mxfp4_triton(m.quant.method, m.arch, s.gpu))
        ev.share.weights_bytes = add_sat(ev.share.weights_bytes, vllm_mxfp4_triton_extra(m.arch, s.tp).total());
    // The resident RoPE cos/sin cache, whole on every rank, created at model init: inside "Model loading took"
    // (engine_vllm_rope.cpp: rotary_embedding/base.py register_buffer("cos_sin_cache", …)).
    ev.share.weights_bytes = add_sat(ev.share.weights_bytes, vllm_rope_cache(m.arch, s.act_bytes).bytes);
    // vLLM 0.19 captures its graphs after sizing the KV pool (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS off): they
    // count in the total, not in non-KV. enforce_eager captures none (v1/worker/gpu_worker.py
    // compile_or_warm_up_model: "if not self.model_config.enforce_eager: cuda_graph_memory_bytes =
    // self.model_runner.capture_model()"), and the pool, sized before in determine_available_memory
    // (requested_memory − non_kv_cache_memory), is the same either way.
    ev.parts.cuda_graph_bytes = s.enforce_eager ? 0 : cuda_graphs(m, s).bytes;
    ev.share.overhead_bytes = ev.parts.cuda_context_bytes + ev.parts.non_torch_bytes + ev.parts.cuda_graph_bytes;
    total_share(ev.share);
    // gpu_worker.py: non-KV = weights + torch peak increase + non-torch increase.
    ev.non_kv_bytes = ev.share.weights_bytes + ev.share.activation_bytes + ev.parts.non_torch_bytes;
    return ev;
}

// kv_cache_utils.py: num_blocks = available // page_size // group_size; the log's "GPU KV cache size"
// = num_blocks // len(kv_cache_groups) × block_size.
uint64_t pool_tokens(const Eval& ev, uint64_t pool_bytes) {
    if (!ev.page_bytes || !ev.group_size || !ev.n_groups) return 0;
    const uint64_t num_blocks = pool_bytes / ev.page_bytes / ev.group_size;
    return num_blocks / ev.n_groups * ev.block_tokens;
}

void mxfp4_assumption(Estimate& e, const Model& m, const Setup& s, const std::string& src) {
    if (m.quant.method != "mxfp4" || !m.arch.n_experts) return;
    if (!vllm_mxfp4_triton(m.quant.method, m.arch, s.gpu)) {
        e.assumptions.push_back(
            "MXFP4 experts: weights = the checkpoint's bytes split over tp; vLLM 0.19's TRITON MoE layout is modelled "
            "for gpt-oss on an sm_90 GPU only (fused_moe/oracle/mxfp4.py: other GPUs take FlashInfer or Marlin, "
            "whose padding is not modelled)" +
            src);
        return;
    }
    const Mxfp4TritonExtra x = vllm_mxfp4_triton_extra(m.arch, s.tp);
    e.assumptions.push_back(
        "MXFP4 experts (TRITON backend, sm_90): + " + gib_text(x.total()) + " per rank = expert width " +
        std::to_string(x.width) + " → " + std::to_string(x.width_padded) + " (round_up 64, oracle/mxfp4.py) " +
        gib_text(x.pad) + " + float32 biases, w2's whole on each rank " + gib_text(x.bias32) +
        " + unswizzled uint8 scales still held (quantization/mxfp4.py _setup_kernel) " + gib_text(x.kept_scales) +
        " + Hopper scale rows to 256 / columns to 2 " + gib_text(x.scale_swizzle) + " + Hopper value tiles 16 × 32 " +
        gib_text(x.value_tile) + " (triton_kernels v3.5.1/v3.6.0 layouts); from the sources, no constant fitted" + src);
}

void rope_assumption(Estimate& e, const Model& m, const Setup& s, const std::string& src) {
    const Architecture& a = m.arch;
    if (!a.rope_named) {
        e.assumptions.push_back(
            "RoPE cos/sin cache: none counted (config.json names no RoPE key: rope_theta, rope_scaling, "
            "rope_parameters, partial_rotary_factor)" +
            src);
        return;
    }
    const VllmRopeCache c = vllm_rope_cache(a, s.act_bytes, true);
    if (!c.bytes) {
        e.assumptions.push_back(
            "RoPE cos/sin cache: none counted (config.json gives no max_position_embeddings or rope width to size "
            "it from)" +
            src);
        return;
    }
    std::string line = "RoPE cos/sin cache: + " + gib_text(c.bytes) +
                       " per rank (in the weights) = " + std::to_string(c.positions) + " positions × " +
                       std::to_string(c.rotary_dim) + " (cos + sin) × " + std::to_string(c.width) + " B" +
                       (a.model_type == "gpt_oss" ? " (float32: models/gpt_oss.py get_rope(…, dtype=torch.float32))"
                                                  : " (the model dtype: base.py cache.to(dtype))") +
                       "; " + c.rule +
                       "; one cache shared by every layer (get_rope's _ROPE_DICT), whole on each rank, created at "
                       "model init so inside \"Model loading took\" (rotary_embedding/base.py register_buffer)";
    if (a.rope_local_base || a.rope_per_layer_type)
        line +=
            "; a second cache for the sliding layers' own rope (rope_local_base_freq) is not counted: vLLM's "
            "gemma3.py was not read";
    e.assumptions.push_back(line + src);
}

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights&, const Eval& ev) {
    const std::string src = " [" + std::string(s.profile->engine) + " " + s.profile->version + "]";
    paged_kv_assumptions(e, m, s, ev, src);
    mxfp4_assumption(e, m, s, src);
    rope_assumption(e, m, s, src);
    server_assumptions(e, s, ev, src);
    const Graphs g = cuda_graphs(m, s);
    if (s.enforce_eager)
        e.assumptions.push_back(
            "CUDA graphs: none (enforce_eager: v1/worker/gpu_worker.py compile_or_warm_up_model skips capture_model); "
            "the KV pool is sized before capture, so it is the same as without eager; the profile run's activation "
            "peak is kept as for the compiled model" +
            src);
    else
        e.assumptions.push_back(
            "CUDA graphs: " + std::to_string(g.piecewise) + " PIECEWISE + " + std::to_string(g.full) +
            " FULL captures (sizes 1 … " + std::to_string(g.largest) +
            ", vllm/config/vllm.py _set_cudagraph_sizes) × (6 MiB + 96 KiB × layers / tp + 104 KiB × "
            "MoE layers) = " +
            gib_text(g.bytes) +
            "; per-graph bytes fitted on the vLLM 0.19 H100 runs (tests/validation/vllm), captured "
            "after the KV pool is sized" +
            src);
    e.assumptions.push_back(
        "KV pool = gpu_memory_utilization × GPU memory − (weights + activation peak + non-torch); tokens = "
        "num_blocks // groups × block (hybrid models: layers grouped by spec and padded, kv_cache_utils.py)" +
        src);
}

}  // namespace

const Engine kVllmEngine = {ProfileId::vllm, 4, false, resolve, evaluate, pool_tokens, assumptions};

}  // namespace vram
