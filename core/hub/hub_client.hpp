// The Hub client: which files to ask for, in what order, with the fewest dependent round trips.
//   round 1  GET /api/models/{id}/revision/{rev}?expand=…   (sha, gated, library)   ┐ in parallel
//            GET /api/models/{id}/tree/{rev}?recursive=true  (every file and size)  │ (+ Link pages)
//            + config.json and the header bytes of a root model.safetensors,        ┘
//              by the revision's name (speculate_before_listing: kept where the info's sha and the listing confirm
//              them, else read again at the sha), so that a single-file repo needs no round 2
//   round 2  config.json, manifests and shard indexes (through /resolve/{sha}/, a 307 on the Hub)
//            + the header bytes of single-file weights when the listing already names them
//            + the header bytes of the shards "<stem>-k-of-n.safetensors" beside "<stem>.safetensors.index.json"
//              and of a diffusers pipeline's one-file components (hub_reads.cpp speculate_shards and
//              speculate_pipeline: read with the index and model_index.json, which still decide the model)
//   round 3  the header bytes of every other weight file they name (a 302 to the CDN; Range requests, no preflight)
// A header longer than the first range costs one more request for that file only.
// GGUF repos: round 2 reads the first 2 MiB of every .gguf file (each quantization, each split part,
// the mmproj projectors) in parallel; a file whose metadata is longer is read on, at least doubling, until
// its tensor infos are complete (64 MiB at most).
// Everything else is read at the commit sha the API returned, so the snapshot is consistent.
// A load has a budget as a whole (kMaxLoadMetadataBytes, kMaxLoadRequests, HubOptions::deadline_ms)
// besides each request's own limits: legal-but-huge repos and slow servers end in an error, not in an
// exhausted heap or an endless load.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "estimator/model.hpp"
#include "estimator/snapshot.hpp"
#include "hub/transport.hpp"

namespace vram {

struct HubOptions {
    std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT; no trailing slash needed
    std::string token;                                // sent only to the endpoint's origin
    std::string revision = "main";
    std::string variant;             // weight variant ("" = default files)
    uint32_t timeout_ms = 30'000;    // per request
    uint32_t deadline_ms = 300'000;  // the whole load (every request and retry); 0 = none
    // Monotonic milliseconds for the deadline; empty = std::chrono::steady_clock (tests pass a fake clock).
    std::function<uint64_t()> clock_ms;
};

// Metadata bytes one load may keep (safetensors headers, GGUF metadata, JSON files), all files
// together. The largest real repos need ~140 MB (Kimi-K3: a 60 MB index and ~75 MB of headers for
// 497k tensors); above 256 MB the page's wasm heap (capped at 1 GiB, CMakeLists.txt MAXIMUM_MEMORY)
// could not hold the bytes and the parsed model side by side.
constexpr uint64_t kMaxLoadMetadataBytes = 256ull << 20;
// Requests one load may make: 1,000 tree pages (kMaxTreePages) plus 3,000 files (real repos need
// a few hundred at most: 163 shards, or ~100 GGUF files with split parts) and their follow-up reads.
constexpr uint32_t kMaxLoadRequests = 4'000;
// The Hub API's JSON answers (model info, one tree page of 1,000 entries ≈ 300 KB) are refused above
// this size: an endless or inflating body stops here.
constexpr uint64_t kMaxApiBytes = 16ull << 20;
// The first read of a shard's header is sized from the index's tensor count, but never above this:
// a hostile index listing millions of names must not make the client ask for (and hold) hundreds of
// MB of a shard. 4 MiB holds ~20k entries; a longer header costs one more request.
constexpr uint64_t kMaxFirstHeaderReadBytes = 4ull << 20;

struct HubProgress {
    std::string stage;         // "listing", "manifests", "headers"
    uint32_t files_done = 0;   // weight headers read
    uint32_t files_total = 0;  // weight headers to read (known from round 2 on)
    uint64_t bytes = 0;        // bytes received so far
};

struct HubStats {
    uint32_t requests = 0;  // HTTP requests made (redirect hops are the transport's)
    uint64_t bytes = 0;     // body bytes received
    uint32_t chain = 0;     // longest chain of dependent requests
};

struct LoadResult {
    Error error;
    RepoSnapshot snapshot;
    HubStats stats;
    AnalyzeCache parsed;  // the indexes and headers parsed on the way in, for analyze(snapshot, …, &parsed)
};

// Validates "org/name" (or a legacy id without org); returns a message, empty when valid.
std::string validate_repo_id(const std::string& repo_id);
// Percent-encodes with no safe characters (revisions) or keeping '/' (file paths).
std::string url_encode(const std::string& s, bool keep_slash);
// Maps an HTTP failure to an Error with a message a person can act on.
Error error_from_response(const HttpResponse& r, const std::string& what, const std::string& repo_id, bool had_token);

class HubClient {
  public:
    HubClient(Transport& transport, HubOptions options);
    ~HubClient();
    HubClient(const HubClient&) = delete;
    HubClient& operator=(const HubClient&) = delete;

    // Starts loading; on_done is called exactly once (also after cancel()).
    void load(const std::string& repo_id, std::function<void(const HubProgress&)> on_progress,
              std::function<void(LoadResult)> on_done);
    void cancel();

    struct State;  // the load in flight (shared with the transport callbacks)

  private:
    Transport& transport_;
    HubOptions options_;
    std::shared_ptr<State> state_;
};

}  // namespace vram
