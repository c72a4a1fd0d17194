// vLLM 0.19's TRITON MXFP4 MoE backend: what one rank holds beyond its tp-th of an MXFP4 checkpoint's experts
// (engine_vllm_mxfp4.cpp states every term's source). The vLLM profile adds it to the weights; tools/validate
// prints the same terms in the gpt-oss row's reason.
#pragma once
#include <cstdint>
#include <string>

#include "estimator/architecture.hpp"
#include "estimator/gpu_catalog.hpp"

namespace vram {

struct Mxfp4TritonExtra {
    uint64_t width = 0, width_padded = 0;  // expert width on one rank, before and after the round-up to 64
    uint64_t pad = 0;                      // values, scales and bf16 biases of the padded rows / columns
    uint64_t bias32 = 0;                   // biases turned float32; the row-parallel w2 bias whole on each rank
    uint64_t kept_scales = 0;              // the unswizzled uint8 scales, still referenced after the swizzle
    uint64_t scale_swizzle = 0;            // HopperMXScaleLayout padding (rows to 256, columns to 2)
    uint64_t value_tile = 0;               // HopperMXValueLayout padding (16 × 32 tiles)
    uint64_t total() const { return pad + bias32 + kept_scales + scale_swizzle + value_tile; }
};

// Whether vLLM 0.19 runs this MXFP4 checkpoint with the TRITON backend: gpt-oss on an sm_90 (Hopper) GPU.
bool vllm_mxfp4_triton(const std::string& quant_method, const Architecture& a, const GpuInfo* gpu);
// The extra bytes on one rank at this tp, over every MoE layer (all zero for a dense model).
Mxfp4TritonExtra vllm_mxfp4_triton_extra(const Architecture& a, uint32_t tp);

}  // namespace vram
