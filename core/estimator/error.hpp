// Errors are values: every result carries an Error whose code is stable (tests and the JSON output
// assert it) and whose message names what was read, what was expected and where.
#pragma once
#include <string>

namespace vram {

enum class ErrorCode {
    none = 0,
    // safetensors header (core/estimator/safetensors.*)
    header_too_short,         // fewer than 8 bytes where the length prefix should be
    header_length_zero,       // the u64 length prefix is 0
    header_too_large,         // the u64 length prefix exceeds kMaxHeaderBytes
    header_truncated,         // fewer header bytes than the prefix announced
    header_not_json,          // the header is not valid JSON (or not valid UTF-8)
    header_not_object,        // the header is JSON but not an object of tensor entries
    tensor_entry_invalid,     // an entry lacks dtype/shape/data_offsets or has the wrong types
    shape_overflow,           // the product of the dimensions overflows 64 bits
    offsets_invalid,          // begin > end
    offsets_overlap,          // two tensors share bytes
    offsets_hole,             // bytes between two tensors belong to none
    offsets_past_file,        // a tensor ends past the file size
    shape_size_mismatch,      // element count × dtype width disagrees with the byte span
    // repo metadata (config.json, indexes, manifests)
    config_invalid,           // config.json is not a JSON object
    index_invalid,            // a *.safetensors.index.json is malformed or names an unsafe path
    manifest_invalid,         // model_index.json / modules.json malformed
    listing_invalid,          // the tree listing is malformed
    // Hub (core/hub/*)
    repo_not_found,           // 404 RepoNotFound, or 401 without a token (the Hub hides private repos)
    revision_not_found,       // 404 RevisionNotFound
    entry_not_found,          // 404 EntryNotFound for a file the layout needs
    gated,                    // 401/403 GatedRepo
    invalid_token,            // 401 "Invalid credentials in Authorization header"
    rate_limited,             // 429 after the retries
    http_error,               // any other non-success status
    network,                  // status 0: connection refused, DNS, CORS refused, offline
    timeout,                  // the request took longer than its limit
    bad_response,             // a response whose shape is not what the protocol says (HTML for JSON, bad Content-Range)
    no_weights,               // the repo has no safetensors weights
    cancelled,                // the user cancelled
    invalid_argument,         // bad input from the user (model id, options)
};

const char* error_code_name(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::none;
    std::string message;

    explicit operator bool() const { return code != ErrorCode::none; }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace vram
