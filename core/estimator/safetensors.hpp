// safetensors header parsing and validation.
// Source of truth: huggingface/safetensors README "Format" and safetensors/src/tensor.rs
// (Metadata::validate, read_metadata) at 24b0b28:
//   file = u64 little-endian N | N bytes of UTF-8 JSON header | byte buffer
//   header = {"NAME": {"dtype": "F16", "shape": [..], "data_offsets": [BEGIN, END]}, "__metadata__": {..}}
//   offsets are relative to the byte buffer; sorted by offset they must be contiguous from 0,
//   END - BEGIN == n_elements × bits / 8, and 8 + N + last END == file size.
// Bytes always come from data_offsets: an unknown dtype keeps its span and adds a warning.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/dtype.hpp"
#include "estimator/error.hpp"

namespace vram {

// The Rust reader's MAX_HEADER_SIZE ("HeaderTooLarge … larger than 100Mo"); a header above it
// cannot be loaded by any safetensors implementation, so it is malformed, not merely large.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// Length of the little-endian u64 prefix.
constexpr uint64_t kHeaderPrefixBytes = 8;

struct TensorInfo {
    std::string name;
    DType dtype = DType::unknown;
    std::string dtype_name;       // as written in the header (differs from dtype_name(dtype) for aliases/unknowns)
    std::vector<uint64_t> shape;  // PyTorch order (outermost first)
    uint64_t n_elements = 0;      // product of shape (1 for a 0-rank scalar)
    uint64_t begin_bytes = 0;     // data_offsets[0], relative to the byte buffer
    uint64_t end_bytes = 0;       // data_offsets[1], one past the last byte
    uint64_t bytes() const { return end_bytes - begin_bytes; }
};

struct SafetensorsHeader {
    Error error;
    std::vector<TensorInfo> tensors;              // in data_offsets order
    std::map<std::string, std::string> metadata;  // __metadata__ (string → string per the format)
    std::vector<std::string> warnings;            // unknown dtypes, non-string metadata values
    uint64_t header_bytes = 0;                    // N, the JSON length
    uint64_t data_bytes = 0;                      // last END: size of the byte buffer
};

struct HeaderLength {
    Error error;
    uint64_t header_bytes = 0;  // N
};

// Reads N from the first 8 bytes of a file and checks it against kMaxHeaderBytes and, when the
// file size is known (non-zero), against the file.
HeaderLength read_header_length(std::string_view first_bytes, std::string_view file, uint64_t file_size);

// Parses and validates the N-byte JSON header of `file`. `file_size` 0 means unknown (the
// end-of-file checks are then skipped).
SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::string_view file, uint64_t file_size);

}  // namespace vram
