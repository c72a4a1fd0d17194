// Weight precision targets, as data: the `precision` option (the original tool's -q) and what each one does
// to a tensor. A row's index is its Precision value; code reads the row's fields, never a particular value,
// so adding a precision is one row in precision.cpp.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "estimator/tensor.hpp"

namespace vram {

// Index into precisions(). The named values are the original tool's; a later row needs no name here.
enum class Precision : uint8_t { auto_ = 0, float32, float16, bfloat16, int8, int4 };

struct PrecisionInfo {
    const char* name;        // the option's spelling ("bfloat16")
    const char* label;       // what the page shows ("bfloat16", "As stored")
    uint32_t bits;           // bits per parameter of a floating weight at this target; 0 = keep the stored dtype
    uint32_t compute_bytes;  // activation / compute width the engines run at; 0 = the checkpoint's own
    const char* help;        // one line for --help and the page
    // Linear weight matrices only (TensorRecord kLinear): they take `bits` plus one fp32 per-tensor scale each;
    // every other floating tensor (embeddings, lm_head, norms) runs at compute_bytes. false: every floating tensor
    // takes `bits`.
    bool linear_only = false;
    uint32_t profiles = 0;  // profile_bit() of every profile whose engine takes it; 0 = every profile
};

const std::vector<PrecisionInfo>& precisions();
const PrecisionInfo& precision_info(Precision p);
const char* precision_name(Precision p);
uint32_t precision_bits(Precision p);  // 0 for auto
// false when the name is not a row.
bool parse_precision(std::string_view text, Precision& out);

// Bytes of one weight tensor at a precision target: floating weights take the target width;
// quantized storage keeps its bytes unless the target is narrower; other tensors keep theirs. A linear_only target
// resizes Linear matrices (plus their scale) and puts the other floating tensors at the compute width.
uint64_t tensor_bytes_at(const TensorRecord& t, Precision p);
// vLLM scaled_fp8_quant(weight, scale=None): one float32 scale per quantized weight.
constexpr uint64_t kPerTensorScaleBytes = 4;

}  // namespace vram
