// A small GGUF writer for the unit tests (the layout of ../../core/estimator/gguf.hpp): each test builds the
// exact bytes it parses, so every field and every malformed case is visible in the test itself.
#pragma once
#include <algorithm>
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

// The GGUF header of a llama-shaped model (llama.cpp tensor names, ggml dims innermost first), for tests of the
// layers above the parser. Tensors: token_embd, blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm,
// ffn_gate, ffn_up, ffn_down}, output_norm, output (unless tied). Matrices take `matrix_type`, output `output_type`.
struct LlamaGguf {
    std::string arch = "llama";
    uint32_t layers = 2, hidden = 256, ffn = 512, heads = 4, kv_heads = 2, vocab = 1024, context = 4096;
    uint32_t file_type = 15;                   // llama_ftype MOSTLY_Q4_K_M
    uint32_t matrix_type = 12;                 // Q4_K
    uint32_t output_type = 14;                 // Q6_K
    bool tied = false;                         // no output.weight
    std::vector<uint32_t> kv_heads_per_layer;  // head_count_kv as a per-layer array (0 = recurrent layer)
    uint32_t split_no = 0, split_count = 0;    // split.no / split.count keys when split_count > 0
    bool architecture_keys = true;             // false: a later shard without the hyperparameters
    std::vector<std::string> only;             // tensor names to keep (a shard's share); empty = all
    // Extra metadata written verbatim after the standard keys: {count, bytes}.
    uint32_t extra_kv = 0;
    std::string extra;
};

struct BuiltGguf {
    std::string header;  // magic … tensor infos
    uint64_t size = 0;   // full file size: data section start + tensor data
};

inline uint64_t ggml_size(uint32_t type, uint64_t n) {
    switch (type) {
        case 0:
            return n * 4;
        case 1:
        case 30:
            return n * 2;
        case 2:
            return n / 32 * 18;
        case 8:
            return n / 32 * 34;
        case 10:
            return n / 256 * 84;
        case 11:
            return n / 256 * 110;
        case 12:
            return n / 256 * 144;
        case 13:
            return n / 256 * 176;
        case 14:
            return n / 256 * 210;
        default:
            return 0;
    }
}

inline BuiltGguf build_llama_gguf(const LlamaGguf& g) {
    struct T {
        std::string name;
        std::vector<uint64_t> ne;
        uint32_t type;
    };
    std::vector<T> all;
    all.push_back({"token_embd.weight", {g.hidden, g.vocab}, g.matrix_type});
    const uint64_t kv = static_cast<uint64_t>(g.kv_heads) * (g.hidden / g.heads);
    for (uint32_t il = 0; il < g.layers; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        all.push_back({b + "attn_norm.weight", {g.hidden}, 0});
        all.push_back({b + "attn_q.weight", {g.hidden, g.hidden}, g.matrix_type});
        all.push_back({b + "attn_k.weight", {g.hidden, kv}, g.matrix_type});
        all.push_back({b + "attn_v.weight", {g.hidden, kv}, g.matrix_type});
        all.push_back({b + "attn_output.weight", {g.hidden, g.hidden}, g.matrix_type});
        all.push_back({b + "ffn_norm.weight", {g.hidden}, 0});
        all.push_back({b + "ffn_gate.weight", {g.hidden, g.ffn}, g.matrix_type});
        all.push_back({b + "ffn_up.weight", {g.hidden, g.ffn}, g.matrix_type});
        all.push_back({b + "ffn_down.weight", {g.ffn, g.hidden}, g.matrix_type});
    }
    all.push_back({"output_norm.weight", {g.hidden}, 0});
    if (!g.tied) all.push_back({"output.weight", {g.hidden, g.vocab}, g.output_type});
    std::vector<T> kept;
    for (const auto& t : all)
        if (g.only.empty() || std::find(g.only.begin(), g.only.end(), t.name) != g.only.end()) kept.push_back(t);

    GgufWriter w;
    const std::string p = g.arch + ".";
    const uint32_t n_kv = (g.architecture_keys ? 10 : 0) + (g.split_count ? 2 : 0) + g.extra_kv;
    w.header(kept.size(), n_kv);
    if (g.architecture_keys) {
        w.kv_str("general.architecture", g.arch);
        w.kv_u32("general.file_type", g.file_type);
        w.kv_u32(p + "block_count", g.layers);
        w.kv_u32(p + "context_length", g.context);
        w.kv_u32(p + "embedding_length", g.hidden);
        w.kv_u32(p + "feed_forward_length", g.ffn);
        w.kv_u32(p + "attention.head_count", g.heads);
        if (g.kv_heads_per_layer.empty())
            w.kv_u32(p + "attention.head_count_kv", g.kv_heads);
        else
            w.kv_u32_array(p + "attention.head_count_kv", g.kv_heads_per_layer);
        w.kv_u32(p + "rope.dimension_count", g.hidden / g.heads);
        w.kv_u32(p + "vocab_size", g.vocab);
    }
    if (g.split_count) {
        w.key("split.no", 2).u16(g.split_no);
        w.key("split.count", 2).u16(g.split_count);
    }
    w.raw(g.extra);
    uint64_t offset = 0;
    for (const auto& t : kept) {
        w.tensor(t.name, t.ne, t.type, offset);
        uint64_t n = 1;
        for (uint64_t d : t.ne) n *= d;
        offset += (ggml_size(t.type, n) + 31) / 32 * 32;
    }
    BuiltGguf out;
    out.header = w.bytes;
    out.size = (w.bytes.size() + 31) / 32 * 32 + offset;
    return out;
}

}  // namespace vram::test
