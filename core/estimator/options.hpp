// The estimate's options, as data: one table row per option (its key in the wasm API and share links, its
// command-line spellings, its kind and bounds, its help line), and one parser and validator that the CLI, the
// wasm API and the embed all go through. Values arrive as text on every surface ("8192", "max", "on", "vllm"),
// so an unknown or out-of-range value gets the same `invalid_option` error and message everywhere. After
// resolution the options are enums and pointers into the core's tables, never strings.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "estimator/error.hpp"
#include "estimator/gpu_catalog.hpp"
#include "estimator/precision.hpp"
#include "estimator/profiles.hpp"
#include "estimator/training.hpp"

namespace vram {

struct EstimateOptions {
    Precision precision = Precision::auto_;  // auto keeps every tensor's stored dtype
    uint64_t context_tokens = 0;             // 0 = the config's max context
    uint32_t batch = 1;                      // concurrent sequences
    ProfileId profile = ProfileId::classic;
    // Fields below were added after the original four; defaults keep the original behaviour.
    KvDtype kv_dtype = KvDtype::auto_;    // as the profile's engine offers them
    uint32_t tp = 1;                      // tensor-parallel ranks (GPUs sharing one model replica)
    const GpuInfo* gpu = nullptr;         // a gpu_catalog() row; nullptr = no GPU chosen
    double gpu_memory_utilization = 0;    // vLLM gpu_memory_utilization / SGLang mem_fraction_static; 0 = engine's
    uint64_t max_num_batched_tokens = 0;  // vLLM max_num_batched_tokens / SGLang chunked_prefill_size; 0 = engine's
    bool fit_table = true;                // compute gpu_fit and the GGUF rows; off for a chart's many points
    bool fit_limits = true;               // with a GPU: search the largest context, batch, -ngl; off: fits only
    bool assumption_lines = true;         // the report's assumptions list; off for a chart point or a matrix cell
    // llama.cpp profile (added with GGUF support; defaults are llama-server's).
    bool flash_attention = true;   // -fa on|off (llama.cpp's default "auto" turns it on where the backend has it)
    int32_t n_gpu_layers = -1;     // -ngl: layers offloaded, the output layer counting as one; -1 = all
    uint32_t ubatch_tokens = 512;  // -ub: tokens of one compute graph (n_ubatch)
    // diffusers profile (added with pipeline estimates): 0 = the pipeline's default.
    uint32_t height = 0, width = 0;  // image size in pixels
    uint32_t text_tokens = 0;        // the prompt's length in tokens (max_sequence_length of the T5 encoder)
    bool model_cpu_offload = false;  // pipe.enable_model_cpu_offload(): one component on the GPU at a time
    // vLLM profile (added with the A100 eager run of tests/validation/vllm-other).
    bool enforce_eager = false;  // vLLM enforce_eager: no CUDA graph captured
    // Fine-tuning (added with the training estimate): off = the inference report, unchanged.
    bool train = false;        // --train full|lora|qlora|freeze given (none = off)
    TrainingOptions training;  // read only when train is on; its defaults are the struct's (training.hpp)
};

enum class OptionKind : uint8_t {
    count,        // a whole number in [min, max]; words[] may name special values
    fraction,     // a number in (0, 1]
    flag,         // on|off (also true|false, 1|0)
    choice,       // one name of a core table (choices())
    list,         // comma-separated glob patterns ("q_proj,v_proj", "*.mlp.*")
    probability,  // a number in [0, 1) (a dropout rate)
};

struct OptionSpec {
    const char* key;         // wasm API / share-link key and JSON report key ("context_tokens")
    const char* flags;       // command-line spellings, space-separated, the first shown in --help
    const char* value_name;  // "N", "P", "on|off"
    OptionKind kind;
    uint64_t min, max;       // count bounds
    const char* special;     // count: a word accepted besides numbers ("max", "all"); "" = none
    const char* help;        // --help and the page
    bool gguf_only;          // only the GGUF (llama.cpp) profile reads it (diffusers_only: the diffusers profile)
    bool training = false;   // a fine-tuning option: read only with --train (its own --help section)
    bool framework = false;  // fine-tuning: how one framework runs it (PEFT, TRL, litgpt); the page folds these away
    // fine-tuning: the training method's field (train_methods(): "adapters", "base_nf4", "train_named_only") without
    // which the estimate does not read this option; "" = every method reads it. The page hides it for the others.
    const char* method_needs = "";
};

const std::vector<OptionSpec>& option_specs();
const OptionSpec* find_option(std::string_view key_or_flag);
// The names a choice option accepts ("classic, transformers, …"; gpu: every catalog id).
std::string option_choices(const OptionSpec& spec);

// Sets one option from its text. Errors are invalid_option, naming the option and what it accepts.
Error set_option(EstimateOptions& o, const OptionSpec& spec, std::string_view value);

// The options a user gave, in order: (key, text). Resolution starts from the defaults, applies the chosen
// profile's defaults (profile_defaults()), then the given values, then validates.
using GivenOptions = std::vector<std::pair<std::string, std::string>>;
struct OptionsResult {
    EstimateOptions options;
    Error error;
};
OptionsResult resolve_options(const GivenOptions& given);
// The checks that need no model: KV dtype and tensor parallelism against the profile, the GPU's backend, a
// quantized V cache without flash attention, the training bounds (check_training_options). estimate() runs them
// too (options built by hand).
Error validate_options(const EstimateOptions& o);

// One `--help` line: the flags in a gutter, the help wrapped.
std::string help_line(const std::string& flags, const std::string& help);
// The estimate options' part of `--help`, from the table: the inference rows, or (training) the fine-tuning rows.
std::string options_help(bool training = false);
// A fine-tuning option's value as text ("lora", "16", "on"; "" for an empty list), and its default, from
// TrainingOptions{}.
std::string training_value_text(const TrainingOptions& o, std::string_view key);
std::string training_default_text(std::string_view key);
// One warning per fine-tuning option set away from its default under a method that does not read it (the
// table's method_needs column): "--fp32-norms on changes nothing here: method lora does not read it …". The
// page hides those rows; a link or the CLI can still carry them, and a silent no-op would look like a figure.
std::vector<std::string> unread_training_options(const TrainingOptions& o);

}  // namespace vram
