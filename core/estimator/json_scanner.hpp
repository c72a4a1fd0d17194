// A strict JSON scanner without a DOM: validates a document as JSON (RFC 8259, UTF-8 checked, as
// nlohmann does) while its caller keeps only what it needs — safetensors headers (safetensors.cpp), shard
// indexes (repo_layout.cpp) and the Hub's tree listing (hub/hub_protocol.cpp). It is several times faster than nlohmann's lexer, which copies every
// character of every token twice; a 92k-entry index or header is read in one pass.
//
// Internal linkage on purpose (an unnamed namespace in a header): each file that includes it gets its
// own copy, compiled with that file's optimisation flags (CMakeLists.txt builds the header parser at -O2
// and the rest of the core at -Oz for the wasm); shared inline functions would be merged into one copy.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "estimator/utf8.hpp"

namespace vram {
namespace {  // NOLINT(google-build-namespaces, cert-dcl59-cpp): see above

// Nesting deeper than this in a skipped value is refused: real headers nest 3 levels.
constexpr int kMaxNesting = 512;

enum class Num { none, unsigned_int, other };  // other: negative, fractional, exponent or > 2^64-1

struct Scanner {
    const char* p;
    const char* end;
    const char* begin;
    std::string syntax;  // first syntax error, "" while valid

    bool fail(const char* what) {
        if (syntax.empty()) syntax = std::string(what) + " at byte " + std::to_string(p - begin);
        p = end;
        return false;
    }
    void ws() {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    }
    bool eat(char c) {
        ws();
        if (p < end && *p == c) {
            ++p;
            return true;
        }
        return false;
    }
    bool expect(char c) {
        if (eat(c)) return true;
        return fail(c == ':' ? "expected ':'" : c == '"' ? "expected a string" : "unexpected character");
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    bool hex4(uint32_t& v) {
        if (end - p < 4) return fail("truncated \\u escape");
        v = 0;
        for (int i = 0; i < 4; ++i, ++p) {
            const char c = *p;
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<uint32_t>(c - 'A' + 10);
            else
                return fail("bad \\u escape");
        }
        return true;
    }
    // One UTF-8 sequence starting at p (p[0] >= 0x80), copied to out when out is not null.
    bool utf8(std::string* out) {
        const size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p), static_cast<size_t>(end - p));
        if (n == 0) return fail("invalid UTF-8");
        if (out) out->append(p, n);
        p += n;
        return true;
    }
    // A string at p (after whitespace); its value into out when out is not null.
    bool string(std::string* out) {
        if (!expect('"')) return false;
        if (out) out->clear();
        for (;;) {
            const char* run = p;
            while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20 &&
                   static_cast<unsigned char>(*p) < 0x80)
                ++p;
            if (out) out->append(run, static_cast<size_t>(p - run));
            if (p >= end) return fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(*p);
            if (c == '"') {
                ++p;
                return true;
            }
            if (c < 0x20) return fail("control character in a string");
            if (c >= 0x80) {
                if (!utf8(out)) return false;
                continue;
            }
            ++p;  // backslash
            if (p >= end) return fail("unterminated string");
            const char e = *p++;
            char plain = 0;
            switch (e) {
                case '"':
                    plain = '"';
                    break;
                case '\\':
                    plain = '\\';
                    break;
                case '/':
                    plain = '/';
                    break;
                case 'b':
                    plain = '\b';
                    break;
                case 'f':
                    plain = '\f';
                    break;
                case 'n':
                    plain = '\n';
                    break;
                case 'r':
                    plain = '\r';
                    break;
                case 't':
                    plain = '\t';
                    break;
                case 'u': {
                    uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        uint32_t lo = 0;
                        if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return fail("unpaired surrogate");
                        p += 2;
                        if (!hex4(lo)) return false;
                        if (lo < 0xDC00 || lo > 0xDFFF) return fail("unpaired surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return fail("unpaired surrogate");
                    }
                    if (out) put_utf8(*out, cp);
                    continue;
                }
                default:
                    return fail("bad escape in a string");
            }
            if (out) *out += plain;
        }
    }
    // A number at p (after whitespace).
    Num number(uint64_t& value) {
        const char* start = p;
        bool negative = false, overflow = false, fraction = false;
        if (p < end && *p == '-') negative = true, ++p;
        if (p >= end || *p < '0' || *p > '9') return fail("expected a value"), Num::none;
        value = 0;
        if (*p == '0') {
            ++p;
        } else {
            while (p < end && *p >= '0' && *p <= '9') {
                const uint64_t d = static_cast<uint64_t>(*p - '0');
                if (value > (UINT64_MAX - d) / 10) overflow = true;
                value = value * 10 + d;
                ++p;
            }
        }
        if (p < end && *p == '.') {
            ++p;
            fraction = true;
            if (p >= end || *p < '0' || *p > '9') return fail("bad number"), Num::none;
            while (p < end && *p >= '0' && *p <= '9') ++p;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            ++p;
            fraction = true;
            if (p < end && (*p == '+' || *p == '-')) ++p;
            if (p >= end || *p < '0' || *p > '9') return fail("bad number"), Num::none;
            while (p < end && *p >= '0' && *p <= '9') ++p;
        }
        (void)start;
        return negative || overflow || fraction ? Num::other : Num::unsigned_int;
    }
    bool literal(const char* word) {
        const size_t n = std::strlen(word);
        if (static_cast<size_t>(end - p) < n || std::memcmp(p, word, n) != 0) return fail("expected a value");
        p += n;
        return true;
    }
    // Any value, validated and discarded; `kind` gets its JSON type name.
    bool skip(const char** kind = nullptr, int depth = 0) {
        ws();
        if (p >= end) return fail("unexpected end");
        if (depth > kMaxNesting) return fail("nesting deeper than 512 levels");
        const char c = *p;
        if (kind)
            *kind = c == '{'               ? "object"
                    : c == '['             ? "array"
                    : c == '"'             ? "string"
                    : c == 't' || c == 'f' ? "boolean"
                    : c == 'n'             ? "null"
                                           : "number";
        if (c == '{') {
            ++p;
            if (eat('}')) return true;
            do {
                ws();
                if (!string(nullptr) || !expect(':') || !skip(nullptr, depth + 1)) return false;
            } while (eat(','));
            return expect('}');
        }
        if (c == '[') {
            ++p;
            if (eat(']')) return true;
            do {
                if (!skip(nullptr, depth + 1)) return false;
            } while (eat(','));
            return expect(']');
        }
        if (c == '"') return string(nullptr);
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        uint64_t v = 0;
        return number(v) != Num::none;
    }
    // An array of numbers: each unsigned one into out; all_unsigned false when any element is not.
    bool number_array(std::vector<uint64_t>& out, bool& all_unsigned) {
        out.clear();
        all_unsigned = true;
        ++p;  // '['
        if (!eat(']')) {
            do {
                ws();
                if (p < end && (*p == '-' || (*p >= '0' && *p <= '9'))) {
                    uint64_t v = 0;
                    const Num n = number(v);
                    if (n == Num::none) return false;
                    if (n == Num::unsigned_int)
                        out.push_back(v);
                    else
                        all_unsigned = false;
                } else {
                    all_unsigned = false;
                    if (!skip()) return false;
                }
            } while (eat(','));
            if (!expect(']')) return false;
        }
        return true;
    }
};

}  // namespace
}  // namespace vram
