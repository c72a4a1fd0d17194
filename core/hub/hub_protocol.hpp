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
// Appends `s` percent-encoded (url_encode, hub_client.hpp) to `out`.
void append_url_encoded(std::string& out, std::string_view s, bool keep_slash);
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
// A Range answer for the bytes of `path` from `start`: none when it is a 206 whose Content-Range matches its body
// (`total` then holds the file size it gave) or a 200 (a server that ignored Range, from byte 0); else the error.
Error range_answer_error(const HttpResponse& r, const std::string& path, uint64_t start, const std::string& repo,
                         bool had_token, uint64_t& total);

// The parts of a split checkpoint the listing names beside its index: for "<stem>.safetensors.index.json", the files
// "<stem>-<k>-of-<n>.safetensors" (any zero padding, the names of transformers' save_pretrained and of
// huggingface_hub's split) when the listing holds each part 1..n exactly once and no other count; `parts` in part order,
// empty otherwise. `index_bytes`: the index's size in the listing (0 when it is not listed, and then no parts).
struct SplitShards {
    uint64_t index_bytes = 0;
    std::vector<const RepoFile*> parts;
};
SplitShards split_shards(const std::vector<RepoFile>& files, const std::string& index_path);
// The one weight file of each component folder of a diffusers pipeline (model_index.json at the root):
// "<folder>/diffusion_pytorch_model.safetensors" or "<folder>/model.safetensors" one level down, beside
// "<folder>/config.json", in a folder without a shard index. Empty when the listing has no model_index.json.
std::vector<const RepoFile*> pipeline_single_files(const std::vector<RepoFile>& files);

// One page of the tree listing (GET /api/models/{id}/tree/{rev}?recursive=true): a JSON array whose file
// entries are objects with "type": "file" and a string "path"; "size" is taken when it is an unsigned integer
// (else 0); every other entry and member is validated and skipped. The page's files are appended to `files`
// only when the whole body is valid JSON. The same answers as nlohmann::json::parse + that walk, except
// that a NUL byte ends nothing (nlohmann stops at one between tokens) and nesting past 512 levels is refused.
enum class TreePage { ok, not_json, not_array };
TreePage read_tree_page(std::string_view body, std::vector<RepoFile>& files);

}  // namespace vram::hub_protocol
