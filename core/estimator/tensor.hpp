// TensorRecord: what the estimate keeps of one weight tensor after parsing (its dtype, stored bytes,
// logical parameters, and where llama.cpp places it), so that a recompute never re-reads a header.
#pragma once
#include <cstdint>

#include "estimator/dtype.hpp"

namespace vram {

enum TensorFlags : uint8_t {
    kFloating = 1,     // a floating weight a precision target may resize
    kQuantized = 2,    // a packed / low-bit weight of the checkpoint's quantization
    kBookkeeping = 4,  // scales, zeros, indices: no parameters
    kLinear = 8,       // a Linear layer's weight matrix (rank 2, or stacked experts): not an embedding, output head,
                       // norm or MoE router gate — what vLLM's Fp8LinearMethod / Fp8MoEMethod quantize
};

// Where a GGUF tensor lives in llama.cpp's layer split (src/llama-model.cpp load_tensors): blk.N.* is repeating
// layer N (≥ 0); the input layer (token_embd …) always stays in system memory; the output layer (output,
// output_norm) is offloaded first. Safetensors tensors carry kBlockNone.
constexpr int32_t kBlockNone = -1;
constexpr int32_t kBlockInput = -2;
constexpr int32_t kBlockOutput = -3;
constexpr int32_t kBlockProjector = -4;  // mmproj: the multimodal projector (llama.cpp offloads it whole)

// Compact per-tensor record kept for recomputation (a 100k-tensor model stays a few MB).
struct TensorRecord {
    uint32_t component = 0;  // index into Model::components
    DType dtype = DType::unknown;
    uint8_t flags = 0;
    int32_t block = kBlockNone;  // GGUF: llama.cpp layer (kBlock* above)
    uint64_t bytes = 0;          // stored bytes
    uint64_t params = 0;         // logical parameters (0 for bookkeeping and unknown dtypes)
};

}  // namespace vram
