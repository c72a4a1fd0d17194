// RepoSnapshot: the raw metadata the Hub client gathered for one repo at one commit — the file
// listing, the small JSON files and the safetensors header texts. Everything downstream is
// computed from it, so it is also what the page stores for offline use (keyed by repo and sha).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "estimator/error.hpp"
#include "estimator/repo_layout.hpp"

namespace vram {

struct RepoSnapshot {
    std::string repo_id;                          // canonical id as the API returned it ("openai-community/gpt2")
    std::string revision;                         // what the user asked for ("main", a branch, a sha)
    std::string sha;                              // the commit every file was read at
    std::string gated;                            // "false", "auto" or "manual"
    std::string library_name;
    std::string pipeline_tag;
    std::string variant;                          // the weight variant chosen ("" = default)
    std::vector<RepoFile> files;                  // the whole listing
    std::map<std::string, std::string> texts;     // small files: path → content
    std::map<std::string, std::string> headers;   // safetensors: path → header JSON (N bytes)
};

std::string snapshot_to_json(const RepoSnapshot& s);

struct SnapshotResult {
    Error error;
    RepoSnapshot snapshot;
};
SnapshotResult snapshot_from_json(std::string_view text);

}  // namespace vram
