#include "estimator/snapshot.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "estimator/utf8.hpp"

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
        const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                           static_cast<uint8_t>(in[i + 2]);
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
        const uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                           (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
        out += static_cast<char>(n >> 16);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(n & 0xff);
    }
    return true;
}

namespace {

// Appends `v` as a JSON string. Invalid UTF-8 becomes U+FFFD, as nlohmann's "replace" handler does.
void put_string(std::string& out, std::string_view v) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    const auto* u = reinterpret_cast<const unsigned char*>(v.data());
    const size_t n = v.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < n && u[j] >= 0x20 && u[j] < 0x80 && u[j] != '"' && u[j] != '\\') ++j;
            out.append(v.data() + i, j - i);
            i = j;
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        } else if (const size_t len = utf8_sequence(u + i, n - i)) {
            out.append(v.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

void put_map(std::string& out, const std::map<std::string, std::string>& m, bool base64) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ',';
        first = false;
        put_string(out, k);
        out += ':';
        put_string(out, base64 ? base64_encode(v) : v);
    }
    out += '}';
}

// Writes JSON text directly into one reserved string: the snapshot of a 163-shard repo is ~22 MB, and a DOM copy
// plus its dump would triple the WebAssembly heap's peak for a moment.
struct JsonTextWriter {
    std::string& out;
    void key(const char* k) {
        out += out.size() > 1 ? ",\"" : "\"";
        out += k;
        out += "\":";
    }
    void text(const char* k, const std::string& v) {
        key(k);
        put_string(out, v);
    }
    void number(const char* k, uint64_t v) {
        key(k);
        out += std::to_string(v);
    }
    void files(const char* k, const std::vector<RepoFile>& files) {
        key(k);
        out += '[';
        for (size_t i = 0; i < files.size(); ++i) {
            if (i) out += ',';
            out += "{\"path\":";
            put_string(out, files[i].path);
            out += ",\"size\":" + std::to_string(files[i].size_bytes) + "}";
        }
        out += ']';
    }
    void map(const char* k, const std::map<std::string, std::string>& m, bool base64) {
        key(k);
        put_map(out, m, base64);
    }
};

}  // namespace

std::string snapshot_to_json(const RepoSnapshot& s) {
    size_t estimate = 1024;
    for (const auto& [k, v] : s.texts) estimate += k.size() + v.size() + 8;
    for (const auto& [k, v] : s.headers) estimate += k.size() + v.size() + 8;
    for (const auto& [k, v] : s.gguf_prefixes) estimate += k.size() + v.size() * 4 / 3 + 8;
    estimate += s.files.size() * 96;
    std::string out;
    out.reserve(estimate + estimate / 16);
    out += '{';
    JsonTextWriter w{out};
    write_snapshot(s, w);
    out += '}';
    return out;
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

}  // namespace vram
