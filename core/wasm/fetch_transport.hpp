// Transport over Emscripten's fetch API (3.1.6, XMLHttpRequest underneath). The browser follows
// the Hub's redirects itself, drops Authorization on the cross-origin hop to the CDN, and shows
// only CORS-exposed response headers (lower-cased). Status 0 means no HTTP answer: offline, a
// refused cross-origin request, or a timeout.
#pragma once
#include "hub/transport.hpp"

namespace vram {

class FetchTransport : public Transport {
  public:
    void send(const HttpRequest& request, std::function<void(HttpResponse)> done) override;
};

}  // namespace vram
