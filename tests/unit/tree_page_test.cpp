// Unit tests of hub_protocol::read_tree_page, the tree listing's reader: it must give what the nlohmann DOM walk
// it replaced gave (reference_read below is that walk, as hub_client.cpp had it until 2026-12-07) on every
// body the client gives it, and differ only where its header says (a NUL byte, nesting past 512 levels).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hub/hub_protocol.hpp"

using namespace vram;
using hub_protocol::read_tree_page;
using hub_protocol::TreePage;

namespace {

// The old walk: nlohmann::json::parse, then every object entry with a string "type" equal to "file" and a
// string "path"; "size" when is_number_unsigned(), else 0.
TreePage reference_read(const std::string& body, std::vector<RepoFile>& files) {
    nlohmann::json page;
    try {
        page = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
        return TreePage::not_json;
    }
    if (!page.is_array()) return TreePage::not_array;
    for (const auto& e : page) {
        if (!e.is_object() || hub_protocol::str_or_empty(e, "type") != "file" || !e.contains("path") ||
            !e["path"].is_string())
            continue;
        const uint64_t size = e.contains("size") && e["size"].is_number_unsigned() ? e["size"].get<uint64_t>() : 0;
        files.push_back({e["path"].get<std::string>(), size});
    }
    return TreePage::ok;
}

std::string describe(TreePage t, const std::vector<RepoFile>& files) {
    std::string s = t == TreePage::ok ? "ok" : t == TreePage::not_json ? "not_json" : "not_array";
    for (const auto& f : files) s += " [" + f.path + " " + std::to_string(f.size_bytes) + "]";
    return s;
}

// Both as the client calls them: an answer whose first non-space byte is not '{' or '[' is not JSON before any
// parse (hub_protocol::looks_like_json; it refuses a byte order mark, which nlohmann would skip).
TreePage client_read(const std::string& body, std::vector<RepoFile>& files, bool reference) {
    HttpResponse r;
    r.body = body;
    if (!hub_protocol::looks_like_json(r)) return TreePage::not_json;
    return reference ? reference_read(body, files) : read_tree_page(body, files);
}

void same_as_reference(const std::string& body) {
    std::vector<RepoFile> got, want;
    const TreePage t = client_read(body, got, false);
    const TreePage r = client_read(body, want, true);
    INFO("body: " << body);
    CHECK(describe(t, got) == describe(r, want));
}

// A page as the Hub writes it: a folder entry, LFS files with their pointer sizes, a plain file.
const std::string kRealPage =
    R"([{"type":"directory","oid":"2b1c","path":"text_encoder"},)"
    R"({"type":"file","oid":"a3f1","size":1519,"path":"config.json"},)"
    R"({"type":"file","oid":"9c0d","size":5368709120,"lfs":{"oid":"e7ab","size":5368709120,"pointerSize":135},)"
    R"("path":"model-00001-of-00002.safetensors","xetHash":"ff00"},)"
    R"({"type":"file","oid":"77aa","size":23950,"path":"model.safetensors.index.json"}])";

}  // namespace

TEST_CASE("a tree page as the Hub writes it lists its files with their sizes", "[hub_client][tree]") {
    std::vector<RepoFile> files = {{"kept.json", 7}};
    REQUIRE(read_tree_page(kRealPage, files) == TreePage::ok);
    REQUIRE(files.size() == 4);  // appended after what was there
    CHECK(files[0].path == "kept.json");
    CHECK(files[1].path == "config.json");
    CHECK(files[1].size_bytes == 1519);
    CHECK(files[2].path == "model-00001-of-00002.safetensors");
    CHECK(files[2].size_bytes == 5368709120ull);
    CHECK(files[3].path == "model.safetensors.index.json");
    same_as_reference(kRealPage);
}

TEST_CASE("the tree page reader answers as the nlohmann walk it replaced", "[hub_client][tree][malformed]") {
    const std::vector<std::string> bodies = {
        kRealPage,
        "[]",
        " \n\t[ ] \r\n",
        "{}",
        R"({"type":"file","path":"a"})",
        "\"text\"",
        "42",
        "null",
        "",
        "[",
        "[{]",
        R"([{"type":"file","path":"a"},])",
        R"([{"type":"file","path":"a"}] x)",
        R"([{"type":"file","path":"a"}][])",
        // entries that are not file objects, or lack a string path
        R"([1, "x", null, true, [{"type":"file","path":"nested"}], {"type":"directory","path":"d"}])",
        R"([{"type":"file"}, {"path":"no-type"}, {"type":"file","path":7}, {"type":"FILE","path":"b"}])",
        // a member named twice: the last value counts, as in nlohmann's object
        R"([{"type":"file","path":"a","path":"b"}, {"type":"file","type":"directory","path":"c"}])",
        R"([{"type":"directory","type":"file","path":"d"}, {"type":"file","path":"e","path":5}])",
        R"([{"type":"file","path":"s","size":1,"size":"2"}, {"type":"file","path":"t","size":"2","size":3}])",
        // sizes nlohmann does not hold as unsigned, or past 2^64 - 1
        R"([{"type":"file","path":"neg","size":-1}, {"type":"file","path":"zero","size":-0}])",
        R"([{"type":"file","path":"frac","size":1.5}, {"type":"file","path":"exp","size":1e3}])",
        R"([{"type":"file","path":"max","size":18446744073709551615},)"
        R"({"type":"file","path":"over","size":18446744073709551616}])",
        R"([{"type":"file","path":"obj","size":{"a":[1,2]}}, {"type":"file","path":"nul","size":null}])",
        // bad numbers and literals
        R"([{"type":"file","path":"a","size":01}])",
        R"([{"type":"file","path":"a","size":1.}])",
        R"([{"type":"file","path":"a","size":-}])",
        R"([{"type":"file","path":"a","size":tru}])",
        // escapes and UTF-8 in names and keys
        R"([{"t\u0079pe":"file","p\u0061th":"caf\u00e9\/x.json"}])",
        "[{\"type\":\"file\",\"path\":\"\xc3\xa9t\xc3\xa9/mod\xe8\xaf\x95.safetensors\"}]",
        R"([{"type":"file","path":"\ud83d\ude00.json"}])",
        R"([{"type":"file","path":"\ud83d"}])",
        R"([{"type":"file","path":"\ude00"}])",
        R"([{"type":"file","path":"bad\q"}])",
        "[{\"type\":\"file\",\"path\":\"ctl\x01\"}]",
        "[{\"type\":\"file\",\"path\":\"\xff\"}]",
        "[{\"type\":\"file\",\"path\":\"\xc0\xaf\"}]",
        "[{\"type\":\"file\",\"path\":\"\xed\xa0\x80\"}]",
        "[{\"type\":\"file\",\"path\":\"cut",
        "\xef\xbb\xbf[]",  // a byte order mark (looks_like_json refuses it)
        "\v[]",            // not JSON whitespace (looks_like_json lets it through, both parsers refuse it)
        "\f{}",
    };
    for (const auto& b : bodies) same_as_reference(b);
}

TEST_CASE("the tree page reader differs from nlohmann only at a NUL byte and past 512 levels",
          "[hub_client][tree][malformed]") {
    std::vector<RepoFile> files;
    // nlohmann stops at a NUL between tokens and accepts the page; the reader refuses it, as JSON.parse does.
    const std::string nul = std::string(R"([{"type":"file","path":"a"}])") + '\0' + "junk";
    std::vector<RepoFile> want;
    CHECK(reference_read(nul, want) == TreePage::ok);
    CHECK(read_tree_page(nul, files) == TreePage::not_json);
    CHECK(files.empty());
    // 600 levels inside one entry: refused (a real listing nests two), with nothing appended.
    const std::string deep =
        R"([{"type":"file","path":"a"},{"x":)" + std::string(600, '[') + std::string(600, ']') + "}]";
    CHECK(read_tree_page(deep, files) == TreePage::not_json);
    CHECK(files.empty());
    const std::string shallow =
        R"([{"type":"file","path":"a"},{"x":)" + std::string(400, '[') + std::string(400, ']') + "}]";
    CHECK(read_tree_page(shallow, files) == TreePage::ok);
    CHECK(files.size() == 1);
}
