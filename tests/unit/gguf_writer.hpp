// A small GGUF writer for the unit tests (the layout of ../../core/estimator/gguf.hpp): each test builds the
// exact bytes it parses, so every field and every malformed case is visible in the test itself.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vram::test {

class GgufWriter {
public:
    explicit GgufWriter(bool big_endian = false) : be_(big_endian) {}
    std::string bytes;

    GgufWriter& raw(const std::string& s) {
        bytes += s;
        return *this;
    }
    GgufWriter& uint(uint64_t v, int n) {
        for (int k = 0; k < n; ++k) {
            const int shift = 8 * (be_ ? n - 1 - k : k);
            bytes += static_cast<char>((v >> shift) & 0xff);
        }
        return *this;
    }
    GgufWriter& u8(uint64_t v) { return uint(v, 1); }
    GgufWriter& u16(uint64_t v) { return uint(v, 2); }
    GgufWriter& u32(uint64_t v) { return uint(v, 4); }
    GgufWriter& u64(uint64_t v) { return uint(v, 8); }
    GgufWriter& f32(float f) {
        uint32_t b = 0;
        std::memcpy(&b, &f, 4);
        return u32(b);
    }
    GgufWriter& f64(double d) {
        uint64_t b = 0;
        std::memcpy(&b, &d, 8);
        return u64(b);
    }
    GgufWriter& str(const std::string& s) {
        u64(s.size());
        bytes += s;
        return *this;
    }
    // "GGUF", version, tensor count, kv count.
    GgufWriter& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        raw("GGUF");
        u32(version);
        u64(n_tensors);
        return u64(n_kv);
    }
    // A key and its type; the caller writes the value.
    GgufWriter& key(const std::string& k, uint32_t type) {
        str(k);
        return u32(type);
    }
    GgufWriter& kv_u32(const std::string& k, uint32_t v) { return key(k, 4).u32(v); }
    GgufWriter& kv_f32(const std::string& k, float v) { return key(k, 6).f32(v); }
    GgufWriter& kv_str(const std::string& k, const std::string& v) { return key(k, 8).str(v); }
    GgufWriter& kv_u32_array(const std::string& k, const std::vector<uint32_t>& v) {
        key(k, 9).u32(4).u64(v.size());
        for (uint32_t x : v) u32(x);
        return *this;
    }
    GgufWriter& kv_str_array(const std::string& k, const std::vector<std::string>& v) {
        key(k, 9).u32(8).u64(v.size());
        for (const auto& x : v) str(x);
        return *this;
    }
    // A tensor info: name, dims innermost first, ggml type, offset.
    GgufWriter& tensor(const std::string& name, const std::vector<uint64_t>& ne, uint32_t type, uint64_t offset) {
        str(name);
        u32(ne.size());
        for (uint64_t d : ne) u64(d);
        u32(type);
        return u64(offset);
    }
    // Zero bytes up to the next multiple of `alignment` (the data section starts there).
    GgufWriter& pad(uint64_t alignment = 32) {
        while (bytes.size() % alignment) bytes += '\0';
        return *this;
    }

private:
    bool be_;
};

}  // namespace vram::test
