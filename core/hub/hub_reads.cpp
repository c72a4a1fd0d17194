// Reading the weight files' headers: a safetensors header in one or two Range reads (sized from the index, or from
// the index's size when read ahead of it: speculate_shards), a GGUF file's metadata in reads that at least double.
#include <algorithm>

#include "estimator/checked_math.hpp"
#include "estimator/gguf.hpp"
#include "estimator/safetensors.hpp"
#include "hub/hub_load.hpp"
#include "hub/hub_protocol.hpp"

namespace vram::hub_load {
namespace {

using namespace hub_protocol;

// Bytes per tensor entry used to size the first read of a shard whose tensor count the index gives
// (real entries are 100–200 bytes), plus slack for __metadata__ and long names.
constexpr uint64_t kHeaderBytesPerTensor = 192;
constexpr uint64_t kHeaderSlackBytes = 8 * 1024;
// A shard header read before its index has arrived (speculate_shards) is sized from the index's size in the listing:
// an index entry ("name": "model-00001-of-00163.safetensors") is the tensor's name plus ~40 bytes, its header entry
// the name plus 80-100 (dtype, shape, offsets). In the 31 split checkpoints of tests/fixtures/hub (real headers and
// indexes), the longest shard header less the slack below is at most 1.39 times the index's bytes per shard where
// that share is over 40 KB (Qwen3-30B-A3B 1.39, Qwen3-Next-80B 1.35, DeepSeek-R1 1.24: long names, even shards).
// Smaller shares need more (gemma-4-26B-A4B: 5.0 times a 9.4 KB share), which the 64 KiB floor below covers in all
// but one: FluX-optimized's text encoder (1.78 times a 33 KB share) takes one more request for a shard. So 1.5 times
// (2 before 2026-12-07): every byte read costs the Hub's TLS, the browser's network process and the page's worker,
// and DeepSeek-R1's 163 first reads come to 14.7 MB instead of 19.1.
constexpr uint64_t kHeaderBytesPerIndexByteNum = 3, kHeaderBytesPerIndexByteDen = 2;
// ...and never below 64 KiB: shards are uneven (the first often holds the embeddings: 1.7x the average in
// Qwen-Image's text encoder), and for a small header a second round trip costs more than 64 KiB.
constexpr uint64_t kMinSpeculativeProbeBytes = 64 * 1024;
// Headers parsed as they arrive (parse_on_arrival) are kept parsed until analyze(), beside their text: at most this
// much header text, so that the peak stays within the heap a load's metadata budget (kMaxLoadMetadataBytes) was sized
// for. DeepSeek-R1 has 11.3 MiB of headers; its load peaks at 58 MiB of wasm heap with them kept parsed, 42 without.
constexpr uint64_t kMaxParsedHeaderTextBytes = 32ull << 20;
// A Range answer for the bytes from `start` (hub_protocol::range_answer_error); the load finishes with its error.
bool range_answer(const StatePtr& s, const HttpResponse& r, const std::string& path, uint64_t start, uint64_t& total) {
    Error e = range_answer_error(r, path, start, s->api_repo, !s->options.token.empty(), total);
    if (e) finish(s, std::move(e));
    return !e;
}

// Drops `path`'s parsed header from the cache, and its text from the cache's count.
void forget_parsed(AnalyzeCache& cache, const std::string& path) {
    if (auto old = cache.headers.find(path); old != cache.headers.end()) {
        cache.header_text_bytes -= old->second.text_bytes;
        cache.headers.erase(old);
    }
}

// Parses a header as it arrives, for analyze() (AnalyzeCache): the parse then happens while other answers are still
// on their way instead of after the last. Up to kMaxParsedHeaderTextBytes of header text; analyze() parses the rest.
void parse_on_arrival(const StatePtr& s, const std::string& path, const std::string& text, uint64_t listing_size) {
    AnalyzeCache& cache = s->result.parsed;
    forget_parsed(cache, path);
    if (text.size() > kMaxParsedHeaderTextBytes - cache.header_text_bytes) return;
    ParsedHeader& p = cache.headers[path];
    p.text_bytes = text.size();
    p.file_size = listing_size;
    p.header = parse_safetensors_header(text, path, listing_size);
    cache.header_text_bytes += p.text_bytes;
}

// A header read that failed: a speculative one is forgotten (its reservation is returned and the plan may ask for the
// file again), any other ends the load with its error.
void header_read_failed(const StatePtr& s, const std::string& path, bool speculative, Error e, uint64_t reserved) {
    if (!speculative) {
        finish(s, std::move(e));
        return;
    }
    release(s, reserved);
    s->requested_headers.erase(path);
    if (s->outstanding == 0) plan_and_fetch(s, 0);
}

}  // namespace

// Reads the header of a safetensors file: a first Range read sized from the index's tensor count (or
// `speculative_probe`), then, when the header is longer, one more read for the rest.
// A speculative read (speculate_shards: the index has not arrived yet) that goes wrong is forgotten instead of ending
// the load: the plan asks for the file again once the index says the model needs it, and that read's error is the
// load's, as it was before reads were speculative.
void fetch_header(const StatePtr& s, const std::string& path, uint64_t size, uint32_t depth,
                  uint64_t speculative_probe) {
    const bool speculative = speculative_probe != 0;
    // Sent with the model info and the listing (speculate_before_listing): by the revision's name, its size unknown.
    const bool early = !listing_done(s);
    uint64_t probe = speculative ? speculative_probe : kDefaultHeaderProbeBytes;
    if (auto it = s->tensors_per_shard.find(path); !speculative && it != s->tensors_per_shard.end()) {
        uint64_t sized = 0;
        probe = checked_mul(it->second, kHeaderBytesPerTensor, sized) && sized < kMaxFirstHeaderReadBytes
                    ? sized + kHeaderSlackBytes
                    : kMaxFirstHeaderReadBytes;
        probe = std::min(probe, kMaxFirstHeaderReadBytes);
    }
    if (size) probe = std::min(probe, size);
    probe = std::max<uint64_t>(probe, kHeaderPrefixBytes);
    if (speculative && !fits(s, probe)) {
        s->requested_headers.erase(path);
        return;
    }
    if (!reserve(s, probe, "the first read of " + path)) return;
    HttpRequest req = make_request(s, resolve_url(s, path));
    req.headers.push_back({"Range", "bytes=0-" + std::to_string(probe - 1)});
    req.max_body_bytes = probe;
    fetch(s, req, depth, [s, path, size, probe, depth, speculative, early](HttpResponse& r) {
        release(s, probe);
        uint64_t file_size = size;
        if (Error e = range_answer_error(r, path, 0, s->api_repo, !s->options.token.empty(), file_size)) {
            header_read_failed(s, path, speculative, std::move(e), 0);
            return;
        }
        if (r.status == 200 && r.body.size() > probe) r.body.resize(probe);  // Range ignored: keep the prefix only
        HeaderLength len = read_header_length(r.body, path, file_size);
        if (len.error) {
            header_read_failed(s, path, speculative, len.error, 0);
            return;
        }
        if (speculative && !fits(s, len.header_bytes)) {
            header_read_failed(s, path, speculative, Error{}, 0);
            return;
        }
        if (!reserve(s, len.header_bytes,
                     "the header of " + path + " (" + std::to_string(len.header_bytes) + " bytes)"))
            return;
        auto done = [s, path, size, file_size, early](std::string header_json) {
            if (early) {
                if (!listing_done(s)) {
                    s->early_header_sizes[path] = file_size;  // the first plan compares it with the listing
                } else if (const RepoFile* f = listed(s, path);
                           !f || f->size_bytes != file_size ||
                           (!s->planned_headers.empty() && !s->planned_headers.count(path))) {
                    // The listing does not have this file at this size, or the plan has no use for it: the plan reads
                    // what it needs again, by commit, now (not after the reads in flight).
                    release(s, header_json.size());
                    s->requested_headers.erase(path);
                    plan_and_fetch(s, 0);
                    return;
                }
            }
            std::string& kept = s->result.snapshot.headers[path];
            kept = std::move(header_json);
            parse_on_arrival(s, path, kept, size ? size : file_size);
            if (s->planned_headers.empty() || s->planned_headers.count(path)) ++s->progress.files_done;
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
        const uint64_t kept = len.header_bytes;
        fetch(s, rest, depth + 1,
              [s, path, have, need, kept, first = std::move(first), done, speculative](HttpResponse& r2) mutable {
                  uint64_t total = 0;
                  if (Error e = range_answer_error(r2, path, have, s->api_repo, !s->options.token.empty(), total)) {
                      header_read_failed(s, path, speculative, std::move(e), kept);
                      return;
                  }
                  if (r2.status == 200) r2.body = r2.body.size() > have ? r2.body.substr(have) : std::string();
                  if (r2.body.size() < need - have) {
                      header_read_failed(
                          s, path, speculative,
                          make_error(ErrorCode::header_truncated, "the header of " + path + " ends after " +
                                                                      std::to_string(have + r2.body.size()) + " of " +
                                                                      std::to_string(need) + " bytes"),
                          kept);
                      return;
                  }
                  r2.body.resize(need - have);
                  done(first + r2.body);
              });
    });
}

const RepoFile* listed(const StatePtr& s, const std::string& path) {
    const RepoFile* found = nullptr;
    for (const auto& f : s->result.snapshot.files)
        if (f.path == path) found = &f;
    return found;
}

void drop_header(const StatePtr& s, const std::string& path) {
    auto& headers = s->result.snapshot.headers;
    if (auto it = headers.find(path); it != headers.end()) {
        release(s, it->second.size());
        headers.erase(it);
    }
    forget_parsed(s->result.parsed, path);
    s->requested_headers.erase(path);
}

// The shards of an index, read together with the index instead of after it: when the listing holds an index
// "<stem>.safetensors.index.json" (no variant asked for) and exactly the parts "<stem>-1-of-N.safetensors" …
// "<stem>-N-of-N.safetensors" (the names save_pretrained and huggingface_hub's split give, any zero padding), their
// headers are read at once, each first read sized from the index's size (kHeaderBytesPerIndexByteNum/Den). Waiting
// for a large index costs a round trip plus its download and parse (8.9 MB for DeepSeek-R1: 150-230 ms in the page's
// worker before its first header request, scripts/bench). The index is still read, and the plan made from it decides
// what the model is: a part it does not name is read for nothing; one it names and the listing lacks is an error as
// before.
// Speculative first reads of `files` (fetch_header); the page shows "Reading headers: k of n" from here on, and the
// plan corrects n once the texts are in.
void read_ahead(const StatePtr& s, const std::vector<const RepoFile*>& files, uint64_t probe, uint32_t depth) {
    for (const RepoFile* f : files) {
        if (s->finished) return;
        if (!s->requested_headers.insert(f->path).second) continue;
        if (s->planned_headers.empty()) {
            ++s->progress.files_total;
            s->progress.stage = "headers";
        }
        fetch_header(s, f->path, f->size_bytes, depth, probe);
    }
}

void speculate_shards(const StatePtr& s, const std::string& index_path, uint32_t depth) {
    if (!s->result.snapshot.variant.empty()) return;
    const SplitShards split = split_shards(s->result.snapshot.files, index_path);
    if (split.parts.empty() || split.parts.size() > kMaxLoadRequests) return;
    uint64_t probe = 0;
    if (!checked_mul(split.index_bytes / split.parts.size(), kHeaderBytesPerIndexByteNum, probe) ||
        probe / kHeaderBytesPerIndexByteDen > kMaxFirstHeaderReadBytes)
        probe = kMaxFirstHeaderReadBytes;
    else
        probe /= kHeaderBytesPerIndexByteDen;
    probe = std::min(std::max(probe + kHeaderSlackBytes, kMinSpeculativeProbeBytes), kMaxFirstHeaderReadBytes);
    read_ahead(s, split.parts, probe, depth);
}

// The component folders' single weight files of a diffusers pipeline, read with model_index.json instead of after it
// (hub_protocol::pipeline_single_files), each first read as large as a single file's (kDefaultHeaderProbeBytes).
void speculate_pipeline(const StatePtr& s, uint32_t depth) {
    if (!s->result.snapshot.variant.empty()) return;
    read_ahead(s, pipeline_single_files(s->result.snapshot.files), kDefaultHeaderProbeBytes, depth);
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

}  // namespace vram::hub_load
