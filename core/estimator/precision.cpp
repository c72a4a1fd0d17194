#include "estimator/precision.hpp"

#include "estimator/profiles.hpp"
#include "estimator/sat_math.hpp"

namespace vram {

const std::vector<PrecisionInfo>& precisions() {
    // The original tool's -q choices (original README: "float32|float16|bfloat16|int8|int4"), plus auto. Engines
    // compute in 16 bits for every 16-bit and weight-only quantized target, in 32 for float32.
    static const std::vector<PrecisionInfo> kTable = {
        {"auto", "As stored", 0, 0, "every tensor keeps its stored dtype"},
        {"float32", "float32", 32, 4, "floating weights at 4 bytes"},
        {"float16", "float16", 16, 2, "floating weights at 2 bytes"},
        {"bfloat16", "bfloat16", 16, 2, "floating weights at 2 bytes"},
        {"int8", "int8", 8, 2, "8-bit weights, every floating tensor"},
        {"int4", "int4", 4, 2, "4-bit weights"},
        // vLLM --quantization fp8 on a 16-bit checkpoint (v0.19: quantization/fp8.py Fp8Config.get_quant_method gives
        // LinearBase layers Fp8OnlineLinearMethod and FusedMoE Fp8OnlineMoEMethod; process_weights_after_loading
        // calls ops.scaled_fp8_quant(layer.weight, scale=None): float8_e4m3fn weight + one float32 scale per fused
        // module, counted here per checkpoint tensor — q, k, v and gate, up apart: at most 12 B per layer over).
        // VocabParallelEmbedding / ParallelLMHead, the norms and the router gates (ReplicatedLinear built with
        // quant_config=None) are not quantized: they stay at the model dtype.
        {"fp8", "fp8 (vLLM: Linear layers)", 8, 2,
         "vLLM --quantization fp8: Linear weights at 1 byte + a per-tensor scale; embeddings, lm_head, norms 16-bit",
         true, profile_bit(ProfileId::vllm)},
#ifdef VRAM_TEST_EXTRA_ROWS
        {"int3", "int3 (test row)", 3, 2, "3-bit weights (a row added by the extra-rows test build)"},
#endif
    };
    return kTable;
}

const PrecisionInfo& precision_info(Precision p) {
    const auto& t = precisions();
    const size_t i = static_cast<size_t>(p);
    return i < t.size() ? t[i] : t[0];
}

const char* precision_name(Precision p) { return precision_info(p).name; }
uint32_t precision_bits(Precision p) { return precision_info(p).bits; }

bool parse_precision(std::string_view text, Precision& out) {
    const auto& t = precisions();
    for (size_t i = 0; i < t.size(); ++i)
        if (text == t[i].name) {
            out = static_cast<Precision>(i);
            return true;
        }
    return false;
}

namespace {
// Whole bytes of `params` at `bits` each, saturating.
uint64_t cdiv_sat_bits(uint64_t params, uint64_t bits) {
    const uint64_t target_bits = mul_sat(params, bits);
    return target_bits == kSaturated ? kSaturated : cdiv(target_bits, 8);
}
}  // namespace

uint64_t tensor_bytes_at(const TensorRecord& t, Precision p) {
    const PrecisionInfo& row = precision_info(p);
    const uint64_t bits = row.bits;
    if (bits == 0 || t.params == 0) return t.bytes;
    if (row.linear_only) {
        if (!(t.flags & kFloating)) return t.bytes;
        if (t.flags & kLinear) return add_sat(cdiv_sat_bits(t.params, bits), kPerTensorScaleBytes);
        return mul_sat(t.params, row.compute_bytes);
    }
    const uint64_t at_target = cdiv_sat_bits(t.params, bits);
    if (t.flags & kFloating) return at_target;
    if ((t.flags & kQuantized) && at_target < t.bytes) return at_target;
    return t.bytes;
}

}  // namespace vram
