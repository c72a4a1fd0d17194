#include "estimator/error.hpp"

#include <array>

namespace vram {
namespace {

// One name per code, in the enum's order (error.hpp); the names are stable: tests, the JSON output and the page
// match on them.
constexpr std::array<const char*, 60> kNames = {
    "none",
    "header_too_short",
    "header_length_zero",
    "header_too_large",
    "header_truncated",
    "header_not_json",
    "header_not_object",
    "tensor_entry_invalid",
    "shape_overflow",
    "offsets_invalid",
    "offsets_overlap",
    "offsets_hole",
    "offsets_past_file",
    "shape_size_mismatch",
    "tensor_duplicate",
    "sum_overflow",
    "gguf_bad_magic",
    "gguf_bad_version",
    "gguf_too_many_kv",
    "gguf_too_many_tensors",
    "gguf_string_too_long",
    "gguf_array_too_long",
    "gguf_array_too_deep",
    "gguf_bad_value_type",
    "gguf_duplicate_key",
    "gguf_bad_alignment",
    "gguf_too_many_dims",
    "gguf_dim_invalid",
    "gguf_bad_tensor_type",
    "gguf_dim_not_block_multiple",
    "gguf_offset_invalid",
    "gguf_truncated",
    "gguf_prefix_too_large",
    "gguf_metadata_invalid",
    "config_invalid",
    "index_invalid",
    "manifest_invalid",
    "listing_invalid",
    "repo_not_found",
    "revision_not_found",
    "entry_not_found",
    "gated",
    "invalid_token",
    "rate_limited",
    "http_error",
    "network",
    "transfer_failed",
    "timeout",
    "budget_exceeded",
    "bad_response",
    "no_weights",
    "cancelled",
    "invalid_argument",
    "invalid_option",
    "out_of_memory",
    "internal",
    "training_option_invalid",
    "lora_target_unmatched",
    "quantized_base",
    "training_unsupported",
};
static_assert(kNames.size() == static_cast<size_t>(ErrorCode::training_unsupported) + 1, "one name per ErrorCode");

}  // namespace

const char* error_code_name(ErrorCode code) {
    const size_t i = static_cast<size_t>(code);
    return i < kNames.size() ? kNames[i] : "unknown";
}

}  // namespace vram
