#include "estimator/snapshot.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vram {

using nlohmann::json;

namespace {
const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    if (i < in.size()) {
        uint32_t v = static_cast<uint8_t>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

bool base64_decode(std::string_view in, std::string& out) {
    out.clear();
    if (in.size() % 4) return false;
    out.reserve(in.size() / 4 * 3);
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    for (size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=') : 0;
        if (pad == 1 && in[i + 2] == '=') return false;
        int v[4];
        for (int k = 0; k < 4 - pad; ++k)
            if ((v[k] = val(in[i + static_cast<size_t>(k)])) < 0) return false;
        for (int k = 4 - pad; k < 4; ++k) v[k] = 0;
        const uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) | (static_cast<uint32_t>(v[2]) << 6) |
                           static_cast<uint32_t>(v[3]);
        out += static_cast<char>(n >> 16);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(n & 0xff);
    }
    return true;
}

std::string snapshot_to_json(const RepoSnapshot& s) {
    json files = json::array();
    for (const auto& f : s.files) files.push_back({{"path", f.path}, {"size", f.size_bytes}});
    json j = {{"schema", 1},          {"repo_id", s.repo_id},     {"revision", s.revision},
              {"sha", s.sha},         {"gated", s.gated},         {"library_name", s.library_name},
              {"pipeline_tag", s.pipeline_tag}, {"variant", s.variant}, {"files", files},
              {"texts", s.texts},     {"headers", s.headers}};
    if (!s.gguf_prefixes.empty()) {
        json g = json::object();
        for (const auto& [path, bytes] : s.gguf_prefixes) g[path] = base64_encode(bytes);
        j["gguf_prefixes"] = std::move(g);
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

SnapshotResult snapshot_from_json(std::string_view text) {
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
        for (const auto& f : j.at("files")) s.files.push_back({f.at("path").get<std::string>(), f.at("size").get<uint64_t>()});
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

}  // namespace vram
