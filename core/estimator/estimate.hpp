// The estimate: weights at a precision target, KV cache, activations, runtime overhead.
// Profile "classic" is the original hf-vram-estimator (../shared/seed/original-tool-README.md):
//   KV cache      = 2 × layers × kv_heads × head_dim × context × batch × 2 bytes
//   activations   = 10 % of the weights
//   CUDA overhead = 500 MiB
//   its "GB" are 2^30 bytes; the default context is the config's max context.
// Every assumption a profile makes is listed in Estimate::assumptions, so the user can see it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "estimator/model.hpp"

namespace vram {

enum class Precision : uint8_t { auto_, float32, float16, bfloat16, int8, int4 };
const char* precision_name(Precision p);
bool parse_precision(std::string_view text, Precision& out);
uint32_t precision_bits(Precision p);  // 0 for auto

struct EstimateOptions {
    Precision precision = Precision::auto_;  // auto keeps every tensor's stored dtype
    uint64_t context_tokens = 0;             // 0 = the config's max context
    uint32_t batch = 1;                      // concurrent sequences
    std::string profile = "classic";
};

struct ComponentBytes {
    std::string name;
    uint64_t bytes = 0;   // at the precision target
    uint64_t params = 0;
};

struct Estimate {
    Error error;
    EstimateOptions options;
    uint64_t context_tokens = 0;          // the context actually used
    uint64_t weights_bytes = 0;           // at the precision target
    uint64_t weights_raw_bytes = 0;       // as stored
    uint64_t kv_cache_bytes = 0;
    uint64_t kv_bytes_per_token = 0;      // per sequence, all layers
    uint64_t activation_bytes = 0;
    uint64_t overhead_bytes = 0;
    uint64_t total_bytes = 0;
    bool has_kv = false;                  // false: no KV line (diffusion parts, encoders)
    std::vector<ComponentBytes> components;
    std::string recommendation;           // the classic one-line GPU recommendation
    std::vector<std::string> assumptions;
};

Estimate estimate(const Model& model, const EstimateOptions& options);

// Bytes of one weight tensor at a precision target: floating weights take the target width;
// quantized storage keeps its bytes unless the target is narrower; other tensors keep theirs.
uint64_t tensor_bytes_at(const TensorRecord& t, Precision p);

}  // namespace vram
