// The engine evaluators behind one interface (internal to core/estimator). Each profile's engine is one Engine
// row: how it resolves its GPU-dependent settings, what it allocates at (context, batch) on one rank, and the
// assumptions it states. estimate.cpp and fit.cpp call them only through engine_for().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "estimator/estimate.hpp"
#include "estimator/sat_math.hpp"

namespace vram {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t gib_hundredths(uint64_t h) { return h * kGiB / 100; }
// logits, recurrent state and graph activations are F32 in llama.cpp; the F16 KQ mask.
constexpr uint64_t kF32Bytes = 4;
constexpr uint64_t kF16Bytes = 2;

// Layers with the same attention parameters, in the order of their first appearance, with their count: what the
// paged engines build their KV specs from. An estimate evaluates ~100 setups (the GPU table, the fit searches) and
// a config may declare 10,000 layers, so the layers are grouped once per estimate (estimate.cpp).
struct LayerClass {
    AttentionLayer layer;
    uint32_t n = 0;
};
std::vector<LayerClass> layer_classes(const Architecture& a);

// Everything resolved once per (options, GPU, tp): the parameters the formulas read.
struct Setup {
    const ProfileInfo* profile = nullptr;
    const GpuInfo* gpu = nullptr;
    uint32_t tp = 1;
    uint32_t act_bytes = 2;    // compute dtype width
    uint32_t weight_bits = 0;  // the precision target's bits (0 = every tensor as stored)
    std::string kv_name;       // resolved KV element type
    uint32_t kv_block_bytes = 2;
    uint32_t kv_block_elements = 1;
    uint32_t kv_mla_record_bytes = 0;  // MLA layers: bytes per token and layer of a fixed record (fp8_ds_mla)
    uint64_t batched_tokens = 0;       // vLLM max_num_batched_tokens / SGLang chunked_prefill_size
    uint32_t max_num_seqs = 0;
    double fraction = 0;
    // llama.cpp
    bool flash_attention = true;
    uint64_t ubatch = 512;
    int64_t n_gpu_layers = -1;  // -1 = all
    // diffusers (0 = the pipeline's default)
    uint32_t height = 0, width = 0, text_tokens = 0;
    bool model_cpu_offload = false;
    bool fp16_weights = false;  // the precision target is float16 (the SDXL pipelines upcast such a VAE)
    // vLLM
    bool enforce_eager = false;  // no CUDA graph captured
    // layer_classes(m.arch), computed once by estimate() and shared by every setup derived from its base; null: the
    // paged engines group the layers themselves.
    const std::vector<LayerClass>* layer_classes = nullptr;
};

struct Weights {
    uint64_t total = 0;  // all tensors at the precision target
    uint64_t raw = 0;
    std::vector<uint64_t> component;  // per Model::components entry, at the precision target
    uint64_t replicated = 0;          // stays whole on every rank under TP
    // GGUF, by llama.cpp layer (TensorRecord::block)
    std::vector<uint64_t> block;  // repeating layer il
    uint64_t input = 0;           // token_embd … (always in system memory)
    uint64_t output = 0;          // output, output_norm
    uint64_t projector = 0;       // mmproj
    uint64_t duplicated = 0;      // tied token_embd loaded again for the output layer
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
    PipelinePeak pipeline;  // diffusers
};

struct Engine {
    ProfileId id;
    // Element width of the "context × batch is too large" guard: 2 × layers × kv_heads × head_dim × this.
    uint32_t kv_guard_element_bytes;
    // true: assumptions() states every line itself (classic keeps the original tool's lines and order); false: the
    // lines every engine profile shares frame the engine's own.
    bool standalone_assumptions;
    // Engine defaults that depend on the GPU and on tp (batched tokens, sequences, memory fraction).
    void (*resolve)(Setup& s, const EstimateOptions& o);
    Eval (*evaluate)(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch);
    // Pool size in tokens for a preallocating engine (EngineReservation::kv_pool_tokens).
    uint64_t (*pool_tokens)(const Eval& ev, uint64_t pool_bytes);
    void (*assumptions)(Estimate& e, const Model& m, const Setup& s, const Weights& w, const Eval& ev);
};
const Engine& engine_for(ProfileId id);

// One per engine file.
extern const Engine kClassicEngine, kTransformersEngine, kVllmEngine, kSglangEngine, kLlamaCppEngine, kDiffusersEngine;

// ---- shared helpers (engine_kv.cpp) ------------------------------------------------------------------------
// gpu_worker.py: requested_memory = ceil(total_memory × gpu_memory_utilization).
uint64_t scale(uint64_t bytes, double fraction);
std::string gib_text(uint64_t bytes);
// Bytes of one KV row of `elements` in the setup's cache type (quantized types in whole blocks).
uint64_t kv_row_bytes(uint64_t elements, const Setup& s);
// Weights at the precision target, with the GGUF records also summed by llama.cpp layer.
Weights weights_of(const std::vector<TensorRecord>& tensors, Precision p, uint64_t duplicated, uint32_t n_layers);
// Per-layer KV of transformers, vLLM and SGLang (one rank): the groups, the pool's page and group sizes.
void paged_kv(const Model& m, const Setup& s, uint64_t context, uint32_t batch, Eval& ev);
// Weights on one rank: split over tp except what stays whole (norms, router gates).
uint64_t rank_weights(const Weights& w, uint32_t tp);
// The server engines (vLLM, SGLang): batch defaults by GPU (BatchDefault rows), and one evaluation — the paged
// KV cache, the profile-run activation peak, CUDA context + non-torch + CUDA graphs (calibrated on vLLM runs).
// Each engine adds what it subtracts before sizing its KV pool (Eval::non_kv_bytes).
void server_resolve(Setup& s, const EstimateOptions& o);
Eval server_evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch);
uint64_t engine_activation(const Model& m, const Setup& s);
// The assumption lines the KV-paging engines share (KV rows, MLA, sliding, linear state, cross-attention, TP).
void paged_kv_assumptions(Estimate& e, const Model& m, const Setup& s, const Eval& ev, const std::string& src);
// The activation and overhead lines of the server engines (vLLM, SGLang).
void server_assumptions(Estimate& e, const Setup& s, const Eval& ev, const std::string& src);
// The sum of the four parts of a share.
void total_share(GpuShare& share);

// ---- fit (fit.cpp) -----------------------------------------------------------------------------------------
// The engine's GPU- and tp-dependent settings on top of `base`.
Setup resolve_setup(Setup base, const EstimateOptions& o, const GpuInfo* gpu, uint32_t tp);
// Does this evaluation fit on one device of `gpu`?
bool fits_on(const Eval& ev, const Setup& s, const GpuInfo& gpu);
EngineReservation reserve(const Eval& ev, const Setup& s, const GpuInfo& gpu);
// Classic's GPU count: the total split evenly over at most this many GPUs (fit.cpp classic_split).
constexpr uint32_t kClassicMaxGpus = 64;
// Every catalog GPU: fits on one? how many (smallest power-of-two TP; classic: an even split) are needed?
void fill_fit_table(Estimate& e, const Model& m, const Weights& w, const Setup& base);
// The most GPUs the fit table tries for a profile, and its rule in words (the CLI's text report and the page's fit
// table, through vocabularies(), read both): classic's even split up to kClassicMaxGpus; an engine with tensor
// parallelism, the power-of-two sizes up to tp_steps()'s last; an engine modelled on one GPU (max_tp 1), one.
uint32_t fit_max_gpus(const ProfileInfo& p);
const char* fit_rule(const ProfileInfo& p);
// With a GPU chosen: the verdict, the reservation, and the largest context, batch (and -ngl) that fit.
void fill_fit_limits(Estimate& e, const Model& m, const Weights& w, const Setup& s, const Eval& ev);
// GGUF repos: every quantization at this context, batch and GPU (the same rules as the main estimate).
void fill_gguf_rows(Estimate& e, const Model& m, const Weights& w, const Setup& s);

}  // namespace vram
