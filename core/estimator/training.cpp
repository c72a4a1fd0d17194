// train_estimate(): the per-tensor accounting, the activations per layer, the distribution over GPUs and the fit.
// The rules and their sources are in training.hpp's tables and docs/training.md.
#include "estimator/training.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "estimator/names.hpp"
#include "estimator/training_detail.hpp"

namespace vram {
using namespace training_detail;
namespace {

// Names of a few matrices listed in errors and reports.
constexpr size_t kNamesShown = 5;

std::string module_leaf(const std::string& name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return name;
    return std::string(last_component(std::string_view(name).substr(0, dot)));
}

// A weight matrix LoRA can sit beside: a Linear's weight (or GPTQ/AWQ qweight), rank ≥ 2, not bookkeeping.
bool is_matrix(const TrainTensor& t) {
    if (t.flags & kBookkeeping) return false;
    const std::string_view last = last_component(t.name);
    if (last != "weight" && last != "qweight") return false;
    return t.shape.size() >= 2 || (t.flags & kQuantized);
}

// bitsandbytes replaces nn.Linear modules; embeddings are nn.Embedding and the output head is skipped
// (transformers 4.57 integrations/bitsandbytes.py replace_with_bnb_linear, utils get_keys_to_not_convert).
// Lightning's BitsandbytesPrecision (litgpt) swaps the class itself, so the head is converted too: lightning
// 2.3.0.dev20240328 (438f29f) src/lightning/fabric/plugins/precision/bitsandbytes.py module_init_context:
// "_ClassReplacementContextManager({"torch.nn.Linear": self._linear_cls})"; litgpt 5895df1 lora.py builds the
// head as LoRALinear, whose "self.linear = torch.nn.Linear(in_features, out_features, **kwargs)".
bool nf4_candidate(const TrainTensor& t, bool head_too) {
    if (!(t.flags & kFloating) || t.shape.size() != 2 || last_component(t.name) != "weight") return false;
    const std::string leaf = module_leaf(t.name);
    for (const char* head : {"lm_head", "embed_out", "output"})
        if (leaf == head) return head_too;
    for (const char* skip : {"wte", "wpe"})
        if (leaf == skip) return false;
    return t.name.find("embed") == std::string::npos;
}

// Packed NF4 (two 4-bit codes per byte) plus absmax: fp32 per 64-element block, or with double quantization
// 1 B per block + fp32 per 256 blocks (bitsandbytes functional.py quantize_4bit, compress_statistics=True).
uint64_t nf4_bytes(uint64_t n, bool double_quant, uint64_t& constants) {
    const uint64_t blocks = cdiv(n, kNf4BlockElements);
    constants = double_quant ? add(blocks, mul(4, cdiv(blocks, kNf4DoubleQuantBlocks))) : mul(4, blocks);
    return add(cdiv(n, 2), constants);
}

struct Dims {
    uint64_t batch = 1, out = 0, in = 0;  // [batch…, out, in]
};
// A matrix's two widths from its shape; packed containers (bnb U8 [n/2, 1], GPTQ qweight) do not carry them,
// so one side is taken as hidden_size (every projection of a decoder layer has it on one side).
Dims dims_of(const TrainTensor& t, const Architecture& a, bool& assumed) {
    Dims d;
    if (!(t.flags & kQuantized) && t.shape.size() >= 2) {
        d.out = t.shape[t.shape.size() - 2];
        d.in = t.shape.back();
        for (size_t k = 0; k + 2 < t.shape.size(); ++k) d.batch = mul(d.batch, t.shape[k]);
        return d;
    }
    assumed = true;
    const uint64_t h = a.hidden_size ? a.hidden_size : 1;
    d.in = h;
    d.out = cdiv(t.params, h);
    return d;
}

// Optimizer state of one trainable tensor of n elements whose last two dims are rows × cols (1-D: rows = 1).
uint64_t state_bytes(const OptimizerInfo& o, const TrainPrecisionInfo& p, uint64_t n, uint64_t rows, uint64_t cols,
                     bool matrix) {
    switch (o.rule) {
        case StateRule::per_param:
            return mul(mul(o.n_states, n), o.fp32_states ? 4 : p.state_bytes);
        case StateRule::blockwise_8bit:
            if (n < o.min_8bit_elements) return mul(mul(o.n_states, n), 4);
            return mul(o.n_states, add(n, mul(4, cdiv(n, o.block_elements))));
        case StateRule::factored:
            if (!matrix || rows == 0 || cols == 0) return mul(n, p.state_bytes);
            return mul(add(n / cols, n / rows), p.state_bytes);
    }
    return 0;
}

struct Accounting {
    std::map<int32_t, uint64_t> layer_weight_bytes;  // GPU weight bytes per decoder layer (-1: outside the layers)
    uint64_t largest_nf4_params = 0;
    bool packed_dims_assumed = false;
    std::vector<std::string> leaves;  // distinct module names of the matrices, for error messages
    std::string example_matrix;
    bool example_in_layer = false;
};

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
    for (const auto& p : patterns)
        if (target_matches(p, name)) return true;
    return false;
}

Error unmatched(const Model& m, const std::vector<std::string>& patterns, const Accounting& acc, const char* what) {
    std::string list, names;
    for (const auto& p : patterns) list += (list.empty() ? "" : ", ") + p;
    for (size_t k = 0; k < acc.leaves.size() && k < 8; ++k) names += (k ? ", " : "") + acc.leaves[k];
    return make_error(ErrorCode::lora_target_unmatched,
                      std::string(what) + " [" + list + "] match no weight matrix of " + m.repo_id +
                          "; its matrices are named " + names + " (e.g. " + acc.example_matrix + ")");
}

// Adapter A [r, in] and B [out, r] for one matched matrix (batched for 3-D expert tensors).
void add_adapter(TrainingEstimate& e, const Dims& d, const TrainingOptions& o, const TrainPrecisionInfo& p,
                 const OptimizerInfo& opt) {
    // Adapters in fp32 (PEFT) or the precision's width; torch optimizers keep their states in the adapter's dtype.
    TrainPrecisionInfo ap = p;
    ap.adapter_bytes = o.adapters_fp32 ? 4 : p.adapter_bytes;
    ap.state_bytes = std::max(ap.adapter_bytes, p.state_bytes);
    const uint64_t r = o.lora_rank;
    const uint64_t a_params = mul(d.batch, mul(r, d.in)), b_params = mul(d.batch, mul(d.out, r));
    const uint64_t n = add(a_params, b_params);
    e.adapter_params = add(e.adapter_params, n);
    e.adapter_bytes = add(e.adapter_bytes, mul(n, ap.adapter_bytes));
    e.gradient_bytes = add(e.gradient_bytes, mul(n, ap.adapter_bytes));
    e.backward_gradient_bytes = add(e.backward_gradient_bytes, mul(n, ap.adapter_bytes));
    e.step_temp_bytes = add(e.step_temp_bytes, mul(mul(opt.step_temp_states, n), ap.state_bytes));
    for (int k = 0; k < 2; ++k) {
        const uint64_t rows = k == 0 ? r : d.out, cols = k == 0 ? d.in : r;
        const uint64_t one = mul(rows, cols);
        e.optimizer_bytes = add(e.optimizer_bytes, mul(d.batch, state_bytes(opt, ap, one, rows, cols, true)));
    }
}

// What one adapter keeps of its input for backward (AdaptedInputs). Sources, per adapted Linear:
//   PEFT 0.13.2 (431c0e2) src/peft/tuners/lora/layer.py Linear.forward: "x = x.to(lora_A.weight.dtype)" then
//     "result = result + lora_B(lora_A(dropout(x))) * scaling" — a cast (a new tensor when the adapter is fp32 and x
//     16-bit), then dropout; lora/bnb.py Linear4bit.forward casts only "if requires_conversion" ("= not
//     torch.is_autocast_enabled()"); lora_dropout is nn.Dropout(p) above 0, else nn.Identity (layer.py
//     update_layer), LoraConfig's default 0.0 (config.py).
//   litgpt 5895df1 litgpt/lora.py LoRALinear.forward: "lora = (self.lora_dropout(x) @ self.lora_A.transpose(0, 1)
//     @ ...)" and LoRAQKVLinear.forward "after_A = F.linear(self.lora_dropout(x), self.lora_A)": no cast, one
//     dropout for the fused q/k/v Linear; lora_dropout is "lambda x: x" at 0.
//   torchtune ff594c2 torchtune/modules/peft/lora.py LoRALinear.forward: "lora_out = self.lora_a(self.dropout(x))".
// torch.nn.Dropout saves its 1-byte mask; lora_A's weight trains, so the Linear saves its input: the dropped copy
// (or the cast one: fp32 without autocast, the compute width under autocast, which re-casts it). Without dropout and
// cast, lora_A's input is x itself, which other readers share.
void note_adapter(const TrainTensor& t, const Dims& d, const TrainingOptions& o, const Architecture& a,
                  AdaptedInputs& ai, std::set<int32_t>& fused_seen) {
    const TrainPrecisionInfo& p = train_precision_info(o.precision);
    const uint64_t b = p.activation_bytes;
    const bool autocast = p.autocast;
    // 4-bit layers: PEFT casts only without autocast, and QLoRA recipes run under it (Trainer bf16=True), so the
    // cast is counted for adapters on 16-bit Linears only.
    const bool cast = o.adapters_fp32 && b < 4 && !train_method_info(o.method).base_nf4;
    const bool dropout = o.lora_dropout > 0;
    const uint64_t per_element = dropout || cast ? (cast && !autocast ? 4 : b) + (dropout ? 1 : 0) : 0;
    if (!t.in_llm) return;
    if (t.layer < 0) {  // the output head (litgpt lora_head, torchtune apply_lora_to_output)
        if (module_leaf(t.name) != "lm_head" && module_leaf(t.name) != "output") return;
        if (per_element)
            ai.head_copy_bytes = add(ai.head_copy_bytes, mul(d.in, per_element));
        else
            ai.head_shared = true;
        return;
    }
    const size_t layer = static_cast<size_t>(t.layer);
    if (layer >= ai.shared.size() || d.batch > 1) return;  // 3-D fused experts: tokens are routed, not counted
    const LinearInput g = linear_input_of(t.name);
    if (g == LinearInput::other) return;
    // litgpt's fused q/k/v: one adapter input per layer, however many of q, k, v carry an adapter (litgpt 5895df1
    // model.py "self.attn = nn.Linear(config.n_embd, shape, ...)"). A checkpoint's gate_up_proj becomes fc_1 and
    // fc_2, two LoRALinears (f247be8 convert_hf_checkpoint.py: "fc_1, fc_2 = weight.chunk(2, dim=0)").
    if (o.litgpt_modules && g == LinearInput::attention && !fused_seen.insert(t.layer).second) return;
    const uint64_t in = g == LinearInput::attention && o.litgpt_modules ? a.hidden_size : d.in;
    const uint64_t n_modules = o.litgpt_modules && module_leaf(t.name) == "gate_up_proj" ? 2 : 1;
    if (per_element)
        ai.copy_bytes[layer] = add(ai.copy_bytes[layer], mul(mul(in, per_element), n_modules));
    else
        ++ai.shared[layer][static_cast<size_t>(g)];
}

// A trainable base tensor: working copy, master copy, gradient and optimizer state.
void add_trainable(TrainingEstimate& e, const TrainTensor& t, const TrainPrecisionInfo& p, const OptimizerInfo& opt,
                   bool first_gradient, uint64_t& gpu_bytes) {
    const uint64_t n = t.params;
    gpu_bytes = mul(n, p.weight_bytes);
    e.trainable_params = add(e.trainable_params, n);
    e.master_bytes = add(e.master_bytes, mul(n, p.master_bytes));
    e.optimizer_bytes = add(e.optimizer_bytes, mul(n, p.master_bytes));
    e.gradient_bytes = add(e.gradient_bytes, mul(n, p.grad_bytes));
    // Backward computes the output head's (and final norm's) gradients first, while every activation is alive.
    if (first_gradient) e.backward_gradient_bytes = add(e.backward_gradient_bytes, mul(n, p.grad_bytes));
    e.step_temp_bytes = add(e.step_temp_bytes, mul(mul(opt.step_temp_states, n), opt.fp32_states ? 4 : p.state_bytes));
    const bool matrix = t.shape.size() >= 2;
    const uint64_t rows = matrix ? t.shape[t.shape.size() - 2] : 1, cols = matrix ? t.shape.back() : n;
    e.optimizer_bytes = add(e.optimizer_bytes, state_bytes(opt, p, n, rows, cols, matrix));
}

// Walks every tensor once: weights, adapters, gradients, optimizer states.
Error account_tensors(const Model& m, const TrainTensors& tt, const TrainingOptions& o, TrainingEstimate& e,
                      Accounting& acc, AdaptedInputs& ai) {
    ai.shared.assign(m.arch.layers.size(), {});
    ai.copy_bytes.assign(m.arch.layers.size(), 0);
    std::set<int32_t> fused_seen;
    const TrainMethodInfo& method = train_method_info(o.method);
    const TrainPrecisionInfo& p = train_precision_info(o.precision);
    const OptimizerInfo& opt = optimizer_info(o.optimizer);
    const bool default_targets = o.lora_targets.empty();
    std::set<std::string> seen_leaves;
    for (const TrainTensor& t : tt.tensors) {
        e.params = add(e.params, t.params);
        const bool matrix = is_matrix(t);
        if (matrix && seen_leaves.insert(module_leaf(t.name)).second) acc.leaves.push_back(module_leaf(t.name));
        // The example shown in errors: a matrix inside a decoder layer when there is one.
        if (matrix && (acc.example_matrix.empty() || (t.layer >= 0 && !acc.example_in_layer))) {
            acc.example_matrix = t.name;
            acc.example_in_layer = t.layer >= 0;
        }
        // Weights train; integer buffers (position ids …) and bookkeeping do not. Quantized weights cannot (below).
        const bool weight = (t.flags & (kFloating | kQuantized)) && t.params > 0;
        bool trainable = false;
        if (o.method == TrainMethod::full) trainable = weight;
        if (method.train_named_only) trainable = weight && matches_any(o.trainable_modules, t.name);
        const bool target =
            method.adapters && matrix && (default_targets ? t.in_llm : true) && matches_any(e.lora_targets, t.name);
        if (trainable && (t.flags & kQuantized))
            return make_error(ErrorCode::quantized_base, "cannot train " + t.name + ": the checkpoint is " +
                                                             m.quant.summary + "-quantized (integer-packed weights)");
        uint64_t gpu_bytes = 0;
        if (trainable) {
            // The head's gradient comes first in backward; an untied embedding's comes last.
            const bool first =
                t.layer < 0 && (t.name.find("embed") == std::string::npos || (m.arch.tied_embeddings && !o.untie_head));
            add_trainable(e, t, p, opt, first, gpu_bytes);
            if (!t.in_llm || t.layer < 0)
                e.root_gradient_bytes = add(e.root_gradient_bytes, mul(t.params, p.grad_bytes));
        } else if ((t.flags & kFloating) && method.base_nf4 && nf4_candidate(t, o.nf4_every_linear)) {
            uint64_t constants = 0;
            gpu_bytes = nf4_bytes(t.params, o.double_quant, constants);
            e.quant_constants_bytes = add(e.quant_constants_bytes, constants);
            ++e.n_quantized_tensors;
            acc.largest_nf4_params = std::max(acc.largest_nf4_params, t.params);
        } else if (t.flags & kFloating) {
            // PEFT 0.17 src/peft/utils/other.py prepare_model_for_kbit_training: "cast all non INT8 parameters to
            // fp32 … if ((param.dtype == torch.float16) or (param.dtype == torch.bfloat16)) and
            // param.__class__.__name__ != "Params4bit": param.data = param.data.to(torch.float32)".
            const bool upcast = method.base_nf4 && o.kbit_fp32_upcast;
            gpu_bytes = mul(t.params, upcast ? std::max<uint64_t>(p.frozen_bytes, 4) : p.frozen_bytes);
        } else {
            gpu_bytes = t.bytes;  // quantized storage, bookkeeping and integer buffers stay as stored
        }
        if (!trainable) e.frozen_params = add(e.frozen_params, t.params);
        if (target || (trainable && method.train_named_only)) {
            if (e.matched_names.size() < kNamesShown) e.matched_names.push_back(t.name);
            ++e.n_matched_tensors;
        }
        if (target) {
            const Dims d = dims_of(t, m.arch, acc.packed_dims_assumed);
            add_adapter(e, d, o, p, opt);
            note_adapter(t, d, o, m.arch, ai, fused_seen);
        }
        e.weights_bytes = add(e.weights_bytes, gpu_bytes);
        acc.layer_weight_bytes[t.in_llm ? t.layer : -1] =
            add(acc.layer_weight_bytes[t.in_llm ? t.layer : -1], gpu_bytes);
    }
    e.trainable_params = add(e.trainable_params, e.adapter_params);
    if (method.adapters && e.n_matched_tensors == 0) return unmatched(m, e.lora_targets, acc, "LoRA targets");
    if (method.train_named_only && e.n_matched_tensors == 0)
        return unmatched(m, o.trainable_modules, acc, "trainable modules");
    return {};
}

// untie_head: litgpt 5895df1 litgpt/model.py "self.lm_head = nn.Linear(config.n_embd, config.padded_vocab_size,
// ...)" beside "wte=nn.Embedding(...)", and litgpt/scripts/convert_hf_checkpoint.py copies a tied checkpoint's
// embedding into it: 'if "lm_head.weight" not in state_dict: state_dict["lm_head.weight"] =
// state_dict["transformer.wte.weight"]'. The head is the embedding's shape and dtype, outside the layers.
TrainTensors with_separate_head(const TrainTensors& tt, TrainingEstimate& e) {
    TrainTensors out = tt;
    for (const TrainTensor& t : tt.tensors) {
        if (!t.in_llm || t.layer >= 0 || t.shape.size() != 2 || !(t.flags & kFloating)) continue;
        if (t.name.find("embed") == std::string::npos && module_leaf(t.name) != "wte") continue;
        TrainTensor head = t;
        head.name = "lm_head.weight";
        out.tensors.push_back(head);
        e.assumptions.push_back("untie_head: a separate output head of the embedding's shape (" +
                                std::to_string(t.shape[0]) + " × " + std::to_string(t.shape[1]) + ", copied from " +
                                t.name + ") as litgpt keeps it (litgpt/model.py lm_head, convert_hf_checkpoint.py)");
        return out;
    }
    e.warnings.push_back("untie_head: no embedding matrix found to copy into a separate head; nothing added");
    return out;
}

}  // namespace

TrainingEstimate train_estimate(const Model& m, const TrainTensors& tt, const TrainingOptions& o, const GpuInfo* gpu) {
    TrainingEstimate e;
    e.options = o;
    e.gpu = gpu;
    if (m.error) {
        e.error = m.error;
        return e;
    }
    if (tt.error) {
        e.error = tt.error;
        return e;
    }
    if ((e.error = check_options(m, o))) return e;
    if (o.lora_targets.empty())
        for (const char* t : default_lora_targets()) e.lora_targets.push_back(t);
    else
        e.lora_targets = o.lora_targets;
    // litgpt keeps the head apart from the embedding: a tied checkpoint gets a head tensor of the embedding's shape.
    // Tied when the checkpoint stores no head (configs often leave tie_word_embeddings to the class default).
    TrainTensors untied;
    const bool has_head = std::any_of(tt.tensors.begin(), tt.tensors.end(), [](const TrainTensor& t) {
        const std::string leaf = module_leaf(t.name);
        return t.in_llm && t.layer < 0 && (leaf == "lm_head" || leaf == "embed_out" || leaf == "output");
    });
    const bool untie = o.untie_head && !has_head;
    if (untie) untied = with_separate_head(tt, e);
    if (o.untie_head && has_head)
        e.warnings.push_back("untie_head: the checkpoint's output head is already its own tensor; nothing changes");
    Accounting acc;
    AdaptedInputs ai;
    if ((e.error = account_tensors(m, untie ? untied : tt, o, e, acc, ai))) return e;
    if (acc.packed_dims_assumed)
        e.assumptions.push_back(
            "LoRA on packed quantized weights: the header holds no matrix shape, so one side is "
            "taken as hidden_size (" +
            std::to_string(m.arch.hidden_size) + ") and the other as parameters / hidden_size");
    WeightLayout w;
    for (const auto& [layer, bytes] : acc.layer_weight_bytes)
        if (layer >= 0) w.largest_layer_bytes = std::max(w.largest_layer_bytes, bytes);
    w.root_bytes = acc.layer_weight_bytes.count(-1) ? acc.layer_weight_bytes.at(-1) : 0;
    w.largest_nf4_params = acc.largest_nf4_params;
    finish_estimate(m, tt, w, ai, e);
    return e;
}

}  // namespace vram
