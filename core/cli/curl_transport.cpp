#include "cli/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>

#include "cli/terminal.hpp"

namespace vram {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}
std::string scheme_of(const std::string& url) {
    auto p = url.find("://");
    return p == std::string::npos ? std::string() : lower(url.substr(0, p));
}
std::string origin_of(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return lower(slash == std::string::npos ? url : url.substr(0, slash));
}
std::string resolve(const std::string& base, const std::string& location) {
    if (location.find("://") != std::string::npos) return location;
    if (location.rfind("//", 0) == 0) return scheme_of(base) + ":" + location;
    if (!location.empty() && location[0] == '/') return origin_of(base) + location;
    auto q = base.find('?');
    std::string path = base.substr(0, q);
    return path.substr(0, path.rfind('/') + 1) + location;
}

}  // namespace

struct CurlTransport::Impl {
    struct Transfer {
        HttpRequest request;    // the original request
        std::string url;        // current hop
        bool send_auth = true;  // false once a redirect left the original origin
        uint32_t redirects = 0;
        uint32_t attempt = 0;
        Clock::time_point start_at;  // not before (backoff)
        Clock::time_point deadline;
        std::function<void(HttpResponse)> done;
        HttpResponse response;
        CURL* easy = nullptr;
        curl_slist* headers = nullptr;
    };

    CurlOptions options;
    std::string ca_file;  // CAINFO when set (from $CURL_CA_BUNDLE); empty = libcurl's default
    CURLM* multi = nullptr;
    std::list<Transfer> waiting;  // queued or backing off
    std::list<Transfer> active;
    std::deque<std::pair<std::function<void(HttpResponse)>, HttpResponse>> completed;

    static size_t on_body(char* data, size_t size, size_t n, void* user) {
        auto* t = static_cast<Transfer*>(user);
        size_t len = size * n;
        const uint64_t limit = t->request.max_body_bytes;
        if (limit && t->response.body.size() + len > limit) {
            t->response.body.append(data, static_cast<size_t>(limit - t->response.body.size()));
            t->response.truncated = true;
            return 0;  // abort: we have what we asked for
        }
        t->response.body.append(data, len);
        return len;
    }
    static size_t on_header(char* data, size_t size, size_t n, void* user) {
        auto* t = static_cast<Transfer*>(user);
        std::string line(data, size * n);
        if (line.rfind("HTTP/", 0) == 0) {
            t->response.headers.clear();
        } else if (auto colon = line.find(':'); colon != std::string::npos) {
            t->response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
        }
        return size * n;
    }

    void start(Transfer& t) {
        t.response = HttpResponse{};
        t.easy = curl_easy_init();
        curl_easy_setopt(t.easy, CURLOPT_URL, t.url.c_str());
        curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
        curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
        curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(t.easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
        curl_easy_setopt(t.easy, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(t.easy, CURLOPT_FOLLOWLOCATION, 0L);  // by hand, below
        curl_easy_setopt(t.easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t.easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t.deadline - Clock::now()).count();
        curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(left, 1)));
        curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "hf-vram-estimator/1 (libcurl)");
        curl_easy_setopt(t.easy, CURLOPT_ACCEPT_ENCODING, "");
        if (!ca_file.empty()) curl_easy_setopt(t.easy, CURLOPT_CAINFO, ca_file.c_str());
        t.headers = nullptr;
        for (const auto& [k, v] : t.request.headers) {
            if (!t.send_auth && lower(k) == "authorization") continue;
            t.headers = curl_slist_append(t.headers, (k + ": " + v).c_str());
        }
        curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.headers);
        curl_multi_add_handle(multi, t.easy);
        if (options.verbose_log) std::fprintf(stderr, "GET %s\n", terminal_safe(t.url, Newlines::escape).c_str());
    }

    void cleanup(Transfer& t) {
        curl_multi_remove_handle(multi, t.easy);
        curl_easy_cleanup(t.easy);
        curl_slist_free_all(t.headers);
        t.easy = nullptr;
        t.headers = nullptr;
    }

    // Decides what a finished hop means: done, redirect, or retry.
    void on_finished(std::list<Transfer>::iterator it, CURLcode code) {
        Transfer& t = *it;
        long status = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
        cleanup(t);
        HttpResponse& r = t.response;
        r.status = static_cast<int>(status);
        if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && r.truncated)) {
            r.status = 0;
            r.timed_out = code == CURLE_OPERATION_TIMEDOUT;
            r.answered = status != 0;
            r.transport_error = curl_easy_strerror(code);
            if (code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR)
                r.transport_error =
                    "the connection closed after " + std::to_string(r.body.size()) + " body bytes (a partial answer)";
            r.body.clear();
            if (!r.timed_out && t.attempt < options.max_retries && code != CURLE_UNSUPPORTED_PROTOCOL &&
                code != CURLE_COULDNT_RESOLVE_HOST && Clock::now() < t.deadline) {
                retry(it, backoff(t.attempt));
                return;
            }
            complete(it);
            return;
        }
        if (status >= 300 && status < 400 && status != 304) {
            std::string location = r.header("location");
            if (location.empty()) return complete(it);
            std::string next = resolve(t.url, location);
            if (++t.redirects > options.max_redirects) {
                r = HttpResponse{};
                r.answered = true;
                r.transport_error =
                    "more than " + std::to_string(options.max_redirects) + " redirects (a redirect loop)";
                return complete(it);
            }
            std::string scheme = scheme_of(next);
            if (scheme != "http" && scheme != "https") {
                r = HttpResponse{};
                r.answered = true;
                r.transport_error = "the Hub redirected to a non-HTTP scheme (" + scheme + "), which is refused";
                return complete(it);
            }
            if (origin_of(next) != origin_of(t.request.url)) t.send_auth = false;
            t.url = next;
            t.start_at = Clock::now();
            waiting.splice(waiting.end(), active, it);
            return;
        }
        if ((status == 429 || status >= 500) && t.attempt < options.max_retries) {
            uint32_t wait_ms = backoff(t.attempt);
            std::string ra = r.header("retry-after");
            if (!ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit)) {
                unsigned long secs = std::stoul(ra.substr(0, 6));
                if (secs > options.max_retry_after_s) return complete(it);
                wait_ms = static_cast<uint32_t>(secs * 1000);
            }
            if (Clock::now() + std::chrono::milliseconds(wait_ms) < t.deadline) {
                retry(it, wait_ms);
                return;
            }
        }
        complete(it);
    }

    uint32_t backoff(uint32_t attempt) const { return options.backoff_base_ms << std::min<uint32_t>(attempt, 6); }

    void retry(std::list<Transfer>::iterator it, uint32_t wait_ms) {
        it->attempt++;
        it->url = it->request.url;
        it->send_auth = true;
        it->redirects = 0;
        it->start_at = Clock::now() + std::chrono::milliseconds(wait_ms);
        waiting.splice(waiting.end(), active, it);
    }

    void complete(std::list<Transfer>::iterator it) {
        completed.emplace_back(std::move(it->done), std::move(it->response));
        active.erase(it);
    }
};

CurlTransport::CurlTransport(CurlOptions options) : impl_(std::make_unique<Impl>()) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    impl_->options = options;
    // CURL_CA_BUNDLE names a CA file to trust instead of the system's, as the curl tool and Python's
    // requests read it (a mirror with a private CA; the Hub imitation's self-signed HTTPS in the bench).
    if (const char* ca = std::getenv("CURL_CA_BUNDLE"); ca != nullptr && *ca != '\0') impl_->ca_file = ca;
    impl_->multi = curl_multi_init();
    // Shard headers are read in parallel: up to 64 connections per host (HTTP/2 multiplexes them
    // into one where the server speaks it, as the Hub does).
    curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 64L);
}

CurlTransport::~CurlTransport() {
    for (auto& t : impl_->active) impl_->cleanup(t);
    curl_multi_cleanup(impl_->multi);
    curl_global_cleanup();
}

void CurlTransport::send(const HttpRequest& request, std::function<void(HttpResponse)> done) {
    Impl::Transfer t;
    t.request = request;
    t.url = request.url;
    t.start_at = Clock::now();
    t.deadline = Clock::now() + std::chrono::milliseconds(request.timeout_ms);
    t.done = std::move(done);
    impl_->waiting.push_back(std::move(t));
}

void CurlTransport::run() {
    Impl& m = *impl_;
    while (!m.waiting.empty() || !m.active.empty() || !m.completed.empty()) {
        const auto now = Clock::now();
        for (auto it = m.waiting.begin(); it != m.waiting.end();) {
            auto next = std::next(it);
            if (it->start_at <= now) {
                m.active.splice(m.active.end(), m.waiting, it);
                m.start(m.active.back());
            }
            it = next;
        }
        int running = 0;
        curl_multi_perform(m.multi, &running);
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(m.multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Impl::Transfer* tp = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&tp));
            auto it = std::find_if(m.active.begin(), m.active.end(), [&](const Impl::Transfer& t) { return &t == tp; });
            if (it != m.active.end()) m.on_finished(it, msg->data.result);
        }
        while (!m.completed.empty()) {
            auto [done, response] = std::move(m.completed.front());
            m.completed.pop_front();
            done(std::move(response));
        }
        // Sleep until there is socket activity or the next backoff is due — never past a request
        // that a redirect or a callback just queued.
        long wait_ms = m.active.empty() ? 1000 : 100;
        const auto after = Clock::now();
        for (const auto& t : m.waiting)
            wait_ms = std::min<long>(
                wait_ms, static_cast<long>(std::max<long long>(
                             0, std::chrono::duration_cast<std::chrono::milliseconds>(t.start_at - after).count())));
        if (wait_ms > 0 && (!m.active.empty() || !m.waiting.empty()))
            curl_multi_poll(m.multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
}

}  // namespace vram
