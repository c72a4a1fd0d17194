#include "wasm/fetch_transport.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <emscripten/val.h>

#include <cstring>
#include <vector>

namespace vram {
namespace {

// Retries of 429 and 5xx answers, with exponential backoff (0.5 s, 1 s, 2 s). Browsers do not
// expose Retry-After to script on the Hub (it is not in Access-Control-Expose-Headers), so the
// backoff cannot follow it here; the CLI's curl transport does.
constexpr uint32_t kMaxRetries = 3;
constexpr uint32_t kBackoffBaseMs = 500;

struct Pending {
    std::function<void(HttpResponse)> done;
    uint64_t max_body_bytes = 0;
    HttpRequest request;  // kept for retries
    uint32_t attempt = 0;
};

void start(Pending* p);

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

bool retryable(int status) { return status == 429 || status == 500 || status == 502 || status == 503 || status == 504; }

void finish(emscripten_fetch_t* f) {
    auto* p = static_cast<Pending*>(f->userData);
    if (retryable(f->status) && p->attempt < kMaxRetries) {
        const uint32_t delay = kBackoffBaseMs << p->attempt;
        ++p->attempt;
        emscripten_fetch_close(f);
        emscripten_async_call([](void* arg) { start(static_cast<Pending*>(arg)); }, p, static_cast<int>(delay));
        return;
    }
    HttpResponse r;
    r.status = f->status;
    uint64_t n = f->numBytes;
    if (p->max_body_bytes && n > p->max_body_bytes) {
        n = p->max_body_bytes;
        r.truncated = true;
    }
    if (f->data && n) r.body.assign(f->data, static_cast<size_t>(n));
    // Headers must be read before emscripten_fetch_close (which deletes the XHR). In 3.1.6 the
    // length includes the NUL; unpacked values keep a leading space and a trailing "\r\n".
    size_t len = emscripten_fetch_get_response_headers_length(f);
    if (len) {
        std::vector<char> raw(len + 1, '\0');
        emscripten_fetch_get_response_headers(f, raw.data(), raw.size());
        char** kv = emscripten_fetch_unpack_response_headers(raw.data());
        for (char** it = kv; it && it[0] && it[1]; it += 2) r.headers[trim(it[0])] = trim(it[1]);
        emscripten_fetch_free_unpacked_response_headers(kv);
    }
    if (r.status == 0) {
        r.transport_error = "no HTTP answer";
    }
    emscripten_fetch_close(f);
    auto done = std::move(p->done);
    delete p;
    done(std::move(r));
}

void start(Pending* p) {
    const HttpRequest& request = p->request;
    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strcpy(attr.requestMethod, "GET");
    // REPLACE: never consult emscripten's IndexedDB cache (keyed by URL alone, blind to Range).
    attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
    attr.timeoutMSecs = request.timeout_ms;
    std::vector<const char*> headers;
    for (const auto& [k, v] : request.headers) {
        headers.push_back(k.c_str());
        headers.push_back(v.c_str());
    }
    headers.push_back(nullptr);
    attr.requestHeaders = headers.data();  // deep-copied by emscripten_fetch()
    attr.userData = p;
    attr.onsuccess = finish;
    attr.onerror = finish;
    emscripten_fetch(&attr, request.url.c_str());
}

}  // namespace

void FetchTransport::send(const HttpRequest& request, std::function<void(HttpResponse)> done) {
    if (emscripten::val::global("XMLHttpRequest").isUndefined()) {
        // Node without an XHR polyfill: answer "no HTTP answer" asynchronously, as a real failure would.
        auto* p = new Pending{std::move(done), 0, request, 0};
        emscripten_async_call(
            [](void* arg) {
                auto* p = static_cast<Pending*>(arg);
                HttpResponse r;
                r.transport_error = "emscripten_fetch needs XMLHttpRequest (a browser or worker)";
                auto d = std::move(p->done);
                delete p;
                d(std::move(r));
            },
            p, 0);
        return;
    }
    start(new Pending{std::move(done), request.max_body_bytes, request, 0});
}

}  // namespace vram
