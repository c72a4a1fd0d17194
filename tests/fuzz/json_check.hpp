// A JSON validator for the fuzz targets' "the report is JSON" check: the verdict of
// nlohmann::json::accept (RFC 8259 grammar, strict UTF-8 in strings, \u escapes with paired
// surrogates, numbers that overflow a double refused as nlohmann's parser refuses them), without
// building tokens or a DOM. Under ASan + UBSan + coverage, nlohmann::json::accept of a 13 KB report
// cost ~530 µs, a tenth of a `pipeline` input (tests/fuzz/README.md, "Speed"); this reads it in one
// pass. `VRAM_FUZZ_JSON_CROSSCHECK=1` makes the targets also run nlohmann::json::accept and trap on
// any disagreement (how its verdicts were compared, README "Third pass").
#pragma once
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_common.hpp"

namespace fuzz {

// The checker is the oracle, not code under test: its functions carry no coverage instrumentation
// (VRAM_FUZZ_NO_COVERAGE, fuzz_common.hpp). ASan and UBSan stay on.

class JsonCheck {
  public:
    VRAM_FUZZ_NO_COVERAGE explicit JsonCheck(std::string_view s) : s_(s) {}

    VRAM_FUZZ_NO_COVERAGE bool valid() {
        if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // nlohmann's lexer skips a UTF-8 byte order mark
        skip_ws();
        if (!value(0)) return false;
        skip_ws();
        return i_ == s_.size();
    }

  private:
    // Far deeper than any report; nlohmann's accept recurses without a limit, ours stops here.
    static constexpr int kMaxDepth = 4096;

    std::string_view s_;
    size_t i_ = 0;

    VRAM_FUZZ_NO_COVERAGE bool at_end() const { return i_ >= s_.size(); }
    VRAM_FUZZ_NO_COVERAGE unsigned char peek() const { return static_cast<unsigned char>(s_[i_]); }

    VRAM_FUZZ_NO_COVERAGE void skip_ws() {
        while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    VRAM_FUZZ_NO_COVERAGE bool literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }

    VRAM_FUZZ_NO_COVERAGE bool value(int depth) {
        if (at_end() || depth > kMaxDepth) return false;
        switch (s_[i_]) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    VRAM_FUZZ_NO_COVERAGE bool object(int depth) {
        ++i_;  // '{'
        skip_ws();
        if (!at_end() && s_[i_] == '}') return ++i_, true;
        for (;;) {
            skip_ws();
            if (at_end() || s_[i_] != '"' || !string()) return false;
            skip_ws();
            if (at_end() || s_[i_] != ':') return false;
            ++i_;
            skip_ws();
            if (!value(depth + 1)) return false;
            skip_ws();
            if (at_end()) return false;
            if (s_[i_] == '}') return ++i_, true;
            if (s_[i_] != ',') return false;
            ++i_;
        }
    }

    VRAM_FUZZ_NO_COVERAGE bool array(int depth) {
        ++i_;  // '['
        skip_ws();
        if (!at_end() && s_[i_] == ']') return ++i_, true;
        for (;;) {
            skip_ws();
            if (!value(depth + 1)) return false;
            skip_ws();
            if (at_end()) return false;
            if (s_[i_] == ']') return ++i_, true;
            if (s_[i_] != ',') return false;
            ++i_;
        }
    }

    VRAM_FUZZ_NO_COVERAGE bool digits() {
        size_t start = i_;
        while (!at_end() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ > start;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; a number that overflows a double is refused
    // (nlohmann: "number overflow"; an integer past 64 bits is read as a double, so 400 digits are refused too).
    VRAM_FUZZ_NO_COVERAGE bool number() {
        size_t start = i_;
        bool is_float = false;
        if (!at_end() && s_[i_] == '-') ++i_;
        if (at_end()) return false;
        if (s_[i_] == '0')
            ++i_;
        else if (!digits())
            return false;
        if (!at_end() && s_[i_] == '.') {
            ++i_;
            is_float = true;
            if (!digits()) return false;
        }
        if (!at_end() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            is_float = true;
            if (!at_end() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (!digits()) return false;
        }
        if (!is_float && i_ - start <= 18) return true;
        std::string text(s_.substr(start, i_ - start));
        return std::isfinite(std::strtod(text.c_str(), nullptr));
    }

    VRAM_FUZZ_NO_COVERAGE int hex4() {
        if (s_.size() - i_ < 4) return -1;
        int v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = s_[i_++];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }

    VRAM_FUZZ_NO_COVERAGE bool escape() {
        if (at_end()) return false;
        char c = s_[i_++];
        switch (c) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        int u = hex4();
        if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) return false;  // a low surrogate first
        if (u < 0xD800 || u > 0xDBFF) return true;
        // A high surrogate must be followed by \u and a low one.
        if (s_.size() - i_ < 2 || s_[i_] != '\\' || s_[i_ + 1] != 'u') return false;
        i_ += 2;
        int low = hex4();
        return low >= 0xDC00 && low <= 0xDFFF;
    }

    VRAM_FUZZ_NO_COVERAGE bool cont(unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        if (at_end() || peek() < lo || peek() > hi) return false;
        ++i_;
        return true;
    }

    // Well-formed UTF-8 (the Unicode standard's table 3-7): no overlong forms, no surrogates, ≤ U+10FFFF.
    VRAM_FUZZ_NO_COVERAGE bool utf8(unsigned char c) {
        if (c >= 0xC2 && c <= 0xDF) return cont();
        if (c == 0xE0) return cont(0xA0, 0xBF) && cont();
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont() && cont();
        if (c == 0xED) return cont(0x80, 0x9F) && cont();
        if (c == 0xF0) return cont(0x90, 0xBF) && cont() && cont();
        if (c >= 0xF1 && c <= 0xF3) return cont() && cont() && cont();
        if (c == 0xF4) return cont(0x80, 0x8F) && cont() && cont();
        return false;
    }

    VRAM_FUZZ_NO_COVERAGE bool string() {
        ++i_;  // '"'
        while (!at_end()) {
            unsigned char c = peek();
            ++i_;
            if (c == '"') return true;
            if (c == '\\') {
                if (!escape()) return false;
            } else if (c < 0x20) {
                return false;
            } else if (c >= 0x80 && !utf8(c)) {
                return false;
            }
        }
        return false;
    }
};

VRAM_FUZZ_NO_COVERAGE inline bool json_valid(std::string_view s) { return JsonCheck(s).valid(); }

// The targets' check: JsonCheck's verdict, and with VRAM_FUZZ_JSON_CROSSCHECK set, a trap when
// nlohmann::json::accept disagrees (so a fuzz run compares the two on every report it renders).
// One known difference, where JsonCheck is the stricter: nlohmann's lexer reads a NUL byte between
// tokens as the end of the input ("1\0junk" is accepted); JsonCheck, like the page's JSON.parse, refuses it.
inline bool report_is_json(std::string_view s) {
    const bool ok = json_valid(s);
    static const bool crosscheck = std::getenv("VRAM_FUZZ_JSON_CROSSCHECK") != nullptr;
    if (crosscheck && ok != nlohmann::json::accept(s) && (ok || s.find('\0') == std::string_view::npos))
        __builtin_trap();
    return ok;
}

}  // namespace fuzz
