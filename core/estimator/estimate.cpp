#include "estimator/estimate.hpp"

#include <array>

namespace vram {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
// The original tool's fixed runtime allowance ("CUDA Overhead … ~500MB").
constexpr uint64_t kClassicOverheadBytes = 500 * kMiB;
// The original tool's KV element width: 2 bytes (fp16) whatever the weight precision
// (its Qwen2-7B int4 example keeps 448 MB of KV at 8,192 tokens = 57,344 B/token × 8,192).
constexpr uint64_t kClassicKvElementBytes = 2;

struct Tier {
    uint64_t gib;
    const char* text;
};
// The one-line recommendation. The 8, 24 and 80 GB lines are the original README's examples;
// the others fill the gaps between them with the usual cards of that size.
constexpr std::array<Tier, 6> kClassicTiers = {{
    {8, "RTX 3070/4070 (8GB) or better"},
    {12, "RTX 3060/4070 Ti (12GB) or better"},
    {16, "RTX 4060 Ti/4080 (16GB) or better"},
    {24, "RTX 3090/4090 (24GB) or better"},
    {48, "RTX A6000/L40S (48GB) or better"},
    {80, "A100 (80GB) or multi-GPU setup"},
}};

std::string classic_recommendation(uint64_t total_bytes) {
    for (const auto& t : kClassicTiers)
        if (total_bytes <= t.gib * kGiB) return t.text;
    return "Multi-GPU setup required (more than 80GB)";
}

}  // namespace

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::auto_: return "auto";
        case Precision::float32: return "float32";
        case Precision::float16: return "float16";
        case Precision::bfloat16: return "bfloat16";
        case Precision::int8: return "int8";
        case Precision::int4: return "int4";
    }
    return "auto";
}

bool parse_precision(std::string_view text, Precision& out) {
    for (Precision p : {Precision::auto_, Precision::float32, Precision::float16, Precision::bfloat16, Precision::int8, Precision::int4})
        if (text == precision_name(p)) {
            out = p;
            return true;
        }
    return false;
}

uint32_t precision_bits(Precision p) {
    switch (p) {
        case Precision::float32: return 32;
        case Precision::float16:
        case Precision::bfloat16: return 16;
        case Precision::int8: return 8;
        case Precision::int4: return 4;
        case Precision::auto_: return 0;
    }
    return 0;
}

uint64_t tensor_bytes_at(const TensorRecord& t, Precision p) {
    const uint64_t bits = precision_bits(p);
    if (bits == 0 || t.params == 0) return t.bytes;
    const uint64_t at_target = (t.params * bits + 7) / 8;
    if (t.flags & kFloating) return at_target;
    if ((t.flags & kQuantized) && at_target < t.bytes) return at_target;
    return t.bytes;
}

Estimate estimate(const Model& m, const EstimateOptions& o) {
    Estimate e;
    e.options = o;
    if (m.error) {
        e.error = m.error;
        return e;
    }
    if (o.profile != "classic") {
        e.error = make_error(ErrorCode::invalid_argument, "unknown profile \"" + o.profile + "\" (known: classic)");
        return e;
    }
    if (o.batch == 0) {
        e.error = make_error(ErrorCode::invalid_argument, "batch size must be at least 1");
        return e;
    }
    e.components.reserve(m.components.size());
    for (const auto& c : m.components) e.components.push_back({c.name, 0, c.params});
    for (const auto& t : m.tensors) {
        const uint64_t b = tensor_bytes_at(t, o.precision);
        e.weights_bytes += b;
        e.weights_raw_bytes += t.bytes;
        e.components[t.component].bytes += b;
    }
    if (o.precision == Precision::auto_)
        e.assumptions.push_back("precision auto: every tensor keeps its stored dtype");
    else
        e.assumptions.push_back(std::string("precision ") + precision_name(o.precision) +
                                ": floating weights at that width; quantized storage keeps its bytes unless narrower");

    e.has_kv = m.has_llm;
    e.context_tokens = o.context_tokens ? o.context_tokens : m.arch.max_context_tokens;
    if (e.has_kv) {
        const Architecture& a = m.arch;
        // classic: 2 × layers × kv_heads × head_dim × context × batch × 2 bytes (the original formula)
        e.kv_bytes_per_token = 2ull * a.n_layers * a.n_kv_heads * a.head_dim * kClassicKvElementBytes;
        const double kv_approx = static_cast<double>(e.kv_bytes_per_token) * static_cast<double>(e.context_tokens) * o.batch;
        if (kv_approx > static_cast<double>(UINT64_MAX / 4)) {
            e.error = make_error(ErrorCode::invalid_argument, "context × batch is too large to estimate");
            return e;
        }
        e.kv_cache_bytes = e.kv_bytes_per_token * e.context_tokens * o.batch;
        e.assumptions.push_back("KV cache (classic): 2 × layers × kv_heads × head_dim × context × batch × 2 bytes, every layer full attention");
        if (!o.context_tokens)
            e.assumptions.push_back("context: the config's max context, " + std::to_string(e.context_tokens) + " tokens");
    }
    e.activation_bytes = e.weights_bytes / 10;
    e.assumptions.push_back("activations (classic): 10 % of the weights");
    e.overhead_bytes = kClassicOverheadBytes;
    e.assumptions.push_back("runtime overhead (classic): 500 MiB");
    e.total_bytes = e.weights_bytes + e.kv_cache_bytes + e.activation_bytes + e.overhead_bytes;
    e.recommendation = classic_recommendation(e.total_bytes);
    e.assumptions.push_back("GB in this report are 2^30 bytes, as in the original tool");
    return e;
}

}  // namespace vram
