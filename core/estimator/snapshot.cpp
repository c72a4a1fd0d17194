#include "estimator/snapshot.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include "estimator/json_scanner.hpp"
#include "estimator/utf8.hpp"

namespace vram {

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

namespace {

// Reads a stored snapshot with the Scanner (json_scanner.hpp) instead of a DOM: DeepSeek-R1's is 22 MB, nearly all of
// it header text inside JSON strings, and nlohmann's DOM of it took ~1 s of the page's worker to open a saved model.
// Stricter than the DOM walk it replaces on what snapshot_to_json never writes: a `size` that is not an unsigned
// integer and a `files` that is not an array are refused (nlohmann took -1, 1.5 and 2^64 as sizes and null as no
// files). A key given twice counts the last time, as in the DOM, when each of its values has the right type.
struct SnapshotReader {
    Scanner sc;
    std::string problem;  // a type error; sc.syntax holds a syntax error

    bool type_error(const std::string& what) {
        if (problem.empty()) problem = what;
        sc.p = sc.end;
        return false;
    }
    bool at(char c) {
        sc.ws();
        return sc.p < sc.end && *sc.p == c;
    }
    bool text(const std::string& key, std::string& out) {
        return at('"') ? sc.string(&out) : type_error(key + " is not a string");
    }
    // {"key": "value", …} into out (emptied first); base64 values decoded.
    bool string_map(const std::string& key, std::map<std::string, std::string>& out, bool base64) {
        out.clear();
        if (!at('{')) return type_error(key + " is not an object");
        ++sc.p;
        if (sc.eat('}')) return true;
        std::string name, value;
        do {
            if (!sc.string(&name) || !sc.expect(':')) return false;
            if (!text(key + "[\"" + name + "\"]", value)) return false;
            if (base64) {
                if (!base64_decode(value, out[name])) return type_error(key + "[\"" + name + "\"] is not base64");
            } else {
                out[name] = std::move(value);
            }
        } while (sc.eat(','));
        return sc.expect('}');
    }
    bool byte_count(uint64_t& out) {
        sc.ws();
        const bool numeric = sc.p < sc.end && (*sc.p == '-' || (*sc.p >= '0' && *sc.p <= '9'));
        if (!numeric) return type_error("a file's size is not a byte count");
        const Num n = sc.number(out);
        if (n == Num::none) return false;  // a syntax error, recorded by the Scanner
        return n == Num::unsigned_int || type_error("a file's size is not a byte count");
    }
    bool file(RepoFile& f) {
        if (!at('{')) return type_error("a files entry is not an object");
        ++sc.p;
        bool has_path = false, has_size = false;
        std::string key;
        if (!sc.eat('}')) {
            do {
                if (!sc.string(&key) || !sc.expect(':')) return false;
                if (key == "path") {
                    if (!text("a file's path", f.path)) return false;
                    has_path = true;
                } else if (key == "size") {
                    if (!byte_count(f.size_bytes)) return false;
                    has_size = true;
                } else if (!sc.skip()) {
                    return false;
                }
            } while (sc.eat(','));
            if (!sc.expect('}')) return false;
        }
        return has_path && has_size ? true
                                    : type_error(std::string("a files entry has no ") + (has_path ? "size" : "path"));
    }
    bool files(std::vector<RepoFile>& out) {
        out.clear();
        if (!at('[')) return type_error("files is not an array");
        ++sc.p;
        if (sc.eat(']')) return true;
        do {
            RepoFile f;
            if (!file(f)) return false;
            out.push_back(std::move(f));
        } while (sc.eat(','));
        return sc.expect(']');
    }
    bool read(RepoSnapshot& s) {
        std::set<std::string> seen;
        if (!sc.expect('{')) return false;
        std::string key;
        if (!sc.eat('}')) {
            do {
                if (!sc.string(&key) || !sc.expect(':')) return false;
                seen.insert(key);
                bool ok = true;
                const auto field = std::find_if(std::begin(kSnapshotTextFields), std::end(kSnapshotTextFields),
                                                [&key](const auto& f) { return key == f.first; });
                if (field != std::end(kSnapshotTextFields))
                    ok = text(key, s.*(field->second));
                else if (key == "files")
                    ok = files(s.files);
                else if (key == "texts")
                    ok = string_map(key, s.texts, false);
                else if (key == "headers")
                    ok = string_map(key, s.headers, false);
                else if (key == "gguf_prefixes")
                    ok = string_map(key, s.gguf_prefixes, true);
                else
                    ok = sc.skip();
                if (!ok) return false;
            } while (sc.eat(','));
            if (!sc.expect('}')) return false;
        }
        sc.ws();
        if (sc.p != sc.end) return sc.fail("text after the snapshot");
        for (const char* required : {"repo_id", "files", "texts", "headers"})
            if (!seen.count(required)) return type_error(std::string("it has no ") + required);
        return true;
    }
};

}  // namespace

SnapshotResult snapshot_from_json(std::string_view text) {
    SnapshotResult out;
    RepoSnapshot& s = out.snapshot;
    s.gated = "false";  // the default of a snapshot that does not say
    SnapshotReader r{Scanner{text.data(), text.data() + text.size(), text.data(), {}}, {}};
    if (!r.read(s)) {
        const std::string why = !r.problem.empty() ? r.problem : !r.sc.syntax.empty() ? r.sc.syntax : "not JSON";
        out.snapshot = RepoSnapshot{};
        out.error = make_error(ErrorCode::bad_response, "stored metadata is unreadable: " + why);
    }
    return out;
}

}  // namespace vram
