// memcpy, memmove and memset for the wasm build, on WebAssembly's bulk-memory instructions (memory.copy,
// memory.fill) for all but the shortest runs.
//
// Why: the build links with -Oz, and emscripten 3.1.6 then links the "-Oz" variant of its libc, whose memcpy is a
// byte-at-a-time loop (system/lib/libc/emscripten_memcpy.c under EMSCRIPTEN_OPTIMIZE_FOR_OZ; memset and memmove
// likewise). Every copy of a response body into the core, every string the parsers build, went through it: on
// DeepSeek-R1's 27 MB of metadata the byte loop alone took ~140 ms of the page's worker (scripts/bench, a CPU profile
// of the worker). libc defines these three weakly, so the strong definitions here take their place.
//
// This file is compiled with -mbulk-memory and without LTO (CMakeLists.txt), as emscripten compiles its own
// memcpy: calls to memcpy are made by code generation after LTO, so the definition must not be bitcode.
// Bulk memory runs in every engine that runs the wasm exceptions the build already needs (Chromium 75+,
// Firefox 79+, Safari 15+, Node 12.5+).
#include <cstddef>
#include <cstdint>

namespace {
// Below this length a plain loop beats a call into the engine's memory.copy / memory.fill.
constexpr size_t kBulkFrom = 32;
}  // namespace

extern "C" {

void* memcpy(void* __restrict dest, const void* __restrict src, size_t n) {
    if (n >= kBulkFrom) {
        __builtin_memcpy(dest, src, n);  // memory.copy under -mbulk-memory
        return dest;
    }
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
#pragma clang loop unroll(disable)
    while (n--) *d++ = *s++;
    return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
    if (n >= kBulkFrom) {
        __builtin_memmove(dest, src, n);  // memory.copy allows overlap
        return dest;
    }
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s || d >= s + n) {
#pragma clang loop unroll(disable)
        while (n--) *d++ = *s++;
    } else {
        d += n;
        s += n;
#pragma clang loop unroll(disable)
        while (n--) *--d = *--s;
    }
    return dest;
}

void* memset(void* dest, int c, size_t n) {
    if (n >= kBulkFrom) {
        __builtin_memset(dest, c, n);  // memory.fill
        return dest;
    }
    auto* d = static_cast<unsigned char*>(dest);
#pragma clang loop unroll(disable)
    while (n--) *d++ = static_cast<unsigned char>(c);
    return dest;
}

}  // extern "C"
