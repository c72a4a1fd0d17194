#include "wasm/fetch_transport.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <emscripten/val.h>

#include <cstring>
#include <vector>

namespace vram {
namespace {

// emscripten 3.1.6 cannot stream into the heap (EMSCRIPTEN_FETCH_STREAM_DATA relies on Firefox's
// removed moz-chunked-arraybuffer, src/Fetch.js), and its emscripten_fetch_close() frees the fetch but
// leaves the XMLHttpRequest running: Fetch.js fetchFree only drops it from Fetch.xhrs, and its handlers
// would later write into the freed struct and malloc the whole body. So a body that passes its cap is
// stopped here: the handlers detached, the request aborted, the browser's partial copy dropped.
EM_JS(void, vram_fetch_abort, (uint32_t id), {
    var xhr = Fetch.xhrs[id - 1];
    if (!xhr) return;
    xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onprogress = xhr.onreadystatechange = null;
    xhr.abort();
});

// A finished request's body, taken from the XMLHttpRequest itself (up to `n` bytes): copied once, from the browser's
// ArrayBuffer straight into the std::string the core keeps. With EMSCRIPTEN_FETCH_LOAD_TO_MEMORY, Fetch.js first
// mallocs a copy of the whole body in the heap (saveResponse), which the transport then copied again; for a 163-shard
// repo that is 15 MB copied twice and held twice while a header is moved into the core. Before emscripten_fetch_close,
// which drops the XMLHttpRequest.
EM_JS(double, vram_fetch_body_length, (uint32_t id), {
    var xhr = Fetch.xhrs[id - 1];
    var body = xhr && xhr.response;
    return body && body.byteLength ? body.byteLength : 0;
});
EM_JS(void, vram_fetch_body_copy, (uint32_t id, char* to, double n),
      { HEAPU8.set(new Uint8Array(Fetch.xhrs[id - 1].response, 0, n), to); });

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
    double started_ms = 0;  // emscripten_get_now() when this attempt started
};

void start(Pending* p);

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

bool retryable(int status) { return status == 429 || status == 500 || status == 502 || status == 503 || status == 504; }

// Headers must be read before emscripten_fetch_close (which deletes the XHR). In 3.1.6 the
// length includes the NUL; unpacked values keep a leading space and a trailing "\r\n".
void read_headers(emscripten_fetch_t* f, HttpResponse& r) {
    size_t len = emscripten_fetch_get_response_headers_length(f);
    if (!len) return;
    std::vector<char> raw(len + 1, '\0');
    emscripten_fetch_get_response_headers(f, raw.data(), raw.size());
    char** kv = emscripten_fetch_unpack_response_headers(raw.data());
    for (char** it = kv; it && it[0] && it[1]; it += 2) r.headers[trim(it[0])] = trim(it[1]);
    emscripten_fetch_free_unpacked_response_headers(kv);
}

void deliver(Pending* p, HttpResponse r) {
    auto done = std::move(p->done);
    delete p;
    done(std::move(r));
}

// Without EMSCRIPTEN_FETCH_STREAM_DATA no bytes reach the heap before the end, but each progress event
// says how many arrived (dataOffset = e.loaded). A body past the cap is stopped at once: what the tab
// holds is the cap plus one chunk of the browser's, and nothing of it enters the wasm heap.
void progress(emscripten_fetch_t* f) {
    auto* p = static_cast<Pending*>(f->userData);
    const uint64_t loaded = f->dataOffset + f->numBytes;
    if (!p->max_body_bytes || loaded <= p->max_body_bytes) return;
    HttpResponse r;
    r.status = f->status;
    r.truncated = true;
    r.answered = true;
    r.transport_error =
        "the answer passed the " + std::to_string(p->max_body_bytes) + " bytes asked for and was stopped";
    read_headers(f, r);
    vram_fetch_abort(f->id);
    f->__attributes.onerror = nullptr;  // emscripten_fetch_close calls it on an unfinished fetch: answered here
    emscripten_fetch_close(f);
    deliver(p, std::move(r));
}

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
    uint64_t n = static_cast<uint64_t>(vram_fetch_body_length(f->id));
    if (p->max_body_bytes && n > p->max_body_bytes) {
        n = p->max_body_bytes;
        r.truncated = true;
    }
    if (n) {
        r.body.resize(static_cast<size_t>(n));
        vram_fetch_body_copy(f->id, r.body.data(), static_cast<double>(n));
    }
    read_headers(f, r);
    if (r.status == 0) {
        // XHR reports a timeout as an error with status 0 (Fetch.js ontimeout): tell it by the clock.
        const double elapsed = emscripten_get_now() - p->started_ms;
        r.timed_out = p->request.timeout_ms && elapsed + 50 >= p->request.timeout_ms;
        r.transport_error =
            r.timed_out ? "timed out after " + std::to_string(p->request.timeout_ms) + " ms" : "no HTTP answer";
    }
    emscripten_fetch_close(f);
    deliver(p, std::move(r));
}

void start(Pending* p) {
    const HttpRequest& request = p->request;
    p->started_ms = emscripten_get_now();
    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strcpy(attr.requestMethod, "GET");
    // REPLACE: never consult emscripten's IndexedDB cache (keyed by URL alone, blind to Range). No LOAD_TO_MEMORY: the
    // body goes from the XMLHttpRequest into the response in one copy (finish, vram_fetch_body_copy).
    attr.attributes = EMSCRIPTEN_FETCH_REPLACE;
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
    attr.onprogress = progress;
    emscripten_fetch(&attr, request.url.c_str());
}

}  // namespace

void FetchTransport::send(const HttpRequest& request, std::function<void(HttpResponse)> done) {
    // Looked up until found, then never again: the lookup crosses into JS (a string and a global read), once per
    // request of a 163-shard load otherwise; a host that installs XMLHttpRequest later (node) is still seen.
    static bool have_xhr = false;
    if (!have_xhr) have_xhr = !emscripten::val::global("XMLHttpRequest").isUndefined();
    if (!have_xhr) {
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
