// Transport over Debian's libcurl (multi interface: one connection pool, requests in parallel).
// Redirects are followed here, by hand, so that Authorization is dropped whenever the origin
// changes (the Hub's 302 to its CDN) and a redirect to another scheme is refused. 429 and 5xx
// answers are retried with exponential backoff, honouring Retry-After.
#pragma once
#include <memory>

#include "hub/transport.hpp"

namespace vram {

struct CurlOptions {
    uint32_t connect_timeout_ms = 10'000;
    uint32_t max_retries = 4;         // for 429 and 5xx
    uint32_t backoff_base_ms = 500;   // 0.5 s, 1 s, 2 s, 4 s
    uint32_t max_retry_after_s = 60;  // a longer Retry-After is not waited for
    uint32_t max_redirects = 10;
    bool verbose_log = false;  // one stderr line per request (no headers, no token)
};

class CurlTransport : public Transport {
  public:
    explicit CurlTransport(CurlOptions options = {});
    ~CurlTransport() override;
    void send(const HttpRequest& request, std::function<void(HttpResponse)> done) override;
    // Runs until every request (and every request its callbacks started) has completed.
    void run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vram
