// Fuzz target: the safetensors prefix of a weight file — u64 little-endian N, then N bytes of JSON.
// Input = the first bytes of a file exactly as the Hub client receives them (the fixtures' weight
// files are such prefixes). Drives read_header_length (file size unknown, and the input's own size)
// and parse_safetensors_header (file size unknown, then one byte more than the header implies, so
// the end-of-file checks run too). An input that starts with '{' is also parsed as a bare header.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "estimator/safetensors.hpp"

using namespace vram;

static void check(const SafetensorsHeader& h) {
    if (h.error) return;
    // On success the tensors are contiguous from 0 to data_bytes: the invariant callers rely on.
    uint64_t cursor = 0;
    for (const auto& t : h.tensors) {
        if (t.begin_bytes != cursor || t.end_bytes < t.begin_bytes) __builtin_trap();
        cursor = t.end_bytes;
    }
    if (cursor != h.data_bytes) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string_view file = "fuzz/model.safetensors";

    (void)read_header_length(input, file, size);
    HeaderLength len = read_header_length(input, file, 0);
    if (!len.error) {
        if (len.header_bytes == 0 || len.header_bytes > kMaxHeaderBytes)
            __builtin_trap();  // accepted lengths are bounded
        const uint64_t have = size - kHeaderPrefixBytes;
        // The client passes exactly N bytes; a shorter prefix is what a truncated read would give.
        const std::string_view header =
            input.substr(kHeaderPrefixBytes, len.header_bytes <= have ? len.header_bytes : have);
        SafetensorsHeader h = parse_safetensors_header(header, file, 0);
        check(h);
        if (!h.error) {
            // The file size the header implies (8 + N + data) must be accepted; one byte more is a hole.
            const uint64_t implied = kHeaderPrefixBytes + header.size() + h.data_bytes;
            SafetensorsHeader exact = parse_safetensors_header(header, file, implied);
            if (exact.error) __builtin_trap();
            SafetensorsHeader over = parse_safetensors_header(header, file, implied + 1);
            if (implied + 1 != 0 && over.error.code != ErrorCode::offsets_hole) __builtin_trap();
        }
    }
    if (!input.empty() && input[0] == '{') check(parse_safetensors_header(input, file, 0));
    return 0;
}
