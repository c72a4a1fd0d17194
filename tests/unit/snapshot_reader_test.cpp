// snapshot_from_json (the Scanner reader of core/estimator/snapshot.cpp) against the nlohmann DOM walk it replaced,
// kept here as the oracle: on stored snapshots and on thousands of byte-level mutations of them, the reader accepts
// only what the DOM walk accepted, with the same snapshot, and refuses only what it refused or what the reader's
// comment names (a size that is not an unsigned integer, files that are not an array, nesting past 512 levels).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "estimator/snapshot.hpp"

using namespace vram;
using nlohmann::json;

namespace {

// The reader before 2026-12-07 (core/estimator/snapshot.cpp at 23ebd7d), verbatim but for its name.
SnapshotResult dom_snapshot_from_json(std::string_view text) {
    SnapshotResult out;
    try {
        json j = json::parse(text.begin(), text.end());
        RepoSnapshot& s = out.snapshot;
        s.repo_id = j.at("repo_id").get<std::string>();
        s.revision = j.value("revision", std::string());
        s.sha = j.value("sha", std::string());
        s.gated = j.value("gated", std::string("false"));
        s.library_name = j.value("library_name", std::string());
        s.pipeline_tag = j.value("pipeline_tag", std::string());
        s.variant = j.value("variant", std::string());
        for (const auto& f : j.at("files"))
            s.files.push_back({f.at("path").get<std::string>(), f.at("size").get<uint64_t>()});
        s.texts = j.at("texts").get<std::map<std::string, std::string>>();
        s.headers = j.at("headers").get<std::map<std::string, std::string>>();
        if (auto g = j.find("gguf_prefixes"); g != j.end())
            for (auto it = g->begin(); it != g->end(); ++it)
                if (!base64_decode(it->get<std::string>(), s.gguf_prefixes[it.key()]))
                    throw std::runtime_error("gguf_prefixes[\"" + it.key() + "\"] is not base64");
    } catch (const std::exception& e) {
        out.error = make_error(ErrorCode::bad_response, std::string("stored metadata is unreadable: ") + e.what());
    }
    return out;
}

int depth_of(const json& j) {
    int d = 0;
    if (j.is_structured())
        for (const auto& v : j) d = std::max(d, depth_of(v));
    return j.is_structured() ? d + 1 : 0;
}

// Whether the DOM walk accepted `text` only through one of the reader's named refusals.
bool named_difference(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("files")) return false;
    if (depth_of(j) > 512) return true;
    const json& files = j["files"];
    if (!files.is_array()) return true;
    for (const auto& f : files)
        if (f.is_object() && f.contains("size") && !f["size"].is_number_unsigned()) return true;
    return false;
}

bool same(const RepoSnapshot& a, const RepoSnapshot& b) {
    if (a.files.size() != b.files.size()) return false;
    for (size_t i = 0; i < a.files.size(); ++i)
        if (a.files[i].path != b.files[i].path || a.files[i].size_bytes != b.files[i].size_bytes) return false;
    return a.repo_id == b.repo_id && a.revision == b.revision && a.sha == b.sha && a.gated == b.gated &&
           a.library_name == b.library_name && a.pipeline_tag == b.pipeline_tag && a.variant == b.variant &&
           a.texts == b.texts && a.headers == b.headers && a.gguf_prefixes == b.gguf_prefixes;
}

std::vector<std::string> stored_snapshots() {
    RepoSnapshot a;
    a.repo_id = "org/model";
    a.revision = "refs/pr/1";
    a.sha = "0123456789abcdef0123456789abcdef01234567";
    a.gated = "manual";
    a.library_name = "transformers";
    a.pipeline_tag = "text-generation";
    a.variant = "fp16";
    a.files = {{"config.json", 612}, {"model.safetensors", 548105171}, {"sub/dir/ü.json", 0}};
    a.texts["config.json"] = R"({"model_type":"gpt2","n_layer":12,"name":"quote \" back\\slash \u00e9 €"})";
    a.texts["tokenizer_config.json"] = "{\n\t\"x\": [1, 2.5e-3, null, true]\n}";
    a.headers["model.safetensors"] =
        R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}})";
    a.gguf_prefixes["m.gguf"] = std::string("GGUF\3\0\0\0\xff\x80", 10);
    RepoSnapshot b;  // the least a snapshot holds
    b.repo_id = "gpt2";
    std::vector<std::string> out = {snapshot_to_json(a), snapshot_to_json(b)};
    // Hand-written ones the writer does not produce: reordered and repeated keys, unknown keys, whitespace.
    out.push_back(R"( { "headers" : {}, "x": [{"y": [1, {"z": null}]}], "repo_id": "a", "texts": {"t": "1"},)"
                  R"( "files": [ {"size": 5, "extra": "e", "path": "p"} ], "repo_id": "b", "texts": {} } )");
    out.push_back(R"({"repo_id":"a","files":[],"texts":{},"headers":{},"gguf_prefixes":{}})");
    return out;
}

}  // namespace

TEST_CASE("the snapshot reader reads stored snapshots as the DOM walk did", "[snapshot][reader]") {
    for (const auto& text : stored_snapshots()) {
        INFO(text);
        const SnapshotResult dom = dom_snapshot_from_json(text);
        const SnapshotResult scanned = snapshot_from_json(text);
        REQUIRE_FALSE(dom.error);
        REQUIRE_FALSE(scanned.error);
        CHECK(same(dom.snapshot, scanned.snapshot));
    }
}

TEST_CASE("the snapshot reader refuses the named differences and takes nothing the DOM walk refused",
          "[snapshot][reader][malformed]") {
    // The named differences: the DOM walk took these.
    for (const char* text :
         {R"({"repo_id":"a","files":[{"path":"p","size":-1}],"texts":{},"headers":{}})",
          R"({"repo_id":"a","files":[{"path":"p","size":1.5}],"texts":{},"headers":{}})",
          R"({"repo_id":"a","files":[{"path":"p","size":18446744073709551616}],"texts":{},"headers":{}})",
          R"({"repo_id":"a","files":null,"texts":{},"headers":{}})",
          R"({"repo_id":"a","files":{"f":{"path":"p","size":1}},"texts":{},"headers":{}})"}) {
        INFO(text);
        CHECK_FALSE(dom_snapshot_from_json(text).error);
        CHECK(named_difference(text));
        const SnapshotResult r = snapshot_from_json(text);
        CHECK(r.error.code == ErrorCode::bad_response);
        CHECK(r.error.message.rfind("stored metadata is unreadable: ", 0) == 0);
    }
    // Byte-level mutations of each stored snapshot: flips, deletions, insertions of JSON's own characters.
    std::mt19937 rng(20261207);
    const std::string alphabet = "{}[]\":,\\ 0123456789-.eEtrufalsn\x01\xff\xc3\xa9";
    size_t accepted = 0, refused = 0, named = 0;
    for (const auto& base : stored_snapshots()) {
        for (int i = 0; i < 3000; ++i) {
            std::string text = base;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits && !text.empty(); ++e) {
                const size_t at = rng() % text.size();
                const char c = alphabet[rng() % alphabet.size()];
                switch (rng() % 3) {
                    case 0:
                        text[at] = c;
                        break;
                    case 1:
                        text.erase(at, 1 + rng() % 3);
                        break;
                    default:
                        text.insert(at, 1, c);
                }
            }
            const SnapshotResult dom = dom_snapshot_from_json(text);
            const SnapshotResult scanned = snapshot_from_json(text);
            if (!scanned.error) {
                ++accepted;
                INFO(text);
                REQUIRE_FALSE(dom.error);
                REQUIRE(same(dom.snapshot, scanned.snapshot));
            } else {
                ++refused;
                REQUIRE(scanned.error.code == ErrorCode::bad_response);
                if (!dom.error) {
                    ++named;
                    INFO(text);
                    REQUIRE(named_difference(text));
                }
            }
        }
    }
    // Both outcomes were reached (a mutation test that only ever refuses would prove little).
    CHECK(accepted > 500);
    CHECK(refused > 5000);
    INFO("mutations accepted " << accepted << ", refused " << refused << ", named differences " << named);
    SUCCEED();
}
