// Internal to core/hub: one load's state and the helpers its two files share — hub_client.cpp (the listing, the
// small JSON files and the plan) and hub_reads.cpp (the weight files' headers: safetensors and GGUF).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "estimator/repo_layout.hpp"
#include "hub/hub_client.hpp"

namespace vram {

struct HubClient::State {
    Transport* transport = nullptr;
    HubOptions options;
    std::string endpoint;  // options.endpoint without its trailing slashes
    std::string repo_id;   // as typed
    std::string api_repo;  // canonical, once the API answered
    std::function<void(const HubProgress&)> on_progress;
    std::function<void(LoadResult)> on_done;
    bool finished = false;
    bool cancelled = false;
    uint32_t outstanding = 0;
    uint32_t texts_outstanding = 0;  // config, manifest and index reads in flight: the plan waits for these only
    uint32_t input_depth = 0;        // the deepest request whose answer the plan has read (listing, texts)
    uint32_t tree_pages = 0;
    LoadResult result;
    HubProgress progress;
    std::set<std::string> requested_texts;
    std::set<std::string> requested_headers;
    std::set<std::string> planned_headers;  // the weight files of the complete plan (empty until then)
    std::map<std::string, uint64_t> tensors_per_shard;
    ShardCache shard_cache;  // each index parsed once, however often the plan is made
    // The last plan_layout of the listing and the texts, kept while neither changes: a load asks for the plan after
    // every round of texts and after its last header, and the listing is complete before the first plan
    // (keep_text() marks it stale). With it, the listed sizes by path (views of the listing).
    LayoutPlan plan;
    bool plan_current = false;
    ListedSizes plan_sizes;
    std::map<std::string, uint32_t> chain_of;  // per request kind, for the chain statistic
    bool api_done = false, tree_done = false;
    // The first round's texts (first_round_texts of the listing), asked for by every plan until they are requested.
    std::vector<std::string> first_texts;
    bool first_texts_known = false;
    // Read before the model info named the commit (speculate_before_listing): config.json's text and the commit its
    // answer names (X-Repo-Commit), kept aside until the plan can compare that with the info's sha.
    bool early_config_held = false;
    std::string early_config, early_config_commit;
    // Weight headers read before the listing: the file's size their answer gave (Content-Range), checked against the
    // listing by the first plan; a header whose size the listing does not confirm is dropped and read again.
    std::map<std::string, uint64_t> early_header_sizes;
    std::set<std::string> early_headers;  // the weight files read before the listing
    uint64_t started_ms = 0;              // clock at load()
    uint64_t metadata_bytes = 0;          // reserved against kMaxLoadMetadataBytes (reads in flight + bytes kept)
};

namespace hub_load {

using StatePtr = std::shared_ptr<HubClient::State>;

// hub_client.cpp
void finish(const StatePtr& s, Error error);
void report(const StatePtr& s);
// Whether `bytes` more fit the per-load metadata budget (reserve() without finishing the load).
bool fits(const StatePtr& s, uint64_t bytes);
// Reserves `bytes` of the per-load metadata budget; false (and the load finished) when they do not fit.
bool reserve(const StatePtr& s, uint64_t bytes, const std::string& what);
void release(const StatePtr& s, uint64_t bytes);
HttpRequest make_request(const StatePtr& s, const std::string& url);
std::string resolve_url(const StatePtr& s, const std::string& path);
// Issues a request; the callback runs unless the load already finished or was cancelled.
void fetch(const StatePtr& s, HttpRequest req, uint32_t depth, std::function<void(HttpResponse&)> then);
// Decides what is still needed and fetches it; finishes when nothing is.
void plan_and_fetch(const StatePtr& s, uint32_t depth);
// Stores a small file's text in the snapshot; the next plan is made again.
void keep_text(const StatePtr& s, const std::string& path, std::string text);

// hub_reads.cpp
// First range read of a GGUF file: huggingface.js HTTP_CHUNK_SIZE (2 MB). It holds the whole header of models
// with a 32k–150k tokenizer; larger metadata costs one or two more reads, each at least doubling what is held,
// up to kGgufMaxPrefixBytes (64 MiB, core/estimator/gguf.hpp).
constexpr uint64_t kGgufFirstReadBytes = 2ull << 20;
// First range read of a header whose size nothing predicts. 256 KiB holds ~1,500 tensor entries
// (SDXL's single-file UNet has 1,680 and takes one more request), so nearly every single-file
// checkpoint is read in one request.
constexpr uint64_t kDefaultHeaderProbeBytes = 256 * 1024;
void fetch_header(const StatePtr& s, const std::string& path, uint64_t size, uint32_t depth,
                  uint64_t speculative_probe = 0);
void speculate_shards(const StatePtr& s, const std::string& index_path, uint32_t depth);
void speculate_pipeline(const StatePtr& s, uint32_t depth);
// Whether the model info and the whole listing are in (the plan needs both).
inline bool listing_done(const StatePtr& s) { return s->api_done && s->tree_done; }
// The listing's entry for `path` (the last one, as the plan reads it); null when it is not listed.
const RepoFile* listed(const StatePtr& s, const std::string& path);
// Forgets a header read before the listing that the listing does not confirm: its text, its parse, its reservation.
void drop_header(const StatePtr& s, const std::string& path);
void fetch_gguf(const StatePtr& s, const std::string& path, uint64_t size, std::string have, uint64_t target,
                uint32_t depth);

}  // namespace hub_load
}  // namespace vram
