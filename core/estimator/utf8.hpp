// One well-formed UTF-8 sequence (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), the
// set nlohmann and JSON.parse accept: the JSON scanner (json_scanner.hpp), the report writer (json_writer.cpp) and
// the snapshot writer (snapshot.cpp) all check bytes at or above 0x80 with it.
//
// Internal linkage on purpose, as json_scanner.hpp: each file that includes it keeps its own copy, built with that
// file's optimisation flags (the header parser at -O2 in the wasm build, the rest at -Oz).
#pragma once
#include <cstddef>
#include <cstdint>

namespace vram {
namespace {  // NOLINT(google-build-namespaces, cert-dcl59-cpp): see above

// The length of the sequence starting at u[0] (u[0] >= 0x80) within `left` bytes; 0 when it is not one.
inline size_t utf8_sequence(const unsigned char* u, size_t left) {
    size_t n = 0;
    uint32_t cp = 0;
    if (u[0] >= 0xC2 && u[0] <= 0xDF)
        n = 2, cp = u[0] & 0x1F;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF)
        n = 3, cp = u[0] & 0x0F;
    else if (u[0] >= 0xF0 && u[0] <= 0xF4)
        n = 4, cp = u[0] & 0x07;
    else
        return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; ++i) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

}  // namespace
}  // namespace vram
