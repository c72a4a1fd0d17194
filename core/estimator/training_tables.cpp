// The fine-tuning option tables (training.hpp): one row per choice, with what it costs and where that comes from.
// docs/training.md explains each rule; the versions named are those the rules were read from.
#include <array>

#include "estimator/training.hpp"

namespace vram {
namespace {

template <typename Row, typename Id>
bool parse_row(const std::vector<Row>& rows, std::string_view text, Id& out) {
    for (const Row& r : rows)
        if (text == r.name) {
            out = r.id;
            return true;
        }
    return false;
}

}  // namespace

const std::vector<TrainMethodInfo>& train_methods() {
    static const std::vector<TrainMethodInfo> rows = {
        {TrainMethod::full, "full", "Full fine-tune", false, false, false,
         "every weight is trained: gradients and optimizer states for all parameters",
         "transformers Trainer (src/transformers/trainer.py, v4.57)"},
        {TrainMethod::lora, "lora", "LoRA", true, false, false,
         "base frozen at the precision's width; low-rank A (r x in) and B (out x r) trained beside each target",
         "PEFT 0.17 src/peft/tuners/lora/layer.py (LoraLayer.update_layer); Hu et al. 2021, arXiv 2106.09685"},
        {TrainMethod::qlora, "qlora", "QLoRA (4-bit NF4 base)", true, true, false,
         "base Linear weights quantized to NF4 at load (0.5 B/param + absmax per 64), LoRA adapters trained",
         "bitsandbytes 0.45 bitsandbytes/nn/modules.py (Params4bit, blocksize 64), functional.py quantize_4bit; "
         "Dettmers et al. 2023, arXiv 2305.14314 §3"},
        {TrainMethod::freeze, "freeze", "Freeze (train named modules)", false, false, true,
         "only the modules named in trainable_modules are trained; the rest is frozen",
         "requires_grad_(False) on the other parameters (torch.nn.Module.requires_grad_)"},
    };
    return rows;
}
const TrainMethodInfo& train_method_info(TrainMethod m) { return train_methods()[static_cast<size_t>(m)]; }

const std::vector<TrainPrecisionInfo>& train_precisions() {
    // frozen, weight, master, grad, adapter, state, activation (bytes)
    static const std::vector<TrainPrecisionInfo> rows = {
        {TrainPrecision::fp32, "fp32", "fp32", 4, 4, 0, 4, 4, 4, 4, false, false,
         "fp32 weights, gradients, optimizer states and activations",
         "transformers docs/source/en/model_memory_anatomy.md (v4.57): 4 B weights + 4 B gradients + 8 B AdamW"},
        {TrainPrecision::bf16_mixed, "bf16-mixed", "bf16 mixed, fp32 master", 2, 2, 4, 2, 4, 4, 2, true, false,
         "bf16 working weights and gradients, an fp32 master copy and fp32 optimizer states; bf16 activations",
         "ZeRO, Rajbhandari et al. 2019, arXiv 1910.02054 §3.1 (2 + 2 + 12 B per parameter with Adam); PEFT 0.17 "
         "tuners_utils.py cast_adapter_dtype (adapters in fp32 under autocast)"},
        {TrainPrecision::fp16_mixed, "fp16-mixed", "fp16 mixed, fp32 master", 2, 2, 4, 2, 4, 4, 2, true, false,
         "fp16 working weights and gradients, an fp32 master copy and fp32 optimizer states; fp16 activations",
         "ZeRO, arXiv 1910.02054 §3.1; Micikevicius et al. 2017, arXiv 1710.03740 (master copy, loss scaling)"},
        {TrainPrecision::bf16, "bf16", "pure bf16 (no master)", 2, 2, 0, 2, 2, 2, 2, false, false,
         "bf16 weights, gradients, adapters and optimizer states (states take the parameter's dtype); no fp32 copy",
         "torchtune 0.6 recipes/full_finetune_single_device.py (dtype: bf16); torch 2.5 torch/optim/adamw.py "
         "(_init_group: exp_avg = torch.zeros_like(p))"},
        {TrainPrecision::fp16, "fp16", "pure fp16 (no master)", 2, 2, 0, 2, 2, 2, 2, false, false,
         "fp16 weights, gradients and optimizer states; no fp32 copy",
         "torch 2.5 torch/optim/adamw.py (states take the parameter's dtype)"},
        // Mixed precision without a separate master copy: the weights themselves are fp32 and the matmuls run in
        // bf16/fp16 under autocast (transformers' Trainer with bf16=True / fp16=True over a model loaded in fp32).
        {TrainPrecision::bf16_amp, "bf16-amp", "bf16 autocast, fp32 weights (no master)", 4, 4, 0, 4, 4, 4, 2, true,
         true,
         "fp32 weights, gradients and optimizer states, the weights being the optimizer's own (no separate master); "
         "matmuls in bf16 under torch.autocast, each saving the bf16 copy of its weight for backward",
         "torch 2.5 aten/src/ATen/autocast_mode.cpp (linear, matmul at lower_precision_fp: the weight cast to the "
         "compute dtype) and torch/csrc/autograd derivatives.yaml (addmm/mm save mat2 for the input's gradient); "
         "transformers 4.57 trainer.py (autocast_smart_context_manager, bf16=True)"},
        {TrainPrecision::fp16_amp, "fp16-amp", "fp16 autocast, fp32 weights (no master)", 4, 4, 0, 4, 4, 4, 2, true,
         true,
         "fp32 weights, gradients and optimizer states (no separate master); matmuls in fp16 under torch.autocast "
         "with a loss scaler, each saving the fp16 copy of its weight for backward",
         "torch 2.5 aten/src/ATen/autocast_mode.cpp, torch/amp/grad_scaler.py; transformers 4.57 trainer.py "
         "(fp16=True)"},
    };
    return rows;
}
const TrainPrecisionInfo& train_precision_info(TrainPrecision p) { return train_precisions()[static_cast<size_t>(p)]; }

const std::vector<OptimizerInfo>& optimizers() {
    static const std::vector<OptimizerInfo> rows = {
        {Optimizer::adamw, "adamw", "AdamW", StateRule::per_param, 2, 0, 0, false, false, 1,
         "two states per parameter (exp_avg, exp_avg_sq) at the precision's state width; the default foreach step "
         "allocates one more state-sized tensor over every parameter (exp_avg_sq_sqrt, then denom)",
         "torch 2.5 torch/optim/adamw.py (_init_group; _multi_tensor_adamw: torch._foreach_sqrt(exp_avg_sqs))"},
        {Optimizer::adamw_8bit, "adamw_8bit", "AdamW 8-bit", StateRule::blockwise_8bit, 2, 256, 4096, false, false, 0,
         "two uint8 states + an fp32 absmax per 256 elements; tensors under 4,096 elements keep fp32 states; the "
         "fused kernel updates in place",
         "bitsandbytes 0.45 bitsandbytes/optim/optimizer.py (Optimizer8bit.init_state: min_8bit_size 4096, "
         "blockwise absmax1/absmax2 per 256); Dettmers et al. 2021, arXiv 2110.02861"},
        {Optimizer::paged_adamw_8bit, "paged_adamw_8bit", "Paged AdamW 8-bit", StateRule::blockwise_8bit, 2, 256, 4096,
         true, false, 0, "as AdamW 8-bit, in CUDA unified memory that is paged to host memory when the GPU runs short",
         "bitsandbytes 0.45 bitsandbytes/optim/adamw.py (PagedAdamW8bit, is_paged=True)"},
        {Optimizer::adafactor, "adafactor", "Adafactor", StateRule::factored, 1, 0, 0, false, false, 0,
         "factored second moment: a row and a column vector per matrix from its real shape; no first moment",
         "transformers 4.57 src/transformers/optimization.py (Adafactor: exp_avg_sq_row/col, beta1=None); "
         "Shazeer & Stern 2018, arXiv 1804.04235"},
        {Optimizer::sgd, "sgd", "SGD", StateRule::per_param, 0, 0, 0, false, false, 0, "no state",
         "torch 2.5 torch/optim/sgd.py (momentum 0: no momentum_buffer)"},
        {Optimizer::sgd_momentum, "sgd_momentum", "SGD with momentum", StateRule::per_param, 1, 0, 0, false, false, 0,
         "one momentum buffer per parameter", "torch 2.5 torch/optim/sgd.py (momentum_buffer)"},
        {Optimizer::lion, "lion", "Lion", StateRule::per_param, 1, 0, 0, false, false, 0,
         "one state per parameter (exp_avg)",
         "Chen et al. 2023, arXiv 2302.06675 Alg. 1; bitsandbytes 0.45 bitsandbytes/optim/lion.py (Lion32bit)"},
        {Optimizer::paged_adamw, "paged_adamw", "Paged AdamW (32-bit)", StateRule::per_param, 2, 0, 0, true, true, 0,
         "bitsandbytes' 32-bit paged AdamW: two fp32 states whatever the parameter's dtype, in paged memory",
         "bitsandbytes 0.45 bitsandbytes/optim/optimizer.py (Optimizer2State.init_state, optim_bits 32: state1, "
         "state2 fp32), adamw.py (PagedAdamW)"},
    };
    return rows;
}
const OptimizerInfo& optimizer_info(Optimizer o) { return optimizers()[static_cast<size_t>(o)]; }

const std::vector<TrainAttentionInfo>& train_attentions() {
    static const std::vector<TrainAttentionInfo> rows = {
        {TrainAttention::sdpa, "sdpa", "SDPA / FlashAttention", false,
         "fused attention: saves Q, K, V, the output and a log-sum-exp per head and token, never the scores",
         "flash-attn 2.7 flash_attn_interface.py (ctx.save_for_backward(q, k, v, out, softmax_lse)); torch 2.5 "
         "scaled_dot_product_attention"},
        {TrainAttention::eager, "eager", "eager", true,
         "matmul + softmax: saves the batch x heads x seq^2 probabilities (fp32 softmax and its cast) and K, V "
         "repeated to every query head",
         "transformers 4.57 src/transformers/models/llama/modeling_llama.py (eager_attention_forward, repeat_kv)"},
    };
    return rows;
}
const TrainAttentionInfo& train_attention_info(TrainAttention a) { return train_attentions()[static_cast<size_t>(a)]; }

const std::vector<DistributionInfo>& distributions() {
    static const std::vector<DistributionInfo> rows = {
        {Distribution::ddp, "ddp", "DDP (replicated)", false, false, false, true, false,
         "every GPU holds everything; gradient buckets hold a second copy of the gradients",
         "torch 2.5 torch/nn/parallel/distributed.py (gradient_as_bucket_view=False by default: buckets are a copy "
         "of the gradients)"},
        {Distribution::zero1, "zero1", "ZeRO-1", true, false, false, false, false,
         "optimizer states and fp32 master weights sharded over the GPUs",
         "ZeRO, arXiv 1910.02054 §5.1 (P_os); DeepSpeed 0.16 zero_optimization.stage 1"},
        {Distribution::zero2, "zero2", "ZeRO-2", true, true, false, false, false, "also the gradients sharded",
         "ZeRO, arXiv 1910.02054 §5.2 (P_os+g); DeepSpeed 0.16 stage 2"},
        {Distribution::zero3, "zero3", "ZeRO-3", true, true, true, false, false,
         "also the parameters sharded, gathered one layer at a time (two in flight with prefetch)",
         "ZeRO, arXiv 1910.02054 §5.3 (P_os+g+p); DeepSpeed 0.16 stage 3"},
        {Distribution::fsdp, "fsdp", "FSDP (full shard)", true, true, true, false, true,
         "PyTorch FSDP FULL_SHARD, one unit per decoder layer: as ZeRO-3",
         "torch 2.5 torch/distributed/fsdp (ShardingStrategy.FULL_SHARD, forward/backward prefetch of one unit)"},
    };
    return rows;
}
const DistributionInfo& distribution_info(Distribution d) { return distributions()[static_cast<size_t>(d)]; }

const std::vector<OffloadInfo>& offloads() {
    static const std::vector<OffloadInfo> rows = {
        {Offload::none, "none", "none", false, false, "everything on the GPU", ""},
        {Offload::optimizer, "optimizer", "optimizer states to CPU", true, false,
         "optimizer states and fp32 master weights in host memory; the optimizer step runs on the CPU",
         "ZeRO-Offload, Ren et al. 2021, arXiv 2101.06840; DeepSpeed 0.16 offload_optimizer"},
        {Offload::parameters, "parameters", "optimizer states and parameters to CPU", true, true,
         "also the sharded parameters in host memory (ZeRO-3 / FSDP only), gathered to the GPU a layer at a time",
         "ZeRO-Infinity, Rajbhandari et al. 2021, arXiv 2104.07857; DeepSpeed 0.16 offload_param; torch FSDP "
         "CPUOffload(offload_params=True)"},
    };
    return rows;
}
const OffloadInfo& offload_info(Offload o) { return offloads()[static_cast<size_t>(o)]; }

bool parse_train_method(std::string_view text, TrainMethod& out) { return parse_row(train_methods(), text, out); }
bool parse_train_precision(std::string_view text, TrainPrecision& out) {
    return parse_row(train_precisions(), text, out);
}
bool parse_optimizer(std::string_view text, Optimizer& out) { return parse_row(optimizers(), text, out); }
bool parse_train_attention(std::string_view text, TrainAttention& out) {
    return parse_row(train_attentions(), text, out);
}
bool parse_distribution(std::string_view text, Distribution& out) { return parse_row(distributions(), text, out); }
bool parse_offload(std::string_view text, Offload& out) { return parse_row(offloads(), text, out); }

const std::vector<const char*>& default_lora_targets() {
    // Attention and MLP projections by family (transformers 4.57 src/transformers/models/*/modeling_*.py):
    // Llama/Mistral/Qwen/Gemma q/k/v/o_proj + gate/up/down_proj; Phi-3 qkv_proj, gate_up_proj; GPT-2 c_attn,
    // c_proj, c_fc; GPT-NeoX/Falcon/BLOOM query_key_value, dense, dense_h_to_4h, dense_4h_to_h; Mixtral experts
    // w1/w2/w3; OPT/Phi fc1/fc2 and out_proj; DeepSeek MLA q_a/q_b_proj, kv_a_proj_with_mqa, kv_b_proj; GPT-J
    // fc_in/fc_out. The QLoRA paper trains adapters on every such Linear layer (arXiv 2305.14314 §4).
    static const std::vector<const char*> rows = {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "qkv_proj",
        "out_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
        "gate_up_proj",
        "c_attn",
        "c_proj",
        "c_fc",
        "query_key_value",
        "dense",
        "dense_h_to_4h",
        "dense_4h_to_h",
        "w1",
        "w2",
        "w3",
        "fc1",
        "fc2",
        "fc_in",
        "fc_out",
        "q_a_proj",
        "q_b_proj",
        "kv_a_proj_with_mqa",
        "kv_b_proj",
    };
    return rows;
}

}  // namespace vram
