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
#include "estimator/quantization.hpp"
#include "estimator/snapshot.hpp"

namespace vram {

struct DTypeTally {
    uint64_t n_tensors = 0;
    uint64_t elements = 0;   // stored elements
    uint64_t bytes = 0;      // from data_offsets
};

enum TensorFlags : uint8_t {
    kFloating = 1,     // a floating weight a precision target may resize
    kQuantized = 2,    // a packed / low-bit weight of the checkpoint's quantization
    kBookkeeping = 4,  // scales, zeros, indices: no parameters
};

// Compact per-tensor record kept for recomputation (a 100k-tensor model stays a few MB).
struct TensorRecord {
    uint32_t component = 0;   // index into Model::components
    DType dtype = DType::unknown;
    uint8_t flags = 0;
    uint64_t bytes = 0;       // stored bytes
    uint64_t params = 0;      // logical parameters (0 for bookkeeping and unknown dtypes)
};

struct Component {
    std::string name;                        // root, text_encoder, transformer, vae, vision_tower …
    std::vector<std::string> files;          // weight files read
    uint64_t n_tensors = 0;
    uint64_t bytes = 0;
    uint64_t params = 0;
    std::string class_name;                  // diffusers _class_name or architectures[0] of its config
};

struct Model {
    Error error;
    std::string repo_id, revision, sha, layout, variant;
    std::vector<std::string> variants;
    std::vector<Component> components;
    std::vector<TensorRecord> tensors;
    std::map<std::string, DTypeTally> dtypes;  // by dtype name as written in the headers
    uint64_t n_tensors = 0;
    uint64_t bytes = 0;                         // Σ data_offsets spans
    uint64_t params = 0;                        // logical parameters
    uint64_t n_files = 0;                       // weight files read
    bool has_llm = false;                       // an architecture with a KV cache was read
    Architecture arch;                          // of the LLM (or of the root config when no LLM)
    std::string model_class;                    // diffusers: the denoiser's class (KV cache N/A)
    QuantRules quant;
    std::vector<std::string> warnings;          // unknown dtypes, odd metadata
    std::vector<std::string> notes;             // layout decisions (what was skipped and why)
};

Model analyze(const RepoSnapshot& snapshot);

}  // namespace vram
