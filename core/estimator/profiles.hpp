// Engine profiles, KV-cache dtypes and each engine's numeric facts, as data. A profile names the engine whose
// memory accounting an estimate follows, the version and source files its rules were read from, what it accepts
// (KV dtypes, tensor parallelism, GGUF options) and its defaults. The formulas are in the engine_*.cpp files, one
// evaluator per engine (engine.hpp), each citing its source; docs/estimates.md derives them.
// Adding a KV dtype, a profile default or an engine's batch default is one row here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/gpu_catalog.hpp"
#include "estimator/precision.hpp"

namespace vram {

// Index into profiles(); the evaluator is chosen by it (engine.hpp).
enum class ProfileId : uint8_t { classic, transformers, vllm, sglang, llama_cpp, diffusers };
constexpr uint32_t profile_bit(ProfileId p) { return 1u << static_cast<unsigned>(p); }

// Index into kv_dtypes(). Named values are the ones code refers to; a later row needs no name here.
enum class KvDtype : uint8_t { auto_ = 0 };

struct KvDtypeInfo {
    const char* name;         // the option's spelling ("q8_0")
    const char* label;        // what the page shows
    const char* ggml_type;    // ggml type whose block layout this is (gguf.cpp ggml_types()); "" for plain widths
    uint32_t block_bytes;     // bytes of one block (plain types: the element width; auto: 0 = the compute dtype)
    uint32_t block_elements;  // elements in that block (plain types 1)
    uint32_t profiles;        // profile_bit() of every profile whose engine offers it
    const char* help;
    // MLA-only layouts: one record of this many bytes per token and layer in place of the latent's elements
    // (0 = elements × width), and the only latent width (kv_lora_rank + qk_rope_head_dim) the record holds.
    uint32_t mla_record_bytes = 0;
    uint32_t mla_latent_width = 0;
};
const std::vector<KvDtypeInfo>& kv_dtypes();
const KvDtypeInfo& kv_dtype_info(KvDtype d);
bool parse_kv_dtype(std::string_view name, KvDtype& out);

// How a sliding-window (or chunked-local) layer is charged.
enum class SlidingRule : uint8_t {
    window,             // min(window, context): transformers' DynamicSlidingWindowLayer
    window_plus_batch,  // vLLM: window − 1 + max_num_batched_tokens, whole blocks, plus one block
    full_context,       // the engine's pool charges every layer the whole context (SGLang's uniform cell)
};

struct ProfileInfo {
    ProfileId id;
    const char* name;       // the option's spelling
    const char* label;      // what the page shows ("vLLM")
    const char* engine;     // "vLLM"
    const char* version;    // the engine version the rules were read from
    const char* sources;    // engine files the rules follow
    uint32_t block_tokens;  // KV allocation granularity in tokens (vLLM 16; 1 = token-granular)
    SlidingRule sliding;
    bool mla_latent;              // MLA cached as one latent per token and layer (false: expanded K/V per head)
    bool shared_page;             // vLLM: every KV group shares one page size (layers grouped and padded, the
                                  // attention block grown to hold a recurrent state, one page per request's state)
    uint32_t max_tp;              // tensor-parallel ranks modelled (1 = none; the --tp bound is the option's)
    bool preallocates;            // the engine reserves a fixed share of the GPU at start-up
    const char* fraction_option;  // name of that share's option ("gpu_memory_utilization"), "" if none
    bool gguf;                    // reads GGUF repos only, and takes the GGUF options (flash attention, -ngl, -ub)
    uint32_t backend_mask;        // bit (1 << GpuBackend) for every GPU backend the engine runs on
    const char* fixed_kv_reason;  // why the KV dtype cannot be chosen ("" when it can)
    bool original_report;         // the text report keeps the original tool's layout (classic)
};

const std::vector<ProfileInfo>& profiles();
const ProfileInfo& profile_info(ProfileId id);
bool parse_profile(std::string_view name, ProfileId& out);
bool profile_supports(const ProfileInfo& p, KvDtype d);
bool profile_runs_on(const ProfileInfo& p, GpuBackend b);
// Does the profile's engine take this precision target (PrecisionInfo::profiles)?
bool profile_takes(const ProfileInfo& p, Precision x);
// Does the profile read enforce_eager (vLLM's --enforce-eager)? The option check and vocabularies() both ask this.
inline bool profile_takes_eager(const ProfileInfo& p) { return p.id == ProfileId::vllm; }
// Every precision name `p` takes, comma-separated.
std::string precision_names(const ProfileInfo& p);
// "classic, transformers, vllm, sglang, llama.cpp": every profile name, for messages and help.
std::string profile_names();
// Every KV dtype name `p` accepts, comma-separated.
std::string kv_dtype_names(const ProfileInfo& p);
std::string kv_dtype_names();

// A profile's default for one option (options.hpp key and value as the option reads it). Options not listed
// default to the option's own default.
struct ProfileDefault {
    ProfileId profile;
    const char* key;
    const char* value;
    const char* source;
};
const std::vector<ProfileDefault>& profile_defaults();
// The profile's default value text for `key`, nullptr when it has none.
const char* profile_default(ProfileId profile, std::string_view key);

// An engine's batch defaults, by GPU: the first row of the profile whose condition holds is used; with no GPU
// chosen, the profile's first row.
struct BatchDefault {
    ProfileId profile;
    uint64_t min_usable_bytes;    // the GPU has at least this much usable memory
    const char* excluded_prefix;  // … and its catalog id does not start with this ("" = none excluded)
    uint64_t batched_tokens;      // vLLM max_num_batched_tokens / SGLang chunked_prefill_size
    uint32_t max_num_seqs;
    const char* source;
};
const BatchDefault& batch_default(ProfileId profile, const GpuInfo* gpu);

// Tensor-parallel sizes the page offers and the fit table tries ("how many GPUs").
const std::vector<uint32_t>& tp_steps();

// SGLang's mem_fraction_static by tensor-parallel size: the first row with tp ≥ min_tp.
struct FractionStep {
    uint32_t min_tp;
    double fraction;
};
double sglang_fraction(uint32_t tp);

}  // namespace vram
