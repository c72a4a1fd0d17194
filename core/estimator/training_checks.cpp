// Bad input for the training estimate (bounds, combinations that cannot run, checkpoints training cannot start
// from), and the assumptions and warnings each estimate lists.
#include <cstdio>
#include <string>

#include "estimator/options.hpp"
#include "estimator/training_detail.hpp"

namespace vram::training_detail {
namespace {

Error invalid(const std::string& message) { return make_error(ErrorCode::training_option_invalid, message); }

Error check_bounds(const TrainingOptions& o) {
    if (o.micro_batch == 0) return invalid("micro-batch 0: a training step needs at least 1 sequence per GPU");
    if (o.micro_batch > kMaxMicroBatch)
        return invalid("micro-batch " + std::to_string(o.micro_batch) + " is above the limit of " +
                       std::to_string(kMaxMicroBatch));
    if (o.seq_tokens == 0) return invalid("sequence length 0: a training sequence needs at least 1 token");
    if (o.seq_tokens > kMaxSeqTokens)
        return invalid("sequence length " + std::to_string(o.seq_tokens) + " is above the limit of " +
                       std::to_string(kMaxSeqTokens) + " tokens");
    if (o.n_gpus == 0 || o.n_gpus > kMaxTrainGpus)
        return invalid("n_gpus " + std::to_string(o.n_gpus) + " is outside 1.." + std::to_string(kMaxTrainGpus));
    if (train_method_info(o.method).adapters && (o.lora_rank == 0 || o.lora_rank > kMaxLoraRank))
        return invalid("LoRA rank " + std::to_string(o.lora_rank) + " is outside 1.." + std::to_string(kMaxLoraRank));
    if (!(o.lora_dropout >= 0 && o.lora_dropout < kMaxLoraDropout))
        return invalid("LoRA dropout " + std::to_string(o.lora_dropout) +
                       " is outside [0, 1): a dropout rate is a probability, and 1 would drop every input");
    if (o.lora_targets.size() > kMaxTargetPatterns || o.trainable_modules.size() > kMaxTargetPatterns)
        return invalid("more than " + std::to_string(kMaxTargetPatterns) + " target patterns");
    for (const auto* list : {&o.lora_targets, &o.trainable_modules})
        for (const auto& p : *list)
            if (p.empty()) return invalid("an empty target pattern");
    if (train_method_info(o.method).train_named_only && o.trainable_modules.empty())
        return invalid("method freeze trains only the modules named in trainable_modules, and none was given");
    const DistributionInfo& d = distribution_info(o.distribution);
    const OffloadInfo& off = offload_info(o.offload);
    if ((off.optimizer_to_host || off.parameters_to_host) && !d.shards_optimizer)
        return invalid("offload " + std::string(off.name) + " needs ZeRO or FSDP (DDP keeps everything on the GPU)");
    if (off.parameters_to_host && !d.shards_parameters)
        return invalid("offload parameters needs ZeRO-3 or FSDP (" + std::string(d.name) +
                       " does not shard the parameters)");
    return {};
}

}  // namespace

Error check_options(const Model& m, const TrainingOptions& o) {
    if (m.layout == "gguf")
        return make_error(ErrorCode::training_unsupported,
                          "fine-tuning estimates read safetensors checkpoints; " + m.repo_id + " has only GGUF files");
    if (!m.has_llm || m.arch.layers.empty() || m.arch.hidden_size == 0)
        return make_error(ErrorCode::training_unsupported,
                          "fine-tuning is modelled for decoder language models (a config.json with layers, hidden size "
                          "and heads); " +
                              m.repo_id + " has none" + (m.model_class.empty() ? "" : " (" + m.model_class + ")"));
    if (Error e = check_bounds(o)) return e;
    // QLoRA quantizes a floating checkpoint at load time; bitsandbytes 4-bit checkpoints are already that.
    if (train_method_info(o.method).base_nf4 && !m.quant.method.empty() &&
        !(m.quant.method == "bitsandbytes" && m.quant.load_in_4bit))
        return make_error(ErrorCode::quantized_base,
                          "QLoRA quantizes a 16-bit checkpoint to NF4 when it loads; " + m.repo_id + " is already " +
                              m.quant.summary +
                              " and cannot be re-quantized — use method lora (adapters over the "
                              "quantized base) or the model's 16-bit original");
    return {};
}

void explain(const Model& m, TrainingEstimate& e) {
    const TrainingOptions& o = e.options;
    const TrainMethodInfo& method = train_method_info(o.method);
    const TrainPrecisionInfo& p = train_precision_info(o.precision);
    const OptimizerInfo& opt = optimizer_info(o.optimizer);
    const DistributionInfo& d = distribution_info(o.distribution);
    auto say = [&](std::string s) { e.assumptions.push_back(std::move(s)); };
    say(std::string("method ") + method.name + ": " + method.description + " (" + method.source + ")");
    say(std::string("precision ") + p.name + ": " + p.description + " (" + p.source + ")");
    say(std::string("optimizer ") + opt.name + ": " + opt.description + " (" + opt.source + ")");
    if (p.cast_copies)
        say(std::string("autocast over ") + std::to_string(p.weight_bytes * 8) +
            "-bit weights: each Linear saves its compute-width copy of the weight for backward (addmm/mm save mat2), "
            "counted in every layer without checkpointing and in the recomputed one with it, and the head's; not "
            "counted: 3-D fused experts' copies and autocast's cache of the trained weights' copies, which lives until "
            "the forward's autocast region ends");
    if (opt.paged)
        say("paged optimizer states are counted on the GPU: they move to host memory only when the GPU runs short");
    if (method.adapters) {
        char p_text[32];
        std::snprintf(p_text, sizeof p_text, "%g", o.lora_dropout);
        say(o.lora_dropout > 0
                ? std::string("LoRA dropout ") + p_text +
                      ": every adapted Linear saves its dropped input (compute width) and a 1-byte mask (PEFT "
                      "lora/layer.py Linear.forward, litgpt lora.py LoRALinear, torchtune LoRALinear)"
                : std::string("LoRA dropout 0 (PEFT's LoraConfig default): the adapters share their Linear's input"));
        say("a frozen Linear keeps no input for backward (its weight needs no gradient); a LoRA run keeps a Linear's "
            "input only for its adapters, for another reader (SDPA's output) or under bitsandbytes 0.42.0 (option "
            "nf4_every_linear); adapters' inputs on routed experts and on unnamed projections are not counted; "
            "the r-wide intermediate is not counted");
        if (o.adapters_fp32)
            say("PEFT casts an adapter's input to the adapter's fp32 dtype (\"x = x.to(lora_A.weight.dtype)\", PEFT "
                "0.13.2 lora/layer.py): each adapter on a 16-bit Linear saves its own copy (fp32 without autocast); "
                "4-bit layers cast only without autocast (lora/bnb.py), which QLoRA recipes run under: not counted");
        if (o.litgpt_modules)
            say("litgpt's Linears: one adapter input per layer for q, k and v (LoRAQKVLinear), two for a fused "
                "gate_up_proj (fc_1, fc_2)");
    }
    if (method.base_nf4)
        say(std::string("NF4: 0.5 B/param + ") +
            (o.double_quant ? "1 B per 64-block absmax + fp32 per 256 blocks (double quantization)"
                            : "fp32 absmax per 64-block") +
            (o.nf4_every_linear
                 ? "; embeddings, norms and 3-D fused experts stay at the compute width"
                 : "; embeddings, the output head, norms and 3-D fused experts stay at the compute width"));
    if (method.base_nf4 && o.nf4_every_linear)
        say("every Linear in NF4, the output head too, as Lightning's BitsandbytesPrecision (litgpt) swaps them; "
            "it quantizes from an fp16 cast, so a matmul holds the fp16 dequantized weight and its compute-width "
            "copy at once (lightning 2.3 fabric/plugins/precision/bitsandbytes.py, bitsandbytes 0.42 MatMul4Bit); "
            "a head tied to the embedding in the checkpoint, which litgpt keeps as a separate tensor, is counted "
            "only with option untie_head");
    if (method.adapters && method.base_nf4 && o.nf4_every_linear)
        say("bitsandbytes 0.42.0 keeps each 4-bit Linear's input on ctx (MatMul4Bit \"ctx.tensors = (A, B)\"), "
            "which backward does not free (torch: save_for_backward \"as opposed to directly on ctx\" prevents "
            "memory leaks), and litgpt's loop holds the previous step's graph until the next forward returns "
            "(finetune/lora.py \"logits = model(input_ids, lm_head_chunk_size=128)\"): a third candidate peak, the "
            "end of forward, with every activation, the output logits and the previous step's 4-bit inputs, taken "
            "at the same tokens");
    if (method.base_nf4 && o.fp32_norms)
        say("norms kept in fp32 (TRL 0.13 sft_trainer.py on one GPU: PEFT prepare_model_for_kbit_training, then "
            "trl/trainer/utils.py peft_module_casting_to_bf16 keeps every \"norm\" module fp32): bitsandbytes' "
            "Linear4bit returns its input's dtype, so the residual stream is fp32 from the first MLP on and every "
            "later checkpointed layer input is fp32; the recomputed layer's fp32 MLP intermediates are not counted");
    if (o.no_sync_accumulation)
        say("gradient accumulation under no_sync (litgpt finetune/*.py fabric.no_backward_sync; torch FSDP.no_sync "
            "\"will accumulate the full model gradients (instead of gradient shards)\"): backward starts beside the "
            "whole accumulated gradient on every GPU; the step's gradients are sharded again");
    if (method.base_nf4 && o.kbit_fp32_upcast)
        say("PEFT prepare_model_for_kbit_training: the unquantized 16-bit parameters (embeddings, norms, output head) "
            "upcast to fp32 (PEFT 0.17 src/peft/utils/other.py); the fp32 hidden states this can cause are not "
            "counted");
    say("activations: what autograd saves per decoder layer (fp32 RMSNorm upcasts, Q/K/V after RoPE, attention "
        "output, MLP intermediates, MoE routing); transient buffers of backward are not counted");
    if (o.gradient_checkpointing)
        say("gradient checkpointing as transformers applies it: one checkpoint per decoder layer (its input), one "
            "layer recomputed at a time (torch.utils.checkpoint, non-reentrant)");
    if (train_attention_info(o.attention).saves_scores && m.arch.attention_softcapping)
        say("eager attention with logit soft-capping (attn_logit_softcapping, Gemma 2): tanh's output per score is "
            "kept beside the fp32 softmax and its cast (litgpt model.py, transformers' Gemma 2 eager path)");
    if (!train_attention_info(o.attention).saves_scores)
        say(o.repeat_kv ? "sdpa with K and V repeated to every query head before the kernel, as litgpt trains "
                          "(model.py CausalSelfAttention: k.expand(...) when n_query_groups != n_head and no KV "
                          "cache): SDPA saves n_head-wide K and V"
                        : "sdpa: grouped K/V heads kept as they are (FlashAttention); transformers' SDPA path "
                          "repeats them to every query head when it passes a mask");
    if (o.litgpt_loss)
        say("logits: litgpt's LoRA loss (finetune/lora.py lm_head_chunk_size=128, utils.py chunked_cross_entropy): "
            "the head's compute-width output and every chunk's compute-width log-softmax kept (2 × compute width "
            "per logit), two 128-token chunks of temporaries in backward, and the previous step's logits held until "
            "the next forward returns (a candidate peak at the end of forward)");
    else
        say(o.chunked_loss ? "logits: chunked cross-entropy in 8 chunks (torchtune CEWithChunkedOutputLoss)"
                           : "logits: the compute-width logits, their fp32 upcast and the fp32 log-softmax "
                             "(transformers ForCausalLMLoss)");
    say("peak: the larger of the start of backward (activations, logits, the head's gradients) and the optimizer "
        "step (every gradient and the step's temporaries, activations freed)" +
        std::string(e.forward_end_peak_bytes ? ", or the end of forward above" : "") +
        std::string(e.backward_end_peak_bytes ? ", or the end of backward below" : "") + ": " + e.peak_phase +
        " here; no optimizer step fused into backward");
    say("overhead: CUDA context 0.51 GiB (measured on an H100, core/estimator/estimate.cpp)");
    if (m.arch.encoder_decoder)
        say("encoder-decoder: only the decoder's layers are counted (encoder layers and cross-attention are not)");
    if (o.n_gpus == 1 && o.distribution != Distribution::ddp && o.offload == Offload::none)
        e.warnings.push_back(std::string(d.label) +
                             " on one GPU shards nothing: a no-op here, the figures are those of one GPU");
    if (d.flat_param_views && e.root_gradient_bytes)
        say("FSDP's flat parameters: a unit's parameters are views of one flat tensor (torch.split), so the outer "
            "unit's gradients (head, final norm, embedding) wait for the last of them and are concatenated into one "
            "flat gradient: at the end of backward the pieces and the whole are alive beside the gradients so far, a "
            "candidate peak (torch 2.2–2.5 fsdp/_flat_param.py _get_unflat_views_aligned; autograd "
            "split_with_sizes_backward)");
    if (o.distribution == Distribution::ddp && o.n_gpus > 1)
        say("DDP gradient buckets: a second copy of the gradients (gradient_as_bucket_view=False)");
    if (e.host.total_bytes)
        say("host memory is that of all ranks together (one node), beside the pinned buffers not counted");
    for (auto& w : unread_training_options(o)) e.warnings.push_back(std::move(w));
}

}  // namespace vram::training_detail

namespace vram {
Error check_training_options(const TrainingOptions& o) { return training_detail::check_bounds(o); }
}  // namespace vram
