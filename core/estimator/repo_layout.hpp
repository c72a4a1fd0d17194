// Repo layout: from the file listing (and the small manifests once fetched) to the weight files
// that make up each component. Rules (hub-protocol.md §E, huggingface.js, hf-mem, vLLM #20420):
//   - transformers: model.safetensors, or model.safetensors.index.json + its shards;
//   - diffusers: model_index.json names the components; each folder has
//     diffusion_pytorch_model[.variant].safetensors[.index.json] or model[...]; schedulers and
//     tokenizers have no weights; a root single-file checkpoint beside the folders is not added;
//   - sentence-transformers: modules.json; the Transformer module at the root (or 0_Transformer),
//     Dense modules with their own model.safetensors;
//   - never double count: consolidated*.safetensors and original/ beside HF weights are skipped,
//     and one variant (fp16 …) is chosen among several;
//   - GGUF (hub-protocol.md §D): a repo with safetensors keeps using them (a note says GGUF files are also
//     there); a repo with only .gguf files is layout "gguf": every file is one quantization, split files
//     `<prefix>-00001-of-0000N.gguf` one model, `mmproj*` files a projector (hf-mem, gguf.md "Sidecar").
// The planner is pure and re-entrant: call it with what is known; it says what it still needs.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/error.hpp"

namespace vram {

struct RepoFile {
    std::string path;         // relative to the repo root
    uint64_t size_bytes = 0;  // real file size (tree listing)
};

// The listed size of each path, keyed by views of the listing (which must outlive them); a path listed twice
// has its last entry's size. Sorted by path, one entry per path: one allocation for a listing of any length, where a
// map took one per file.
using ListedSizes = std::vector<std::pair<std::string_view, uint64_t>>;
inline ListedSizes listed_sizes(const std::vector<RepoFile>& files) {
    ListedSizes sizes;
    sizes.reserve(files.size());
    for (const auto& f : files) sizes.emplace_back(f.path, f.size_bytes);
    // Stable: the entries of a path listed twice stay in listing order, and the last of each run is kept.
    std::stable_sort(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t kept = 0;
    for (size_t i = 0; i < sizes.size(); ++i)
        if (i + 1 == sizes.size() || sizes[i + 1].first != sizes[i].first) sizes[kept++] = sizes[i];
    sizes.resize(kept);
    return sizes;
}
// 0 for a path the listing lacks.
inline uint64_t listed_size(const ListedSizes& sizes, std::string_view path) {
    const auto it = std::lower_bound(sizes.begin(), sizes.end(), path,
                                     [](const auto& entry, std::string_view p) { return entry.first < p; });
    return it != sizes.end() && it->first == path ? it->second : 0;
}

struct ComponentPlan {
    std::string name;                // "root" for a plain model, else the folder / module name
    std::string folder;              // "" for the repo root
    std::string index_path;          // sharded: the index file; "" for single-file components
    std::vector<std::string> files;  // weight files (for sharded: known once the index is read)
    std::string config_path;         // the component's config.json, "" if none
};

struct LayoutPlan {
    Error error;
    std::string layout;                 // transformers, sharded, diffusers, sentence-transformers
    std::string variant;                // chosen variant ("" = the default files)
    std::vector<std::string> variants;  // variants present in the repo (e.g. "fp16")
    std::vector<ComponentPlan> components;
    std::vector<std::string> need_texts;    // small files still to fetch before the plan is complete
    std::vector<std::string> weight_files;  // every weight file whose header is needed (when complete)
    std::vector<std::string> gguf_files;    // layout gguf: every .gguf file whose header prefix is needed
    std::vector<std::string> notes;         // what was skipped and why
    bool complete() const { return !error && need_texts.empty(); }
};

// `texts` holds the small files fetched so far (path → content). `variant` "" picks the default
// files; "fp16" etc. picks that variant where a component has it.
struct ShardList;
// Parsed shard indexes by path: the Hub client plans after every round, and a 60 MB index is
// parsed once, not once per plan.
using ShardCache = std::map<std::string, ShardList>;

LayoutPlan plan_layout(const std::vector<RepoFile>& files, const std::map<std::string, std::string>& texts,
                       const std::string& variant, ShardCache* cache = nullptr);

// Small JSON files worth fetching in the first round, from the listing alone (config.json and
// manifests at the root, component configs and indexes): fetching them together keeps the chain short.
std::vector<std::string> first_round_texts(const std::vector<RepoFile>& files);

// Distinct shard files named by an index's weight_map, resolved against the index's folder.
// Names with "..", a leading "/" or "://" are rejected (huggingface.js parseShardedIndex).
struct ShardList {
    Error error;
    std::vector<std::string> shards;  // repo paths, in first-seen order
    std::map<std::string, uint64_t> tensors_per_shard;
    uint64_t total_size_bytes = 0;  // metadata.total_size (0 if absent)
    uint64_t total_parameters = 0;  // metadata.total_parameters (0 if absent)
};
ShardList parse_shard_index(std::string_view index_json, const std::string& index_path);

// GGUF files grouped into models: a single file, or the shards of one split model, or a projector.
struct GgufGroup {
    std::string name;                // the file, or the first shard of a split model
    std::vector<std::string> files;  // its files, shards in order
    bool projector = false;          // mmproj*: a vision/audio projector, not a language model
    uint32_t split_count = 0;        // N of -0000k-of-0000N; 0 = not split
};
struct GgufGroups {
    Error error;                    // a split model with shards missing from the listing
    std::vector<GgufGroup> groups;  // in listing order of their first file
};
GgufGroups gguf_groups(const std::vector<RepoFile>& files);
// `<prefix>-00002-of-00005.gguf` → prefix, 2, 5; false for other names (the naming spec pads to 5 digits).
bool parse_gguf_split_name(const std::string& path, std::string& prefix, uint32_t& no, uint32_t& count);

// What the repo has instead of safetensors (".bin (2 files)", ".gguf (12 files)"), for messages.
std::vector<std::string> other_weight_formats(const std::vector<RepoFile>& files);

}  // namespace vram
