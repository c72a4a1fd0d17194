// train_estimate(): the per-tensor accounting, the activations per layer, the distribution over GPUs and the fit.
// The rules and their sources are in training.hpp's tables and docs/training.md.
#include "estimator/training.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "estimator/training_detail.hpp"

namespace vram {
using namespace training_detail;
namespace {

// Names of a few matrices listed in errors and reports.
constexpr size_t kNamesShown = 5;

std::string last_component(const std::string& name) {
    const size_t dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}
std::string module_leaf(const std::string& name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return name;
    return last_component(name.substr(0, dot));
}

// A weight matrix LoRA can sit beside: a Linear's weight (or GPTQ/AWQ qweight), rank ≥ 2, not bookkeeping.
bool is_matrix(const TrainTensor& t) {
    if (t.flags & kBookkeeping) return false;
    const std::string last = last_component(t.name);
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
                      Accounting& acc) {
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
            const bool first = t.layer < 0 && (t.name.find("embed") == std::string::npos || m.arch.tied_embeddings);
            add_trainable(e, t, p, opt, first, gpu_bytes);
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
        if (target) add_adapter(e, dims_of(t, m.arch, acc.packed_dims_assumed), o, p, opt);
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
    Accounting acc;
    if ((e.error = account_tensors(m, tt, o, e, acc))) return e;
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
    finish_estimate(m, tt, w, e);
    return e;
}

}  // namespace vram
