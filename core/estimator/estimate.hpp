// The estimate: weights at a precision target, KV cache, activations, runtime overhead — per engine profile.
// Profile "classic" is the original hf-vram-estimator (its README's formulas and examples):
//   KV cache      = 2 × layers × kv_heads × head_dim × context × batch × 2 bytes
//   activations   = 10 % of the weights
//   CUDA overhead = 500 MiB
//   its "GB" are 2^30 bytes; the default context is the config's max context.
// Profiles "transformers", "vllm" and "sglang" (profiles.hpp, docs/estimates.md) charge the KV cache per
// layer from the Architecture (GQA, MLA latent, sliding/chunked windows, linear-attention state,
// cross-attention), split weights and KV heads over tensor-parallel ranks, and model the engine's own
// activation peak and reservation (vLLM gpu_memory_utilization, SGLang mem_fraction_static).
// Profile "llama.cpp" (GGUF repos only) follows llama.cpp's own allocation: the context padded to 256 (flash
// attention) or 32 cells, one unified KV cache of context × batch cells in the chosen cache type (row sizes with
// block rounding), sliding-window layers holding min(n_ctx, W·n_seq + n_ubatch) cells, recurrent layers one F32
// state per sequence, the compute and output buffers, and -ngl partial offload: the input layer (token_embd) stays
// in system memory, the output layer is offloaded first (i_gpu_start = max(n_layer + 1 − ngl, 0)); what is not on
// the GPU is reported as system memory (HostShare); its compute buffers are ggml-alloc's plan of llama.cpp's graph
// (llama_cpp_graph.cpp).
// With a GPU from gpu_catalog.hpp the estimate also says whether it fits, the largest context and batch
// that fit, and for every catalog GPU how many are needed. estimate() is a pure function.
// Every assumption a profile makes is listed in Estimate::assumptions, so the user can see it.
// Layout: options.hpp (what the user chose, validated), engine.hpp (one evaluator per engine:
// engine_classic.cpp, engine_transformers.cpp, engine_vllm.cpp, engine_sglang.cpp, engine_llama_cpp.cpp, with the
// KV layout they share in engine_kv.cpp), fit.cpp (fit, tensor parallelism, the largest context and batch),
// estimate.cpp (option resolution against the model, and the whole).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "estimator/gpu_catalog.hpp"
#include "estimator/model.hpp"
#include "estimator/options.hpp"

namespace vram {

// KV cache of the layers that share one attention spec (kind, window, width), on one rank.
struct KvLayerGroup {
    std::string kind;  // full, sliding, chunked, mla, linear_state, cross_attention
    uint32_t n_layers = 0;
    uint32_t window_tokens = 0;        // sliding/chunked span; 0 = unbounded
    uint64_t bytes_per_token = 0;      // one layer, one token, one sequence (0 for linear_state)
    uint64_t tokens_per_sequence = 0;  // tokens each layer holds per sequence at this context, engine rounding included
    uint64_t state_bytes = 0;          // linear_state: fixed bytes per layer and sequence
    uint64_t bytes = 0;                // the whole group, whole batch (engine padding included)
};

// One GPU of a tensor-parallel group (the whole model when tp = 1).
struct GpuShare {
    uint64_t weights_bytes = 0;
    uint64_t kv_cache_bytes = 0;
    uint64_t activation_bytes = 0;
    uint64_t overhead_bytes = 0;
    uint64_t total_bytes = 0;
};

// llama.cpp: what lives in system memory beside the GPU share.
struct HostShare {
    uint64_t weights_bytes = 0;   // the input layer (token_embd) and every layer not offloaded
    uint64_t kv_cache_bytes = 0;  // KV cache and recurrent state of the layers not offloaded
    uint64_t compute_bytes = 0;   // host compute buffer: graph inputs, plus the CPU layers' activations
    uint64_t output_bytes = 0;    // logits output buffer: n_vocab × 4 B × sequences (pinned host memory)
    uint64_t overhead_bytes = 0;  // runtime 150 MiB + GGUF metadata + tokenizer tables (gguf-parser-go footprint)
    uint64_t total_bytes = 0;
};

// One row of a GGUF repo's quantization table, at the estimate's context, batch and GPU.
struct GgufRow {
    const GgufQuant* quant = nullptr;  // Model::gguf_quants entry
    double bits_per_weight = 0;        // 8 × weight bytes / parameters
    uint64_t weights_bytes = 0;        // on the GPU (llama.cpp: without the input layer)
    uint64_t kv_cache_bytes = 0;       // on the GPU
    uint64_t total_bytes = 0;          // per-GPU total
    uint64_t host_bytes = 0;           // system memory (llama.cpp)
    bool fits = false;                 // with a GPU: fits on it
};

struct OverheadParts {
    uint64_t fixed_bytes = 0;         // classic: the original flat allowance
    uint64_t cuda_context_bytes = 0;  // CUDA context and library handles before any tensor
    uint64_t non_torch_bytes = 0;     // NCCL / all-reduce buffers and workspaces outside PyTorch's allocator
    uint64_t cuda_graph_bytes = 0;    // captured CUDA graphs
};

// The diffusers profile's peak as the two allocator figures (engine_diffusers.cpp): the live tensors that
// torch.cuda.max_memory_allocated counts, and the reserve max_memory_reserved adds (fitted, see the engine).
struct PipelinePeak {
    uint64_t allocated_bytes = 0;  // weights on the GPU + the largest phase's live tensors
    uint64_t reserved_bytes = 0;   // weights on the GPU + activations (= per_gpu weights + activation_overhead)
    bool vae_upcast = false;       // the VAE decodes in fp32 (force_upcast with fp16 weights)
};

// What an engine that preallocates (vLLM, SGLang) takes on the chosen GPU, per rank.
struct EngineReservation {
    bool present = false;
    double fraction = 0;          // gpu_memory_utilization / mem_fraction_static used
    uint64_t reserved_bytes = 0;  // fraction × usable GPU memory
    uint64_t non_kv_bytes = 0;    // what the engine subtracts before sizing its KV pool
    uint64_t kv_pool_bytes = 0;   // reserved − non-KV (0 when non-KV does not fit)
    uint64_t kv_pool_tokens = 0;  // tokens of KV the pool holds, counted as the engine logs them
};

struct GpuFitRow {
    const GpuInfo* gpu = nullptr;
    bool engine_runs = true;           // the profile's engine runs on this GPU's backend (vLLM/SGLang: not on Metal)
    bool fits_one = false;             // one device holds this context × batch
    uint32_t gpus_needed = 0;          // smallest power-of-two TP ≤ 8 that fits; 0 = none
    uint64_t per_gpu_total_bytes = 0;  // per-GPU total at gpus_needed (at 1 when none fits)
};

struct ProfileDetails {
    std::string engine;                   // "vLLM"
    std::string version;                  // "0.19.0"
    std::string sources;                  // engine files the rules follow
    uint32_t block_tokens = 1;            // KV allocation granularity actually used
    uint64_t max_num_batched_tokens = 0;  // tokens of one profiling / prefill step (0 = not an engine setting)
    uint32_t max_num_seqs = 0;            // sequences the sampler is profiled with (0 = not an engine setting)
    std::string fraction_option;          // "gpu_memory_utilization", "mem_fraction_static" or ""
    double memory_fraction = 0;           // its value (default or given)
    uint32_t activation_bytes = 0;        // width of the compute dtype
};

struct ComponentBytes {
    std::string name;
    uint64_t bytes = 0;  // at the precision target
    uint64_t params = 0;
};

struct Estimate {
    Error error;
    EstimateOptions options;
    uint64_t context_tokens = 0;     // the context actually used
    uint64_t weights_bytes = 0;      // at the precision target
    uint64_t weights_raw_bytes = 0;  // as stored
    uint64_t kv_cache_bytes = 0;
    uint64_t kv_bytes_per_token = 0;  // per sequence, all layers
    uint64_t activation_bytes = 0;
    uint64_t overhead_bytes = 0;
    uint64_t total_bytes = 0;
    bool has_kv = false;  // false: no KV line (diffusion parts, encoders)
    std::vector<ComponentBytes> components;
    std::string recommendation;  // the classic one-line GPU recommendation
    std::vector<std::string> assumptions;
    // Fields below were added after the original report; classic fills them too.
    std::string kv_dtype;  // resolved KV element type ("bf16", "fp8", "fp32" …)
    uint32_t tp = 1;
    ProfileDetails details;
    std::vector<KvLayerGroup> kv_groups;  // per-layer KV summary (one rank)
    GpuShare per_gpu;                     // one rank; the top-level fields above are per_gpu × tp
    OverheadParts overhead_parts;         // per rank
    const GpuInfo* gpu = nullptr;         // the chosen GPU, if any
    bool fits = false;                    // with a GPU: this context × batch fits at this tp
    EngineReservation reservation;        // with a GPU and a preallocating engine
    bool has_fit_limits = false;          // with a GPU: the two fields below are computed
    uint64_t max_context_tokens_fit =
        0;                           // largest context that fits at this batch (0 = none; capped at the model's max)
    uint64_t max_batch_fit = 0;      // largest batch that fits at this context (0 = none)
    std::vector<GpuFitRow> gpu_fit;  // every catalog GPU: fits on one? how many needed?
    PipelinePeak pipeline;           // diffusers profile
    // llama.cpp profile
    HostShare host;                     // system memory
    uint64_t context_cells = 0;         // KV cells allocated: context × batch padded to 256 (flash attention) or 32
    uint32_t n_gpu_layers = 0;          // layers offloaded (of n_layer + 1, the output layer counting as one)
    bool has_gpu_layers_fit = false;    // with a GPU: the field below is computed
    uint32_t max_gpu_layers_fit = 0;    // largest -ngl that fits at this context and batch
    std::vector<GgufRow> gguf_rows;     // GGUF repos: every quantization at this context, batch and GPU
    uint32_t n_layers_offloadable = 0;  // llama.cpp: n_layer + 1 (the output layer counts as one)
    uint32_t per_gpu_layers_total() const { return n_layers_offloadable; }
};

Estimate estimate(const Model& model, const EstimateOptions& options);

}  // namespace vram
