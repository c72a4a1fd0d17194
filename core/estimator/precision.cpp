#include "estimator/precision.hpp"

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
        {"int8", "int8", 8, 2, "8-bit weights (also the closest target for fp8)"},
        {"int4", "int4", 4, 2, "4-bit weights"},
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

uint64_t tensor_bytes_at(const TensorRecord& t, Precision p) {
    const uint64_t bits = precision_bits(p);
    if (bits == 0 || t.params == 0) return t.bytes;
    const uint64_t target_bits = mul_sat(t.params, bits);
    const uint64_t at_target = target_bits == kSaturated ? kSaturated : cdiv(target_bits, 8);
    if (t.flags & kFloating) return at_target;
    if ((t.flags & kQuantized) && at_target < t.bytes) return at_target;
    return t.bytes;
}

}  // namespace vram
