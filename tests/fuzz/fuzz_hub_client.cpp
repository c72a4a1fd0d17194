// Fuzz target: the Hub client (core/hub/hub_client.cpp) over an in-memory Transport whose every
// answer — status, headers (content-range, link, x-error-code …), body — comes from the input.
// That covers the model-info JSON, the tree listing and its Link pagination, Content-Range
// parsing, header reads in one or two ranges, the small-file round trips and error mapping.
//
// Input: records separated by 0x1E.
//   "!" record (optional, first): options, one key=value per line —
//       repo=org/name  token=…  revision=…  variant=…  endpoint=https://hub.test
//       order=fifo|lifo|alt   (which pending request is answered next)
//       cancel=N  destroy=N   (cancel() / destroy the client after N answers)
//       cut=0                 (the transport ignores max_body_bytes; default: cuts and sets truncated)
//   any other record: one response —
//       "KEY STATUS\n" then "name: value" header lines, an empty line, then the body.
//       KEY is "info" (GET /api/models/{id}/revision/…), "tree" (…/tree/…, every page), a repo
//       file path (GET …/resolve/{sha}/PATH) or "*" (any request). Responses with the same KEY
//       are used in order; when none is left, "*" ones; then the request fails as a network error.
//       Pseudo-headers ":timed_out", ":truncated" and ":error TEXT" set the other HttpResponse fields.
// Checked: on_done is called exactly once, tokens only go to the endpoint's origin, Range
// headers are well formed and max_body_bytes covers them, and a successful load gives a
// snapshot analyze() can read (with the headers the client parsed on arrival, as core/cli/main.cpp reads it).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/model.hpp"
#include "fuzz_common.hpp"
#include "hub/hub_client.hpp"

using namespace vram;

namespace {

// The fake Hub below is harness code: VRAM_FUZZ_NO_COVERAGE (fuzz_common.hpp) keeps its per-byte loops out of the
// coverage and the comparison hooks, as for the bundle's reader.
struct Scripted {
    std::string key;
    HttpResponse response;
    bool used = false;
};

VRAM_FUZZ_NO_COVERAGE std::string_view trim(std::string_view s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
}

VRAM_FUZZ_NO_COVERAGE Scripted parse_response(std::string_view rec) {
    Scripted out;
    auto [first, rest] = fuzz::head_rest(rec);
    size_t sp = first.rfind(' ');
    if (sp == std::string_view::npos) {
        out.key = std::string(first);
        out.response.status = 200;
    } else {
        out.key = std::string(first.substr(0, sp));
        std::string_view st = first.substr(sp + 1);
        bool neg = !st.empty() && st[0] == '-';
        uint64_t v = fuzz::to_u64(neg ? st.substr(1) : st);
        out.response.status = static_cast<int>(v % 1000) * (neg ? -1 : 1);
    }
    // Headers until an empty line; the transport contract: names in lower case, values trimmed.
    while (!rest.empty()) {
        auto [line, after] = fuzz::head_rest(rest);
        if (line.empty() || line == "\r") {
            rest = after;
            break;
        }
        rest = after;
        if (line[0] == ':') {
            if (line.rfind(":timed_out", 0) == 0)
                out.response.timed_out = true;
            else if (line.rfind(":truncated", 0) == 0)
                out.response.truncated = true;
            else if (line.rfind(":error", 0) == 0)
                out.response.transport_error = std::string(line.substr(std::min<size_t>(7, line.size())));
            continue;
        }
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(trim(line.substr(0, colon)));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.response.headers[std::move(name)] = trim(line.substr(colon + 1));
    }
    out.response.body = std::string(rest);
    return out;
}

VRAM_FUZZ_NO_COVERAGE int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

VRAM_FUZZ_NO_COVERAGE std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

VRAM_FUZZ_NO_COVERAGE std::string origin_of(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
}

VRAM_FUZZ_NO_COVERAGE std::string key_of(const std::string& url) {
    if (url.find("/api/models/") != std::string::npos) return url.find("/tree/") != std::string::npos ? "tree" : "info";
    auto r = url.find("/resolve/");
    if (r == std::string::npos) return "other";
    auto slash = url.find('/', r + 9);
    return slash == std::string::npos ? "other" : percent_decode(std::string_view(url).substr(slash + 1));
}

// What answer() needs of a request: which scripted responses fit it, and where the transport cuts the body.
struct Pending {
    std::string key;
    uint64_t max_body_bytes = 0;
};

struct FakeTransport : Transport {
    std::vector<Scripted> script;
    std::deque<std::pair<Pending, std::function<void(HttpResponse)>>> queue;
    bool cut = true;
    std::string endpoint_origin;

    VRAM_FUZZ_NO_COVERAGE void send(const HttpRequest& r, std::function<void(HttpResponse)> done) override {
        for (const auto& [name, value] : r.headers) {
            if (name == "Authorization" && origin_of(r.url) != endpoint_origin) __builtin_trap();  // token leak
            if (name == "Range") {
                unsigned long long a = 0, b = 0;
                if (std::sscanf(value.c_str(), "bytes=%llu-%llu", &a, &b) != 2 || a > b) __builtin_trap();
                // A transport that stops at max_body_bytes must still deliver the whole range (the client may allow
                // more, for a server that ignores Range and answers 200 from byte 0).
                if (r.max_body_bytes != 0 && r.max_body_bytes < b - a + 1) __builtin_trap();
            }
        }
        queue.emplace_back(Pending{key_of(r.url), r.max_body_bytes}, std::move(done));
    }

    VRAM_FUZZ_NO_COVERAGE HttpResponse answer(const Pending& req) {
        const std::string& key = req.key;
        Scripted* pick = nullptr;
        for (auto& s : script)
            if (!s.used && s.key == key) {
                pick = &s;
                break;
            }
        if (!pick)
            for (auto& s : script)
                if (!s.used && s.key == "*") {
                    pick = &s;
                    break;
                }
        HttpResponse r;
        if (!pick) {
            r.status = 0;
            r.transport_error = "fuzz: no scripted response";
            return r;
        }
        pick->used = true;
        r = std::move(pick->response);  // each scripted response is used once
        if (cut && req.max_body_bytes && r.body.size() > req.max_body_bytes) {
            r.body.resize(req.max_body_bytes);
            r.truncated = true;
        }
        return r;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    FakeTransport transport;
    HubOptions options;
    options.endpoint = "https://hub.test";
    std::string repo = "acme/model";
    std::string order = "fifo";
    uint64_t cancel_after = UINT64_MAX, destroy_after = UINT64_MAX;

    {
        size_t n = 0;
        fuzz::Pieces count{input, fuzz::kRecordSeparator};
        for (std::string_view rec; count.next(rec);) ++n;
        transport.script.reserve(n);
    }
    fuzz::Pieces records{input, fuzz::kRecordSeparator};
    bool first = true;
    for (std::string_view rec; records.next(rec); first = false) {
        if (first && !rec.empty() && rec[0] == '!') {
            fuzz::Pieces lines{rec.substr(1), '\n'};
            for (std::string_view line; lines.next(line);) {
                size_t eq = line.find('=');
                if (eq == std::string_view::npos) continue;
                std::string k(line.substr(0, eq)), v(line.substr(eq + 1));
                if (k == "repo")
                    repo = v;
                else if (k == "token")
                    options.token = v;
                else if (k == "revision")
                    options.revision = v;
                else if (k == "variant")
                    options.variant = v;
                else if (k == "endpoint")
                    options.endpoint = v;
                else if (k == "order")
                    order = v;
                else if (k == "cancel")
                    cancel_after = fuzz::to_u64(v);
                else if (k == "destroy")
                    destroy_after = fuzz::to_u64(v);
                else if (k == "cut")
                    transport.cut = v != "0";
            }
            continue;
        }
        if (rec.empty()) continue;
        transport.script.push_back(parse_response(rec));
    }
    std::string ep = options.endpoint;
    while (!ep.empty() && ep.back() == '/') ep.pop_back();
    transport.endpoint_origin = origin_of(ep);

    int done_calls = 0;
    LoadResult result;
    auto client = std::make_unique<HubClient>(transport, options);
    client->load(
        repo, [](const HubProgress&) {},
        [&](LoadResult r) {
            ++done_calls;
            result = std::move(r);
        });

    uint64_t answered = 0;
    bool flip = false;
    while (!transport.queue.empty()) {
        std::pair<Pending, std::function<void(HttpResponse)>> item;
        const bool back = order == "lifo" || (order == "alt" && (flip = !flip));
        if (back) {
            item = std::move(transport.queue.back());
            transport.queue.pop_back();
        } else {
            item = std::move(transport.queue.front());
            transport.queue.pop_front();
        }
        item.second(transport.answer(item.first));
        ++answered;
        if (answered == cancel_after && client) client->cancel();
        if (answered == destroy_after) client.reset();
    }
    // Every request answered: the load must have ended, exactly once.
    if (done_calls != 1) __builtin_trap();
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "hub_client: %s %s (%u requests, %zu files, %zu texts, %zu headers)\n",
                     error_code_name(result.error.code), result.error.message.c_str(), result.stats.requests,
                     result.snapshot.files.size(), result.snapshot.texts.size(), result.snapshot.headers.size());
    // As the CLI and the page do: with what the client parsed on the way in (the pipeline target fuzzes analyze
    // without it).
    if (!result.error) {
        Model m = analyze(result.snapshot, "", &result.parsed);
        (void)m;
    }
    return 0;
}
