// Terminal output made inert. Model types, tensor and file names and error texts come from strangers'
// repos; printed raw, an ESC sequence could move the cursor, rewrite earlier lines, set the window
// title or (on some terminals) answer back with input. Everything the CLI prints passes through here:
// C0 controls (except the report's own line feeds and tabs), DEL, C1 controls, the Unicode bidi
// overrides (Trojan Source, CVE-2021-42574) and bytes that are not UTF-8 are written as visible escapes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vram {

enum class Newlines { keep, escape };  // keep: a multi-line report; escape: one line (an error message)

inline std::string terminal_safe(std::string_view in, Newlines newlines = Newlines::keep) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(in.size());
    auto byte_escape = [&](unsigned char c) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    };
    for (size_t i = 0; i < in.size();) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x80) {
            if ((c == '\n' || c == '\t') && newlines == Newlines::keep) {
                out += static_cast<char>(c);
            } else if (c == '\n') {
                out += "\\n";
            } else if (c < 0x20 || c == 0x7f) {
                byte_escape(c);
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // One UTF-8 sequence: its length and code point, or an invalid byte.
        size_t n = 0;
        uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF)
            n = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 4, cp = c & 0x07;
        bool valid = n != 0 && i + n <= in.size();
        for (size_t k = 1; valid && k < n; ++k) {
            const auto cc = static_cast<unsigned char>(in[i + k]);
            valid = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (valid &&
            ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
            valid = false;
        if (!valid) {
            byte_escape(c);
            ++i;
            continue;
        }
        const bool c1 = cp >= 0x80 && cp <= 0x9F;
        const bool bidi = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
        const bool separator = cp == 0x2028 || cp == 0x2029;
        if (c1 || bidi || separator) {
            out += "\\u";
            for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 15];
        } else {
            out.append(in.data() + i, n);
        }
        i += n;
    }
    return out;
}

}  // namespace vram
