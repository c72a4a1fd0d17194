#include "estimator/error.hpp"

namespace vram {

const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::none: return "none";
        case ErrorCode::header_too_short: return "header_too_short";
        case ErrorCode::header_length_zero: return "header_length_zero";
        case ErrorCode::header_too_large: return "header_too_large";
        case ErrorCode::header_truncated: return "header_truncated";
        case ErrorCode::header_not_json: return "header_not_json";
        case ErrorCode::header_not_object: return "header_not_object";
        case ErrorCode::tensor_entry_invalid: return "tensor_entry_invalid";
        case ErrorCode::shape_overflow: return "shape_overflow";
        case ErrorCode::offsets_invalid: return "offsets_invalid";
        case ErrorCode::offsets_overlap: return "offsets_overlap";
        case ErrorCode::offsets_hole: return "offsets_hole";
        case ErrorCode::offsets_past_file: return "offsets_past_file";
        case ErrorCode::shape_size_mismatch: return "shape_size_mismatch";
        case ErrorCode::gguf_bad_magic: return "gguf_bad_magic";
        case ErrorCode::gguf_bad_version: return "gguf_bad_version";
        case ErrorCode::gguf_too_many_kv: return "gguf_too_many_kv";
        case ErrorCode::gguf_too_many_tensors: return "gguf_too_many_tensors";
        case ErrorCode::gguf_string_too_long: return "gguf_string_too_long";
        case ErrorCode::gguf_array_too_long: return "gguf_array_too_long";
        case ErrorCode::gguf_array_too_deep: return "gguf_array_too_deep";
        case ErrorCode::gguf_bad_value_type: return "gguf_bad_value_type";
        case ErrorCode::gguf_duplicate_key: return "gguf_duplicate_key";
        case ErrorCode::gguf_bad_alignment: return "gguf_bad_alignment";
        case ErrorCode::gguf_too_many_dims: return "gguf_too_many_dims";
        case ErrorCode::gguf_dim_invalid: return "gguf_dim_invalid";
        case ErrorCode::gguf_bad_tensor_type: return "gguf_bad_tensor_type";
        case ErrorCode::gguf_dim_not_block_multiple: return "gguf_dim_not_block_multiple";
        case ErrorCode::gguf_offset_invalid: return "gguf_offset_invalid";
        case ErrorCode::gguf_truncated: return "gguf_truncated";
        case ErrorCode::gguf_prefix_too_large: return "gguf_prefix_too_large";
        case ErrorCode::gguf_metadata_invalid: return "gguf_metadata_invalid";
        case ErrorCode::config_invalid: return "config_invalid";
        case ErrorCode::index_invalid: return "index_invalid";
        case ErrorCode::manifest_invalid: return "manifest_invalid";
        case ErrorCode::listing_invalid: return "listing_invalid";
        case ErrorCode::repo_not_found: return "repo_not_found";
        case ErrorCode::revision_not_found: return "revision_not_found";
        case ErrorCode::entry_not_found: return "entry_not_found";
        case ErrorCode::gated: return "gated";
        case ErrorCode::invalid_token: return "invalid_token";
        case ErrorCode::rate_limited: return "rate_limited";
        case ErrorCode::http_error: return "http_error";
        case ErrorCode::network: return "network";
        case ErrorCode::timeout: return "timeout";
        case ErrorCode::bad_response: return "bad_response";
        case ErrorCode::no_weights: return "no_weights";
        case ErrorCode::cancelled: return "cancelled";
        case ErrorCode::invalid_argument: return "invalid_argument";
    }
    return "unknown";
}

}  // namespace vram
