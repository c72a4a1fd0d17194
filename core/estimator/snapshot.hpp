// RepoSnapshot: the raw metadata the Hub client gathered for one repo at one commit — the file
// listing, the small JSON files, the safetensors header texts and the GGUF header prefixes. Everything downstream is
// computed from it, so it is also what the page stores for offline use (keyed by repo and sha).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "estimator/error.hpp"
#include "estimator/repo_layout.hpp"

namespace vram {

struct RepoSnapshot {
    std::string repo_id;   // canonical id as the API returned it ("openai-community/gpt2")
    std::string revision;  // what the user asked for ("main", a branch, a sha)
    std::string sha;       // the commit every file was read at
    std::string gated;     // "false", "auto" or "manual"
    std::string library_name;
    std::string pipeline_tag;
    std::string variant;                               // the weight variant chosen ("" = default)
    std::vector<RepoFile> files;                       // the whole listing
    std::map<std::string, std::string> texts;          // small files: path → content
    std::map<std::string, std::string> headers;        // safetensors: path → header JSON (N bytes)
    std::map<std::string, std::string> gguf_prefixes;  // GGUF: path → the file's first bytes, through its tensor infos
};

// Standard base64 (RFC 4648, with padding): GGUF prefixes are binary and travel in the snapshot's JSON this way.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

// A snapshot's string fields, in the order snapshot_to_json writes them; snapshot_from_json reads the same list.
inline constexpr std::pair<const char*, std::string RepoSnapshot::*> kSnapshotTextFields[] = {
    {"repo_id", &RepoSnapshot::repo_id},
    {"revision", &RepoSnapshot::revision},
    {"sha", &RepoSnapshot::sha},
    {"gated", &RepoSnapshot::gated},
    {"library_name", &RepoSnapshot::library_name},
    {"pipeline_tag", &RepoSnapshot::pipeline_tag},
    {"variant", &RepoSnapshot::variant},
};

// The one walk over a snapshot's fields, with the stored schema's keys and order. snapshot_to_json writes JSON text
// through it and the wasm binding a JS object (core/wasm/api.cpp), so the two can never disagree. A Writer has
// text(key, string), number(key, uint64), files(key, files) and map(key, map, base64).
template <class Writer>
void write_snapshot(const RepoSnapshot& s, Writer& w) {
    w.number("schema", 1);
    for (const auto& [key, member] : kSnapshotTextFields) w.text(key, s.*member);
    w.files("files", s.files);
    w.map("texts", s.texts, false);
    w.map("headers", s.headers, false);
    if (!s.gguf_prefixes.empty()) w.map("gguf_prefixes", s.gguf_prefixes, true);
}

std::string snapshot_to_json(const RepoSnapshot& s);

struct SnapshotResult {
    Error error;
    RepoSnapshot snapshot;
};
SnapshotResult snapshot_from_json(std::string_view text);

}  // namespace vram
