// Fine-tuning memory: full fine-tuning, LoRA, QLoRA and freezing, on one GPU or sharded over many, from the real
// tensors of the real checkpoint. docs/training.md derives every term; each table row below names its source.
//   weights      frozen tensors at the precision's width (QLoRA: NF4 0.5 B/param + absmax constants), trainable
//                ones at their working width (+ an fp32 master copy where the precision keeps one)
//   adapters     LoRA A (r × in) and B (out × r) per matched tensor, from its real shape
//   gradients    one per trainable parameter at the precision's gradient width
//   optimizer    states per trainable parameter by the optimizer's rule (Adafactor: factored from the real shapes;
//                8-bit: blockwise with absmax), plus the fp32 master copy
//   activations  per decoder layer from the Architecture: the tensors autograd saves for backward (eager attention
//                adds the scores matrix); with gradient checkpointing one layer input per layer plus one layer
//                recomputed
//   logits       tokens × vocab: the compute-width logits, their fp32 upcast and log-softmax (less with a chunked loss)
//   overhead     CUDA context, QLoRA's dequantization buffer, ZeRO-3/FSDP's gathered layers
// Distribution: DDP replicates (plus its gradient buckets); ZeRO-1 shards optimizer states, ZeRO-2 also gradients,
// ZeRO-3 / FSDP also parameters; CPU offload moves states or parameters to host memory, reported apart.
// Every option is a row of a table (id, name, what it costs, source) so that the CLI, the page and the report read
// one list. train_estimate() is a pure function; errors are values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/gpu_catalog.hpp"
#include "estimator/model.hpp"
#include "estimator/snapshot.hpp"

namespace vram {

// ---- option tables ---------------------------------------------------------------------------------------------
// A row's index is its enum value; code reads a row's fields, never a particular value.

enum class TrainMethod : uint8_t { full, lora, qlora, freeze };
struct TrainMethodInfo {
    TrainMethod id;
    const char* name;         // the option's spelling ("qlora")
    const char* label;        // what the page shows
    bool adapters;            // LoRA A/B matrices are added and trained; the base is frozen
    bool base_nf4;            // the base's Linear weights are quantized to NF4 at load time
    bool train_named_only;    // only tensors matching TrainingOptions::trainable_modules are trained
    const char* description;  // one line for --help and the page
    const char* source;
};
const std::vector<TrainMethodInfo>& train_methods();
const TrainMethodInfo& train_method_info(TrainMethod m);

enum class TrainPrecision : uint8_t { fp32, bf16_mixed, fp16_mixed, bf16, fp16, bf16_amp, fp16_amp };
struct TrainPrecisionInfo {
    TrainPrecision id;
    const char* name;
    const char* label;
    uint32_t frozen_bytes;      // bytes per parameter of a frozen floating weight
    uint32_t weight_bytes;      // working copy of a trainable weight
    uint32_t master_bytes;      // fp32 master copy kept beside it (0 = none)
    uint32_t grad_bytes;        // gradient of a trainable weight
    uint32_t adapter_bytes;     // a LoRA weight and its gradient each (PEFT keeps adapters in fp32 under autocast)
    uint32_t state_bytes;       // one element of a 32-bit optimizer state (fp32, or the parameter's dtype)
    uint32_t activation_bytes;  // compute width of saved activations
    bool autocast;              // matmuls run under torch.autocast (PEFT then re-casts an adapter's input)
    bool cast_copies;           // weights stored wider than the compute width: each matmul saves its cast copy
    const char* description;
    const char* source;
};
const std::vector<TrainPrecisionInfo>& train_precisions();
const TrainPrecisionInfo& train_precision_info(TrainPrecision p);

// How an optimizer's state is sized.
enum class StateRule : uint8_t {
    per_param,       // n_states × numel × the precision's state_bytes
    blockwise_8bit,  // n_states × (numel × 1 B + fp32 absmax per block); 32-bit states below min_8bit_size elements
    factored,        // ≥ 2-D: row + column second moments (numel / cols + numel / rows); 1-D: a full second moment
};
enum class Optimizer : uint8_t { adamw, adamw_8bit, paged_adamw_8bit, adafactor, sgd, sgd_momentum, lion, paged_adamw };
struct OptimizerInfo {
    Optimizer id;
    const char* name;
    const char* label;
    StateRule rule;
    uint32_t n_states;           // state tensors per parameter (factored: 1 second moment, split in row + column)
    uint32_t block_elements;     // blockwise_8bit: elements per fp32 absmax
    uint64_t min_8bit_elements;  // blockwise_8bit: smaller tensors keep 32-bit states
    bool paged;                  // states in CUDA unified memory, evicted to host under pressure
    bool fp32_states;            // per_param: states in fp32 whatever the parameter's dtype (bitsandbytes 32-bit)
    uint32_t step_temp_states;   // state-sized temporaries over every trainable parameter during the step
    const char* description;
    const char* source;
};
const std::vector<OptimizerInfo>& optimizers();
const OptimizerInfo& optimizer_info(Optimizer o);

enum class TrainAttention : uint8_t { sdpa, eager };
struct TrainAttentionInfo {
    TrainAttention id;
    const char* name;
    const char* label;
    bool saves_scores;  // the batch × heads × seq² probabilities are saved for backward
    const char* description;
    const char* source;
};
const std::vector<TrainAttentionInfo>& train_attentions();
const TrainAttentionInfo& train_attention_info(TrainAttention a);

enum class Distribution : uint8_t { ddp, zero1, zero2, zero3, fsdp };
struct DistributionInfo {
    Distribution id;
    const char* name;
    const char* label;
    bool shards_optimizer;   // optimizer states and master weights ÷ n_gpus
    bool shards_gradients;   // gradients ÷ n_gpus
    bool shards_parameters;  // weights ÷ n_gpus, gathered a layer at a time
    bool bucket_copy;        // DDP: gradient buckets hold a second copy of every gradient
    // torch FSDP (FlatParameter): a unit's parameters are views (torch.split) of one flat parameter, so backward
    // holds a unit's gradients until its last one is computed and then concatenates them into one flat gradient.
    bool flat_param_views;
    const char* description;
    const char* source;
};
const std::vector<DistributionInfo>& distributions();
const DistributionInfo& distribution_info(Distribution d);

enum class Offload : uint8_t { none, optimizer, parameters };
struct OffloadInfo {
    Offload id;
    const char* name;
    const char* label;
    bool optimizer_to_host;   // optimizer states and master weights live in host memory
    bool parameters_to_host;  // sharded parameters live in host memory (needs ZeRO-3 / FSDP)
    const char* description;
    const char* source;
};
const std::vector<OffloadInfo>& offloads();
const OffloadInfo& offload_info(Offload o);

// Parsers over the tables' names (case-sensitive, as written in the tables); false when the name is not a row.
bool parse_train_method(std::string_view text, TrainMethod& out);
bool parse_train_precision(std::string_view text, TrainPrecision& out);
bool parse_optimizer(std::string_view text, Optimizer& out);
bool parse_train_attention(std::string_view text, TrainAttention& out);
bool parse_distribution(std::string_view text, Distribution& out);
bool parse_offload(std::string_view text, Offload& out);

// The projections LoRA targets by default: attention and MLP Linear layers under the names the transformers model
// families give them (module names, matched as the last component(s) of a tensor's module path).
const std::vector<const char*>& default_lora_targets();

// ---- bounds (each with its reason) -----------------------------------------------------------------------------
// LoRA rank: above every hidden size in the catalogue of published models (DeepSeek-V3: 7,168; Llama-3.1-405B:
// 16,384), a rank beyond the matrix's own width is meaningless; keeps r × (in + out) far from overflow.
constexpr uint32_t kMaxLoraRank = 16'384;
// Micro-batch: sequences per GPU per step; beyond 65,536 no published recipe goes and tokens × vocab × 4 B stays
// within 64 bits at the largest sequence below.
constexpr uint32_t kMaxMicroBatch = 65'536;
// Sequence length: 2^24 tokens is above every published context window (Llama 4 Scout: 10M).
constexpr uint64_t kMaxSeqTokens = 1ull << 24;
// GPUs: above the largest published training run (Llama 3: 16,384 H100s, arXiv 2407.21783 §3.3).
constexpr uint32_t kMaxTrainGpus = 65'536;
// Glob patterns: a user list longer than this is not a target list (the default has 28 names).
constexpr size_t kMaxTargetPatterns = 256;
// NF4 blocks (bitsandbytes Params4bit blocksize) and the second-level blocks of double quantization.
constexpr uint64_t kNf4BlockElements = 64;
constexpr uint64_t kNf4DoubleQuantBlocks = 256;
// LoRA dropout: a probability in [0, 1); 1 would drop every input (torch.nn.Dropout refuses p outside [0, 1]).
constexpr double kMaxLoraDropout = 1.0;

// ---- options and result ----------------------------------------------------------------------------------------

struct TrainingOptions {
    TrainMethod method = TrainMethod::lora;
    bool double_quant = true;                    // QLoRA: absmax quantized to 8 bit (bnb_4bit_use_double_quant)
    uint32_t lora_rank = 16;                     // r (alpha scales, it costs nothing)
    std::vector<std::string> lora_targets;       // glob patterns over module / tensor names; empty = the default
    std::vector<std::string> trainable_modules;  // freeze: the only modules trained (glob patterns, as above)
    bool adapters_fp32 = true;  // PEFT casts 16-bit adapters to fp32 (autocast_adapter_dtype); torchtune, litgpt: no
    // QLoRA through PEFT's prepare_model_for_kbit_training: every 16-bit parameter left unquantized (embeddings,
    // norms, the output head) is upcast to fp32. torchtune, litgpt and fms-acceleration's own prepare do not.
    bool kbit_fp32_upcast = false;
    // QLoRA as Lightning's BitsandbytesPrecision runs it (litgpt): every nn.Linear becomes 4-bit, the output head
    // included, each quantized from an fp16 cast, so its matmul dequantizes to fp16 and casts to the compute dtype
    // (two copies of the layer at once). transformers, PEFT/TRL, fms-acceleration: off (head kept, one copy).
    bool nf4_every_linear = false;
    // Dropout on every adapter's input (PEFT LoraConfig lora_dropout, default 0.0; litgpt, torchtune: the same
    // name). Above 0 each adapted Linear saves its own dropped copy and a 1-byte mask for backward.
    double lora_dropout = 0.0;
    // The decoder's Linears as litgpt builds them: q, k and v as one fused Linear with one adapter input (attn.attn,
    // LoRAQKVLinear), a checkpoint's fused gate_up_proj as two (fc_1, fc_2, each with its own adapter input); off:
    // one adapter per Linear as the checkpoint names them (PEFT, torchtune).
    bool litgpt_modules = false;
    // A separate output head although the checkpoint ties it to the embedding (litgpt: lm_head is its own
    // nn.Linear and convert_hf_checkpoint copies the tied embedding into it).
    bool untie_head = false;
    // K and V repeated to every query head before SDPA in training (litgpt 5895df1 model.py CausalSelfAttention:
    // "k = k.expand(B, self.config.n_query_groups, q_per_kv, T, ...)" when n_query_groups != n_head and there is no
    // KV cache, "training: flash attention requires it"), so SDPA saves n_head-wide K and V. Off: the KV heads.
    bool repeat_kv = false;
    // litgpt's LoRA loss (finetune/lora.py "logits = model(input_ids, lm_head_chunk_size=128)", utils.py
    // chunked_cross_entropy): the head's output kept in 128-token chunks at compute width, every chunk's
    // compute-width log-softmax kept for backward, two chunk-sized temporaries in backward, and the previous step's
    // logits held until the next forward returns. Takes precedence over chunked_loss.
    bool litgpt_loss = false;
    // QLoRA with the norms' weights left in fp32, as TRL 0.13's SFTTrainer leaves them on one GPU (PEFT
    // prepare_model_for_kbit_training upcasts every non-4-bit parameter, then trl/trainer/utils.py
    // peft_module_casting_to_bf16 returns embeddings and head to bf16 and keeps every "norm" module fp32): a norm's
    // output is fp32, bitsandbytes' Linear4bit returns its input's dtype ("out = out.to(inp_dtype)"), so the MLP's
    // intermediates and, from the first MLP's residual add on, the residual stream are fp32.
    bool fp32_norms = false;
    // Gradient accumulation over several micro-batches with the gradient sync skipped on all but the last (litgpt
    // finetune/full.py "with fabric.no_backward_sync(model, enabled=is_accumulating)", which Lightning's FSDP
    // strategy maps to module.no_sync()): every later micro-batch's backward runs beside the whole gradient
    // accumulated so far, unsharded even under FSDP (torch FSDP.no_sync: "FSDP will accumulate the full model
    // gradients (instead of gradient shards) until the eventual sync").
    bool no_sync_accumulation = false;
    TrainPrecision precision = TrainPrecision::bf16_mixed;
    Optimizer optimizer = Optimizer::adamw;
    bool gradient_checkpointing = false;
    uint32_t micro_batch = 1;    // sequences per GPU per step
    uint64_t seq_tokens = 2048;  // tokens per sequence
    TrainAttention attention = TrainAttention::sdpa;
    bool chunked_loss = false;  // the loss computed over chunks of the logits
    uint32_t n_gpus = 1;
    Distribution distribution = Distribution::ddp;
    Offload offload = Offload::none;
};

// One weight tensor as training sees it: the Model keeps only compact records, training needs names and shapes.
struct TrainTensor {
    std::string name;
    std::vector<uint64_t> shape;
    DType dtype = DType::unknown;
    uint8_t flags = 0;    // TensorFlags of the Model's record
    uint64_t bytes = 0;   // stored
    uint64_t params = 0;  // logical
    int32_t layer = -1;   // decoder layer from the name (layers.N., h.N., blocks.N.); -1 outside the layers
    bool in_llm = true;   // in the Model's root component (not a vision tower or projector)
};

struct TrainTensors {
    Error error;
    std::vector<TrainTensor> tensors;
};
// Re-reads the headers of the files the Model was built from (its components' files, in its order).
TrainTensors training_tensors(const RepoSnapshot& snapshot, const Model& model);

struct LayerActivation {
    int32_t layer = 0;
    bool moe = false;
    uint64_t saved_bytes = 0;          // without checkpointing: everything autograd keeps for backward
    uint64_t scores_bytes = 0;         // of which eager attention's probabilities
    uint64_t adapter_input_bytes = 0;  // of which the adapters' own copies of their inputs (dropout, PEFT's cast)
};

struct TrainingParts {  // one GPU (or the host)
    uint64_t weights_bytes = 0;
    uint64_t adapter_bytes = 0;
    uint64_t gradient_bytes = 0;
    uint64_t optimizer_bytes = 0;  // states + master weights
    uint64_t activation_bytes = 0;
    uint64_t logits_bytes = 0;
    uint64_t overhead_bytes = 0;
    uint64_t total_bytes = 0;
};

// One catalog GPU in the training fit table: does the step fit at the options' GPU count, and how many GPUs of it
// would (the per-GPU peak at each of kTrainFitCounts, distributed as the options say).
inline constexpr uint32_t kTrainFitCounts[] = {1, 2, 4, 8, 16, 32, 64};
struct TrainGpuFitRow {
    const GpuInfo* gpu = nullptr;
    bool fits = false;                 // at the options' n_gpus
    uint32_t gpus_needed = 0;          // the smallest of kTrainFitCounts whose per-GPU peak fits; 0 = none
    uint64_t per_gpu_total_bytes = 0;  // the per-GPU peak at gpus_needed (at the options' count when none fits)
};

struct TrainingEstimate {
    Error error;
    TrainingOptions options;
    std::vector<std::string> lora_targets;  // the patterns used (the default when none were given)
    // Parameters, whole model.
    uint64_t params = 0;            // logical parameters of the checkpoint
    uint64_t trainable_params = 0;  // adapters, or the trained base tensors
    uint64_t frozen_params = 0;
    uint64_t adapter_params = 0;
    uint64_t n_matched_tensors = 0;          // LoRA targets / trainable_modules matched
    std::vector<std::string> matched_names;  // the first few
    uint64_t n_quantized_tensors = 0;        // QLoRA: tensors quantized to NF4
    // Whole model, before distribution.
    uint64_t weights_bytes = 0;
    uint64_t quant_constants_bytes = 0;  // QLoRA: absmax (and the second level), inside weights_bytes
    uint64_t adapter_bytes = 0;          // adapter weights (their gradients are in gradient_bytes)
    uint64_t gradient_bytes = 0;
    uint64_t master_bytes = 0;  // fp32 master copy, inside optimizer_bytes
    uint64_t optimizer_bytes = 0;
    // Per GPU, after distribution and offload, at the options' micro-batch and sequence.
    TrainingParts per_gpu;
    TrainingParts host;                    // CPU offload
    uint64_t tokens = 0;                   // micro_batch × seq_tokens
    uint64_t activation_bytes = 0;         // per GPU at the options' tokens, whichever phase peaks
    uint64_t logits_bytes = 0;             // per GPU at the options' tokens, whichever phase peaks
    uint64_t checkpoint_bytes = 0;         // with gradient checkpointing: the saved layer inputs
    uint64_t recompute_bytes = 0;          // with gradient checkpointing: the largest layer recomputed
    uint64_t ddp_bucket_bytes = 0;         // inside per_gpu.gradient_bytes
    uint64_t step_temp_bytes = 0;          // whole model: the optimizer step's temporaries (torch foreach AdamW)
    uint64_t backward_gradient_bytes = 0;  // whole model: gradients alive while every activation still is
    uint64_t root_gradient_bytes = 0;      // whole model: gradients of trained tensors outside the decoder layers
    // The two candidate peaks per GPU: at the start of backward (activations, logits, the first gradients) and
    // at the optimizer step (every gradient, the step's temporaries, no activations). per_gpu is the larger.
    uint64_t backward_peak_bytes = 0;
    uint64_t step_peak_bytes = 0;
    // A third, only where a previous step's inputs outlive it (litgpt's QLoRA, option nf4_every_linear): the end
    // of forward, every activation and the output logits plus prior_step_input_bytes; 0 elsewhere.
    uint64_t forward_end_peak_bytes = 0;
    uint64_t prior_step_input_bytes = 0;  // the previous step's 4-bit Linear inputs, inside activation_bytes there
    // A fourth, only under torch FSDP with trained tensors outside the layers (flat_param_views): the end of
    // backward, the outer unit's gradients (head, final norm, embedding) held and concatenated; 0 elsewhere.
    uint64_t backward_end_peak_bytes = 0;
    std::string peak_phase;               // "backward", "optimizer_step", "forward_end" or "backward_end"
    uint64_t gathered_layer_bytes = 0;    // ZeRO-3 / FSDP, inside per_gpu.overhead_bytes
    uint64_t dequant_buffer_bytes = 0;    // QLoRA, inside per_gpu.overhead_bytes
    uint64_t cuda_context_bytes = 0;      // inside per_gpu.overhead_bytes
    std::vector<LayerActivation> layers;  // per decoder layer, at the options' tokens
    std::vector<TrainGpuFitRow> gpu_fit;  // every catalog GPU (the page's and the text report's fit table)
    // With a GPU.
    const GpuInfo* gpu = nullptr;
    bool fits = false;
    uint32_t max_micro_batch_fit = 0;  // at the options' sequence; 0 = not even 1
    uint64_t max_seq_tokens_fit = 0;   // at the options' micro-batch; 0 = not even 1 token; capped at the model's
    std::vector<std::string> assumptions;
    std::vector<std::string> warnings;  // a setting that does nothing (ZeRO-3 on one GPU …)
};

// The estimate. `tensors` come from training_tensors() for this Model. `gpu` may be null (no fit verdict).
TrainingEstimate train_estimate(const Model& model, const TrainTensors& tensors, const TrainingOptions& options,
                                const GpuInfo* gpu);

// The checks that need no model (bounds, offload without sharding, freeze without modules): the option parser
// runs them so that a bad value is refused before any request. train_estimate() runs them again.
Error check_training_options(const TrainingOptions& o);

// Glob match as fnmatch without flags: `*` any run, `?` one character (exposed for the tests and the page).
bool glob_match(std::string_view pattern, std::string_view text);
// A target pattern against a tensor name: the module path is the name without its last component (".weight");
// the pattern matches the whole name, the whole module path, or the module path's last components.
bool target_matches(std::string_view pattern, std::string_view tensor_name);

}  // namespace vram
