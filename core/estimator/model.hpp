// Model: a RepoSnapshot parsed once — every header validated, tensors grouped into components
// (pipeline parts, sentence-transformers modules, vision towers), bytes and logical parameters
// counted, the LLM's architecture read from config.json. Estimates are recomputed from a Model
// without touching the network.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "estimator/architecture.hpp"
#include "estimator/pipeline.hpp"
#include "estimator/quantization.hpp"
#include "estimator/repo_layout.hpp"
#include "estimator/safetensors.hpp"
#include "estimator/snapshot.hpp"
#include "estimator/tensor.hpp"

namespace vram {

struct DTypeTally {
    uint64_t n_tensors = 0;
    uint64_t elements = 0;  // stored elements
    uint64_t bytes = 0;     // from data_offsets
};

// One quantization of a GGUF repo: a file, or the shards of one split model.
struct GgufQuant {
    std::string name;                // the file, or the first shard of a split model
    std::vector<std::string> files;  // its files, shards in order
    std::string file_type;           // general.file_type as a llama_ftype name ("Q4_K_M"); "" when absent or unknown
    std::string dominant_type;       // the ggml type holding the most bytes ("Q4_K")
    uint64_t n_tensors = 0;
    uint64_t params = 0;          // Σ elements
    uint64_t bytes = 0;           // Σ tensor bytes (n_elements / block × block bytes)
    uint64_t file_bytes = 0;      // Σ file sizes from the listing
    uint64_t metadata_bytes = 0;  // Σ file bytes before the data sections (header, metadata, tensor infos, padding)
    uint64_t duplicated_bytes =
        0;                  // tied embeddings (no output.weight): token_embd bytes llama.cpp loads again for the output
    bool selected = false;  // the one the estimate uses
    Architecture arch;      // from its first shard's metadata
    std::vector<TensorRecord> tensors;
};

struct Component {
    std::string name;                // root, text_encoder, transformer, vae, vision_tower …
    std::vector<std::string> files;  // weight files read
    uint64_t n_tensors = 0;
    uint64_t bytes = 0;
    uint64_t params = 0;
    std::string class_name;  // diffusers _class_name or architectures[0] of its config
};

struct Model {
    Error error;
    std::string repo_id, revision, sha, layout, variant;
    std::vector<std::string> variants;
    std::vector<Component> components;
    std::vector<TensorRecord> tensors;
    std::map<std::string, DTypeTally> dtypes;  // by dtype name as written in the headers
    uint64_t n_tensors = 0;
    uint64_t bytes = 0;       // Σ data_offsets spans
    uint64_t params = 0;      // logical parameters
    uint64_t n_files = 0;     // weight files read
    bool has_llm = false;     // an architecture with a KV cache was read
    Architecture arch;        // of the LLM (or of the root config when no LLM)
    std::string model_class;  // diffusers: the denoiser's class (KV cache N/A)
    PipelineShape pipeline;   // diffusers: the component configs the diffusers profile reads
    QuantRules quant;
    // Σ tensor_bytes_at(t, precision) per component, for each Precision (indexed by its value),
    // computed once in analyze() so that a recompute never walks the tensors again.
    std::vector<std::vector<uint64_t>> component_bytes_at;
    std::vector<std::string> warnings;  // unknown dtypes, odd metadata
    std::vector<std::string> notes;     // layout decisions (what was skipped and why)
    // GGUF repos (layout "gguf"): every quantization, and which one the Model's tensors are.
    std::vector<GgufQuant> gguf_quants;
    std::string gguf_file;               // name of the selected quantization
    std::string gguf_projector;          // the mmproj file counted as component "projector", "" if none
    uint64_t gguf_metadata_bytes = 0;    // selected: file bytes that are not tensor data (header, metadata, padding)
    uint64_t gguf_duplicated_bytes = 0;  // selected: tied token_embd bytes llama.cpp duplicates for the output layer
};

// What the Hub client parsed of a snapshot while its answers came in (core/hub), so that analyze() does not parse it
// again once the last one is in: on DeepSeek-R1 the headers' second parse was ~80 ms of the page's wait after the
// last answer. A header is taken from here only when it was parsed from text of the snapshot's length with the
// listing's size of its file (ParsedHeader), anything else is parsed as without a cache; the result is the same.
struct ParsedHeader {
    uint64_t text_bytes = 0;  // the length of the header text it was parsed from
    uint64_t file_size = 0;   // the size it was parsed with (the listing's)
    SafetensorsHeader header;
};
struct AnalyzeCache {
    ShardCache shards;                            // plan_layout's parsed indexes
    std::map<std::string, ParsedHeader> headers;  // by file path
    uint64_t header_text_bytes = 0;               // Σ text_bytes (the client caps it: kMaxParsedHeaderTextBytes)
};

// `gguf_file` picks the quantization of a GGUF repo: a file name or path, the first shard of a split model, or a
// file type such as "Q5_K_M" (case-insensitive). "" = the smallest Q4_K_M, else the first in the listing.
// `cache` (may be null): parse results of this snapshot's texts and headers (above); plan_layout may add to it.
Model analyze(const RepoSnapshot& snapshot, const std::string& gguf_file = "", AnalyzeCache* cache = nullptr);

}  // namespace vram
