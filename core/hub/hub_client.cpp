#include "hub/hub_client.hpp"

#include "hub/hub_load.hpp"
#include "hub/hub_protocol.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <set>
#include <string_view>

#include "estimator/checked_math.hpp"
#include "estimator/json_sax.hpp"
#include "estimator/repo_layout.hpp"

namespace vram {
namespace {

using namespace hub_protocol;

// Tree pages followed before giving up: 1,000 pages of 1,000 entries is a million files, far past
// any model repo; a listing that goes on is a broken or hostile server.
constexpr uint32_t kMaxTreePages = 1000;
// Small JSON files (configs, manifests, indexes) are refused above this size; the largest real
// shard indexes are ~60 MB (Kimi-K3, 497k tensors).
constexpr uint64_t kMaxTextBytes = 128ull * 1024 * 1024;

}  // namespace

HubClient::HubClient(Transport& transport, HubOptions options) : transport_(transport), options_(std::move(options)) {}

HubClient::~HubClient() {
    if (state_) state_->cancelled = true;
}

void HubClient::cancel() {
    if (!state_ || state_->finished) return;
    state_->cancelled = true;
}

namespace hub_load {

using namespace hub_protocol;

void finish(const StatePtr& s, Error error) {
    if (s->finished) return;
    s->finished = true;
    s->result.error = std::move(error);
    s->result.parsed.shards = std::move(s->shard_cache);
    auto done = std::move(s->on_done);
    if (done) done(std::move(s->result));
}

void report(const StatePtr& s) {
    s->progress.bytes = s->result.stats.bytes;
    if (s->on_progress) s->on_progress(s->progress);
}

uint64_t now_ms(const StatePtr& s) {
    if (s->options.clock_ms) return s->options.clock_ms();
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

// Milliseconds left before the load's deadline (UINT32_MAX when there is none).
uint64_t time_left_ms(const StatePtr& s) {
    if (!s->options.deadline_ms) return UINT32_MAX;
    const uint64_t spent = now_ms(s) - s->started_ms;
    return spent >= s->options.deadline_ms ? 0 : s->options.deadline_ms - spent;
}

Error deadline_error(const StatePtr& s, const std::string& what) {
    return make_error(ErrorCode::timeout, "the whole load took longer than its deadline of " +
                                              std::to_string(s->options.deadline_ms / 1000) +
                                              " s (--deadline) while "
                                              "reading " +
                                              what);
}

bool fits(const StatePtr& s, uint64_t bytes) {
    uint64_t total = 0;
    return checked_add(s->metadata_bytes, bytes, total) && total <= kMaxLoadMetadataBytes;
}

bool reserve(const StatePtr& s, uint64_t bytes, const std::string& what) {
    if (!fits(s, bytes)) {
        finish(s, make_error(ErrorCode::budget_exceeded,
                             "the metadata of this repo passes the limit of " +
                                 std::to_string(kMaxLoadMetadataBytes >> 20) + " MiB per estimate at " + what + " (" +
                                 std::to_string(s->progress.files_done) +
                                 " weight headers read): no real model needs that much, and holding more would "
                                 "exhaust the page's memory"));
        return false;
    }
    s->metadata_bytes += bytes;
    return true;
}

void release(const StatePtr& s, uint64_t bytes) { s->metadata_bytes -= std::min(bytes, s->metadata_bytes); }

HttpRequest make_request(const StatePtr& s, const std::string& url) {
    HttpRequest r;
    r.url = url;
    // Each request ends at its own timeout or at the load's deadline, whichever comes first.
    r.timeout_ms =
        static_cast<uint32_t>(std::min<uint64_t>(s->options.timeout_ms, std::max<uint64_t>(time_left_ms(s), 1)));
    // The token goes only to the configured endpoint's origin; the CDN the Hub redirects to never
    // sees it (the browser strips it on the cross-origin hop; the curl transport does the same).
    if (!s->options.token.empty() && origin_of(url) == origin_of(s->endpoint))
        r.headers.push_back({"Authorization", "Bearer " + s->options.token});
    return r;
}

// By commit once the model info has named it; before that (speculate_before_listing), by the revision's name.
// Built in one string: a load asks for hundreds of files.
std::string resolve_url(const StatePtr& s, const std::string& path) {
    const RepoSnapshot& snap = s->result.snapshot;
    const std::string& rev = snap.sha.empty() ? snap.revision : snap.sha;
    std::string url;
    url.reserve(s->endpoint.size() + s->api_repo.size() + rev.size() + path.size() + 16);
    url += s->endpoint;
    url += '/';
    url += s->api_repo;
    url += "/resolve/";
    append_url_encoded(url, rev, false);
    url += '/';
    append_url_encoded(url, path, true);
    return url;
}

void fetch(const StatePtr& s, HttpRequest req, uint32_t depth, std::function<void(HttpResponse&)> then) {
    if (s->finished) return;
    if (time_left_ms(s) == 0) {
        finish(s, deadline_error(s, req.url));
        return;
    }
    if (s->result.stats.requests >= kMaxLoadRequests) {
        finish(s, make_error(ErrorCode::budget_exceeded, "the load passes the limit of " +
                                                             std::to_string(kMaxLoadRequests) +
                                                             " requests per estimate: no real repo needs that many"));
        return;
    }
    if (req.max_body_bytes == 0) req.max_body_bytes = kMaxApiBytes;  // every answer is capped
    ++s->outstanding;
    ++s->result.stats.requests;
    s->result.stats.chain = std::max(s->result.stats.chain, depth);
    // A request whose timeout the deadline shortened: its timeout is the deadline's.
    const bool clipped = req.timeout_ms < s->options.timeout_ms;
    s->transport->send(req, [s, url = req.url, clipped, then = std::move(then)](HttpResponse r) mutable {
        --s->outstanding;
        if (s->finished) return;
        if (s->cancelled) {
            finish(s, make_error(ErrorCode::cancelled, "cancelled"));
            return;
        }
        if (r.status == 0 && (time_left_ms(s) == 0 || (clipped && r.timed_out))) {
            finish(s, deadline_error(s, url));
            return;
        }
        s->result.stats.bytes += r.body.size();
        then(r);
    });
}

// A small JSON file cut at kMaxTextBytes.
Error text_too_large(const std::string& path) {
    return make_error(ErrorCode::bad_response, path + " is larger than the 128 MB limit for metadata files");
}

void fetch_text(const StatePtr& s, const std::string& path, uint32_t depth) {
    HttpRequest req = make_request(s, resolve_url(s, path));
    req.max_body_bytes = kMaxTextBytes;
    ++s->texts_outstanding;
    fetch(s, req, depth, [s, path, depth](HttpResponse& r) {
        --s->texts_outstanding;
        s->input_depth = std::max(s->input_depth, depth);
        if (r.status != 200) {
            finish(s, error_from_response(r, path, s->api_repo, !s->options.token.empty()));
            return;
        }
        if (r.truncated) {
            finish(s, text_too_large(path));
            return;
        }
        if (!reserve(s, r.body.size(), path)) return;
        keep_text(s, path, std::move(r.body));
        report(s);
        // Once every text of this round is in, whatever header reads are still in flight (speculate_shards): the
        // plan's next requests depend on the texts only.
        if (s->texts_outstanding == 0) plan_and_fetch(s, 0);
    });
}

// What the first round read before the model info and the listing were in (speculate_before_listing) is kept only
// when they confirm it: config.json when its answer names the info's commit, a weight header when the listing has
// that file at the size its answer gave. Whatever they do not confirm is read again, by commit.
void confirm_early_reads(const StatePtr& s) {
    RepoSnapshot& snap = s->result.snapshot;
    if (s->early_config_held) {
        s->early_config_held = false;
        const std::string path = "config.json";
        if (s->early_config_commit == snap.sha && listed(s, path)) {
            keep_text(s, path, std::move(s->early_config));
        } else {
            release(s, s->early_config.size());
            s->requested_texts.erase(path);
        }
        s->early_config.clear();
    }
    for (const auto& [path, size] : s->early_header_sizes) {
        const RepoFile* f = listed(s, path);
        if (!f || f->size_bytes != size) drop_header(s, path);
    }
    s->early_header_sizes.clear();
}

void keep_text(const StatePtr& s, const std::string& path, std::string text) {
    s->result.snapshot.texts[path] = std::move(text);
    s->plan_current = false;
}

void plan_and_fetch(const StatePtr& s, uint32_t) {
    if (s->finished || !listing_done(s)) return;
    confirm_early_reads(s);
    RepoSnapshot& snap = s->result.snapshot;
    // plan_layout reads the listing, the texts and the variant only: the same inputs give the same plan.
    const bool new_plan = !s->plan_current;
    if (new_plan) {
        s->plan = plan_layout(snap.files, snap.texts, snap.variant, &s->shard_cache);
        s->plan_current = true;
    }
    const LayoutPlan& plan = s->plan;
    if (plan.error) {
        finish(s, plan.error);
        return;
    }
    // The plan's requests depend on what it read (the listing and the texts), not on header reads in flight.
    const uint32_t depth = s->input_depth + 1;
    if (!s->first_texts_known) {
        s->first_texts = first_round_texts(snap.files);
        s->first_texts_known = true;
    }
    // Every plan asks for the first round's texts that are not requested: one read before the listing that the plan
    // could not keep (confirm_early_reads) is asked for again.
    // Views of both lists (neither changes while this runs: a plan is made again only from a transport's callback).
    std::vector<const std::string*> texts;
    texts.reserve(s->first_texts.size() + plan.need_texts.size());
    {
        // Both lists may name every file of a hostile listing: a set, not a search of the list per name.
        std::set<std::string_view> listed;
        const std::vector<std::string>& first = s->first_texts;
        for (const auto* list : {&first, &plan.need_texts})
            for (const auto& t : *list)
                if (listed.insert(t).second) texts.push_back(&t);
    }
    // Shard indexes tell how many tensors each shard holds: that sizes its first read.
    for (const auto& [path, shards] : s->shard_cache)
        for (const auto& [shard, n] : shards.tensors_per_shard) s->tensors_per_shard[shard] = n;
    // Listed sizes by path (the last entry of a path wins), for the header reads below; keys view the listing,
    // which is complete and unchanged by now (plan_and_fetch runs after the last tree page).
    if (plan.complete() && s->plan_sizes.empty()) s->plan_sizes = listed_sizes(snap.files);
    const ListedSizes& sizes = s->plan_sizes;
    // A plan that needs more requests than the load may still make fails now, before making them (a hostile listing
    // of 20,000 configs or weight files would otherwise spend the whole budget first: 4,000 requests, a minute here).
    uint64_t to_request = 0;
    for (const std::string* t : texts) to_request += s->requested_texts.count(*t) ? 0 : 1;
    if (plan.complete()) {
        for (const auto& w : plan.weight_files) to_request += s->requested_headers.count(w) ? 0 : 1;
        for (const auto& g : plan.gguf_files) to_request += s->requested_headers.count(g) ? 0 : 1;
    }
    if (s->result.stats.requests + to_request > kMaxLoadRequests) {
        finish(s, make_error(ErrorCode::budget_exceeded, "this repo's layout needs " + std::to_string(to_request) +
                                                             " more files read, past the limit of " +
                                                             std::to_string(kMaxLoadRequests) +
                                                             " requests per estimate: no real repo needs that many"));
        return;
    }
    bool issued = false;
    for (const std::string* t : texts) {
        if (!s->requested_texts.insert(*t).second) continue;
        s->progress.stage = "manifests";
        fetch_text(s, *t, depth);
        speculate_shards(s, *t, depth);
        if (*t == "model_index.json") speculate_pipeline(s, depth);
        issued = true;
    }
    if (plan.complete()) {
        // A header read before the listing that this plan has no use for (a repo with model.safetensors beside the
        // layout it counts) is not kept.
        for (const auto& path : s->early_headers)
            if (snap.headers.count(path) &&
                std::find(plan.weight_files.begin(), plan.weight_files.end(), path) == plan.weight_files.end())
                drop_header(s, path);
        const uint32_t total = static_cast<uint32_t>(plan.weight_files.size() + plan.gguf_files.size());
        // Headers read before the plan (speculate_shards) count when the plan names them.
        if (new_plan) {
            s->planned_headers.clear();
            s->planned_headers.insert(plan.weight_files.begin(), plan.weight_files.end());
            s->planned_headers.insert(plan.gguf_files.begin(), plan.gguf_files.end());
        }
        uint32_t done = 0;
        for (const auto& w : plan.weight_files) done += snap.headers.count(w) ? 1 : 0;
        for (const auto& g : plan.gguf_files) done += snap.gguf_prefixes.count(g) ? 1 : 0;
        if (total != s->progress.files_total || done != s->progress.files_done) {
            s->progress.files_total = total;
            s->progress.files_done = done;
            s->progress.stage = "headers";
            report(s);
        }
        for (const auto& w : plan.weight_files) {
            if (!s->requested_headers.insert(w).second) continue;
            s->progress.stage = "headers";
            fetch_header(s, w, listed_size(sizes, w), depth);
            issued = true;
        }
        // GGUF: every file's header at once (the quantization table needs them all), each in as few reads as it takes.
        for (const auto& g : plan.gguf_files) {
            if (!s->requested_headers.insert(g).second) continue;
            s->progress.stage = "headers";
            const uint64_t size = listed_size(sizes, g);
            fetch_gguf(s, g, size, std::string(), size ? std::min(kGgufFirstReadBytes, size) : kGgufFirstReadBytes,
                       depth);
            issued = true;
        }
    }
    if (issued) {
        report(s);
        return;
    }
    if (s->outstanding == 0) {
        if (!plan.complete()) {
            finish(s, make_error(ErrorCode::bad_response,
                                 "could not complete the layout: " + plan.need_texts.front() + " is still missing"));
            return;
        }
        finish(s, Error{});
    }
}

void fetch_tree_page(const StatePtr& s, const std::string& url, uint32_t depth);

// The plan is made once the model info and the whole listing are in, whatever the first round's guesses
// (speculate_before_listing) still have in flight.
void after_listing(const StatePtr& s) {
    if (listing_done(s)) plan_and_fetch(s, 0);
}

// Guesses sent in the first round, with the model info and the listing, by the revision's name (the commit is not
// known yet): config.json, which every transformers repo has, and the header of a root model.safetensors, the one file
// of most single-file checkpoints. A repo of that kind then needs no second round (gpt2: 2 round trips instead of 3).
// A guess that misses (404: a sharded, diffusers or GGUF repo) is forgotten: the plan asks for what the repo has. One
// the listing and the info do not confirm is read again by commit (confirm_early_reads). Not with a variant (its files
// have other names).
void speculate_before_listing(const StatePtr& s) {
    if (!s->result.snapshot.variant.empty()) return;
    const std::string config = "config.json";
    s->requested_texts.insert(config);
    HttpRequest req = make_request(s, resolve_url(s, config));
    req.max_body_bytes = kMaxTextBytes;
    fetch(s, req, 1, [s, config](HttpResponse& r) {
        if (r.status == 200 && r.truncated) {
            // Past the limit for a metadata file: the same error as at the sha, without reading 128 MB twice.
            finish(s, text_too_large(config));
            return;
        }
        // The commit this text belongs to: the Hub's X-Repo-Commit (CORS-exposed) on the final answer.
        const std::string commit = r.header("x-repo-commit");
        if (r.status == 200 && commit.size() == 40 && fits(s, r.body.size())) {
            s->metadata_bytes += r.body.size();
            s->early_config = std::move(r.body);
            s->early_config_commit = commit;
            s->early_config_held = true;
        } else {
            s->requested_texts.erase(config);
        }
        plan_and_fetch(s, 0);  // once the listing is in
    });
    const std::string weights = "model.safetensors";
    s->requested_headers.insert(weights);
    s->early_headers.insert(weights);
    fetch_header(s, weights, 0, 1, kDefaultHeaderProbeBytes);
}

// The status and size checks of an API answer: false (and the load finished) when it is not a whole 200.
bool api_answer_ok(const StatePtr& s, const HttpResponse& r, const std::string& what) {
    if (r.status != 200) {
        finish(s, error_from_response(r, what, s->repo_id, !s->options.token.empty()));
        return false;
    }
    if (r.truncated) {
        finish(s,
               make_error(ErrorCode::bad_response, what + " is larger than the " + std::to_string(kMaxApiBytes >> 20) +
                                                       " MiB limit for an API answer (an endless or inflating body?)"));
        return false;
    }
    return true;
}

void finish_not_json(const StatePtr& s, const HttpResponse& r, const std::string& what) {
    finish(s, make_error(ErrorCode::bad_response,
                         what + " is not JSON (HTTP " + std::to_string(r.status) + ")" + html_hint(r)));
}

void fetch_tree_page(const StatePtr& s, const std::string& url, uint32_t depth) {
    if (++s->tree_pages > kMaxTreePages) {
        finish(s, make_error(ErrorCode::listing_invalid,
                             "the file listing goes on past " + std::to_string(kMaxTreePages) + " pages"));
        return;
    }
    HttpRequest req = make_request(s, url);
    req.max_body_bytes = kMaxApiBytes;
    fetch(s, req, depth, [s, depth](HttpResponse& r) {
        const std::string what = "the file listing";
        if (!api_answer_ok(s, r, what)) return;
        const TreePage read =
            looks_like_json(r) ? read_tree_page(r.body, s->result.snapshot.files) : TreePage::not_json;
        if (read == TreePage::not_json) {
            finish_not_json(s, r, what);
            return;
        }
        if (read == TreePage::not_array) {
            finish(s, make_error(ErrorCode::listing_invalid, "the file listing is not a JSON array"));
            return;
        }
        std::string next = next_link(r.header("link"));
        if (!next.empty()) {
            if (origin_of(next) != origin_of(s->endpoint)) {
                finish(s, make_error(ErrorCode::bad_response,
                                     "the file listing's next page points to another origin: " + origin_of(next)));
                return;
            }
            fetch_tree_page(s, next, depth + 1);
            return;
        }
        s->tree_done = true;
        s->input_depth = std::max(s->input_depth, depth);
        after_listing(s);
    });
}

}  // namespace hub_load

using namespace hub_load;

void HubClient::load(const std::string& repo_id, std::function<void(const HubProgress&)> on_progress,
                     std::function<void(LoadResult)> on_done) {
    if (state_) state_->cancelled = true;
    state_ = std::make_shared<State>();
    StatePtr s = state_;
    s->transport = &transport_;
    s->options = options_;
    s->endpoint = strip_slash(options_.endpoint);
    s->repo_id = repo_id;
    s->api_repo = repo_id;
    s->on_progress = std::move(on_progress);
    s->on_done = std::move(on_done);
    s->result.snapshot.repo_id = repo_id;
    s->result.snapshot.revision = options_.revision.empty() ? "main" : options_.revision;
    s->result.snapshot.variant = options_.variant;
    s->started_ms = now_ms(s);
    if (std::string problem = validate_repo_id(repo_id); !problem.empty()) {
        finish(s, make_error(ErrorCode::invalid_argument, problem));
        return;
    }
    const std::string rev = url_encode(s->result.snapshot.revision, false);
    s->progress.stage = "listing";
    report(s);
    const std::string api = s->endpoint + "/api/models/" + repo_id;
    HttpRequest info_req =
        make_request(s, api + "/revision/" + rev + "?expand=sha&expand=gated&expand=library_name&expand=pipeline_tag");
    info_req.max_body_bytes = kMaxApiBytes;
    fetch(s, info_req, 1, [s](HttpResponse& r) {
        const std::string what = "the model info";
        if (!api_answer_ok(s, r, what)) return;
        // Read without a DOM (core/estimator/json_sax.hpp): an answer that is not JSON (an HTML login page, say) is
        // named as before.
        ModelInfoFacts info;
        if (looks_like_json(r)) info = read_model_info(r.body);
        if (!info.valid) {
            finish_not_json(s, r, what);
            return;
        }
        if (!info.object) {
            finish(s, make_error(ErrorCode::bad_response, "the model info is not a JSON object"));
            return;
        }
        RepoSnapshot& snap = s->result.snapshot;
        snap.sha = std::move(info.sha);
        if (snap.sha.size() != 40 || !std::all_of(snap.sha.begin(), snap.sha.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c));
            })) {
            finish(s, make_error(ErrorCode::bad_response, "the model info has no valid commit sha"));
            return;
        }
        if (!info.id.empty() && validate_repo_id(info.id).empty()) {
            s->api_repo = info.id;
            snap.repo_id = s->api_repo;
        }
        if (info.has_gated) snap.gated = std::move(info.gated);
        snap.library_name = std::move(info.library_name);
        snap.pipeline_tag = std::move(info.pipeline_tag);
        s->api_done = true;
        s->input_depth = std::max<uint32_t>(s->input_depth, 1);
        after_listing(s);
    });
    fetch_tree_page(s, api + "/tree/" + rev + "?recursive=true", 1);
    speculate_before_listing(s);
}

}  // namespace vram
