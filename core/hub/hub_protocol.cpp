// The Hub protocol's pieces (hub_protocol.hpp) and the public helpers of hub_client.hpp that name repos, encode
// paths and turn an answer's status into an Error.
#include "hub/hub_protocol.hpp"

#include <cctype>
#include <map>
#include <set>

#include "estimator/json_scanner.hpp"
#include "estimator/names.hpp"
#include "hub/hub_client.hpp"

namespace vram {
namespace hub_protocol {

using nlohmann::json;

std::string strip_slash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::string origin_of(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
}

// Link: <https://…?cursor=…>; rel="next"
std::string next_link(const std::string& link) {
    size_t pos = 0;
    while (pos < link.size()) {
        auto lt = link.find('<', pos);
        if (lt == std::string::npos) break;
        auto gt = link.find('>', lt);
        if (gt == std::string::npos) break;
        auto end = link.find(',', gt);
        std::string params = link.substr(gt + 1, end == std::string::npos ? std::string::npos : end - gt - 1);
        if (params.find("rel=\"next\"") != std::string::npos || params.find("rel=next") != std::string::npos)
            return link.substr(lt + 1, gt - lt - 1);
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return {};
}

std::string str_or_empty(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// " — it is an HTML page (a login page, a proxy or a captive portal?)" when the body is HTML.
std::string html_hint(const HttpResponse& r) {
    std::string head = r.body.substr(0, 512);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head.find("<html") != std::string::npos || head.find("<!doctype html") != std::string::npos)
        return ": the answer is an HTML page (a login page, a proxy or a captive portal?)";
    return {};
}

bool looks_like_json(const HttpResponse& r) {
    for (char c : r.body) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        return c == '{' || c == '[';
    }
    return false;
}

namespace {

// One member value of a listing entry: a string into `out` (true in `is_string`), anything else skipped.
bool read_string_member(Scanner& sc, std::string& out, bool& is_string) {
    sc.ws();
    is_string = sc.p < sc.end && *sc.p == '"';
    return is_string ? sc.string(&out) : sc.skip(nullptr, 2);
}

// "size": an unsigned integer as is; any other value (negative, fractional, past 2^64 - 1, not a number) 0,
// as nlohmann's is_number_unsigned() decides.
bool read_size_member(Scanner& sc, uint64_t& size) {
    sc.ws();
    size = 0;
    if (sc.p < sc.end && (*sc.p == '-' || (*sc.p >= '0' && *sc.p <= '9'))) {
        uint64_t v = 0;
        const Num n = sc.number(v);
        if (n == Num::none) return false;
        if (n == Num::unsigned_int) size = v;
        return true;
    }
    return sc.skip(nullptr, 2);
}

// An entry object (at '{'); a member named twice counts by its last value, as in nlohmann's DOM.
bool read_tree_entry(Scanner& sc, std::vector<RepoFile>& page, std::string& key, std::string& text) {
    ++sc.p;  // '{'
    bool is_file = false, has_path = false;
    std::string path;
    uint64_t size = 0;
    if (!sc.eat('}')) {
        do {
            sc.ws();
            if (!sc.string(&key) || !sc.expect(':')) return false;
            bool ok = true, is_string = false;
            if (key == "type") {
                ok = read_string_member(sc, text, is_string);
                is_file = is_string && text == "file";
            } else if (key == "path") {
                ok = read_string_member(sc, path, is_string);
                has_path = is_string;
            } else if (key == "size") {
                ok = read_size_member(sc, size);
            } else {
                ok = sc.skip(nullptr, 2);
            }
            if (!ok) return false;
        } while (sc.eat(','));
        if (!sc.expect('}')) return false;
    }
    if (is_file && has_path) page.push_back({std::move(path), size});
    return true;
}

}  // namespace

// Read with the Scanner (estimator/json_scanner.hpp) rather than a DOM: nlohmann's DOM of the listing was the
// largest part of a Hub load under the fuzzer (tests/fuzz/README.md, "Fifth pass").
TreePage read_tree_page(std::string_view body, std::vector<RepoFile>& files) {
    Scanner sc{body.data(), body.data() + body.size(), body.data(), {}};
    std::vector<RepoFile> page;
    sc.ws();
    const bool array = sc.p < sc.end && *sc.p == '[';
    if (!array) {
        if (!sc.skip()) return TreePage::not_json;
    } else {
        ++sc.p;
        if (!sc.eat(']')) {
            std::string key, text;
            do {
                sc.ws();
                const bool ok =
                    sc.p < sc.end && *sc.p == '{' ? read_tree_entry(sc, page, key, text) : sc.skip(nullptr, 1);
                if (!ok) return TreePage::not_json;
            } while (sc.eat(','));
            if (!sc.expect(']')) return TreePage::not_json;
        }
    }
    sc.ws();
    if (sc.p != sc.end) return TreePage::not_json;
    if (!array) return TreePage::not_array;
    files.insert(files.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    return TreePage::ok;
}

// "bytes a-b/TOTAL" → a, b, total; false when absent or malformed.
bool parse_content_range(const std::string& v, uint64_t& a, uint64_t& b, uint64_t& total) {
    unsigned long long x = 0, y = 0, t = 0;
    if (std::sscanf(v.c_str(), "bytes %llu-%llu/%llu", &x, &y, &t) != 3 || y < x) return false;
    a = x, b = y, total = t;
    return true;
}

}  // namespace hub_protocol

using namespace hub_protocol;

std::string validate_repo_id(const std::string& id) {
    if (id.empty()) return "the model id is empty";
    if (id.size() > 200) return "the model id is longer than 200 characters";
    auto slash = id.find('/');
    if (slash != std::string::npos && id.find('/', slash + 1) != std::string::npos)
        return "a model id has the form org/name (one slash): \"" + id + "\"";
    auto check_part = [](const std::string& part) -> bool {
        if (part.empty() || part.size() > 96 || part == "." || part == ".." || part.find("..") != std::string::npos)
            return false;
        if (part.front() == '-' || part.front() == '.' || part.back() == '-' || part.back() == '.') return false;
        return std::all_of(part.begin(), part.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    };
    if (slash == std::string::npos ? !check_part(id)
                                   : !(check_part(id.substr(0, slash)) && check_part(id.substr(slash + 1))))
        return "\"" + id + "\" is not a valid model id: use org/name with letters, digits, '-', '_' and '.'";
    return {};
}

namespace hub_protocol {
void append_url_encoded(std::string& out, std::string_view s, bool keep_slash) {
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
}
}  // namespace hub_protocol

std::string url_encode(const std::string& s, bool keep_slash) {
    std::string out;
    out.reserve(s.size());
    append_url_encoded(out, s, keep_slash);
    return out;
}

Error error_from_response(const HttpResponse& r, const std::string& what, const std::string& repo, bool had_token) {
    const std::string code = r.header("x-error-code");
    const std::string hub_message = r.header("x-error-message");
    if (r.status == 0) {
        if (r.timed_out) return make_error(ErrorCode::timeout, "timed out while reading " + what);
        // The server answered but the transfer failed (a cut body, a redirect loop, a redirect to
        // another scheme): say that, not "offline".
        if (r.answered)
            return make_error(ErrorCode::transfer_failed, "reading " + what + " failed: " + r.transport_error);
        return make_error(ErrorCode::network,
                          "no answer while reading " + what +
                              (r.transport_error.empty() ? std::string() : " (" + r.transport_error + ")") +
                              ": offline, or the endpoint is unreachable");
    }
    if (code == "GatedRepo")
        return make_error(ErrorCode::gated, had_token ? "access denied: your token has no access to the gated model " +
                                                            repo + ". Accept its terms at https://huggingface.co/" +
                                                            repo + " with the same account."
                                                      : "access denied: " + repo +
                                                            " is a gated model: it needs the token of an account that "
                                                            "accepted its terms at https://huggingface.co/" +
                                                            repo + ".");
    if (r.status == 401 && (hub_message.find("Invalid credentials") != std::string::npos ||
                            r.body.find("Invalid credentials in Authorization header") != std::string::npos))
        return make_error(ErrorCode::invalid_token, "the token was refused (invalid credentials)");
    if (code == "RevisionNotFound")
        return make_error(ErrorCode::revision_not_found, "revision not found for " + repo + " (" + what + ")");
    if (code == "EntryNotFound") return make_error(ErrorCode::entry_not_found, what + " was not found in " + repo);
    if (code == "RepoNotFound" || r.status == 401 || r.status == 404)
        return make_error(ErrorCode::repo_not_found,
                          "repository " + repo + " not found" +
                              (had_token ? std::string(", or your token cannot see it")
                                         : std::string(" (or it is private and needs a token)")));
    if (r.status == 429) {
        const std::string after = r.header("retry-after");
        return make_error(ErrorCode::rate_limited,
                          "rate limited by the Hub while reading " + what +
                              (after.empty() ? std::string(": try again in a few minutes")
                                             : ": the Hub asks to wait " + after + " seconds before retrying"));
    }
    return make_error(ErrorCode::http_error, "HTTP " + std::to_string(r.status) + " while reading " + what);
}

namespace hub_protocol {

Error range_answer_error(const HttpResponse& r, const std::string& path, uint64_t start, const std::string& repo,
                         bool had_token, uint64_t& total) {
    if (r.status != 200 && r.status != 206) return error_from_response(r, path, repo, had_token);
    if (r.truncated && r.body.empty())
        // A transport that cannot keep a prefix (the browser's) stops a body longer than asked for.
        return make_error(ErrorCode::bad_response, "the answer for " + path + " (HTTP " + std::to_string(r.status) +
                                                       ") is longer than the bytes asked for and was stopped: the "
                                                       "server or a proxy ignored the Range request");
    if (r.status == 206) {
        uint64_t a = 0, b = 0, t = 0;
        if (!parse_content_range(r.header("content-range"), a, b, t) || a != start || b - a + 1 != r.body.size())
            return make_error(ErrorCode::bad_response, "the answer for " + path + " has Content-Range \"" +
                                                           r.header("content-range") + "\" but " +
                                                           std::to_string(r.body.size()) + " body bytes from byte " +
                                                           std::to_string(start) + " were asked for");
        total = t;
    }
    return {};
}

namespace {

// A shard index's name ends so; the name before it is the stem of its parts.
constexpr std::string_view kIndexSuffix = ".safetensors.index.json";

// "<k>-of-<n>.safetensors" → k (and n into `count`); 0 when the name is not that.
uint64_t split_part(std::string_view rest, uint64_t& count) {
    auto digits = [&rest](uint64_t& v) {
        size_t n = 0;
        v = 0;
        while (n < rest.size() && n < 9 && rest[n] >= '0' && rest[n] <= '9')
            v = v * 10 + static_cast<uint64_t>(rest[n++] - '0');
        rest.remove_prefix(n);
        return n > 0;
    };
    uint64_t part = 0;
    if (!digits(part) || rest.substr(0, 4) != "-of-") return 0;
    rest.remove_prefix(4);
    return digits(count) && rest == ".safetensors" ? part : 0;
}

}  // namespace

SplitShards split_shards(const std::vector<RepoFile>& files, const std::string& index_path) {
    SplitShards out;
    if (index_path.size() <= kIndexSuffix.size() || !ends_with(index_path, kIndexSuffix)) return out;
    const std::string stem = index_path.substr(0, index_path.size() - kIndexSuffix.size()) + "-";
    uint64_t count = 0;
    std::map<uint64_t, const RepoFile*> parts;
    for (const auto& f : files) {
        if (f.path == index_path) out.index_bytes = f.size_bytes;
        if (f.path.size() <= stem.size() || !starts_with(f.path, stem)) continue;
        uint64_t n = 0;
        const uint64_t part = split_part(std::string_view(f.path).substr(stem.size()), n);
        if (!part) continue;
        if ((count && n != count) || !parts.emplace(part, &f).second) return {};  // two sets, or a part twice
        count = n;
    }
    if (!out.index_bytes || !count || parts.size() != count || parts.begin()->first != 1 ||
        parts.rbegin()->first != count)
        return {};
    for (const auto& [k, f] : parts) out.parts.push_back(f);
    return out;
}

std::vector<const RepoFile*> pipeline_single_files(const std::vector<RepoFile>& files) {
    std::set<std::string_view> configured, sharded;
    bool pipeline = false;
    auto folder_of = [](std::string_view path) {
        const size_t slash = path.find('/');
        return slash == std::string_view::npos || path.find('/', slash + 1) != std::string_view::npos
                   ? std::string_view()
                   : path.substr(0, slash);
    };
    for (const auto& f : files) {
        pipeline = pipeline || f.path == "model_index.json";
        const std::string_view folder = folder_of(f.path), path = f.path;
        if (folder.empty()) continue;
        const std::string_view base = path.substr(folder.size() + 1);
        if (base == "config.json") configured.insert(folder);
        if (base.size() > kIndexSuffix.size() && ends_with(base, kIndexSuffix)) sharded.insert(folder);
    }
    std::vector<const RepoFile*> out;
    if (!pipeline) return out;
    for (const auto& f : files) {
        const std::string_view folder = folder_of(f.path), path = f.path;
        if (folder.empty() || !configured.count(folder) || sharded.count(folder)) continue;
        const std::string_view base = path.substr(folder.size() + 1);
        if (base == "diffusion_pytorch_model.safetensors" || base == "model.safetensors") out.push_back(&f);
    }
    return out;
}

}  // namespace hub_protocol
}  // namespace vram
