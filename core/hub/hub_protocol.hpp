// The Hub protocol's small pieces the client reads responses with (internal to core/hub): URLs and origins,
// pagination links, JSON field access, the Content-Range header, and how an answer that is not JSON is named.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/repo_layout.hpp"
#include "hub/transport.hpp"

namespace vram::hub_protocol {

std::string strip_slash(std::string s);
// "https://host:port" of a URL ("" when it has no scheme).
std::string origin_of(const std::string& url);
// Link: <https://…?cursor=…>; rel="next" → the URL, "" when there is none.
std::string next_link(const std::string& link);
std::string str_or_empty(const nlohmann::json& j, const char* key);
// " — it is an HTML page (a login page, a proxy or a captive portal?)" when the body is HTML.
std::string html_hint(const HttpResponse& r);
bool looks_like_json(const HttpResponse& r);
// "bytes a-b/TOTAL" → a, b, total; false when absent or malformed.
bool parse_content_range(const std::string& v, uint64_t& a, uint64_t& b, uint64_t& total);

// One page of the tree listing (GET /api/models/{id}/tree/{rev}?recursive=true): a JSON array whose file
// entries are objects with "type": "file" and a string "path"; "size" is taken when it is an unsigned integer
// (else 0); every other entry and member is validated and skipped. The page's files are appended to `files`
// only when the whole body is valid JSON. The same answers as nlohmann::json::parse + that walk, except
// that a NUL byte ends nothing (nlohmann stops at one between tokens) and nesting past 512 levels is refused.
enum class TreePage { ok, not_json, not_array };
TreePage read_tree_page(std::string_view body, std::vector<RepoFile>& files);

}  // namespace vram::hub_protocol
