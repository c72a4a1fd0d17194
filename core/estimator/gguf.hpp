// GGUF: the header of a llama.cpp / ggml model file, parsed from a prefix of the file.
// Source of truth: ggml-org/ggml d99724f `docs/gguf.md`, `include/ggml.h` (enum ggml_type), `src/ggml.c`
// (type_traits: block size, bytes per block), `src/gguf.cpp` (gguf_init_from_file_impl: what a loader rejects);
// llama.cpp `include/llama.h` (enum llama_ftype); the safety limits of huggingface.js
// `packages/gguf/src/gguf.ts`:
//   file     = "GGUF" | u32 version | u64 n_tensors | u64 n_kv | n_kv × kv | n_tensors × tensor info | pad | data
//   kv       = string key | u32 value type | value;   string = u64 length | bytes (no NUL)
//   array    = u32 element type | u64 count | count × element (arrays nest)
//   info     = string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset
//   ne[0] is the innermost (fastest-varying) dimension, the reverse of PyTorch order; a tensor holds
//   n_elements / block_elements × block_bytes bytes; offsets are relative to the data section, which starts
//   at the end of the tensor infos rounded up to general.alignment (UINT32 power of two, default 32), and
//   every tensor starts where the previous one ends, rounded up to the alignment.
// Little-endian by default; a big-endian file is recognised by its version bytes (huggingface.js does so).
// Versions 2 and 3 (u64 counts) are read; version 1 (u32 counts, before 2023-08-27) is refused.
// A prefix that ends before the tensor infos do is not an error: the result says how many bytes are needed.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/error.hpp"

namespace vram {

// huggingface.js MAX_KV_COUNT: real files hold tens of keys; 10^5 only stops a hostile count.
constexpr uint64_t kGgufMaxKvCount = 100'000;
// huggingface.js MAX_TENSOR_COUNT: the largest MoE GGUFs hold ~10^5 tensors.
constexpr uint64_t kGgufMaxTensorCount = 10'000'000;
// huggingface.js MAX_METADATA_ARRAY_LENGTH: tokenizer vocabularies reach 262,144 tokens and merges a few 10^5.
constexpr uint64_t kGgufMaxArrayLength = 1'000'000;
// huggingface.js MAX_STRING_LENGTH (10 MB): chat templates are tens of kB.
constexpr uint64_t kGgufMaxStringBytes = 10'000'000;
// huggingface.js MAX_TENSOR_NDIMS (ggml itself stops at GGML_MAX_DIMS = 4).
constexpr uint32_t kGgufMaxDims = 8;
// Arrays of arrays nest at most this deep (huggingface.js recurses to depth 4; ggml reads none).
constexpr uint32_t kGgufMaxArrayDepth = 4;
// Header + metadata + tensor infos read at most: huggingface.js stops at 50 MB; 64 MiB leaves room for the
// largest tokenizers (260k tokens and merges, ~10 MB) many times over.
constexpr uint64_t kGgufMaxPrefixBytes = 64ull << 20;
// Array elements kept in memory after validation: per-layer arrays (head_count_kv of a few hundred layers)
// are kept; tokenizer arrays (32k–262k entries) are validated and counted, not kept.
constexpr uint64_t kGgufKeptArrayElements = 16'384;
// gguf.cpp GGUF_DEFAULT_ALIGNMENT.
constexpr uint32_t kGgufDefaultAlignment = 32;

// Metadata value types (gguf.md; enum gguf_type).
enum class GgufType : uint32_t {
    u8 = 0,
    i8 = 1,
    u16 = 2,
    i16 = 3,
    u32 = 4,
    i32 = 5,
    f32 = 6,
    boolean = 7,
    string = 8,
    array = 9,
    u64 = 10,
    i64 = 11,
    f64 = 12,
};
const char* gguf_type_name(GgufType t);

struct GgufValue {
    GgufType type = GgufType::u8;
    uint64_t u = 0;                     // u8/u16/u32/u64/bool; also a non-negative i*
    int64_t i = 0;                      // i8/i16/i32/i64; also u* that fit
    double f = 0;                       // f32/f64; also every integer
    std::string s;                      // string
    GgufType elem_type = GgufType::u8;  // array: element type
    uint64_t n_elements = 0;            // array: element count (always set)
    std::vector<GgufValue> elements;    // array: elements, kept when n_elements <= kGgufKeptArrayElements
    bool is_integer() const;            // an integer type or bool
    bool is_array() const { return type == GgufType::array; }
    bool kept() const { return elements.size() == n_elements; }
};

// One row of the ggml type table.
struct GgmlTypeInfo {
    uint32_t id;              // enum ggml_type value
    const char* name;         // "Q4_K"
    uint32_t block_elements;  // elements per block (QK_K = 256 for K-quants); 0 = removed from the format
    uint32_t block_bytes;     // bytes per block
};
const std::vector<GgmlTypeInfo>& ggml_types();
// The row of `id`, or nullptr for an id the table does not have. Removed ids have a row with block_elements 0.
const GgmlTypeInfo* ggml_type_info(uint32_t id);
const GgmlTypeInfo* ggml_type_by_name(std::string_view name);
// Bytes of n elements of a type (ggml_row_size): n / block × block bytes, rounded up to a whole block.
uint64_t ggml_bytes(const GgmlTypeInfo& t, uint64_t n_elements);

// general.file_type holds the llama_ftype enum (llama.h), NOT a ggml_type: 15 is MOSTLY_Q4_K_M (ggml 15 is Q8_K).
// "Q4_K_M" for 15; nullptr for an id the table does not have.
const char* llama_ftype_name(uint32_t ftype);

struct GgufTensor {
    std::string name;
    std::vector<uint64_t> ne;   // dimensions, innermost first (ne[0] varies fastest)
    uint32_t type = 0;          // ggml_type id
    uint64_t offset_bytes = 0;  // relative to the data section
    uint64_t n_elements = 0;    // product of ne
    uint64_t bytes = 0;         // n_elements / block_elements × block_bytes
};

struct GgufFile {
    Error error;
    uint64_t need_bytes = 0;  // > 0: the prefix ended early; read at least this many bytes (from 0)
    bool big_endian = false;
    uint32_t version = 0;
    uint64_t n_tensors = 0;
    uint64_t n_kv = 0;
    std::map<std::string, GgufValue> metadata;  // by key
    std::vector<GgufTensor> tensors;            // in file order
    uint32_t alignment_bytes = kGgufDefaultAlignment;
    uint64_t header_bytes = 0;       // end of the tensor infos: what a reader must fetch
    uint64_t data_offset_bytes = 0;  // start of the data section (header_bytes rounded up to the alignment)
    uint64_t data_bytes = 0;         // end of the last tensor, relative to the data section
    bool needs_more() const { return !error && need_bytes != 0; }
    const GgufValue* find(const std::string& key) const;
};

// Parses the GGUF prefix of `file` (a name for messages). `file_size` 0 means unknown; when known, a file that
// ends before its tensor infos is gguf_truncated and tensor data past its end gguf_offset_invalid.
GgufFile parse_gguf(std::string_view prefix, std::string_view file, uint64_t file_size);

}  // namespace vram
