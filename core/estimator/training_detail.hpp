// Internal to the training estimate (training.cpp, training_activations.cpp): saturating byte arithmetic and the
// steps train_estimate() runs after the per-tensor accounting. Not part of the core's interface.
#pragma once
#include <cstdint>

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

// Activations and logits at e.options' micro-batch and sequence, the distribution over GPUs, the fit.
void finish_estimate(const Model& m, const TrainTensors& tt, const WeightLayout& w, TrainingEstimate& e);

// The assumptions and warnings of a finished estimate.
void explain(const Model& m, TrainingEstimate& e);

}  // namespace vram::training_detail
