// Unit tests of core/hub/hub_client.* over an in-memory transport: request order and chain
// length, pagination, long headers, and the mapping of every Hub failure to its error code.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>

#include "estimator/gguf.hpp"
#include "gguf_writer.hpp"
#include "hub/hub_client.hpp"
#include "hub/hub_protocol.hpp"

using namespace vram;

namespace {

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";
const std::string kHub = "https://hub.test";

std::string le64(uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

// A fake Hub: a handler per URL; requests are answered in FIFO order when run() is called.
struct FakeTransport : Transport {
    std::function<HttpResponse(const HttpRequest&)> handler;
    std::deque<std::pair<HttpRequest, std::function<void(HttpResponse)>>> queue;
    std::vector<HttpRequest> seen;
    void send(const HttpRequest& r, std::function<void(HttpResponse)> done) override {
        queue.emplace_back(r, std::move(done));
    }
    void run() {
        while (!queue.empty()) {
            auto [req, done] = std::move(queue.front());
            queue.pop_front();
            seen.push_back(req);
            done(handler(req));
        }
    }
};

HttpResponse ok(std::string body, int status = 200) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::string range_of(const HttpRequest& r) {
    for (const auto& [k, v] : r.headers)
        if (k == "Range") return v;
    return {};
}

// Serves a repo: api info, a tree listing (files → bytes), and file contents with Range.
HttpResponse serve(const HttpRequest& req, const std::map<std::string, std::string>& files) {
    const std::string& u = req.url;
    if (u.find("/api/models/") != std::string::npos && u.find("/tree/") == std::string::npos)
        return ok(R"({"id":"acme/m","sha":")" + kSha + R"(","gated":false,"library_name":"transformers"})");
    if (u.find("/tree/") != std::string::npos) {
        std::string body = "[";
        for (const auto& [path, content] : files)
            body += std::string(body.size() > 1 ? "," : "") + R"({"type":"file","path":")" + path + R"(","size":)" +
                    std::to_string(content.size()) + "}";
        return ok(body + "]");
    }
    // By commit, or by the revision's name before the info named the commit (the first round's guesses).
    std::string ref = kSha;
    auto pos = u.find("/resolve/" + ref + "/");
    if (pos == std::string::npos) pos = u.find("/resolve/" + (ref = "main") + "/");
    if (pos == std::string::npos) return ok("", 404);
    std::string path = u.substr(pos + 10 + ref.size());
    auto it = files.find(path);
    if (it == files.end()) {
        HttpResponse r = ok("Entry not found", 404);
        r.headers["x-error-code"] = "EntryNotFound";
        return r;
    }
    std::string range = range_of(req);
    if (range.empty()) {
        HttpResponse r = ok(it->second);
        r.headers["x-repo-commit"] = kSha;  // as the Hub's answer for a small file does (resolve-cache)
        return r;
    }
    unsigned long long a = 0, b = 0;
    std::sscanf(range.c_str(), "bytes=%llu-%llu", &a, &b);
    b = std::min<unsigned long long>(b, it->second.size() - 1);
    HttpResponse r = ok(it->second.substr(a, b - a + 1), 206);
    r.headers["content-range"] =
        "bytes " + std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(it->second.size());
    return r;
}

std::string st_file(const std::string& header_json, uint64_t data_bytes) {
    return le64(header_json.size()) + header_json + std::string(data_bytes, '\0');
}

LoadResult load(FakeTransport& t, const std::string& repo, HubOptions o = {}) {
    o.endpoint = kHub;
    HubClient client(t, o);
    LoadResult out;
    client.load(repo, nullptr, [&](LoadResult r) { out = std::move(r); });
    t.run();
    return out;
}

}  // namespace

TEST_CASE("a single-file repo takes one round: config and header are read with the info and the listing",
          "[hub_client]") {
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    std::map<std::string, std::string> files = {{"config.json", "{}"}, {"model.safetensors", st_file(h, 8)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.stats.chain == 1);
    CHECK(r.stats.requests == 4);
    // By the revision's name: the commit is not known before the info's answer.
    REQUIRE(t.seen.size() == 4);
    CHECK(t.seen[2].url == kHub + "/acme/m/resolve/main/config.json");
    CHECK(t.seen[3].url == kHub + "/acme/m/resolve/main/model.safetensors");
    CHECK(r.snapshot.sha == kSha);
    CHECK(r.snapshot.headers.at("model.safetensors") == h);
    CHECK(r.snapshot.texts.at("config.json") == "{}");
}

namespace {

// A sharded repo as save_pretrained writes it: an index naming "model-0000k-of-0000n.safetensors" for the parts in
// `named`, and every part 1..n listed (each a one-tensor header).
std::map<std::string, std::string> split_repo(int n, const std::vector<int>& named) {
    std::map<std::string, std::string> files = {{"config.json", R"({"model_type":"llama"})"}};
    auto part = [n](int k) {
        char name[64];
        std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", k, n);
        return std::string(name);
    };
    for (int k = 1; k <= n; ++k)
        files[part(k)] =
            st_file(R"({"w)" + std::to_string(k) + R"(":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4);
    std::string map;
    for (int k : named)
        map += std::string(map.empty() ? "" : ",") + "\"w" + std::to_string(k) + "\":\"" + part(k) + "\"";
    files["model.safetensors.index.json"] = R"({"metadata":{},"weight_map":{)" + map + "}}";
    return files;
}

// Where the first request for `needle` comes in t.seen (the order the fake answered, which is the order sent).
size_t first_seen(const FakeTransport& t, const std::string& needle) {
    for (size_t i = 0; i < t.seen.size(); ++i)
        if (t.seen[i].url.find(needle) != std::string::npos) return i;
    return t.seen.size();
}

}  // namespace

TEST_CASE("a split repo reads its shard headers together with its index, two rounds, each header once",
          "[hub_client]") {
    auto files = split_repo(3, {1, 2, 3});
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.stats.chain == 2);
    // The info, the listing and the first round's guesses (config.json, and model.safetensors: 404); the index and
    // three headers.
    CHECK(r.stats.requests == 4 + 1 + 3);
    CHECK(r.snapshot.headers.size() == 3);
    // Sent in the round of the index, not after its answer: the fake answers in the order requests were sent, and
    // a header request sent after the index's answer would come after every request of that round.
    CHECK(first_seen(t, "model-00001-of-00003") < first_seen(t, "model.safetensors.index.json") + 3);
}

TEST_CASE("what the first round read by the revision's name is kept only where the info and the listing confirm it",
          "[hub_client]") {
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    const std::map<std::string, std::string> files = {{"config.json", R"({"a":1})"},
                                                      {"model.safetensors", st_file(h, 8)}};
    // The branch moved between the info and the reads by name: those answer for another commit.
    const std::string moved_header = R"({"v":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}})";
    const std::map<std::string, std::string> moved = {{"config.json", R"({"b":2})"},
                                                      {"model.safetensors", st_file(moved_header, 16)}};
    auto by_name = [&](const HttpRequest& req) {
        if (req.url.find("/resolve/main/") == std::string::npos) return serve(req, files);
        std::string url = req.url;
        url.replace(url.find("/resolve/main/"), 14, "/resolve/" + kSha + "/");
        HttpRequest at_commit = req;
        at_commit.url = url;
        HttpResponse r = serve(at_commit, moved);
        if (r.headers.count("x-repo-commit")) r.headers["x-repo-commit"] = std::string(40, 'f');
        return r;
    };
    FakeTransport t;
    t.handler = by_name;
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    // Both are read again by commit: the config named another commit, the header's file size is not the listing's.
    CHECK(r.snapshot.texts.at("config.json") == R"({"a":1})");
    CHECK(r.snapshot.headers.at("model.safetensors") == h);
    CHECK(r.stats.requests == 6);
    CHECK(r.stats.chain == 2);
    CHECK(first_seen(t, "/resolve/" + kSha + "/config.json") < t.seen.size());
    CHECK(first_seen(t, "/resolve/" + kSha + "/model.safetensors") < t.seen.size());
}

TEST_CASE("the plan's next reads wait for the texts, not for the header reads still in flight", "[hub_client]") {
    // Part 1's header is longer than its read-ahead (one more read, depth 3); extra.safetensors, which the index names
    // and no split name predicts, is read once the index is in: depth 3 as well, not after part 1's second read.
    auto files = split_repo(2, {1, 2});
    std::string h1 = R"({"w1":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"__metadata__":{"pad":")" +
                     std::string(64 * 1024, 'x') + "\"}}";
    files["model-00001-of-00002.safetensors"] = st_file(h1, 4);
    files["extra.safetensors"] = st_file(R"({"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4);
    std::string& index = files["model.safetensors.index.json"];
    index.insert(index.size() - 2, R"(,"x":"extra.safetensors")");
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.size() == 3);
    CHECK(r.snapshot.headers.at("model-00001-of-00002.safetensors") == h1);
    CHECK(r.stats.chain == 3);
    size_t rest = t.seen.size();
    for (size_t i = 0; i < t.seen.size(); ++i)
        if (t.seen[i].url.find("model-00001-of-00002") != std::string::npos && range_of(t.seen[i]) != "" &&
            range_of(t.seen[i]).rfind("bytes=0-", 0) != 0)
            rest = std::min(rest, i);
    REQUIRE(rest < t.seen.size());
    CHECK(first_seen(t, "extra.safetensors") < rest);
}

TEST_CASE("shards whose names the listing cannot predict wait for the index, three rounds", "[hub_client]") {
    const std::string h1 = R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})",
                      h2 = R"({"b":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
    // Not the "-k-of-n" split names; and a split with a part missing from the listing.
    std::map<std::string, std::string> odd = {
        {"model.safetensors.index.json", R"({"weight_map":{"a":"part-a.safetensors","b":"part-b.safetensors"}})"},
        {"part-a.safetensors", st_file(h1, 4)},
        {"part-b.safetensors", st_file(h2, 4)}};
    auto gap = split_repo(3, {1, 3});
    gap.erase("model-00002-of-00003.safetensors");
    for (auto* files : {&odd, &gap}) {
        FakeTransport t;
        t.handler = [&](const HttpRequest& r) { return serve(r, *files); };
        LoadResult r = load(t, "acme/m");
        REQUIRE_FALSE(r.error);
        CHECK(r.stats.chain == 3);
        CHECK(r.snapshot.headers.size() == 2);
    }
}

TEST_CASE("a listed part the index does not name is read for nothing, the model and progress are the index's",
          "[hub_client]") {
    auto files = split_repo(2, {1});
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    HubOptions o;
    o.endpoint = kHub;
    HubClient client(t, o);
    LoadResult r;
    HubProgress last;
    client.load(
        "acme/m", [&](const HubProgress& p) { last = p; }, [&](LoadResult x) { r = std::move(x); });
    t.run();
    REQUIRE_FALSE(r.error);
    CHECK(r.stats.chain == 2);
    CHECK(r.snapshot.headers.count("model-00001-of-00002.safetensors") == 1);
    CHECK(last.files_total == 1);
    CHECK(last.files_done == 1);
}

TEST_CASE("a part read ahead of its index that fails ends the load only when the index names it, same error",
          "[hub_client][malformed]") {
    // Part 2's bytes are not a safetensors file (its header length passes the file).
    auto broken = [](std::map<std::string, std::string> files) {
        files["model-00002-of-00002.safetensors"] = le64(1'000'000) + "{}";
        return files;
    };
    SECTION("not named: the load goes on without it") {
        auto files = broken(split_repo(2, {1}));
        FakeTransport t;
        t.handler = [&](const HttpRequest& r) { return serve(r, files); };
        LoadResult r = load(t, "acme/m");
        REQUIRE_FALSE(r.error);
        CHECK(r.snapshot.headers.count("model-00002-of-00002.safetensors") == 0);
    }
    SECTION("named: the error a read after the index gives") {
        auto files = broken(split_repo(2, {1, 2}));
        FakeTransport t;
        t.handler = [&](const HttpRequest& r) { return serve(r, files); };
        LoadResult r = load(t, "acme/m");
        // The same repo under names the listing cannot predict: no read ahead.
        std::map<std::string, std::string> renamed;
        for (const auto& [k, v] : files) {
            std::string name = k, text = v;
            for (std::string* x : {&name, &text})
                for (size_t at; (at = x->find("-of-00002")) != std::string::npos;) x->replace(at, 9, "");
            renamed[name] = text;
        }
        FakeTransport t2;
        t2.handler = [&](const HttpRequest& q) { return serve(q, renamed); };
        LoadResult want = load(t2, "acme/m");
        REQUIRE(want.error);
        CHECK(r.error.code == want.error.code);
        auto strip = [](std::string m) {
            for (size_t at; (at = m.find("-of-00002")) != std::string::npos;) m.replace(at, 9, "");
            return m;
        };
        CHECK(strip(r.error.message) == want.error.message);
    }
}

TEST_CASE("a header longer than the first read costs one more request for that file", "[hub_client]") {
    std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"__metadata__":{"pad":")" +
                    std::string(600 * 1024, 'x') + "\"}}";
    std::map<std::string, std::string> files = {{"model.safetensors", st_file(h, 8)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.at("model.safetensors") == h);
    CHECK(r.stats.chain == 2);  // the first read goes with the listing, the rest after it
}

TEST_CASE("the tree listing follows every Link page", "[hub_client]") {
    FakeTransport t;
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    t.handler = [&](const HttpRequest& r) {
        if (r.url.find("/tree/") != std::string::npos) {
            if (r.url.find("cursor=2") != std::string::npos)
                return ok(R"([{"type":"file","path":"model.safetensors","size":)" + std::to_string(8 + h.size() + 8) +
                          "}]");
            HttpResponse p = ok(R"([{"type":"file","path":"README.md","size":3}])");
            p.headers["link"] = "<" + kHub + "/api/models/acme/m/tree/main?recursive=true&cursor=2>; rel=\"next\"";
            return p;
        }
        return serve(r, {{"model.safetensors", st_file(h, 8)}});
    };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.files.size() == 2);
}

TEST_CASE("a listing that paginates forever ends with listing_invalid", "[hub_client][malformed]") {
    FakeTransport t;
    int page = 0;
    t.handler = [&](const HttpRequest& r) {
        if (r.url.find("/tree/") != std::string::npos) {
            HttpResponse p = ok("[]");
            p.headers["link"] =
                "<" + kHub + "/api/models/acme/m/tree/main?cursor=" + std::to_string(++page) + ">; rel=\"next\"";
            return p;
        }
        return serve(r, {});
    };
    CHECK(load(t, "acme/m").error.code == ErrorCode::listing_invalid);
}

TEST_CASE("a Content-Range that disagrees with the body is bad_response", "[hub_client][malformed]") {
    FakeTransport t;
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    std::map<std::string, std::string> files = {{"model.safetensors", st_file(h, 8)}};
    t.handler = [&](const HttpRequest& r) {
        HttpResponse resp = serve(r, files);
        if (resp.status == 206) resp.headers["content-range"] = "bytes 0-9/100";
        return resp;
    };
    CHECK(load(t, "acme/m").error.code == ErrorCode::bad_response);
}

TEST_CASE("a server that ignores Range and answers 200 still gives the header", "[hub_client]") {
    FakeTransport t;
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    std::map<std::string, std::string> files = {{"model.safetensors", st_file(h, 8)}};
    t.handler = [&](const HttpRequest& r) {
        HttpRequest plain = r;
        plain.headers.clear();
        return serve(plain, files);
    };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.at("model.safetensors") == h);
}

TEST_CASE("HTML where JSON was expected is bad_response", "[hub_client][malformed]") {
    FakeTransport t;
    t.handler = [&](const HttpRequest&) { return ok("<!doctype html><h1>oops</h1>"); };
    CHECK(load(t, "acme/m").error.code == ErrorCode::bad_response);
}

TEST_CASE("each Hub failure maps to its own error code", "[hub_client]") {
    auto resp = [](int status, const char* code, const char* message = "") {
        HttpResponse r = ok("", status);
        if (*code) r.headers["x-error-code"] = code;
        if (*message) r.headers["x-error-message"] = message;
        return r;
    };
    CHECK(error_from_response(resp(401, "GatedRepo"), "x", "a/b", false).code == ErrorCode::gated);
    CHECK(error_from_response(resp(403, "GatedRepo"), "x", "a/b", true).code == ErrorCode::gated);
    CHECK(error_from_response(resp(401, "", "Invalid credentials in Authorization header"), "x", "a/b", true).code ==
          ErrorCode::invalid_token);
    CHECK(error_from_response(resp(401, "", "Invalid username or password."), "x", "a/b", false).code ==
          ErrorCode::repo_not_found);
    CHECK(error_from_response(resp(404, "RepoNotFound"), "x", "a/b", true).code == ErrorCode::repo_not_found);
    CHECK(error_from_response(resp(404, "RevisionNotFound"), "x", "a/b", false).code == ErrorCode::revision_not_found);
    CHECK(error_from_response(resp(404, "EntryNotFound"), "x", "a/b", false).code == ErrorCode::entry_not_found);
    CHECK(error_from_response(resp(429, ""), "x", "a/b", false).code == ErrorCode::rate_limited);
    CHECK(error_from_response(resp(502, ""), "x", "a/b", false).code == ErrorCode::http_error);
    HttpResponse t = ok("", 0);
    t.timed_out = true;
    CHECK(error_from_response(t, "x", "a/b", false).code == ErrorCode::timeout);
    CHECK(error_from_response(ok("", 0), "x", "a/b", false).code == ErrorCode::network);
}

TEST_CASE("the token goes to the endpoint's origin only", "[hub_client]") {
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    std::map<std::string, std::string> files = {{"model.safetensors", st_file(h, 8)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    HubOptions o;
    o.token = "hf_secret";
    REQUIRE_FALSE(load(t, "acme/m", o).error);
    for (const auto& req : t.seen) {
        CHECK(req.url.find("hf_secret") == std::string::npos);
        bool auth = false;
        for (const auto& [k, v] : req.headers) auth |= k == "Authorization" && v == "Bearer hf_secret";
        CHECK(auth);
    }
}

TEST_CASE("model ids are validated before any request", "[hub_client][malformed]") {
    for (const char* bad : {"", "a/b/c", "../etc", "a b", "org/-x", "org/x.."}) {
        INFO(bad);
        CHECK_FALSE(validate_repo_id(bad).empty());
    }
    for (const char* good : {"gpt2", "openai-community/gpt2", "Qwen/Qwen2.5-7B-Instruct", "a_b/c.d"})
        CHECK(validate_repo_id(good).empty());
}

TEST_CASE("revisions are percent-encoded with no safe characters", "[hub_client]") {
    CHECK(url_encode("refs/pr/1", false) == "refs%2Fpr%2F1");
    CHECK(url_encode("text_encoder/model.safetensors", true) == "text_encoder/model.safetensors");
}

// ---- GGUF repos ---------------------------------------------------------------------------------------------

namespace {

// A GGUF file as the Hub serves it: header, then zeros up to the data section's end.
std::string gguf_file(const std::string& metadata_string_value = "llama") {
    vram::test::GgufWriter w;
    w.header(1, 2);
    w.kv_str("general.architecture", "llama");
    w.kv_str("general.name", metadata_string_value);
    w.tensor("output_norm.weight", {64}, 0, 0);
    w.pad();
    return w.bytes + std::string(256, '\0');
}

uint64_t gguf_header_end(const std::string& file) { return parse_gguf(file, "x.gguf", file.size()).header_bytes; }

}  // namespace

TEST_CASE("a GGUF repo reads every file's header in one parallel round when it fits in 2 MiB", "[hub_client][gguf]") {
    const std::string a = gguf_file("a"), b = gguf_file("b");
    std::map<std::string, std::string> files = {
        {"config.json", R"({"model_type":"llama"})"}, {"m.Q4_K_M.gguf", a}, {"m.Q8_0.gguf", b}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.stats.chain == 2);
    REQUIRE(r.snapshot.gguf_prefixes.size() == 2);
    // Only the bytes through the tensor infos are kept.
    CHECK(r.snapshot.gguf_prefixes.at("m.Q4_K_M.gguf") == a.substr(0, gguf_header_end(a)));
    CHECK(r.snapshot.gguf_prefixes.at("m.Q8_0.gguf") == b.substr(0, gguf_header_end(b)));
    for (const auto& req : t.seen)
        if (req.url.find(".gguf") != std::string::npos)
            CHECK(range_of(req) == "bytes=0-" + std::to_string(a.size() - 1));
}

TEST_CASE("a GGUF whose metadata passes the first 2 MiB is read on until its tensor infos are complete",
          "[hub_client][gguf]") {
    const std::string big = gguf_file(std::string(3'000'000, 'x'));  // a 3 MB string: the header ends past 2 MiB
    std::map<std::string, std::string> files = {{"big.gguf", big}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.gguf_prefixes.at("big.gguf") == big.substr(0, gguf_header_end(big)));
    std::vector<std::string> ranges;
    for (const auto& req : t.seen)
        if (req.url.find("big.gguf") != std::string::npos) ranges.push_back(range_of(req));
    REQUIRE(ranges.size() == 2);
    CHECK(ranges[0] == "bytes=0-2097151");
    // At least doubling what is held (4 MiB), but never past the file's end.
    CHECK(ranges[1] == "bytes=2097152-" + std::to_string(big.size() - 1));
    CHECK(r.stats.chain == 3);
}

TEST_CASE("a malformed GGUF header ends the load with its own error code", "[hub_client][gguf][malformed]") {
    std::string bad = gguf_file();
    bad[0] = 'X';
    std::map<std::string, std::string> files = {{"m.gguf", bad}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    CHECK(load(t, "acme/m").error.code == ErrorCode::gguf_bad_magic);
}

TEST_CASE("a GGUF file that ends inside its header is gguf_truncated", "[hub_client][gguf][malformed]") {
    const std::string full = gguf_file();
    std::map<std::string, std::string> files = {{"m.gguf", full.substr(0, 40)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    CHECK(load(t, "acme/m").error.code == ErrorCode::gguf_truncated);
}

// ---- the load's budget (issue #16) ----------------------------------------------------------------------

namespace {

// A sharded repo whose shards have headers of `header_bytes` (padded with spaces, as the format allows).
std::map<std::string, std::string> padded_shards(int n, uint64_t header_bytes) {
    std::map<std::string, std::string> files = {{"config.json", R"({"model_type":"llama"})"}};
    std::string map;
    for (int k = 1; k <= n; ++k) {
        const std::string name = "model-" + std::to_string(k) + ".safetensors";
        std::string h = R"({"w)" + std::to_string(k) + R"(":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})";
        h.resize(header_bytes, ' ');
        files[name] = st_file(h, 4);
        map += std::string(map.empty() ? "" : ",") + "\"w" + std::to_string(k) + "\":\"" + name + "\"";
    }
    files["model.safetensors.index.json"] = R"({"metadata":{},"weight_map":{)" + map + "}}";
    return files;
}

}  // namespace

TEST_CASE("headers that add up past 256 MiB end the load with budget_exceeded before they are read",
          "[hub_client][budget]") {
    auto files = padded_shards(4, 95'000'000);
    FakeTransport t;
    uint64_t largest_read = 0;
    t.handler = [&](const HttpRequest& r) {
        HttpResponse a = serve(r, files);
        largest_read = std::max<uint64_t>(largest_read, a.body.size());
        return a;
    };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::budget_exceeded);
    CHECK_THAT(r.error.message, Catch::Contains("256 MiB per estimate"));
    // Two 95 MB headers fit (190 MB); the third is refused before its bytes are asked for.
    size_t long_reads = 0;
    for (const auto& q : t.seen)
        if (range_of(q).find("bytes=") == 0 && range_of(q).find("-95000007") != std::string::npos) ++long_reads;
    CHECK(long_reads <= 2);
}

TEST_CASE("headers read ahead of their index stay within the budget and end in the same budget_exceeded",
          "[hub_client][budget]") {
    auto files = split_repo(4, {1, 2, 3, 4});
    for (int k = 1; k <= 4; ++k) {
        char name[64];
        std::snprintf(name, sizeof name, "model-%05d-of-00004.safetensors", k);
        std::string h = R"({"w)" + std::to_string(k) + R"(":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
        h.resize(95'000'000, ' ');
        files[name] = st_file(h, 4);
    }
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::budget_exceeded);
    CHECK_THAT(r.error.message, Catch::Contains("256 MiB per estimate"));
    size_t long_reads = 0;
    for (const auto& q : t.seen)
        if (range_of(q).find("-95000007") != std::string::npos) ++long_reads;
    CHECK(long_reads <= 2);
}

TEST_CASE("headers below the budget load as before", "[hub_client][budget]") {
    auto files = padded_shards(3, 2'000'000);
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.size() == 3);
}

TEST_CASE("every request carries a body cap, and an index cannot size a first read past 4 MiB",
          "[hub_client][budget]") {
    std::map<std::string, std::string> files = {{"config.json", "{}"}};
    std::string map = R"("w":"model-1.safetensors")";
    for (int i = 0; i < 100'000; ++i) map += ",\"pad." + std::to_string(i) + "\":\"model-1.safetensors\"";
    files["model.safetensors.index.json"] = R"({"metadata":{},"weight_map":{)" + map + "}}";
    files["model-1.safetensors"] = st_file(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    load(t, "acme/m");
    for (const auto& q : t.seen) {
        CHECK(q.max_body_bytes > 0);
        CHECK(q.max_body_bytes <= 128ull * 1024 * 1024);  // the largest cap, metadata files'
    }
    bool read_shard = false;
    for (const auto& q : t.seen)
        if (q.url.find("model-1.safetensors") != std::string::npos) {
            read_shard = true;
            CHECK(q.max_body_bytes <= kMaxFirstHeaderReadBytes);
        }
    CHECK(read_shard);
}

TEST_CASE("a truncated model info (an endless or inflating body) is bad_response naming the cap",
          "[hub_client][budget]") {
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) {
        HttpResponse a = serve(r, {{"config.json", "{}"}});
        if (r.url.find("/revision/") != std::string::npos) {
            a.body = std::string(16, ' ');
            a.truncated = true;
        }
        return a;
    };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::bad_response);
    CHECK_THAT(r.error.message, Catch::Contains("model info") && Catch::Contains("16 MiB"));
}

TEST_CASE("a Range answer stopped by the transport without its bytes fails saying Range was ignored",
          "[hub_client][budget]") {
    const std::string h = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    std::map<std::string, std::string> files = {{"config.json", "{}"}, {"model.safetensors", st_file(h, 8)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) {
        HttpResponse a = serve(r, files);
        if (r.url.find("model.safetensors") != std::string::npos) {
            a = ok("", 200);
            a.truncated = true;  // what the page's transport gives for a body past its cap
        }
        return a;
    };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::bad_response);
    CHECK_THAT(r.error.message, Catch::Contains("ignored the Range request") && Catch::Contains("model.safetensors"));
}

TEST_CASE("a listing that goes on past the deadline ends with a timeout naming the deadline", "[hub_client][budget]") {
    uint64_t now = 0;
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) {
        now += 1'500;  // each page takes 1.5 s
        if (r.url.find("/tree/") == std::string::npos) return serve(r, {});
        HttpResponse a = ok("[]");
        a.headers["link"] =
            "<" + kHub + "/api/models/acme/m/tree/main?cursor=" + std::to_string(now) + ">; rel=\"next\"";
        return a;
    };
    HubOptions o;
    o.deadline_ms = 10'000;
    o.clock_ms = [&] { return now; };
    LoadResult r = load(t, "acme/m", o);
    CHECK(r.error.code == ErrorCode::timeout);
    CHECK_THAT(r.error.message, Catch::Contains("deadline of 10 s"));
    CHECK(t.seen.size() <= 9);  // 10 s at 1.5 s a page, not 1,000 pages
    for (const auto& q : t.seen) CHECK(q.timeout_ms <= 10'000);
}

TEST_CASE("more requests than a load may make end with budget_exceeded", "[hub_client][budget]") {
    // 1,000 tree pages are allowed; 4,000 files each needing a header read are not.
    std::map<std::string, std::string> files = {{"config.json", "{}"}};
    std::string map;
    for (int k = 0; k < 4'100; ++k) {
        const std::string name = "s" + std::to_string(k) + ".safetensors";
        files[name] =
            st_file(R"({"w)" + std::to_string(k) + R"(":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4);
        map += std::string(map.empty() ? "" : ",") + "\"w" + std::to_string(k) + "\":\"" + name + "\"";
    }
    files["model.safetensors.index.json"] = R"({"metadata":{},"weight_map":{)" + map + "}}";
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::budget_exceeded);
    CHECK_THAT(r.error.message, Catch::Contains("4000 requests"));
    CHECK_THAT(r.error.message, Catch::Contains("4100 more files"));
    // It fails once the plan names the shards, before reading any of them: the listing, the config and the index.
    CHECK(t.seen.size() <= 6);
}

TEST_CASE("a first round of more small files than a load may read ends with budget_exceeded before reading them",
          "[hub_client][budget]") {
    std::map<std::string, std::string> files = {
        {"config.json", "{}"},
        {"model.safetensors", st_file(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 4)}};
    for (int k = 0; k < 4'100; ++k) files["c" + std::to_string(k) + "/config.json"] = "{}";
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::budget_exceeded);
    CHECK_THAT(r.error.message, Catch::Contains("4000 requests"));
    CHECK(t.seen.size() <= 4);  // the model info, the listing and the first round's two guesses
}

TEST_CASE("split_shards names the parts of a split checkpoint only when the listing holds all of them",
          "[hub_client][hub_protocol]") {
    using hub_protocol::split_shards;
    auto listing = [](std::vector<std::string> paths) {
        std::vector<RepoFile> files;
        for (auto& p : paths) files.push_back({p, 100});
        return files;
    };
    auto parts = [](const hub_protocol::SplitShards& s) {
        std::vector<std::string> out;
        for (const RepoFile* f : s.parts) out.push_back(f->path);
        return out;
    };
    const std::string idx = "model.safetensors.index.json";
    // Any zero padding, in part order whatever the listing's order; other files are ignored.
    auto ok = listing({idx, "model-000002-of-000002.safetensors", "config.json", "model-000001-of-000002.safetensors",
                       "consolidated.safetensors", "model-fp16-00001-of-00002.safetensors"});
    CHECK(parts(split_shards(ok, idx)) ==
          std::vector<std::string>{"model-000001-of-000002.safetensors", "model-000002-of-000002.safetensors"});
    CHECK(split_shards(ok, idx).index_bytes == 100);
    // A component folder's index names the parts beside it.
    auto nested = listing({"transformer/diffusion_pytorch_model.safetensors.index.json",
                           "transformer/diffusion_pytorch_model-00001-of-00001.safetensors",
                           "diffusion_pytorch_model-00001-of-00001.safetensors"});
    CHECK(parts(split_shards(nested, "transformer/diffusion_pytorch_model.safetensors.index.json")) ==
          std::vector<std::string>{"transformer/diffusion_pytorch_model-00001-of-00001.safetensors"});
    // No parts: one missing, two counts, a part twice (differently padded), no index listed, not an index name.
    CHECK(split_shards(listing({idx, "model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"}), idx)
              .parts.empty());
    CHECK(split_shards(listing({idx, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                "model-00001-of-00001.safetensors"}),
                       idx)
              .parts.empty());
    CHECK(split_shards(listing({idx, "model-1-of-1.safetensors", "model-00001-of-00001.safetensors"}), idx)
              .parts.empty());
    CHECK(split_shards(listing({"model-00001-of-00001.safetensors"}), idx).parts.empty());
    CHECK(split_shards(listing({"model.bin.index.json", "model-00001-of-00001.bin"}), "model.bin.index.json")
              .parts.empty());
    CHECK(split_shards(listing({idx, "model-00001-of-00001.safetensors.bak"}), idx).parts.empty());
}

TEST_CASE("a diffusers pipeline reads its single-file components with model_index.json, two rounds", "[hub_client]") {
    const std::string hv = R"({"v":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
    const auto files = split_repo(2, {1, 2});  // the text encoder, split, moved under text_encoder/
    std::map<std::string, std::string> pipe = {
        {"model_index.json",
         R"({"_class_name":"StableDiffusionPipeline","text_encoder":["transformers","CLIPTextModel"],)"
         R"("vae":["diffusers","AutoencoderKL"]})"},
        {"vae/config.json", R"({"_class_name":"AutoencoderKL"})"},
        {"vae/diffusion_pytorch_model.safetensors", st_file(hv, 4)}};
    for (const auto& [k, v] : files) {
        std::string name = k, text = v;
        if (name == "config.json") text = R"({"model_type":"clip_text_model"})";
        pipe["text_encoder/" + name] = text;  // the index names its shards relative to its own folder
    }
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, pipe); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.count("vae/diffusion_pytorch_model.safetensors") == 1);
    CHECK(r.snapshot.headers.count("text_encoder/model-00001-of-00002.safetensors") == 1);
    CHECK(r.stats.chain == 2);
}

TEST_CASE("an uneven first shard takes one request, read ahead with at least 64 KiB", "[hub_client]") {
    // A tiny index (one entry per shard: its bytes per shard give ~8 KiB), and a first shard whose header is 40 KiB.
    auto files = split_repo(2, {1, 2});
    std::string h1 = R"({"w1":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"__metadata__":{"pad":")" +
                     std::string(40 * 1024, 'x') + "\"}}";
    files["model-00001-of-00002.safetensors"] = st_file(h1, 4);
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    CHECK(r.snapshot.headers.at("model-00001-of-00002.safetensors") == h1);
    CHECK(r.stats.chain == 2);
    size_t reads = 0;
    for (const auto& q : t.seen) reads += q.url.find("model-00001-of-00002") != std::string::npos ? 1 : 0;
    CHECK(reads == 1);
}

TEST_CASE("pipeline_single_files names one-file components of a diffusers pipeline only",
          "[hub_client][hub_protocol]") {
    auto names = [](std::vector<std::string> paths) {
        std::vector<RepoFile> files;
        for (auto& p : paths) files.push_back({p, 100});
        std::vector<std::string> out;
        for (const RepoFile* f : hub_protocol::pipeline_single_files(files)) out.push_back(f->path);
        return out;
    };
    const std::vector<std::string> listing = {"model_index.json",
                                              "vae/config.json",
                                              "vae/diffusion_pytorch_model.safetensors",
                                              "vae/diffusion_pytorch_model.fp16.safetensors",
                                              "text_encoder/config.json",
                                              "text_encoder/model.safetensors",
                                              "unet/config.json",
                                              "unet/diffusion_pytorch_model.safetensors.index.json",
                                              "unet/diffusion_pytorch_model-00001-of-00001.safetensors",
                                              "unet/diffusion_pytorch_model.safetensors",
                                              "extra/diffusion_pytorch_model.safetensors",
                                              "a/b/config.json",
                                              "a/b/model.safetensors"};
    CHECK(names(listing) ==
          std::vector<std::string>{"vae/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"});
    std::vector<std::string> no_pipeline(listing.begin() + 1, listing.end());
    CHECK(names(no_pipeline).empty());
}

TEST_CASE("headers parsed as they arrive are the ones analyze uses and give the same model", "[hub_client][parsed]") {
    auto files = split_repo(3, {1, 2, 3});
    // A vision tower tensor (its own component) and an unknown dtype (a warning) in part 2.
    files["model-00002-of-00003.safetensors"] =
        st_file(R"({"visual.w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]},)"
                R"("w2":{"dtype":"Q9","shape":[2],"data_offsets":[8,12]}})",
                12);
    files["config.json"] = R"({"model_type":"llama","num_hidden_layers":1,"num_attention_heads":1,"hidden_size":2,)"
                           R"("num_key_value_heads":1,"intermediate_size":2,"vocab_size":2})";
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) { return serve(r, files); };
    LoadResult r = load(t, "acme/m");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.parsed.headers.size() == 3);
    CHECK(r.parsed.shards.count("model.safetensors.index.json") == 1);
    uint64_t text = 0;
    for (const auto& [path, p] : r.parsed.headers) {
        CHECK(p.text_bytes == r.snapshot.headers.at(path).size());
        text += p.text_bytes;
    }
    CHECK(r.parsed.header_text_bytes == text);

    const Model plain = analyze(r.snapshot);
    const Model cached = analyze(r.snapshot, "", &r.parsed);
    INFO(plain.error.message);
    REQUIRE_FALSE(plain.error);
    REQUIRE_FALSE(cached.error);
    CHECK(cached.params == plain.params);
    CHECK(cached.bytes == plain.bytes);
    CHECK(cached.n_tensors == plain.n_tensors);
    CHECK_FALSE(plain.warnings.empty());
    CHECK(cached.warnings == plain.warnings);
    CHECK(plain.components.size() == 2);  // root and vision_tower
    REQUIRE(cached.components.size() == plain.components.size());
    for (size_t i = 0; i < plain.components.size(); ++i) {
        CHECK(cached.components[i].name == plain.components[i].name);
        CHECK(cached.components[i].bytes == plain.components[i].bytes);
        CHECK(cached.components[i].files == plain.components[i].files);
    }

    SECTION("analyze takes a header from the cache, not from the text") {
        r.parsed.headers.at("model-00001-of-00003.safetensors").header.tensors.at(0).n_elements = 1000;
        CHECK(analyze(r.snapshot, "", &r.parsed).params == plain.params - 2 + 1000);
    }
    SECTION("an entry parsed from text of another length or with another file size is not used") {
        ParsedHeader& p = r.parsed.headers.at("model-00001-of-00003.safetensors");
        p.header.tensors.at(0).n_elements = 1000;
        ParsedHeader other_size = p;
        p.text_bytes += 1;
        CHECK(analyze(r.snapshot, "", &r.parsed).params == plain.params);
        other_size.file_size += 1;
        p = other_size;
        CHECK(analyze(r.snapshot, "", &r.parsed).params == plain.params);
    }
}

TEST_CASE(
    "a root model.safetensors that the plan does not count is not kept, and a guess that misses costs nothing more",
    "[hub_client]") {
    SECTION("a sharded repo with a stray single file beside its index") {
        auto files = split_repo(2, {1, 2});
        files["model.safetensors"] = st_file(R"({"old":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4);
        FakeTransport t;
        t.handler = [&](const HttpRequest& r) { return serve(r, files); };
        LoadResult r = load(t, "acme/m");
        REQUIRE_FALSE(r.error);
        CHECK(r.snapshot.headers.size() == 2);
        CHECK(r.snapshot.headers.count("model.safetensors") == 0);
        CHECK(r.stats.chain == 2);
    }
    SECTION("a GGUF repo: neither guess is there") {
        std::map<std::string, std::string> files = {{"m-Q4_K_M.gguf", gguf_file()}};
        FakeTransport t;
        t.handler = [&](const HttpRequest& r) { return serve(r, files); };
        LoadResult r = load(t, "acme/m");
        REQUIRE_FALSE(r.error);
        CHECK(r.snapshot.texts.empty());
        CHECK(r.snapshot.headers.empty());
        CHECK(r.snapshot.gguf_prefixes.count("m-Q4_K_M.gguf") == 1);
        CHECK(r.stats.requests == 5);  // info, listing, the two guesses (404), the GGUF header
        CHECK(r.stats.chain == 2);
    }
}

TEST_CASE("a config.json past the metadata limit ends the load at the first read, not after a second one",
          "[hub_client]") {
    std::map<std::string, std::string> files = {
        {"config.json", "{}"},
        {"model.safetensors", st_file(R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})", 8)}};
    FakeTransport t;
    t.handler = [&](const HttpRequest& r) {
        HttpResponse a = serve(r, files);
        if (r.url.find("/config.json") != std::string::npos) a.truncated = true;  // the transport stopped the body
        return a;
    };
    LoadResult r = load(t, "acme/m");
    CHECK(r.error.code == ErrorCode::bad_response);
    CHECK_THAT(r.error.message, Catch::Contains("config.json is larger than the 128 MB limit"));
    size_t config_reads = 0;
    for (const auto& q : t.seen) config_reads += q.url.find("/config.json") != std::string::npos ? 1 : 0;
    CHECK(config_reads == 1);
}
