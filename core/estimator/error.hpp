// Errors are values: every result carries an Error whose code is stable (tests and the JSON output
// assert it) and whose message names what was read, what was expected and where.
#pragma once
#include <string>

namespace vram {

enum class ErrorCode {
    none = 0,
    // safetensors header (core/estimator/safetensors.*)
    header_too_short,      // fewer than 8 bytes where the length prefix should be
    header_length_zero,    // the u64 length prefix is 0
    header_too_large,      // the u64 length prefix exceeds kMaxHeaderBytes
    header_truncated,      // fewer header bytes than the prefix announced
    header_not_json,       // the header is not valid JSON (or not valid UTF-8)
    header_not_object,     // the header is JSON but not an object of tensor entries
    tensor_entry_invalid,  // an entry lacks dtype/shape/data_offsets or has the wrong types
    shape_overflow,        // the product of the dimensions overflows 64 bits
    offsets_invalid,       // begin > end
    offsets_overlap,       // two tensors share bytes
    offsets_hole,          // bytes between two tensors belong to none
    offsets_past_file,     // a tensor ends past the file size
    shape_size_mismatch,   // element count × dtype width disagrees with the byte span
    tensor_duplicate,      // a tensor name given twice in one header (the Rust reader refuses it)
    sum_overflow,          // a sum of bytes or parameters across tensors or files overflows 64 bits
    // GGUF header (core/estimator/gguf.*)
    gguf_bad_magic,               // the first 4 bytes are not "GGUF"
    gguf_bad_version,             // a version other than 2 or 3
    gguf_too_many_kv,             // metadata_kv_count above kGgufMaxKvCount
    gguf_too_many_tensors,        // tensor_count above kGgufMaxTensorCount
    gguf_string_too_long,         // a string length above kGgufMaxStringBytes
    gguf_array_too_long,          // an array length above kGgufMaxArrayLength
    gguf_array_too_deep,          // arrays nested deeper than kGgufMaxArrayDepth
    gguf_bad_value_type,          // a metadata value type outside 0..12
    gguf_duplicate_key,           // a metadata key or tensor name given twice
    gguf_bad_alignment,           // general.alignment not a UINT32 power of two
    gguf_too_many_dims,           // a tensor with more than kGgufMaxDims dimensions
    gguf_dim_invalid,             // a dimension above 2^63 or an element count that overflows
    gguf_bad_tensor_type,         // a ggml type id unknown or removed from the format
    gguf_dim_not_block_multiple,  // ne[0] is not a multiple of the type's block size
    gguf_offset_invalid,          // a tensor offset not where ggml expects it, or data past the end of the file
    gguf_truncated,               // the file ends before its tensor infos do
    gguf_prefix_too_large,        // header + metadata + tensor infos longer than kGgufMaxPrefixBytes
    gguf_metadata_invalid,        // required keys missing or of the wrong type, split files that disagree
    // repo metadata (config.json, indexes, manifests)
    config_invalid,    // config.json is not a JSON object
    index_invalid,     // a *.safetensors.index.json is malformed or names an unsafe path
    manifest_invalid,  // model_index.json / modules.json malformed
    listing_invalid,   // the tree listing is malformed
    // Hub (core/hub/*)
    repo_not_found,      // 404 RepoNotFound, or 401 without a token (the Hub hides private repos)
    revision_not_found,  // 404 RevisionNotFound
    entry_not_found,     // 404 EntryNotFound for a file the layout needs
    gated,               // 401/403 GatedRepo
    invalid_token,       // 401 "Invalid credentials in Authorization header"
    rate_limited,        // 429 after the retries
    http_error,          // any other non-success status
    network,             // status 0: connection refused, DNS, CORS refused, offline
    transfer_failed,     // the server answered, then the transfer broke off (a cut body, a redirect loop)
    timeout,             // the request took longer than its limit
    budget_exceeded,     // the whole load passed a per-estimate limit (metadata bytes, requests)
    bad_response,        // a response whose shape is not what the protocol says (HTML for JSON, bad Content-Range)
    no_weights,          // the repo has no safetensors weights
    cancelled,           // the user cancelled
    invalid_argument,    // bad input from the user (model id, a combination of options the model or engine refuses)
    invalid_option,      // an option's value unknown or out of range (options.hpp), named with what it accepts
    out_of_memory,       // an allocation failed (the page's WebAssembly heap reached its maximum)
    internal,            // an exception the core did not expect, caught at the wasm boundary
    // fine-tuning (core/estimator/training.*)
    training_option_invalid,  // a training option out of its bounds (micro-batch 0, rank 0, offload without sharding)
    lora_target_unmatched,    // LoRA targets / trainable modules that match no weight matrix of the checkpoint
    quantized_base,           // QLoRA or full training over a checkpoint already quantized (GPTQ, AWQ, FP8 …)
    training_unsupported,     // a repo training is not modelled for (GGUF, no decoder architecture)
};

const char* error_code_name(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::none;
    std::string message;

    explicit operator bool() const { return code != ErrorCode::none; }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace vram
