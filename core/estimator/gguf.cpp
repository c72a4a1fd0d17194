#include "estimator/gguf.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "estimator/checked_math.hpp"

namespace vram {
namespace {

constexpr uint64_t kInt64Max = 0x7FFF'FFFF'FFFF'FFFFull;
// Smallest records: magic + version + two counts; a tensor info with an empty name and no dimensions
// (8 + 4 + 4 + 8); a kv with an empty key and a UINT8 value (8 + 4 + 1).
constexpr uint64_t kGgufMinHeaderBytes = 24;
constexpr uint64_t kGgufMinTensorInfoBytes = 24;
constexpr uint64_t kGgufMinKvBytes = 13;

std::string where(std::string_view file, uint64_t pos) {
    return " at byte " + std::to_string(pos) + " of " + std::string(file);
}

// Bytes of a fixed-size metadata type; 0 for string and array.
uint32_t scalar_bytes(GgufType t) {
    switch (t) {
        case GgufType::u8:
        case GgufType::i8:
        case GgufType::boolean:
            return 1;
        case GgufType::u16:
        case GgufType::i16:
            return 2;
        case GgufType::u32:
        case GgufType::i32:
        case GgufType::f32:
            return 4;
        case GgufType::u64:
        case GgufType::i64:
        case GgufType::f64:
            return 8;
        case GgufType::string:
        case GgufType::array:
            return 0;
    }
    return 0;
}

// Reads little- or big-endian numbers from a prefix; a read past its end records how far the prefix must reach.
class Reader {
  public:
    Reader(std::string_view bytes, bool big_endian) : b_(bytes), be_(big_endian) {}
    uint64_t pos = 0;
    uint64_t need = 0;  // > 0 after a read past the end: the prefix must hold at least this many bytes

    bool take(uint64_t n, const char*& p) {
        if (b_.size() - pos < n) {
            need = pos + n;
            return false;
        }
        p = b_.data() + pos;
        pos += n;
        return true;
    }
    bool uint(uint32_t bytes, uint64_t& out) {
        const char* p = nullptr;
        if (!take(bytes, p)) return false;
        out = 0;
        for (uint32_t k = 0; k < bytes; ++k) {
            const uint32_t idx = be_ ? k : bytes - 1 - k;
            out = (out << 8) | static_cast<uint8_t>(p[idx]);
        }
        return true;
    }
    bool u32(uint32_t& out) {
        uint64_t v = 0;
        if (!uint(4, v)) return false;
        out = static_cast<uint32_t>(v);
        return true;
    }
    bool u64(uint64_t& out) { return uint(8, out); }
    uint64_t remaining() const { return b_.size() - pos; }

  private:
    std::string_view b_;
    bool be_;
};

// Shared state of one parse: where errors go.
struct Parse {
    GgufFile& out;
    Reader& r;
    std::string_view file;
    bool fail(ErrorCode code, const std::string& message) {
        out.error = make_error(code, message);
        return false;
    }
};

bool read_string(Parse& p, std::string* into, const char* what) {
    const uint64_t at = p.r.pos;
    uint64_t len = 0;
    if (!p.r.u64(len)) return false;
    if (len > kGgufMaxStringBytes)
        return p.fail(ErrorCode::gguf_string_too_long, std::string(what) + " length " + std::to_string(len) +
                                                           " exceeds the 10 MB limit" + where(p.file, at));
    const char* s = nullptr;
    if (!p.r.take(len, s)) return false;
    if (into) into->assign(s, len);
    return true;
}

bool read_type(Parse& p, GgufType& t, const std::string& key) {
    const uint64_t at = p.r.pos;
    uint32_t v = 0;
    if (!p.r.u32(v)) return false;
    if (v > static_cast<uint32_t>(GgufType::f64))
        return p.fail(ErrorCode::gguf_bad_value_type, "value type " + std::to_string(v) + " of \"" + key +
                                                          "\" is not a GGUF type (0..12)" + where(p.file, at));
    t = static_cast<GgufType>(v);
    return true;
}

void set_scalar(GgufValue& v, GgufType t, uint64_t raw) {
    v.type = t;
    switch (t) {
        case GgufType::u8:
        case GgufType::u16:
        case GgufType::u32:
        case GgufType::u64:
        case GgufType::boolean:
            v.u = raw;
            v.i = raw <= kInt64Max ? static_cast<int64_t>(raw) : 0;
            v.f = static_cast<double>(raw);
            break;
        case GgufType::i8:
            v.i = static_cast<int8_t>(raw);
            break;
        case GgufType::i16:
            v.i = static_cast<int16_t>(raw);
            break;
        case GgufType::i32:
            v.i = static_cast<int32_t>(raw);
            break;
        case GgufType::i64:
            v.i = static_cast<int64_t>(raw);
            break;
        case GgufType::f32: {
            const uint32_t bits = static_cast<uint32_t>(raw);
            float f = 0;
            static_assert(sizeof f == 4, "float is 32 bits");
            std::memcpy(&f, &bits, 4);
            v.f = f;
            break;
        }
        case GgufType::f64: {
            double d = 0;
            std::memcpy(&d, &raw, 8);
            v.f = d;
            break;
        }
        default:
            break;
    }
    if (t == GgufType::i8 || t == GgufType::i16 || t == GgufType::i32 || t == GgufType::i64) {
        v.u = v.i >= 0 ? static_cast<uint64_t>(v.i) : 0;
        v.f = static_cast<double>(v.i);
    }
}

bool read_value(Parse& p, GgufType t, GgufValue* v, const std::string& key, uint32_t depth);

bool read_array(Parse& p, GgufValue* v, const std::string& key, uint32_t depth) {
    if (depth > kGgufMaxArrayDepth)
        return p.fail(ErrorCode::gguf_array_too_deep, "arrays of \"" + key + "\" nest deeper than " +
                                                          std::to_string(kGgufMaxArrayDepth) + " levels" +
                                                          where(p.file, p.r.pos));
    GgufType elem = GgufType::u8;
    if (!read_type(p, elem, key)) return false;
    const uint64_t at = p.r.pos;
    uint64_t n = 0;
    if (!p.r.u64(n)) return false;
    if (n > kGgufMaxArrayLength)
        return p.fail(ErrorCode::gguf_array_too_long, "array \"" + key + "\" has " + std::to_string(n) +
                                                          " elements, more than the limit of 1,000,000" +
                                                          where(p.file, at));
    const bool keep = v != nullptr && n <= kGgufKeptArrayElements;
    if (v) {
        v->type = GgufType::array;
        v->elem_type = elem;
        v->n_elements = n;
    }
    if (const uint32_t size = scalar_bytes(elem); size && !keep) {
        const char* skip = nullptr;
        return p.r.take(n * size, skip);  // n ≤ 10^6 and size ≤ 8: no overflow
    }
    if (keep) v->elements.reserve(static_cast<size_t>(std::min<uint64_t>(n, p.r.remaining() + 1)));
    for (uint64_t k = 0; k < n; ++k) {
        if (keep) {
            v->elements.emplace_back();
            if (!read_value(p, elem, &v->elements.back(), key, depth)) return false;
        } else if (!read_value(p, elem, nullptr, key, depth)) {
            return false;
        }
    }
    return true;
}

// Reads one value of type t; v == nullptr validates and skips it.
bool read_value(Parse& p, GgufType t, GgufValue* v, const std::string& key, uint32_t depth) {
    if (t == GgufType::string) {
        if (v) v->type = GgufType::string;
        return read_string(p, v ? &v->s : nullptr, ("string value of \"" + key + "\"").c_str());
    }
    if (t == GgufType::array) return read_array(p, v, key, depth + 1);
    uint64_t raw = 0;
    if (!p.r.uint(scalar_bytes(t), raw)) return false;
    if (v) set_scalar(*v, t, raw);
    return true;
}

bool is_power_of_two(uint64_t x) { return x && (x & (x - 1)) == 0; }
uint64_t pad_to(uint64_t x, uint64_t a) { return x + (a - x % a) % a; }

bool parse_tensor_info(Parse& p, GgufTensor& t) {
    if (!read_string(p, &t.name, "tensor name")) return false;
    const uint64_t at = p.r.pos;
    uint32_t n_dims = 0;
    if (!p.r.u32(n_dims)) return false;
    if (n_dims > kGgufMaxDims)
        return p.fail(ErrorCode::gguf_too_many_dims, "tensor \"" + t.name + "\" has " + std::to_string(n_dims) +
                                                         " dimensions, more than " + std::to_string(kGgufMaxDims) +
                                                         where(p.file, at));
    t.ne.resize(n_dims);
    for (auto& d : t.ne)
        if (!p.r.u64(d)) return false;
    uint32_t type = 0;
    const uint64_t type_at = p.r.pos;
    if (!p.r.u32(type)) return false;
    t.type = type;
    if (!p.r.u64(t.offset_bytes)) return false;

    // gguf.cpp: every ne within int64, and the element count must not overflow int64.
    uint64_t n = 1;
    for (uint64_t d : t.ne) {
        if (d > kInt64Max || (d != 0 && n > kInt64Max / d))
            return p.fail(ErrorCode::gguf_dim_invalid,
                          "the dimensions of tensor \"" + t.name + "\" overflow 63 bits" + where(p.file, at));
        n *= d;
    }
    t.n_elements = n;
    const GgmlTypeInfo* info = ggml_type_info(type);
    if (!info || info->block_elements == 0)
        return p.fail(ErrorCode::gguf_bad_tensor_type,
                      "tensor \"" + t.name + "\" has ggml type " + std::to_string(type) +
                          (info ? std::string(" (") + info->name + "), which was removed from the format"
                                : std::string(", which ggml does not define")) +
                          where(p.file, type_at));
    const uint64_t ne0 = t.ne.empty() ? 1 : t.ne[0];
    if (ne0 % info->block_elements != 0)
        return p.fail(ErrorCode::gguf_dim_not_block_multiple,
                      "tensor \"" + t.name + "\" of type " + info->name + " has ne[0] = " + std::to_string(ne0) +
                          ", not a multiple of its block of " + std::to_string(info->block_elements) +
                          where(p.file, at));
    // n < 2^63, but 2^62 F32 elements are 2^64 bytes: the byte count is checked too.
    if (!checked_mul(n / info->block_elements, info->block_bytes, t.bytes))
        return p.fail(ErrorCode::gguf_dim_invalid, "the byte size of tensor \"" + t.name + "\" (" + std::to_string(n) +
                                                       " elements of " + info->name + ") overflows 64 bits" +
                                                       where(p.file, at));
    return true;
}

}  // namespace

const char* gguf_type_name(GgufType t) {
    static const char* kNames[] = {"UINT8", "INT8",   "UINT16", "INT16",  "UINT32", "INT32",  "FLOAT32",
                                   "BOOL",  "STRING", "ARRAY",  "UINT64", "INT64",  "FLOAT64"};
    const auto i = static_cast<uint32_t>(t);
    return i < 13 ? kNames[i] : "?";
}

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufType::f32:
        case GgufType::f64:
        case GgufType::string:
        case GgufType::array:
            return false;
        default:
            return true;
    }
}

const std::vector<GgmlTypeInfo>& ggml_types() {
    // ggml.h enum ggml_type; block sizes and bytes from ggml.c type_traits and the ggml-common.h static_asserts
    // (QK_K = 256). Rows with block_elements 0 are ids the format removed ("support has been removed").
    static const std::vector<GgmlTypeInfo> kTable = {
        {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
        {4, "Q4_2", 0, 0},        {5, "Q4_3", 0, 0},        {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},
        {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},      {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},
        {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},   {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},
        {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},  {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},
        {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},  {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136},
        {24, "I8", 1, 1},         {25, "I16", 1, 2},        {26, "I32", 1, 4},        {27, "I64", 1, 8},
        {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},   {30, "BF16", 1, 2},       {31, "Q4_0_4_4", 0, 0},
        {32, "Q4_0_4_8", 0, 0},   {33, "Q4_0_8_8", 0, 0},   {34, "TQ1_0", 256, 54},   {35, "TQ2_0", 256, 66},
        {36, "IQ4_NL_4_4", 0, 0}, {37, "IQ4_NL_4_8", 0, 0}, {38, "IQ4_NL_8_8", 0, 0}, {39, "MXFP4", 32, 17},
        {40, "NVFP4", 64, 36},    {41, "Q1_0", 128, 18},    {42, "Q2_0", 64, 18},
    };
    return kTable;
}

const GgmlTypeInfo* ggml_type_info(uint32_t id) {
    const auto& t = ggml_types();
    return id < t.size() ? &t[id] : nullptr;
}

const GgmlTypeInfo* ggml_type_by_name(std::string_view name) {
    for (const auto& t : ggml_types())
        if (t.block_elements && name == t.name) return &t;
    return nullptr;
}

uint64_t ggml_bytes(const GgmlTypeInfo& t, uint64_t n) {
    if (!t.block_elements) return 0;
    return (n + t.block_elements - 1) / t.block_elements * t.block_bytes;
}

const char* llama_ftype_name(uint32_t ftype) {
    struct Row {
        uint32_t id;
        const char* name;
    };
    // llama.h enum llama_ftype (LLAMA_FTYPE_ALL_F32 … MOSTLY_Q2_0; 4-6 and 33-35 were removed, 1024 = GUESSED).
    static const Row kTable[] = {
        {0, "F32"},     {1, "F16"},        {2, "Q4_0"},    {3, "Q4_1"},       {4, "Q4_1_SOME_F16"}, {7, "Q8_0"},
        {8, "Q5_0"},    {9, "Q5_1"},       {10, "Q2_K"},   {11, "Q3_K_S"},    {12, "Q3_K_M"},       {13, "Q3_K_L"},
        {14, "Q4_K_S"}, {15, "Q4_K_M"},    {16, "Q5_K_S"}, {17, "Q5_K_M"},    {18, "Q6_K"},         {19, "IQ2_XXS"},
        {20, "IQ2_XS"}, {21, "Q2_K_S"},    {22, "IQ3_XS"}, {23, "IQ3_XXS"},   {24, "IQ1_S"},        {25, "IQ4_NL"},
        {26, "IQ3_S"},  {27, "IQ3_M"},     {28, "IQ2_S"},  {29, "IQ2_M"},     {30, "IQ4_XS"},       {31, "IQ1_M"},
        {32, "BF16"},   {36, "TQ1_0"},     {37, "TQ2_0"},  {38, "MXFP4_MOE"}, {39, "NVFP4"},        {40, "Q1_0"},
        {41, "Q2_0"},   {1024, "GUESSED"},
    };
    for (const auto& r : kTable)
        if (r.id == ftype) return r.name;
    return nullptr;
}

const GgufValue* GgufFile::find(const std::string& key) const {
    auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
}

GgufFile parse_gguf(std::string_view prefix, std::string_view file, uint64_t file_size) {
    GgufFile out;
    const std::string name(file);
    // The first 8 bytes decide the byte order; with fewer, ask for the fixed header.
    if (prefix.size() < 4) {
        out.need_bytes = 24;
    } else if (prefix.substr(0, 4) != "GGUF") {
        out.error = make_error(ErrorCode::gguf_bad_magic,
                               name + " does not start with \"GGUF\" (a GGUF file's magic bytes 47 47 55 46)");
        return out;
    }
    if (!out.need_bytes && prefix.size() < 8) out.need_bytes = 24;
    bool be = false;
    if (!out.need_bytes) {
        uint32_t le = 0;
        for (int k = 3; k >= 0; --k) le = (le << 8) | static_cast<uint8_t>(prefix[4 + static_cast<size_t>(k)]);
        be = (le & 0xFFFF) == 0;  // a small version read with the wrong byte order has zero low bytes
        out.big_endian = be;
    }
    Reader r(prefix, be);
    Parse p{out, r, file};
    auto run = [&]() -> bool {
        if (out.need_bytes) return false;
        r.pos = 4;
        if (!r.u32(out.version)) return false;
        if (out.version != 2 && out.version != 3)
            return p.fail(
                ErrorCode::gguf_bad_version,
                "GGUF version " + std::to_string(out.version) + " in " + name +
                    (out.version == 1 ? " (version 1, with 32-bit counts, predates 2023-08-27 and is not read)" : "") +
                    "; versions 2 and 3 are read");
        if (!r.u64(out.n_tensors) || !r.u64(out.n_kv)) return false;
        if (out.n_kv > kGgufMaxKvCount)
            return p.fail(ErrorCode::gguf_too_many_kv,
                          "metadata_kv_count " + std::to_string(out.n_kv) + " exceeds the limit of 100,000 in " + name);
        if (out.n_tensors > kGgufMaxTensorCount)
            return p.fail(ErrorCode::gguf_too_many_tensors, "tensor_count " + std::to_string(out.n_tensors) +
                                                                " exceeds the limit of 10,000,000 in " + name);
        // The smallest tensor info is 24 bytes (empty name, no dims) and the smallest kv 13: counts whose records
        // cannot fit in the read limit are refused before anything is read or allocated.
        if (kGgufMinHeaderBytes + out.n_tensors * kGgufMinTensorInfoBytes + out.n_kv * kGgufMinKvBytes >
            kGgufMaxPrefixBytes)
            return p.fail(ErrorCode::gguf_prefix_too_large, "tensor_count " + std::to_string(out.n_tensors) +
                                                                " and metadata_kv_count " + std::to_string(out.n_kv) +
                                                                " need more than the 64 MiB read limit in " + name);
        for (uint64_t k = 0; k < out.n_kv; ++k) {
            const uint64_t at = r.pos;
            std::string key;
            if (!read_string(p, &key, "key")) return false;
            GgufType t = GgufType::u8;
            if (!read_type(p, t, key)) return false;
            GgufValue v;
            if (!read_value(p, t, &v, key, 0)) return false;
            if (!out.metadata.emplace(key, std::move(v)).second)
                return p.fail(ErrorCode::gguf_duplicate_key,
                              "metadata key \"" + key + "\" appears twice" + where(file, at));
        }
        if (const GgufValue* a = out.find("general.alignment")) {
            if (a->type != GgufType::u32 || !is_power_of_two(a->u))
                return p.fail(ErrorCode::gguf_bad_alignment,
                              std::string("general.alignment must be a UINT32 power of two, got ") +
                                  gguf_type_name(a->type) + " " +
                                  (a->is_integer() ? std::to_string(a->u) : std::string("value")) + " in " + name);
            out.alignment_bytes = static_cast<uint32_t>(a->u);
        }
        // Never reserve more tensor infos than the rest of the prefix can hold.
        out.tensors.reserve(
            static_cast<size_t>(std::min<uint64_t>(out.n_tensors, r.remaining() / kGgufMinTensorInfoBytes + 1)));
        std::set<std::string_view> names;
        for (uint64_t k = 0; k < out.n_tensors; ++k) {
            out.tensors.emplace_back();
            if (!parse_tensor_info(p, out.tensors.back())) return false;
        }
        for (const auto& t : out.tensors)
            if (!names.insert(t.name).second)
                return p.fail(ErrorCode::gguf_duplicate_key, "tensor \"" + t.name + "\" appears twice in " + name);
        out.header_bytes = r.pos;
        out.data_offset_bytes = pad_to(r.pos, out.alignment_bytes);
        // gguf.cpp: every tensor starts where the previous one ends, rounded up to the alignment.
        uint64_t expected = 0;
        for (const auto& t : out.tensors) {
            if (t.offset_bytes != expected)
                return p.fail(ErrorCode::gguf_offset_invalid, "tensor \"" + t.name + "\" has data offset " +
                                                                  std::to_string(t.offset_bytes) + ", expected " +
                                                                  std::to_string(expected) + " in " + name);
            out.data_bytes = t.offset_bytes + t.bytes;
            if (out.data_bytes < t.offset_bytes || out.data_bytes > kInt64Max)
                return p.fail(ErrorCode::gguf_offset_invalid,
                              "the data of tensor \"" + t.name + "\" ends past 2^63 in " + name);
            expected = pad_to(out.data_bytes, out.alignment_bytes);
        }
        if (file_size && out.data_offset_bytes + out.data_bytes > file_size)
            return p.fail(ErrorCode::gguf_offset_invalid,
                          "tensor data ends at byte " + std::to_string(out.data_offset_bytes + out.data_bytes) +
                              " but " + name + " has " + std::to_string(file_size) + " bytes");
        return true;
    };
    if (!run() && !out.error) {
        if (!out.need_bytes) out.need_bytes = r.need;
        if (file_size && out.need_bytes > file_size) {
            out.error = make_error(ErrorCode::gguf_truncated, name + " ends after " + std::to_string(file_size) +
                                                                  " bytes, inside its header (it needs at least " +
                                                                  std::to_string(out.need_bytes) + ")");
        } else if (out.need_bytes > kGgufMaxPrefixBytes) {
            out.error =
                make_error(ErrorCode::gguf_prefix_too_large, "the header, metadata and tensor infos of " + name +
                                                                 " need more than the 64 MiB read limit (at least " +
                                                                 std::to_string(out.need_bytes) + " bytes)");
        }
    }
    if (out.error) out.need_bytes = 0;
    return out;
}

}  // namespace vram
