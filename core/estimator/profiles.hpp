// Engine profiles and KV-cache dtypes, as data. A profile names the engine whose memory accounting an
// estimate follows, the version and source files its rules were read from, and the parameters those
// rules need (KV block size, batched-token budget, memory fraction, which KV dtypes the engine offers).
// The formulas themselves are in estimate.cpp, one function per profile, each citing its source; the
// full derivation is docs/estimates.md.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/gpu_catalog.hpp"

namespace vram {

enum class ProfileId : uint8_t { classic, transformers, vllm, sglang, llama_cpp };

enum class KvDtype : uint8_t { auto_, fp16, bf16, fp8, int8, q8_0, q4_0, fp32, q4_1, q5_0, q5_1, iq4_nl };

struct KvDtypeInfo {
    KvDtype dtype;
    const char* name;         // the option's spelling
    uint32_t block_bytes;     // bytes of one quantisation block
    uint32_t block_elements;  // elements in that block (1 for plain types; ggml q8_0/q4_0: 32)
};
const std::vector<KvDtypeInfo>& kv_dtypes();
const KvDtypeInfo* find_kv_dtype(std::string_view name);
// "auto, fp16, bf16, …": every kv_dtype name, for messages.
std::string kv_dtype_names();

// How a sliding-window (or chunked-local) layer is charged.
enum class SlidingRule : uint8_t {
    window,             // min(window, context): transformers' DynamicSlidingWindowLayer
    window_plus_batch,  // vLLM: window − 1 + max_num_batched_tokens, whole blocks, plus one block
    full_context,       // the engine's pool charges every layer the whole context (SGLang's uniform cell)
};

struct ProfileInfo {
    ProfileId id;
    const char* name;     // the option's spelling
    const char* engine;   // "vLLM"
    const char* version;  // the engine version the rules were read from
    const char* sources;  // engine files the rules follow
    bool implemented;     // false: the profile answers invalid_argument with `unsupported_reason`
    const char* unsupported_reason;
    uint32_t block_tokens;  // KV allocation granularity in tokens (vLLM 16; 1 = token-granular)
    SlidingRule sliding;
    bool mla_latent;              // MLA cached as one latent per token and layer (false: expanded K/V per head)
    bool supports_tp;             // tensor parallelism modelled
    bool preallocates;            // the engine reserves a fixed share of the GPU at start-up
    const char* fraction_option;  // name of that share's option ("gpu_memory_utilization"), "" if none
    uint64_t kv_dtype_mask;       // bit (1 << KvDtype) for every kv_dtype the engine offers
    uint32_t backend_mask;        // bit (1 << GpuBackend) for every GPU backend the engine runs on
};

const std::vector<ProfileInfo>& profiles();
const ProfileInfo* find_profile(std::string_view name);
bool profile_supports(const ProfileInfo& p, KvDtype d);
bool profile_runs_on(const ProfileInfo& p, GpuBackend b);
// "classic, transformers, vllm, sglang, llama.cpp"
std::string_view profile_names();

}  // namespace vram
