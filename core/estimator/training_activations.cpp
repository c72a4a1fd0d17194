// The parts of the training estimate that depend on the tokens (activations per decoder layer, the logits), the
// distribution over GPUs and offload, and the fit. Saved tensors follow transformers 4.57's Llama-family modules
// (models/llama/modeling_llama.py: LlamaRMSNorm upcasts to fp32, q/k/v after RoPE, attention output, SwiGLU
// intermediates; MoE blocks as models/mixtral/modeling_mixtral.py routes them); docs/training.md derives them.
#include <algorithm>
#include <array>
#include <string>

#include "estimator/search.hpp"
#include "estimator/training_detail.hpp"

namespace vram::training_detail {
namespace {

// CUDA context and library handles before the first tensor: 0.51 GiB measured on an H100 (the same constant as
// core/estimator/estimate.cpp kCudaContextBytes, from vLLM 0.19's "non_torch_memory=0.51GiB" log line).
constexpr uint64_t kCudaContextBytes = (51ull << 30) / 100;
// Chunks of torchtune's chunked cross-entropy (torchtune 0.6 modules/loss/ce_chunked_output_loss.py,
// CEWithChunkedOutputLoss num_output_chunks=8): the logits are computed and upcast to fp32 chunk by chunk.
constexpr uint64_t kLossChunks = 8;
// fp32 width: RMSNorm's upcast, the log-softmax, the router softmax, FlashAttention's log-sum-exp.
constexpr uint64_t kF32 = 4;
// Tokens per lm_head chunk in litgpt's LoRA loop (finetune/lora.py @ 5895df1: "lm_head_chunk_size=128").
constexpr uint64_t kLitgptHeadChunkTokens = 128;
// litgpt's loss backward holds two chunk-sized tensors beside the kept ones: nll_loss's dense gradient and the
// log-softmax backward's output, while the chunk's saved log-softmax is not yet released.
constexpr uint64_t kLitgptLossTemporaries = 2;

// What a decoder layer's MLP looks like, read from its tensor names.
struct LayerShape {
    bool moe = false;            // routed experts (".experts." tensors)
    bool gated = true;           // SwiGLU/GeGLU (gate and up); false for fc1/c_fc/dense_h_to_4h MLPs
    uint64_t shared_width = 0;   // shared expert's intermediate width (DeepSeek, Qwen2-MoE), 0 if none
    uint64_t width = 0;          // the dense MLP's intermediate width
    uint32_t extra_norms = 0;    // hidden-width norms beyond the two pre-norms (Gemma 2's post-attention/post-MLP)
    uint64_t linear_params = 0;  // the layer's 2-D floating weights (its Linears; 3-D fused experts apart)
};

std::vector<LayerShape> layer_shapes(const Architecture& a, const TrainTensors& tt, size_t n_layers) {
    std::vector<LayerShape> shapes(n_layers);
    std::vector<bool> plain(n_layers, false);
    // The width from the config, else from the MLP's first Linear: Falcon's config names none (transformers'
    // FalconConfig: ffn_hidden_size None → 4 × hidden_size), its checkpoint stores dense_h_to_4h [18176, 4544].
    std::vector<uint64_t> width(n_layers, a.intermediate_size);
    std::vector<uint32_t> norms(n_layers, 0);
    for (const auto& t : tt.tensors) {
        if (!t.in_llm || t.layer < 0 || static_cast<size_t>(t.layer) >= n_layers) continue;
        LayerShape& s = shapes[static_cast<size_t>(t.layer)];
        const std::string& n = t.name;
        if (n.find(".experts.") != std::string::npos) s.moe = a.n_experts > 0;
        // A norm over the hidden state: a 1-D weight of hidden_size under a module named *norm* (q/k norms are
        // head-wide). Gemma 2 has four (input, post_attention, pre_feedforward, post_feedforward_layernorm).
        const bool norm_weight = t.shape.size() == 1 && t.shape[0] == a.hidden_size &&
                                 n.find("norm") != std::string::npos && n.size() > 7 &&
                                 n.compare(n.size() - 7, 7, ".weight") == 0;
        if (norm_weight) ++norms[static_cast<size_t>(t.layer)];
        if (t.shape.size() == 2 && (t.flags & kFloating)) s.linear_params += t.params;
        if (n.find("fc1.") != std::string::npos || n.find("c_fc.") != std::string::npos ||
            n.find("dense_h_to_4h.") != std::string::npos || n.find("fc_in.") != std::string::npos)
            plain[static_cast<size_t>(t.layer)] = true;
        const bool linear_out =
            n.find("dense_h_to_4h.weight") != std::string::npos || n.find(".fc1.weight") != std::string::npos ||
            n.find(".fc_in.weight") != std::string::npos || n.find(".up_proj.weight") != std::string::npos;
        // GPT-2's c_fc is a Conv1D, stored [in, out].
        if (!a.intermediate_size && t.shape.size() == 2 && n.find(".experts.") == std::string::npos) {
            if (linear_out) width[static_cast<size_t>(t.layer)] = t.shape[0];
            if (n.find("c_fc.weight") != std::string::npos) width[static_cast<size_t>(t.layer)] = t.shape[1];
        }
        if (n.find("shared_expert") != std::string::npos && n.find("up_proj.weight") != std::string::npos &&
            t.shape.size() == 2)
            s.shared_width += t.shape[0];
    }
    for (size_t k = 0; k < n_layers; ++k) {
        shapes[k].gated = !plain[k];
        shapes[k].width = width[k];
        shapes[k].extra_norms = norms[k] > 2 ? norms[k] - 2 : 0;
    }
    return shapes;
}

// Which Linear inputs are kept. A Linear keeps its input only for its weight's gradient (torch autograd saves
// `self` of mm/addmm only when the weight requires grad), so a frozen Linear keeps nothing: in a LoRA run x stays
// for its adapters that share it (AdaptedInputs) or for another reader. keep_all: full and freeze runs (every
// Linear counted as trained, as before), and litgpt's bitsandbytes 0.42.0, whose MatMul4Bit keeps the input of
// every 4-bit Linear ("ctx.tensors = (A, B)", fixed in 0.43.2 by PR #1270; FORMULAS.md §2.3).
struct KeptInputs {
    bool keep_all = true;
    std::array<uint32_t, kLinearInputs> shared{};  // adapters reading x itself, per LinearInput
    uint64_t copy_bytes = 0;                       // per token: the adapters' own copies
    bool kept(LinearInput g) const { return keep_all || shared[static_cast<size_t>(g)] > 0; }
};

// Bytes one decoder layer saves for backward per token (scores apart), at compute width b.
uint64_t layer_bytes_per_token(const Architecture& a, const AttentionLayer& l, const LayerShape& s, uint64_t b,
                               bool eager, bool repeat_kv, const KeptInputs& in) {
    const uint64_t h = a.hidden_size, heads = a.n_heads, d = a.head_dim;
    uint64_t q = heads * d, k = 0, v = 0, o = heads * d;
    if (l.kind == AttentionKind::mla) {
        q = heads * (a.qk_nope_head_dim + a.qk_rope_head_dim);
        k = q;
        v = heads * a.v_head_dim;
        o = v;
    } else {
        // Eager attention and litgpt's training path (option repeat_kv) save K and V repeated to every query head.
        const uint64_t kv = eager || repeat_kv ? heads : (l.n_head_kv ? l.n_head_kv : a.n_kv_heads);
        k = kv * (l.head_dim_k ? l.head_dim_k : d);
        v = kv * (l.head_dim_v ? l.head_dim_v : d);
    }
    const uint64_t norm = h * (kF32 + b);  // fp32 upcast of the input, normalized; the scaled output is x below
    // SDPA (FlashAttention) saves its output, which o_proj reads as it is (transpose(1, 2) of the kernel's
    // [batch, seq, heads, dim] layout is contiguous); eager attention's output is kept only by o_proj.
    const bool out_kept = !eager || in.kept(LinearInput::attention_output);
    uint64_t bytes = norm + (in.kept(LinearInput::attention) ? h * b : 0) + b * (q + k + v) + (out_kept ? b * o : 0) +
                     (eager ? 0 : kF32 * heads);
    bytes += norm + (in.kept(LinearInput::mlp) ? h * b : 0);
    // Gemma 2's post-attention and post-MLP norms (litgpt 2b195c7 model.py Block: "attention_output =
    // self.post_attention_norm(attention_output)", "self.post_mlp_norm(self.mlp(...))"; transformers' Gemma2
    // decoder layer the same) keep their fp32 upcast and normalized tensor as the pre-norms do.
    bytes += s.extra_norms * norm;
    // SwiGLU: gate, up, act(gate), product (down_proj's input); plain: fc out, act out (fc2's input).
    const uint64_t per_mlp = (s.gated ? 3 : 1) + (in.kept(LinearInput::mlp_down) ? 1 : 0);
    bytes += in.copy_bytes;
    if (s.moe) {
        const uint64_t width = a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size;
        const uint64_t k_act = a.n_experts_active ? a.n_experts_active : 1;
        // MoE blocks are counted as before whatever trains: the norm's output and every expert's input kept.
        const uint64_t per_expert = s.gated ? 4 : 2;
        if (!in.kept(LinearInput::mlp)) bytes += h * b;
        bytes += kF32 * a.n_experts + k_act * (2 * h * b + per_expert * width * b);  // router, gathered in/out, expert
        bytes += 4 * s.shared_width * b;
    } else {
        bytes += per_mlp * s.width * b;
    }
    return bytes;
}

// Per token, the inputs of one decoder layer's 4-bit Linears as bitsandbytes 0.42.0's MatMul4Bit holds them
// ("ctx.tensors = (A, B)"): q/k/v's input, the attention output (o_proj's), the MLP input (gate and up, or fc1),
// the MLP's last input; MoE: the router's input and each active expert's input and last input. Parallel blocks
// (Falcon, Phi-2) read one norm output twice: counted twice, as layer_bytes_per_token counts them.
uint64_t nf4_inputs_per_token(const Architecture& a, const LayerShape& s, uint64_t b) {
    const uint64_t h = a.hidden_size, o = a.n_heads * a.head_dim;
    uint64_t n = h + o + h;
    if (s.moe) {
        const uint64_t width = a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size;
        n += (a.n_experts_active ? a.n_experts_active : 1) * (h + width);
    } else {
        n += s.width;
    }
    return n * b;
}

struct Dynamic {
    uint64_t activation_bytes = 0, logits_bytes = 0, checkpoint_bytes = 0, recompute_bytes = 0;
    uint64_t output_logits_bytes = 0;  // the model's output (compute width), alive at the end of forward
    uint64_t prior_input_bytes = 0;    // the previous step's 4-bit Linear inputs, alive until forward returns
    uint64_t prior_logits_bytes = 0;   // litgpt_loss: the previous step's logits, alive until forward returns
};

Dynamic dynamic_bytes(const Model& m, const std::vector<LayerShape>& shapes, const AdaptedInputs& ai,
                      const TrainingOptions& o, std::vector<LayerActivation>* layers) {
    const Architecture& a = m.arch;
    const uint64_t b = train_precision_info(o.precision).activation_bytes;
    const bool eager = train_attention_info(o.attention).saves_scores;
    const uint64_t tokens = mul(o.micro_batch, o.seq_tokens);
    Dynamic d;
    uint64_t sum = 0, largest = 0;
    const TrainMethodInfo& method = train_method_info(o.method);
    const bool keep_all = !method.adapters || (method.base_nf4 && o.nf4_every_linear);
    // bitsandbytes 0.42.0 stores MatMul4Bit's input on ctx, not with save_for_backward, so backward does not free
    // it (torch FunctionCtx.save_for_backward: "All tensors intended to be used in the backward pass should be
    // saved with save_for_backward (as opposed to directly on ctx) to prevent incorrect gradients and memory
    // leaks"); the graph lives while a tensor of it does, and litgpt's loop (finetune/lora.py @ 5895df1 … 00af8b0:
    // "logits = model(input_ids, lm_head_chunk_size=128)") rebinds the previous step's logits only when the next
    // forward returns. So at the end of every forward the previous step's 4-bit inputs are still held.
    const bool prior = method.adapters && method.base_nf4 && o.nf4_every_linear;
    // fp32_norms (QLoRA only: a 16-bit Linear under autocast returns the compute width whatever its input). Counted:
    // the checkpointed layer inputs, alive through all of backward. Not counted: the recomputed layer's fp32 MLP
    // intermediates, alive only while that layer's backward runs (FORMULAS.md §2.6).
    const bool fp32_stream = o.fp32_norms && method.base_nf4 && b < kF32;
    // Autocast over wider weights (precision rows with cast_copies): F.linear casts the weight to the compute dtype
    // and addmm/mm save that copy for the input's gradient (derivatives.yaml: "mat2" for "self"), per Linear, frozen
    // ones too; NF4 bases are dequantized by bitsandbytes instead (dequant_buffer_bytes). Not counted: 3-D fused
    // experts, and autocast's cache of the trainable weights' copies, alive until the forward's autocast region ends.
    const bool casts = train_precision_info(o.precision).cast_copies;
    const uint64_t cast_width = casts && !method.base_nf4 ? b : 0;
    const uint64_t head_cast =
        casts && !(method.base_nf4 && o.nf4_every_linear) ? mul(mul(a.vocab_size, a.hidden_size), b) : 0;
    for (size_t k = 0; k < a.layers.size(); ++k) {
        LayerActivation la;
        la.layer = static_cast<int32_t>(k);
        la.moe = shapes[k].moe;
        // eager: the fp32 softmax output and its cast to the compute dtype, batch × heads × seq²; with logit
        // soft-capping also tanh's output, which its backward reads (litgpt model.py @ 00af8b0: "scores =
        // torch.tanh(scores / self.config.attention_logit_softcapping) * …"; transformers' Gemma 2 eager path the
        // same); the divisions and products by a Python number save nothing.
        const uint64_t per_score = kF32 + b + (a.attention_softcapping ? b : 0);
        if (eager)
            la.scores_bytes = mul(mul(mul(o.micro_batch, a.n_heads), mul(o.seq_tokens, o.seq_tokens)), per_score);
        KeptInputs in;
        in.keep_all = keep_all;
        if (k < ai.shared.size()) {
            in.shared = ai.shared[k];
            in.copy_bytes = ai.copy_bytes[k];
        }
        la.adapter_input_bytes = mul(tokens, in.copy_bytes);
        la.saved_bytes = add(mul(tokens, layer_bytes_per_token(a, a.layers[k], shapes[k], b, eager, o.repeat_kv, in)),
                             add(la.scores_bytes, mul(shapes[k].linear_params, cast_width)));
        sum = add(sum, la.saved_bytes);
        largest = std::max(largest, la.saved_bytes);
        if (layers) layers->push_back(la);
        if (prior) d.prior_input_bytes = add(d.prior_input_bytes, mul(tokens, nf4_inputs_per_token(a, shapes[k], b)));
    }
    // The 4-bit head's input too (litgpt's head chunks are views of the final norm's output).
    if (prior) d.prior_input_bytes = add(d.prior_input_bytes, mul(tokens, a.hidden_size * b));
    // The final norm: its fp32 upcast, the normalized tensor, and its output x, which the head keeps when its
    // weight trains (or is 4-bit under bitsandbytes 0.42.0) or its adapter shares it; an adapter's own copy apart.
    const uint64_t head_x = keep_all || ai.head_shared ? b : 0;
    const uint64_t final_norm =
        add(mul(tokens, add(a.hidden_size * (kF32 + b + head_x), ai.head_copy_bytes)), head_cast);
    if (o.gradient_checkpointing) {
        d.checkpoint_bytes = mul(mul(a.layers.size(), tokens), a.hidden_size * b);
        // fp32_norms: the residual stream turns fp32 at the first layer's MLP residual add (bf16 + fp32), so every
        // later layer's checkpointed input is fp32 (torch.utils.checkpoint saves the layer's inputs as given).
        if (fp32_stream && a.layers.size() > 1)
            d.checkpoint_bytes =
                add(d.checkpoint_bytes, mul(mul(a.layers.size() - 1, tokens), a.hidden_size * (kF32 - b)));
        d.recompute_bytes = largest;
        d.activation_bytes = add(add(d.checkpoint_bytes, d.recompute_bytes), final_norm);
    } else {
        d.activation_bytes = add(sum, final_norm);
    }
    // logits at compute width (kept: the model's output), their fp32 upcast (none when already fp32) and the
    // log-softmax saved for backward; chunked: the compute-width chunks plus one fp32 chunk and its log-softmax.
    const uint64_t tv = mul(tokens, a.vocab_size);
    const uint64_t upcast = b < kF32 ? kF32 : 0;
    d.logits_bytes =
        o.chunked_loss ? add(mul(tv, b), cdiv(mul(tv, upcast + kF32), kLossChunks)) : mul(tv, b + upcast + kF32);
    d.output_logits_bytes = mul(tv, b);
    if (o.litgpt_loss) {
        // litgpt 5895df1 utils.py chunked_cross_entropy: "loss_chunks = [torch.nn.functional.cross_entropy(
        // logit_chunk, target_chunk, ..., reduction="none") for ...]" over the head's chunks, which the loop's
        // "logits" list keeps referenced: per logit the compute-width output and the compute-width log-softmax
        // (torch cross_entropy = nll_loss(log_softmax(x)), the output in x's dtype, saved for backward). Backward
        // runs every chunk's loss nodes before any head node (autograd runs the highest sequence number first),
        // so the chunks' gradients replace their log-softmax one by one, plus two chunk-sized temporaries.
        const uint64_t chunk = mul(mul(o.micro_batch, std::min(o.seq_tokens, kLitgptHeadChunkTokens)), a.vocab_size);
        d.logits_bytes = add(mul(tv, 2 * b), mul(kLitgptLossTemporaries, mul(chunk, b)));
        d.prior_logits_bytes = mul(tv, b);
    }
    return d;
}

uint64_t total_of(const TrainingParts& p) {
    uint64_t t = 0;
    for (uint64_t x : {p.weights_bytes, p.adapter_bytes, p.gradient_bytes, p.optimizer_bytes, p.activation_bytes,
                       p.logits_bytes, p.overhead_bytes})
        t = add(t, x);
    return t;
}

// Per GPU, the moments that can peak: the start of backward (every activation and the logits, the first gradients)
// and the optimizer step (every gradient and the step's temporaries, the activations freed); where they apply, the
// end of forward (litgpt's QLoRA) and the end of backward (torch FSDP).
struct Phases {
    TrainingParts fixed;                 // weights, adapters, optimizer states, overhead, DDP buckets
    uint64_t backward_gradient = 0;      // gradients alive at the start of backward
    uint64_t step_gradient = 0;          // every gradient
    uint64_t step_temp = 0;              // the optimizer step's temporaries on the GPU
    uint64_t backward_end_gradient = 0;  // torch FSDP: gradients alive when the outer unit's are concatenated
    uint64_t backward(const Dynamic& d) const {
        return add(add(total_of(fixed), backward_gradient), add(d.activation_bytes, d.logits_bytes));
    }
    uint64_t step() const { return add(add(total_of(fixed), step_gradient), step_temp); }
    // The end of forward, where a previous step's inputs are still held (prior_input_bytes, litgpt's QLoRA): every
    // activation and the output logits, not yet the loss or a gradient (zero_grad set them to None). 0 otherwise.
    uint64_t forward_end(const Dynamic& d) const {
        if (!d.prior_input_bytes && !d.prior_logits_bytes) return 0;
        return add(add(total_of(fixed), d.activation_bytes),
                   add(add(d.output_logits_bytes, d.prior_logits_bytes), d.prior_input_bytes));
    }
    // The end of backward under torch FSDP (distribute()): the activations and logits freed, the gradients so far
    // and the outer unit's held and concatenated. 0 where it does not apply.
    uint64_t backward_end() const { return backward_end_gradient ? add(total_of(fixed), backward_end_gradient) : 0; }
    uint64_t peak(const Dynamic& d) const { return std::max({backward(d), step(), forward_end(d), backward_end()}); }
};

Phases distribute(const WeightLayout& w, TrainingEstimate& e) {
    const TrainingOptions& o = e.options;
    const DistributionInfo& dist = distribution_info(o.distribution);
    const OffloadInfo& off = offload_info(o.offload);
    const uint64_t n = o.n_gpus;
    auto share = [&](uint64_t bytes, bool sharded) { return sharded ? cdiv(bytes, n) : bytes; };
    Phases ph;
    TrainingParts& g = ph.fixed;
    g.weights_bytes = off.parameters_to_host ? 0 : share(e.weights_bytes, dist.shards_parameters);
    g.adapter_bytes = off.parameters_to_host ? 0 : share(e.adapter_bytes, dist.shards_parameters);
    e.ddp_bucket_bytes = dist.bucket_copy && n > 1 ? e.gradient_bytes : 0;
    g.gradient_bytes = e.ddp_bucket_bytes;
    g.optimizer_bytes = off.optimizer_to_host ? 0 : share(e.optimizer_bytes, dist.shards_optimizer);
    // no_sync_accumulation: a later micro-batch's backward starts beside the whole accumulated gradient, unsharded.
    ph.backward_gradient =
        o.no_sync_accumulation ? e.gradient_bytes : share(e.backward_gradient_bytes, dist.shards_gradients);
    ph.step_gradient = share(e.gradient_bytes, dist.shards_gradients);
    ph.step_temp = off.optimizer_to_host ? 0 : share(e.step_temp_bytes, dist.shards_optimizer);
    e.host.optimizer_bytes = off.optimizer_to_host ? e.optimizer_bytes : 0;
    e.host.weights_bytes = off.parameters_to_host ? e.weights_bytes : 0;
    e.host.adapter_bytes = off.parameters_to_host ? e.adapter_bytes : 0;
    e.host.total_bytes = total_of(e.host);
    // torch FSDP keeps a unit's parameters as views of one flat parameter (torch 2.2–2.5
    // distributed/fsdp/_flat_param.py _get_unflat_views_aligned: "splits: List[Tensor] = torch.split(tensor,
    // flat_param._numels_with_padding, dim=0)", set on the modules by _use_unsharded_views for forward), so autograd
    // reaches the flat parameter through one split node, which runs when every view's gradient has arrived and
    // concatenates them (csrc/autograd/FunctionsManual.cpp split_with_sizes_backward: "at::cat(grads_all_defined,
    // dim)"). The outer unit (one unit per decoder layer: the rest is the root's) holds the head, the final norm and
    // the embedding: the head's gradient, computed first, waits for the embedding's, computed last, and at that
    // moment both and their concatenation are alive beside the gradients so far (the whole accumulated gradient
    // under no_sync, else the shards), with the activations and logits already freed.
    if (dist.flat_param_views && e.root_gradient_bytes)
        ph.backward_end_gradient =
            add(o.no_sync_accumulation ? e.gradient_bytes : share(e.gradient_bytes, dist.shards_gradients),
                mul(2, e.root_gradient_bytes));
    // ZeRO-3 / FSDP: the unit outside the layers stays gathered, plus the current layer and the prefetched next.
    // Set on every call (0 where it does not apply), as every output of distribute() is: fit_table() calls it again
    // at other GPU counts.
    e.gathered_layer_bytes = dist.shards_parameters && (n > 1 || off.parameters_to_host)
                                 ? add(w.root_bytes, mul(2, w.largest_layer_bytes))
                                 : 0;
    // QLoRA: one NF4 weight dequantized to the compute dtype during its matmul (bitsandbytes 0.42.0
    // autograd/_functions.py MatMul4Bit: "F.dequantize_4bit(B, quant_state).to(A.dtype)"). dequantize_4bit returns
    // the dtype quantize_4bit recorded ("dtype=A.dtype"); Lightning quantizes from fp16 ("w =
    // weight.contiguous().to(device=device, dtype=torch.half)", bitsandbytes.py @ 438f29f), so under
    // nf4_every_linear an fp16 copy lives beside the compute-width one (none when the compute dtype is fp16).
    const TrainPrecision pr = o.precision;
    const uint64_t act = train_precision_info(pr).activation_bytes;
    const bool fp16_compute = pr == TrainPrecision::fp16 || pr == TrainPrecision::fp16_mixed;
    const uint64_t dequant_width = o.nf4_every_linear && !fp16_compute ? 2 + act : act;
    e.dequant_buffer_bytes = mul(w.largest_nf4_params, dequant_width);
    e.cuda_context_bytes = kCudaContextBytes;
    g.overhead_bytes = add(add(e.gathered_layer_bytes, e.dequant_buffer_bytes), e.cuda_context_bytes);
    return ph;
}

void fit(const Model& m, const std::vector<LayerShape>& shapes, const AdaptedInputs& ai, const Phases& ph,
         TrainingEstimate& e) {
    if (!e.gpu) return;
    const uint64_t usable = e.gpu->usable_bytes;
    e.fits = e.per_gpu.total_bytes <= usable;
    auto fits_with = [&](const TrainingOptions& o) {
        return ph.peak(dynamic_bytes(m, shapes, ai, o, nullptr)) <= usable;
    };
    e.max_micro_batch_fit = static_cast<uint32_t>(largest_true(kMaxMicroBatch, [&](uint64_t mb) {
        TrainingOptions o = e.options;
        o.micro_batch = static_cast<uint32_t>(mb);
        return fits_with(o);
    }));
    const uint64_t cap = m.arch.max_context_tokens ? std::min(m.arch.max_context_tokens, kMaxSeqTokens) : kMaxSeqTokens;
    e.max_seq_tokens_fit = largest_true(cap, [&](uint64_t seq) {
        TrainingOptions o = e.options;
        o.seq_tokens = seq;
        return fits_with(o);
    });
}

// The fit table: the per-GPU peak at each count of kTrainFitCounts (distribute() over a copy whose only change is
// n_gpus; the activations and logits do not depend on it), then each catalog GPU against those figures. The copy is
// a fresh estimate given distribute()'s inputs only (not a copy of `e` with its parts, notes and tables, seven times).
void fit_table(const WeightLayout& w, const Dynamic& d, TrainingEstimate& e) {
    std::vector<uint64_t> peak_at;
    for (uint32_t n : kTrainFitCounts) {
        TrainingEstimate c;
        c.options = e.options;
        c.options.n_gpus = n;
        for (uint64_t TrainingEstimate::*f :
             {&TrainingEstimate::weights_bytes, &TrainingEstimate::adapter_bytes, &TrainingEstimate::gradient_bytes,
              &TrainingEstimate::optimizer_bytes, &TrainingEstimate::step_temp_bytes,
              &TrainingEstimate::backward_gradient_bytes, &TrainingEstimate::root_gradient_bytes})
            c.*f = e.*f;
        peak_at.push_back(distribute(w, c).peak(d));
    }
    for (const auto& g : gpu_catalog()) {
        TrainGpuFitRow row;
        row.gpu = &g;
        row.fits = e.per_gpu.total_bytes <= g.usable_bytes;
        row.per_gpu_total_bytes = e.per_gpu.total_bytes;
        for (size_t i = 0; i < peak_at.size(); ++i)
            if (peak_at[i] <= g.usable_bytes) {
                row.gpus_needed = kTrainFitCounts[i];
                row.per_gpu_total_bytes = peak_at[i];
                break;
            }
        e.gpu_fit.push_back(row);
    }
}

}  // namespace

LinearInput linear_input_of(const std::string& name) {
    // The module path's last component ("model.layers.3.self_attn.q_proj.weight" → "q_proj") and the one above it.
    const size_t end = name.rfind('.');
    const std::string path = end == std::string::npos ? name : name.substr(0, end);
    const size_t dot = path.rfind('.');
    const std::string leaf = dot == std::string::npos ? path : path.substr(dot + 1);
    const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
    auto in = [&](std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (leaf == n) return true;
        return false;
    };
    const bool attn_parent = parent.find("attn") != std::string::npos || parent.find("attention") != std::string::npos;
    if (name.find(".experts.") != std::string::npos || name.find("shared_expert") != std::string::npos)
        return LinearInput::other;
    if (in({"q_proj", "k_proj", "v_proj", "qkv_proj", "query_key_value", "c_attn", "Wqkv", "W_pack"}))
        return LinearInput::attention;
    if (in({"o_proj", "out_proj"}) || (attn_parent && in({"dense", "c_proj"}))) return LinearInput::attention_output;
    if (in({"gate_proj", "up_proj", "gate_up_proj", "fc1", "c_fc", "dense_h_to_4h", "w1", "w3", "fc_in"}))
        return LinearInput::mlp;
    if (in({"down_proj", "fc2", "dense_4h_to_h", "w2", "fc_out", "c_proj"})) return LinearInput::mlp_down;
    return LinearInput::other;
}

void finish_estimate(const Model& m, const TrainTensors& tt, const WeightLayout& w, const AdaptedInputs& ai,
                     TrainingEstimate& e) {
    const std::vector<LayerShape> shapes = layer_shapes(m.arch, tt, m.arch.layers.size());
    e.tokens = mul(e.options.micro_batch, e.options.seq_tokens);
    const Dynamic d = dynamic_bytes(m, shapes, ai, e.options, &e.layers);
    e.checkpoint_bytes = d.checkpoint_bytes;
    e.recompute_bytes = d.recompute_bytes;
    e.activation_bytes = d.activation_bytes;
    e.logits_bytes = d.logits_bytes;
    const Phases ph = distribute(w, e);
    e.backward_peak_bytes = ph.backward(d);
    e.step_peak_bytes = ph.step();
    e.forward_end_peak_bytes = ph.forward_end(d);
    e.backward_end_peak_bytes = ph.backward_end();
    e.prior_step_input_bytes = d.prior_input_bytes;
    // per_gpu is what is in memory at the largest.
    e.per_gpu = ph.fixed;
    if (e.backward_end_peak_bytes > std::max({e.backward_peak_bytes, e.step_peak_bytes, e.forward_end_peak_bytes})) {
        e.peak_phase = "backward_end";
        e.activation_bytes = 0;
        e.logits_bytes = 0;
        e.per_gpu.gradient_bytes = add(e.per_gpu.gradient_bytes, ph.backward_end_gradient);
    } else if (e.forward_end_peak_bytes > std::max(e.backward_peak_bytes, e.step_peak_bytes)) {
        e.peak_phase = "forward_end";
        e.activation_bytes = add(d.activation_bytes, d.prior_input_bytes);
        e.logits_bytes = add(d.output_logits_bytes, d.prior_logits_bytes);
        e.per_gpu.activation_bytes = e.activation_bytes;
        e.per_gpu.logits_bytes = e.logits_bytes;
    } else if (e.backward_peak_bytes >= e.step_peak_bytes) {
        e.peak_phase = "backward";
        e.per_gpu.gradient_bytes = add(e.per_gpu.gradient_bytes, ph.backward_gradient);
        e.per_gpu.activation_bytes = d.activation_bytes;
        e.per_gpu.logits_bytes = d.logits_bytes;
    } else {
        e.peak_phase = "optimizer_step";
        e.per_gpu.gradient_bytes = add(e.per_gpu.gradient_bytes, ph.step_gradient);
        e.per_gpu.optimizer_bytes = add(e.per_gpu.optimizer_bytes, ph.step_temp);
    }
    e.per_gpu.total_bytes = total_of(e.per_gpu);
    fit(m, shapes, ai, ph, e);
    fit_table(w, d, e);
    if (std::any_of(shapes.begin(), shapes.end(), [](const LayerShape& s) { return s.extra_norms > 0; }))
        e.assumptions.push_back(
            "norms beyond a layer's two pre-norms (Gemma 2's post_attention_layernorm and "
            "post_feedforward_layernorm, read from the tensor names) keep their fp32 upcast and normalized tensor "
            "like the others (litgpt model.py Block post_attention_norm / post_mlp_norm)");
    explain(m, e);
}

}  // namespace vram::training_detail
