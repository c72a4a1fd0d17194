#include "hub/hub_client.hpp"

#include "hub/hub_protocol.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "estimator/checked_math.hpp"
#include "estimator/gguf.hpp"
#include "estimator/repo_layout.hpp"
#include "estimator/safetensors.hpp"

namespace vram {
namespace {

using nlohmann::json;
using namespace hub_protocol;

// Tree pages followed before giving up: 1,000 pages of 1,000 entries is a million files, far past
// any model repo; a listing that goes on is a broken or hostile server.
constexpr uint32_t kMaxTreePages = 1000;
// First range read of a header whose size nothing predicts. 256 KiB holds ~1,500 tensor entries
// (SDXL's single-file UNet has 1,680 and takes one more request), so nearly every single-file
// checkpoint is read in one request.
constexpr uint64_t kDefaultHeaderProbeBytes = 256 * 1024;
// Bytes per tensor entry used to size the first read of a shard whose tensor count the index gives
// (real entries are 100–200 bytes), plus slack for __metadata__ and long names.
constexpr uint64_t kHeaderBytesPerTensor = 192;
constexpr uint64_t kHeaderSlackBytes = 8 * 1024;
// First range read of a GGUF file: huggingface.js HTTP_CHUNK_SIZE (2 MB). It holds the whole header of models
// with a 32k–150k tokenizer; larger metadata costs one or two more reads, each at least doubling what is held,
// up to kGgufMaxPrefixBytes (64 MiB, core/estimator/gguf.hpp).
constexpr uint64_t kGgufFirstReadBytes = 2ull << 20;
// Small JSON files (configs, manifests, indexes) are refused above this size; the largest real
// shard indexes are ~60 MB (Kimi-K3, 497k tensors).
constexpr uint64_t kMaxTextBytes = 128ull * 1024 * 1024;

}  // namespace

struct HubClient::State {
    Transport* transport = nullptr;
    HubOptions options;
    std::string repo_id;   // as typed
    std::string api_repo;  // canonical, once the API answered
    std::function<void(const HubProgress&)> on_progress;
    std::function<void(LoadResult)> on_done;
    bool finished = false;
    bool cancelled = false;
    uint32_t outstanding = 0;
    uint32_t tree_pages = 0;
    LoadResult result;
    HubProgress progress;
    std::set<std::string> requested_texts;
    std::set<std::string> requested_headers;
    std::map<std::string, uint64_t> tensors_per_shard;
    ShardCache shard_cache;                    // each index parsed once, however often the plan is made
    std::map<std::string, uint32_t> chain_of;  // per request kind, for the chain statistic
    bool api_done = false, tree_done = false;
    uint64_t started_ms = 0;      // clock at load()
    uint64_t metadata_bytes = 0;  // reserved against kMaxLoadMetadataBytes (reads in flight + bytes kept)
};

namespace {

using StatePtr = std::shared_ptr<HubClient::State>;

}  // namespace

HubClient::HubClient(Transport& transport, HubOptions options) : transport_(transport), options_(std::move(options)) {}

HubClient::~HubClient() {
    if (state_) state_->cancelled = true;
}

void HubClient::cancel() {
    if (!state_ || state_->finished) return;
    state_->cancelled = true;
}

namespace {

void finish(const StatePtr& s, Error error) {
    if (s->finished) return;
    s->finished = true;
    s->result.error = std::move(error);
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

// Reserves `bytes` of the per-load metadata budget; false (and the load finished) when they do not fit.
bool reserve(const StatePtr& s, uint64_t bytes, const std::string& what) {
    uint64_t total = 0;
    if (!checked_add(s->metadata_bytes, bytes, total) || total > kMaxLoadMetadataBytes) {
        finish(s, make_error(ErrorCode::budget_exceeded,
                             "the metadata of this repo passes the limit of " +
                                 std::to_string(kMaxLoadMetadataBytes >> 20) + " MiB per estimate at " + what + " (" +
                                 std::to_string(s->progress.files_done) +
                                 " weight headers read): no real model needs that much, and holding more would "
                                 "exhaust the page's memory"));
        return false;
    }
    s->metadata_bytes = total;
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
    if (!s->options.token.empty() && origin_of(url) == origin_of(strip_slash(s->options.endpoint)))
        r.headers.push_back({"Authorization", "Bearer " + s->options.token});
    return r;
}

std::string endpoint(const StatePtr& s) { return strip_slash(s->options.endpoint); }

std::string resolve_url(const StatePtr& s, const std::string& path) {
    return endpoint(s) + "/" + s->api_repo + "/resolve/" + url_encode(s->result.snapshot.sha, false) + "/" +
           url_encode(path, true);
}

// Issues a request; the callback runs unless the load already finished or was cancelled.
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
    const std::string url = req.url;
    // A request whose timeout the deadline shortened: its timeout is the deadline's.
    const bool clipped = req.timeout_ms < s->options.timeout_ms;
    s->transport->send(req, [s, url, clipped, then = std::move(then)](HttpResponse r) mutable {
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

void plan_and_fetch(const StatePtr& s, uint32_t depth);

// A Range answer for the bytes from `start`: true when it is a 206 whose Content-Range matches its
// body (`total` then holds the file size the server gave) or a 200 (the server ignored Range and
// sent the file from byte 0); otherwise the load finishes with the error and false.
bool range_answer(const StatePtr& s, const HttpResponse& r, const std::string& path, uint64_t start, uint64_t& total) {
    if (r.status != 200 && r.status != 206) {
        finish(s, error_from_response(r, path, s->api_repo, !s->options.token.empty()));
        return false;
    }
    if (r.truncated && r.body.empty()) {
        // A transport that cannot keep a prefix (the browser's) stops a body longer than asked for.
        finish(s, make_error(ErrorCode::bad_response,
                             "the answer for " + path + " (HTTP " + std::to_string(r.status) +
                                 ") is longer than the bytes asked for and was stopped: the server or a proxy "
                                 "ignored the Range request"));
        return false;
    }
    if (r.status == 206) {
        uint64_t a = 0, b = 0, t = 0;
        if (!parse_content_range(r.header("content-range"), a, b, t) || a != start || b - a + 1 != r.body.size()) {
            finish(s, make_error(ErrorCode::bad_response, "the answer for " + path + " has Content-Range \"" +
                                                              r.header("content-range") + "\" but " +
                                                              std::to_string(r.body.size()) + " body bytes from byte " +
                                                              std::to_string(start) + " were asked for"));
            return false;
        }
        total = t;
    }
    return true;
}

void fetch_header(const StatePtr& s, const std::string& path, uint64_t size, uint32_t depth) {
    uint64_t probe = kDefaultHeaderProbeBytes;
    if (auto it = s->tensors_per_shard.find(path); it != s->tensors_per_shard.end()) {
        uint64_t sized = 0;
        probe = checked_mul(it->second, kHeaderBytesPerTensor, sized) && sized < kMaxFirstHeaderReadBytes
                    ? sized + kHeaderSlackBytes
                    : kMaxFirstHeaderReadBytes;
        probe = std::min(probe, kMaxFirstHeaderReadBytes);
    }
    if (size) probe = std::min(probe, size);
    probe = std::max<uint64_t>(probe, kHeaderPrefixBytes);
    if (!reserve(s, probe, "the first read of " + path)) return;
    HttpRequest req = make_request(s, resolve_url(s, path));
    req.headers.push_back({"Range", "bytes=0-" + std::to_string(probe - 1)});
    req.max_body_bytes = probe;
    fetch(s, req, depth, [s, path, size, probe, depth](HttpResponse& r) {
        release(s, probe);
        uint64_t file_size = size;
        if (!range_answer(s, r, path, 0, file_size)) return;
        if (r.status == 200 && r.body.size() > probe) r.body.resize(probe);  // Range ignored: keep the prefix only
        HeaderLength len = read_header_length(r.body, path, file_size);
        if (len.error) {
            finish(s, len.error);
            return;
        }
        if (!reserve(s, len.header_bytes,
                     "the header of " + path + " (" + std::to_string(len.header_bytes) + " bytes)"))
            return;
        auto done = [s, path](std::string header_json) {
            s->result.snapshot.headers[path] = std::move(header_json);
            ++s->progress.files_done;
            report(s);
            if (s->outstanding == 0) plan_and_fetch(s, 0);
        };
        const uint64_t need = kHeaderPrefixBytes + len.header_bytes;
        if (r.body.size() >= need) {
            r.body.resize(need);
            r.body.erase(0, kHeaderPrefixBytes);  // in place: a long header is not copied
            done(std::move(r.body));
            return;
        }
        // The header is longer than the first read: one more request for the rest.
        HttpRequest rest = make_request(s, resolve_url(s, path));
        const uint64_t have = r.body.size();
        rest.headers.push_back({"Range", "bytes=" + std::to_string(have) + "-" + std::to_string(need - 1)});
        // A server that ignores Range answers 200 from byte 0: allow for that whole prefix.
        rest.max_body_bytes = need;
        std::string first = r.body.substr(kHeaderPrefixBytes);
        fetch(s, rest, depth + 1, [s, path, have, need, first = std::move(first), done](HttpResponse& r2) mutable {
            uint64_t total = 0;
            if (!range_answer(s, r2, path, have, total)) return;
            if (r2.status == 200) r2.body = r2.body.size() > have ? r2.body.substr(have) : std::string();
            if (r2.body.size() < need - have) {
                finish(s, make_error(ErrorCode::header_truncated, "the header of " + path + " ends after " +
                                                                      std::to_string(have + r2.body.size()) + " of " +
                                                                      std::to_string(need) + " bytes"));
                return;
            }
            r2.body.resize(need - have);
            done(first + r2.body);
        });
    });
}

// Reads bytes [have.size(), target) of a GGUF file, parses what it holds, and asks for more until the tensor
// infos are complete (parse_gguf says how many bytes it needs at least).
void fetch_gguf(const StatePtr& s, const std::string& path, uint64_t size, std::string have, uint64_t target,
                uint32_t depth) {
    const uint64_t start = have.size();
    // GGUF metadata counts against the load's budget as it is read (kept until the load ends).
    if (!reserve(s, target - start, "the GGUF metadata of " + path)) return;
    HttpRequest req = make_request(s, resolve_url(s, path));
    req.headers.push_back({"Range", "bytes=" + std::to_string(start) + "-" + std::to_string(target - 1)});
    req.max_body_bytes = target;  // a server that ignores Range sends the file from byte 0
    fetch(s, req, depth, [s, path, size, have = std::move(have), start, target, depth](HttpResponse& r) mutable {
        uint64_t file_size = size;
        if (!range_answer(s, r, path, start, file_size)) return;
        if (r.status == 206) {
            have += r.body;
        } else {
            // The server ignored Range: keep the part that was asked for.
            if (r.body.size() > start) have += r.body.substr(start, target - start);
        }
        GgufFile f = parse_gguf(have, path, file_size);
        if (f.error) {
            finish(s, f.error);
            return;
        }
        if (f.needs_more()) {
            uint64_t next = std::min<uint64_t>(std::max<uint64_t>(f.need_bytes, 2 * have.size()), kGgufMaxPrefixBytes);
            if (file_size) next = std::min(next, file_size);
            if (next <= have.size()) {
                finish(s, make_error(ErrorCode::gguf_truncated, "the answer for " + path + " ends after " +
                                                                    std::to_string(have.size()) +
                                                                    " bytes, inside its header (it needs at least " +
                                                                    std::to_string(f.need_bytes) + ")"));
                return;
            }
            fetch_gguf(s, path, file_size, std::move(have), next, depth + 1);
            return;
        }
        if (have.size() > f.header_bytes) release(s, have.size() - f.header_bytes);
        have.resize(f.header_bytes);
        s->result.snapshot.gguf_prefixes[path] = std::move(have);
        ++s->progress.files_done;
        report(s);
        if (s->outstanding == 0) plan_and_fetch(s, 0);
    });
}

void fetch_text(const StatePtr& s, const std::string& path, uint32_t depth) {
    HttpRequest req = make_request(s, resolve_url(s, path));
    req.max_body_bytes = kMaxTextBytes;
    fetch(s, req, depth, [s, path](HttpResponse& r) {
        if (r.status != 200) {
            finish(s, error_from_response(r, path, s->api_repo, !s->options.token.empty()));
            return;
        }
        if (r.truncated) {
            finish(s,
                   make_error(ErrorCode::bad_response, path + " is larger than the 128 MB limit for metadata files"));
            return;
        }
        if (!reserve(s, r.body.size(), path)) return;
        s->result.snapshot.texts[path] = std::move(r.body);
        report(s);
        if (s->outstanding == 0) plan_and_fetch(s, 0);
    });
}

// Decides what is still needed and fetches it; finishes when nothing is.
void plan_and_fetch(const StatePtr& s, uint32_t) {
    if (s->finished) return;
    RepoSnapshot& snap = s->result.snapshot;
    LayoutPlan plan = plan_layout(snap.files, snap.texts, snap.variant, &s->shard_cache);
    if (plan.error) {
        finish(s, plan.error);
        return;
    }
    const uint32_t depth = s->result.stats.chain + 1;
    std::vector<std::string> texts;
    if (s->requested_texts.empty()) texts = first_round_texts(snap.files);
    for (const auto& t : plan.need_texts)
        if (std::find(texts.begin(), texts.end(), t) == texts.end()) texts.push_back(t);
    // Shard indexes tell how many tensors each shard holds: that sizes its first read.
    for (const auto& [path, shards] : s->shard_cache)
        for (const auto& [shard, n] : shards.tensors_per_shard) s->tensors_per_shard[shard] = n;
    std::map<std::string, uint64_t> sizes;
    for (const auto& f : snap.files) sizes[f.path] = f.size_bytes;
    bool issued = false;
    for (const auto& t : texts) {
        if (!s->requested_texts.insert(t).second) continue;
        s->progress.stage = "manifests";
        fetch_text(s, t, depth);
        issued = true;
    }
    if (plan.complete()) {
        s->progress.files_total = static_cast<uint32_t>(plan.weight_files.size() + plan.gguf_files.size());
        for (const auto& w : plan.weight_files) {
            if (!s->requested_headers.insert(w).second) continue;
            s->progress.stage = "headers";
            fetch_header(s, w, sizes[w], depth);
            issued = true;
        }
        // GGUF: every file's header at once (the quantization table needs them all), each in as few reads as it takes.
        for (const auto& g : plan.gguf_files) {
            if (!s->requested_headers.insert(g).second) continue;
            s->progress.stage = "headers";
            const uint64_t size = sizes[g];
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

void after_listing(const StatePtr& s) {
    if (s->api_done && s->tree_done && s->outstanding == 0) plan_and_fetch(s, 0);
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

// An API answer that must be JSON: false (and the load finished with the error) when the status is
// not 200 or the body is not JSON — an HTML login page, say.
bool json_answer(const StatePtr& s, const HttpResponse& r, const std::string& what, json& out) {
    if (!api_answer_ok(s, r, what)) return false;
    try {
        if (!looks_like_json(r)) throw std::runtime_error("not JSON");
        out = json::parse(r.body);
        return true;
    } catch (const std::exception&) {
        finish_not_json(s, r, what);
        return false;
    }
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
            if (origin_of(next) != origin_of(endpoint(s))) {
                finish(s, make_error(ErrorCode::bad_response,
                                     "the file listing's next page points to another origin: " + origin_of(next)));
                return;
            }
            fetch_tree_page(s, next, depth + 1);
            return;
        }
        s->tree_done = true;
        after_listing(s);
    });
}

}  // namespace

void HubClient::load(const std::string& repo_id, std::function<void(const HubProgress&)> on_progress,
                     std::function<void(LoadResult)> on_done) {
    if (state_) state_->cancelled = true;
    state_ = std::make_shared<State>();
    StatePtr s = state_;
    s->transport = &transport_;
    s->options = options_;
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
    const std::string api = endpoint(s) + "/api/models/" + repo_id;
    HttpRequest info_req =
        make_request(s, api + "/revision/" + rev + "?expand=sha&expand=gated&expand=library_name&expand=pipeline_tag");
    info_req.max_body_bytes = kMaxApiBytes;
    fetch(s, info_req, 1, [s](HttpResponse& r) {
        json info;
        if (!json_answer(s, r, "the model info", info)) return;
        if (!info.is_object()) {
            finish(s, make_error(ErrorCode::bad_response, "the model info is not a JSON object"));
            return;
        }
        RepoSnapshot& snap = s->result.snapshot;
        snap.sha = str_or_empty(info, "sha");
        if (snap.sha.size() != 40 || !std::all_of(snap.sha.begin(), snap.sha.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c));
            })) {
            finish(s, make_error(ErrorCode::bad_response, "the model info has no valid commit sha"));
            return;
        }
        if (info.contains("id") && info["id"].is_string() && validate_repo_id(info["id"].get<std::string>()).empty()) {
            s->api_repo = info["id"].get<std::string>();
            snap.repo_id = s->api_repo;
        }
        if (info.contains("gated"))
            snap.gated = info["gated"].is_string() ? info["gated"].get<std::string>()
                                                   : (info["gated"] == true ? "true" : "false");
        snap.library_name = str_or_empty(info, "library_name");
        snap.pipeline_tag = str_or_empty(info, "pipeline_tag");
        s->api_done = true;
        after_listing(s);
    });
    fetch_tree_page(s, api + "/tree/" + rev + "?recursive=true", 1);
}

}  // namespace vram
