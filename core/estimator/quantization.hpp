// Logical parameter counts of quantized checkpoints.
// Source: huggingface.js packages/hub/src/lib/parse-safetensors-metadata.ts (fe42e68),
// getQuantizationMultiplier and its skip lists, summarised in hub-protocol.md §B4/§E:
//   - bookkeeping tensors (scales, zeros, g_idx, absmax, quant maps, E8M0 scales, weight_shape)
//     hold no parameters;
//   - packed containers are unpacked: GPTQ/AWQ qweight I32 × 32/bits; bitsandbytes 4-bit U8 × 2;
//     MXFP4 *_blocks U8 × 2; compressed-tensors *pack-quantized integer containers × bits/num_bits;
//   - modules_to_not_convert (substring, glob with *) and compressed-tensors ignore (re: prefix)
//     exempt tensors from the packing rules.
// Bytes are never derived from these counts: they always come from data_offsets.
#pragma once
#include <string>
#include <vector>

#include "estimator/safetensors.hpp"

namespace vram {

// One modules_to_not_convert / ignore entry, in the form it is matched in (parse_quant_rules builds it once, so that
// classifying each of a checkpoint's tensors allocates nothing).
struct NotConvertPattern {
    std::string text;
    bool glob = false;  // true: an anchored glob with '*'; false: a substring of the tensor name
};

struct QuantRules {
    std::string method;                          // quant_method ("" = not quantized)
    uint32_t bits = 4;                           // GPTQ/AWQ bits
    bool load_in_4bit = false;                   // bitsandbytes
    bool pack_quantized = false;                 // compressed-tensors format ends with pack-quantized
    uint32_t ct_num_bits = 4;                    // compressed-tensors weights.num_bits (first group)
    std::vector<NotConvertPattern> not_convert;  // modules_to_not_convert / ignore patterns
    std::string summary;                         // one line for the report ("gptq 4-bit, group 128")
};

QuantRules parse_quant_rules(const std::string& quantization_config_json);

struct TensorRole {
    bool bookkeeping = false;  // scales, zeros, indices: bytes count, parameters do not
    bool quantized = false;    // a packed / low-bit weight of the checkpoint's quantization
    double multiplier = 1.0;   // logical parameters per stored element
};

TensorRole classify_tensor(const QuantRules& rules, const TensorInfo& t);

}  // namespace vram
