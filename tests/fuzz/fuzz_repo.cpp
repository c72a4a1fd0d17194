// Fuzz target: a whole repo through the whole pipeline, many files at once. Input = a bundle
// (fuzz_common.hpp: F listing, T small files, H safetensors headers, V variant). A fake Hub serves
// it — the model info, the listing as a tree page, the small files, and each weight file as its
// 8-byte length prefix + header (Range honoured, short 206 answers past the stored bytes) — to the
// real HubClient; what it loads goes through analyze (with the headers the client parsed on arrival, as
// the CLI and the page call it) → estimate → render_json.
// This is where the sums across files and the per-load budget are fuzzed (the single-file targets
// never see them). Checked: the load ends exactly once; the model's totals are the exact sums of its
// tensors (no wrap-around: an overflow must be an error, never a small total); a component's bytes add
// up to the model's; the JSON report is valid.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "estimator/estimate.hpp"
#include "estimator/json_writer.hpp"
#include "estimator/model.hpp"
#include "estimator/report.hpp"
#include "fuzz_common.hpp"
#include "hub/hub_client.hpp"
#include "json_check.hpp"

using namespace vram;

namespace {

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";
const std::string kHub = "https://hub.test";
// Bytes past the stored header a short 206 may carry (zeros): enough for a first read to see the
// data start, small enough to keep an execution fast.
constexpr uint64_t kMaxZeros = 4096;

std::string le64(uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

struct RepoTransport : Transport {
    // The bundle's files indexed once per input by their path as a /resolve URL carries it (percent-encoded),
    // and the listing's body written once: the harness's own work stays small next to the code under test.
    explicit RepoTransport(const RepoSnapshot& snapshot) : repo(snapshot) {
        for (const auto& [p, text] : repo.texts) by_url_path.emplace(url_encode(p, true), Stored{&p, &text, false});
        for (const auto& [p, header] : repo.headers)
            by_url_path.emplace(url_encode(p, true), Stored{&p, &header, true});
        for (const auto& f : repo.files) size_of[f.path] = f.size_bytes;  // the last listed entry wins
        JsonWriter page(-1);
        page.begin_array();
        for (const auto& f : repo.files)
            page.begin_object().field("path", f.path).field("size", f.size_bytes).field("type", "file").end_object();
        page.end_array();
        tree_body = page.take();
    }

    struct Stored {
        const std::string* path;
        const std::string* content;  // a small file's text, or a safetensors header's JSON
        bool header;
    };
    const RepoSnapshot& repo;
    std::map<std::string, Stored> by_url_path;
    std::map<std::string_view, uint64_t> size_of;  // keys view repo.files
    std::string tree_body;
    std::deque<std::pair<HttpRequest, std::function<void(HttpResponse)>>> queue;

    void send(const HttpRequest& r, std::function<void(HttpResponse)> done) override {
        if (r.max_body_bytes == 0) __builtin_trap();  // every read is capped
        queue.emplace_back(r, std::move(done));
    }

    HttpResponse answer(const HttpRequest& req) const {
        HttpResponse r;
        const std::string& u = req.url;
        if (u.find("/api/models/") != std::string::npos) {
            r.status = 200;
            if (u.find("/tree/") == std::string::npos) {
                r.body = R"({"id":"fuzz/model","sha":")" + kSha + R"("})";
                return r;
            }
            r.body = tree_body;
            return r;
        }
        // By commit, or by the revision's name (the first round's guesses, sent before the info named the commit).
        std::string marker = "/resolve/" + kSha + "/";
        auto at = u.find(marker);
        if (at == std::string::npos) at = u.find(marker = "/resolve/main/");
        // Paths come back percent-encoded; the fuzzed ones are matched by their encoding (a small file
        // before a header of the same path).
        const auto found = by_url_path.find(at == std::string::npos ? std::string() : u.substr(at + marker.size()));
        if (found == by_url_path.end()) {
            r.status = 404;
            r.headers["x-error-code"] = "EntryNotFound";
            return r;
        }
        const Stored& f = found->second;
        if (f.header) return range(req, le64(f.content->size()) + *f.content, *f.path);
        r.status = 200;
        r.headers["x-repo-commit"] = kSha;  // as the Hub's answer for a small file carries it
        r.body = f.content->substr(0, req.max_body_bytes);
        r.truncated = f.content->size() > req.max_body_bytes;
        return r;
    }

    HttpResponse range(const HttpRequest& req, const std::string& stored, const std::string& path) const {
        const auto listed = size_of.find(path);
        uint64_t size = listed == size_of.end() ? 0 : listed->second;
        if (size == 0) size = stored.size();
        unsigned long long a = 0, b = 0;
        for (const auto& [k, v] : req.headers)
            if (k == "Range") std::sscanf(v.c_str(), "bytes=%llu-%llu", &a, &b);
        HttpResponse r;
        if (a >= size) {
            r.status = 416;
            return r;
        }
        b = std::min<unsigned long long>(b, size - 1);
        // The stored bytes, then zeros (at most kMaxZeros past them): a short 206 where the file goes on.
        const uint64_t last = std::min<uint64_t>(b, stored.size() + kMaxZeros - 1);
        if (last < a) {
            r.status = 416;
            return r;
        }
        r.status = 206;
        r.body = a < stored.size() ? stored.substr(a, last - a + 1) : std::string();
        r.body.resize(last - a + 1, '\0');
        r.headers["content-range"] =
            "bytes " + std::to_string(a) + "-" + std::to_string(last) + "/" + std::to_string(size);
        return r;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz::Bundle b = fuzz::parse_bundle(input);
    RepoTransport transport(b.snapshot);
    HubOptions options;
    options.endpoint = kHub;
    options.variant = b.snapshot.variant;
    options.clock_ms = [] { return uint64_t{0}; };  // deterministic: the deadline never passes
    int done_calls = 0;
    LoadResult loaded;
    {
        HubClient client(transport, options);
        client.load("fuzz/model", nullptr, [&](LoadResult r) {
            ++done_calls;
            loaded = std::move(r);
        });
        while (!transport.queue.empty()) {
            auto item = std::move(transport.queue.front());
            transport.queue.pop_front();
            item.second(transport.answer(item.first));
        }
    }
    if (done_calls != 1) __builtin_trap();
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "repo: load %s %s\n", error_code_name(loaded.error.code), loaded.error.message.c_str());
    if (loaded.error) return 0;

    // As the CLI and the page do: the headers the client parsed on arrival are not parsed again.
    Model m = analyze(loaded.snapshot, "", &loaded.parsed);
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "repo: analyze %s %s\n", error_code_name(m.error.code), m.error.message.c_str());
    if (m.error) return 0;
    // The totals are exact sums (computed here in 128 bits): a wrapped total is a silent wrong answer.
    unsigned __int128 bytes = 0, params = 0;
    for (const auto& t : m.tensors) bytes += t.bytes, params += t.params;
    if (bytes != m.bytes || params != m.params) __builtin_trap();
    unsigned __int128 component_bytes = 0;
    for (const auto& c : m.components) component_bytes += c.bytes;
    if (component_bytes != m.bytes) __builtin_trap();

    Estimate e = estimate(m, EstimateOptions{});
    if (e.error) return 0;
    const std::string j = render_json(m, e);
    if (!fuzz::report_is_json(j)) __builtin_trap();
    return 0;
}
