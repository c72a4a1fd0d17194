// The Transport interface the Hub client asks through. Three implementations: emscripten_fetch in
// the browser (core/wasm/fetch_transport.cpp), libcurl natively (core/cli/curl_transport.cpp), and
// an in-memory fake in the unit tests. A transport follows redirects itself (the browser does so
// invisibly) and must never send Authorization to an origin other than the request's own.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vram {

struct HttpRequest {
    std::string url;
    std::vector<std::pair<std::string, std::string>>
        headers;                   // e.g. {"Range","bytes=0-7"}, {"Authorization","Bearer …"}
    uint32_t timeout_ms = 30'000;  // whole request, redirects included
    uint64_t max_body_bytes = 0;   // stop reading after this many bytes (0 = no limit)
};

struct HttpResponse {
    int status = 0;  // 0: no HTTP answer (network, CORS, offline, timeout)
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case, values trimmed
    bool timed_out = false;
    bool truncated = false;       // the body was cut at max_body_bytes
    bool answered = false;        // status 0 although the server answered (cut body, bad redirect)
    std::string transport_error;  // what the transport knows when status is 0
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Starts a request; `done` is called exactly once, later (never from inside send()).
    virtual void send(const HttpRequest& request, std::function<void(HttpResponse)> done) = 0;
};

}  // namespace vram
