// Fuzz target: the GGUF prefix of a llama.cpp model file (parse_gguf, core/estimator/gguf.*) and the
// architecture read from its metadata (parse_gguf_architecture). Input = the first bytes of a .gguf
// file, as the Hub client would range-read them; parsed with the file size unknown and with the
// input's own size. A prefix that ends early must ask for more bytes than it has (else a reader
// asking again for need_bytes would loop forever).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "estimator/architecture.hpp"
#include "estimator/gguf.hpp"

using namespace vram;

static void check(const GgufFile& f, size_t size) {
    if (f.error) {
        if (f.need_bytes != 0) __builtin_trap();  // an error is final
        return;
    }
    if (f.needs_more()) {
        if (f.need_bytes <= size) __builtin_trap();  // no progress: the caller would loop
        return;
    }
    if (f.tensors.size() != f.n_tensors) __builtin_trap();
    if (f.header_bytes > size) __builtin_trap();  // a complete parse read only what it had
    ArchitectureResult a = parse_gguf_architecture(f, "fuzz/model.gguf");
    if (!a.error && a.arch.has_kv_cache && a.arch.layers.size() != a.arch.n_layers) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(parse_gguf(input, "fuzz/model.gguf", 0), size);
    if (size) check(parse_gguf(input, "fuzz/model.gguf", size), size);
    return 0;
}
