// Internal to the training estimate (training.cpp, training_activations.cpp): saturating byte arithmetic and the
// steps train_estimate() runs after the per-tensor accounting. Not part of the core's interface.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "estimator/training.hpp"

namespace vram::training_detail {

constexpr uint64_t kMax = UINT64_MAX;  // a saturated sum: "too large", never a wrapped-around number
constexpr uint64_t mul(uint64_t a, uint64_t b) { return a == 0 || b == 0 ? 0 : a > kMax / b ? kMax : a * b; }
constexpr uint64_t add(uint64_t a, uint64_t b) { return a > kMax - b ? kMax : a + b; }
constexpr uint64_t cdiv(uint64_t a, uint64_t b) { return b ? a / b + (a % b != 0) : 0; }

// Option bounds and the combinations that cannot run (training_option_invalid, quantized_base, training_unsupported).
Error check_options(const Model& m, const TrainingOptions& o);

// What the weights leave for distribution: the GPU bytes outside the decoder layers, the largest layer's, and the
// largest NF4 tensor (QLoRA dequantizes one at a time).
struct WeightLayout {
    uint64_t root_bytes = 0;
    uint64_t largest_layer_bytes = 0;
    uint64_t largest_nf4_params = 0;
};

// The tensor a decoder layer's Linear reads, as the activation model counts it: the attention input (the first
// norm's output), the attention output, the MLP input (the second norm's output), the MLP's last input (SwiGLU
// product or activation output); `other` for names the model has no term for (MoE experts, MLA's low-rank parts).
enum class LinearInput : uint8_t { attention, attention_output, mlp, mlp_down, other };
constexpr size_t kLinearInputs = 5;
LinearInput linear_input_of(const std::string& tensor_name);

// What the LoRA adapters keep of their inputs for backward. An adapter reads its Linear's input x; lora_A's weight
// trains, so autograd saves lora_A's input. Without dropout and without a dtype cast that input is x itself, kept
// once however many adapters read it ("shared"); with dropout (or PEFT's cast to the adapter dtype) each adapter
// saves its own copy ("copy_bytes"), and x stays only if something else saves it.
struct AdaptedInputs {
    std::vector<std::array<uint32_t, kLinearInputs>> shared;  // per decoder layer: adapters reading x itself
    std::vector<uint64_t> copy_bytes;                         // per decoder layer, per token: their own copies
    bool head_shared = false;                                 // the output head's adapter reads x itself
    uint64_t head_copy_bytes = 0;                             // per token: its own copy
};

// Activations and logits at e.options' micro-batch and sequence, the distribution over GPUs, the fit.
void finish_estimate(const Model& m, const TrainTensors& tt, const WeightLayout& w, const AdaptedInputs& ai,
                     TrainingEstimate& e);

// The assumptions and warnings of a finished estimate.
void explain(const Model& m, TrainingEstimate& e);

}  // namespace vram::training_detail
