// vLLM 0.19's TRITON MXFP4 MoE backend (the H100 logs of tests/validation/vllm print "Using 'TRITON' Mxfp4 MoE
// backend." after "Mxfp4 MoE backend 'FLASHINFER_TRTLLM_MXFP4_BF16' does not support the deployment configuration
// since kernel does not support current device cuda."). What one rank holds after process_weights_after_loading,
// beyond its tp-th of the checkpoint, read from these sources (stored copies; the v0.19.0 tag itself could not be
// fetched):
//  1. vllm-project/vllm vllm/model_executor/layers/fused_moe/oracle/mxfp4.py @ 001eda31 (its backend messages are
//     the ones the v0.19 log prints):
//     - select_mxfp4_moe_backend: "triton_kernels_supported = has_triton_kernels() and (9, 0) <=
//       current_platform.get_device_capability() < (11, 0)", tried after FLASHINFER_TRTLLM_MXFP4_BF16, which takes
//       sm_100; so TRITON on sm_90 only (vllm_mxfp4_triton below);
//     - mxfp4_round_up_hidden_size_and_intermediate_size, last branch: "intermediate_size =
//       round_up(intermediate_size, 64)" — the expert width per rank (intermediate / tp) padded to 64; values, scales
//       and the bf16 w13 bias are created at the padded width (quantization/mxfp4.py create_weights);
//     - convert_to_mxfp4_moe_kernel_format, TRITON branch: "w13_bias = w13_bias.to(torch.float32)", "w2_bias =
//       w2_bias.to(torch.float32)", "_swizzle_mxfp4(w13_weight, w13_weight_scale)", then "del layer.w13_weight" /
//       "del layer.w2_weight" only.
//  2. vllm quantization/mxfp4.py create_weights: w2_bias = torch.zeros(num_experts, hidden_size, dtype=bfloat16)
//     — the row-parallel w2 bias is whole on each rank (the checkpoint / tp base holds a tp-th of it);
//     _setup_kernel, TRITON branch: "layer.w13_weight = w13 … self.w13_precision_config = w13_scale": the swizzled
//     scales go into the PrecisionConfig and layer.w13_weight_scale / w2_weight_scale are not replaced, so the
//     unswizzled uint8 scales stay allocated (a later vLLM states "TRITON backends free w13/w2_weight_scale after
//     swizzling"; the 0.19 code has no such step).
//  3. vllm quantization/utils/mxfp4_utils.py _swizzle_mxfp4(quant_tensor, scale, num_warps=8): transposes both to put
//     the quantized axis on dim 1, then "value_layout, value_layout_opts =
//     layout.make_default_matmul_mxfp4_w_layout(mx_axis=1)" and "convert_layout(wrap_torch_tensor(quant_tensor,
//     dtype=FP4), value_layout, **value_layout_opts)" — the (class, kwargs) contract of triton_kernels up to v3.6.0
//     (vllm's cmake/external_projects/triton_kernels.cmake pins DEFAULT_TRITON_KERNELS_TAG v3.5.0 → v3.5.1 →
//     v3.6.0; the log loads vllm/third_party/triton_kernels).
//  4. triton-lang/triton python/triton_kernels/triton_kernels/tensor_details/layout_details, as vendored verbatim by
//     NVIDIA/TensorRT-LLM triton_kernels/ ("Source: …/tree/v3.5.1/…", commit f216c470; "…/tree/v3.6.0/…",
//     commit 0d00f3e7):
//     - hopper_scale.py HopperMXScaleLayout(shape, mx_axis, num_warps=8).swizzle_data: "SWIZZLE_ALIGN_M = 2 *
//       self.num_warps * 2 * 8" (= 256), "SWIZZLE_ALIGN_K = 2": scale rows padded to 256, columns to 2 (v3.6.0);
//     - hopper_value.py HopperMXValueLayout(shape, mx_axis, mma_version=3).swizzle_data (read at v3.5.1; the v3.6.0
//       copy of this file was not among the stored versions, its scale layout above is the same class-and-shape
//       generation): each dimension padded to its pack "a * b * c * s * d" of k_tile (1, 4), warp_tile (2, 2),
//       threads (4, 4), scott_trick (2, 1), contig (1, 1) = 16 rows × 32 bytes. Later triton_kernels aligned the
//       values to 64 elements (triton PR #10343, 2026-05-21: "Hopper value swizzling pads RHS K to a 64-row tile"),
//       which adds nothing at gpt-oss's shapes (2·W, H and W are multiples of 64), then the dimension packed by four
//       to 256 (PR #10428 "Fix Hopper MXFP4 packed value padding", 2026-05-31), after the 0.19 runs (2026-04-22):
//       not modelled.
#include "estimator/engine_vllm_mxfp4.hpp"

#include "estimator/sat_math.hpp"

namespace vram {
namespace {

uint64_t round_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

constexpr uint64_t kWidthAlign = 64;      // oracle/mxfp4.py round_up(intermediate_size, 64)
constexpr uint64_t kMxBlock = 32;         // one E8M0 scale per 32 FP4 values
constexpr uint64_t kScaleRowAlign = 256;  // 2 × num_warps (8) × 2 × 8
constexpr uint64_t kScaleColAlign = 2;    // SWIZZLE_ALIGN_K
constexpr uint64_t kValueRowAlign = 16;   // HopperMXValueLayout pack along the non-MX axis
constexpr uint64_t kValueByteAlign = 32;  // … and along the MX axis (bytes, 2 FP4 each)
constexpr uint64_t kBf16 = 2, kF32 = 4;

}  // namespace

// gpt-oss only: its every decoder layer is an MoE layer with biases (the TRITON branch asserts "w13_bias is not None
// and w2_bias is not None"); for another MXFP4 MoE family the dense layers and biases are not known here.
bool vllm_mxfp4_triton(const std::string& quant_method, const Architecture& a, const GpuInfo* gpu) {
    return quant_method == "mxfp4" && a.model_type == "gpt_oss" && a.n_experts > 0 && gpu && gpu->cuda_sm >= 90 &&
           gpu->cuda_sm < 100;
}

Mxfp4TritonExtra vllm_mxfp4_triton_extra(const Architecture& a, uint32_t tp) {
    Mxfp4TritonExtra x;
    if (!a.n_experts || !tp) return x;
    const uint64_t E = a.n_experts, H = a.hidden_size, L = a.n_layers;
    const uint64_t I = a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size;
    const uint64_t w = I / tp, W = round_up(w, kWidthAlign), d = W - w;
    x.width = w;
    x.width_padded = W;
    // Per expert: w13 has 2·W rows of H/2 value bytes, H/32 scale bytes and one bf16 bias; w2 has H rows of W/2
    // value bytes and W/32 scale bytes.
    const uint64_t pad = 2 * d * (H / 2 + H / kMxBlock + kBf16) + H * (d / 2 + d / kMxBlock);
    // The w13 bias (2·W, padded) grows from bf16 to f32; the w2 bias (H) is f32 and whole where the base has a tp-th
    // of it in bf16.
    const uint64_t bias = 2 * W * (kF32 - kBf16) + (H * kF32 - H * kBf16 / tp);
    const uint64_t kept = 2 * W * (H / kMxBlock) + H * (W / kMxBlock);
    // Scales: w13 (2·W rows of H/32), w2 (H rows of W/32), rows to 256 and columns to 2.
    const uint64_t scale = round_up(2 * W, kScaleRowAlign) * round_up(H / kMxBlock, kScaleColAlign) -
                           2 * W * (H / kMxBlock) +
                           round_up(H, kScaleRowAlign) * round_up(W / kMxBlock, kScaleColAlign) - H * (W / kMxBlock);
    // Values: w13 (2·W rows of H/2 bytes), w2 (H rows of W/2 bytes), to 16 rows × 32 bytes.
    const uint64_t value = round_up(2 * W, kValueRowAlign) * round_up(H / 2, kValueByteAlign) - 2 * W * (H / 2) +
                           round_up(H, kValueRowAlign) * round_up(W / 2, kValueByteAlign) - H * (W / 2);
    const uint64_t per_layer = E * L;  // every decoder layer of gpt-oss is an MoE layer
    x.pad = mul_sat(pad, per_layer);
    x.bias32 = mul_sat(bias, per_layer);
    x.kept_scales = mul_sat(kept, per_layer);
    x.scale_swizzle = mul_sat(scale, per_layer);
    x.value_tile = mul_sat(value, per_layer);
    return x;
}

}  // namespace vram
