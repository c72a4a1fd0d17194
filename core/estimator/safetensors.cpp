#include "estimator/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include "estimator/checked_math.hpp"
#include "estimator/json_scanner.hpp"

namespace vram {
namespace {

std::string where(std::string_view file, std::string_view tensor) {
    return " (tensor \"" + std::string(tensor) + "\" in " + std::string(file) + ")";
}

// ---------------------------------------------------------------------------------------------
// A safetensors header is one object of tensor entries and an optional __metadata__ object, read
// with the Scanner of json_scanner.hpp: the whole document is validated as JSON, but no DOM is
// built: names and fields go straight into TensorInfo, and only what is kept is allocated — the
// 92k-tensor headers of a 671B MoE are read in one pass each. Syntax errors win over entry errors,
// as with a DOM parse: an entry's problem is remembered and reported only if the whole document is
// valid JSON.

// The keys the format names, as views: compared by length first, never through strlen.
constexpr std::string_view kMetadataKey = "__metadata__", kDtypeKey = "dtype", kShapeKey = "shape",
                           kOffsetsKey = "data_offsets";

// The fields of one tensor entry as read; checked against the format once the entry is complete.
struct Entry {
    bool is_object = false, has_dtype = false, has_shape = false, has_offsets = false;
    bool shape_unsigned = true, offsets_unsigned = true;
    std::string dtype;
    std::vector<uint64_t> shape, offsets;
    void reset() {  // keeps the buffers' capacity from one entry to the next
        is_object = has_dtype = has_shape = has_offsets = false;
        shape_unsigned = offsets_unsigned = true;
        dtype.clear();
        shape.clear();
        offsets.clear();
    }
};

std::string shape_text(const std::vector<uint64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

Error check_entry(const std::string& name, Entry& e, std::string_view file, TensorInfo& t,
                  std::vector<std::string>& warnings) {
    if (!e.is_object) return make_error(ErrorCode::tensor_entry_invalid, "entry is not an object" + where(file, name));
    if (!e.has_dtype)
        return make_error(ErrorCode::tensor_entry_invalid, "missing or non-string \"dtype\"" + where(file, name));
    if (!e.has_shape)
        return make_error(ErrorCode::tensor_entry_invalid, "missing or non-array \"shape\"" + where(file, name));
    if (!e.has_offsets || !e.offsets_unsigned || e.offsets.size() != 2)
        return make_error(ErrorCode::tensor_entry_invalid,
                          "\"data_offsets\" must be two non-negative integers" + where(file, name));
    t.dtype_name = e.dtype;
    t.dtype = dtype_from_name(t.dtype_name);
    if (t.dtype == DType::unknown)
        warnings.push_back("unknown dtype \"" + t.dtype_name + "\"" + where(file, name) +
                           ": its bytes are taken from data_offsets and it is not counted as parameters");
    if (!e.shape_unsigned)
        return make_error(ErrorCode::tensor_entry_invalid,
                          "shape dimensions must be non-negative integers" + where(file, name));
    uint64_t n = 1;
    for (uint64_t d : e.shape)
        if (!checked_mul(n, d, n))
            return make_error(ErrorCode::shape_overflow,
                              "the product of the shape overflows 64 bits" + where(file, name));
    t.shape.assign(e.shape.begin(), e.shape.end());
    t.n_elements = n;
    t.begin_bytes = e.offsets[0];
    t.end_bytes = e.offsets[1];
    if (t.begin_bytes > t.end_bytes)
        return make_error(ErrorCode::offsets_invalid, "data_offsets begin " + std::to_string(t.begin_bytes) +
                                                          " is after end " + std::to_string(t.end_bytes) +
                                                          where(file, name));
    if (t.dtype != DType::unknown) {
        uint64_t bits = 0;
        if (!checked_mul(n, dtype_bits(t.dtype), bits))
            return make_error(ErrorCode::shape_overflow, "element count × dtype width overflows" + where(file, name));
        if (bits % 8 != 0 || bits / 8 != t.bytes())
            return make_error(ErrorCode::shape_size_mismatch,
                              "shape " + shape_text(t.shape) + " of " + t.dtype_name + " needs " +
                                  std::to_string(bits) + " bits but data_offsets span " + std::to_string(t.bytes()) +
                                  " bytes" + where(file, name));
    }
    t.name = name;
    return {};
}

}  // namespace

HeaderLength read_header_length(std::string_view first_bytes, std::string_view file, uint64_t file_size) {
    HeaderLength out;
    if (first_bytes.size() < kHeaderPrefixBytes) {
        out.error = make_error(ErrorCode::header_too_short, "only " + std::to_string(first_bytes.size()) +
                                                                " bytes where the 8-byte header length of " +
                                                                std::string(file) + " should be");
        return out;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(first_bytes[static_cast<size_t>(i)]);
    out.header_bytes = n;
    if (n == 0) {
        out.error = make_error(ErrorCode::header_length_zero, "header length 0 in " + std::string(file));
    } else if (n > kMaxHeaderBytes) {
        out.error = make_error(ErrorCode::header_too_large, "header length " + std::to_string(n) +
                                                                " exceeds the 100 MB limit in " + std::string(file));
    } else if (file_size != 0 && n + kHeaderPrefixBytes > file_size) {
        out.error = make_error(ErrorCode::header_truncated,
                               "header length " + std::to_string(n) + " is longer than the file (" +
                                   std::to_string(file_size) + " bytes) in " + std::string(file));
    }
    return out;
}

namespace {

// The checks on the whole set of entries: no name twice, and the byte buffer entirely indexed and matching the
// file's size (tensor.rs validate()). Sets out.error (and clears the tensors) on the first problem.
void check_layout(SafetensorsHeader& out, std::string_view file, uint64_t file_size) {
    // A name given twice: JSON allows it, the Rust reader (serde into a map) does not — and which of
    // the two entries a loader keeps is undefined, so the header is malformed.
    // An open-addressing table of tensor indices (no allocation per name, unlike a node-based set: the 92k names
    // of a 163-shard repo are checked on every load).
    {
        const size_t n = out.tensors.size();
        size_t slots = 16;
        while (slots < 2 * n) slots *= 2;
        std::vector<uint32_t> table(slots, 0);  // tensor index + 1; 0 is empty
        const std::hash<std::string_view> hash;
        for (size_t i = 0; i < n; ++i) {
            const std::string_view name = out.tensors[i].name;
            for (size_t at = hash(name) & (slots - 1);; at = (at + 1) & (slots - 1)) {
                if (table[at] == 0) {
                    table[at] = static_cast<uint32_t>(i + 1);
                    break;
                }
                if (out.tensors[table[at] - 1].name == name) {
                    out.error = make_error(ErrorCode::tensor_duplicate, "the tensor name \"" + std::string(name) +
                                                                            "\" is given twice in the header of " +
                                                                            std::string(file));
                    out.tensors.clear();
                    return;
                }
            }
        }
    }
    // Into data_offsets order: most headers already are (then nothing moves); otherwise the order is found on
    // small keys and each entry moved once.
    const auto before = [](const TensorInfo& a, const TensorInfo& b) {
        return a.begin_bytes != b.begin_bytes ? a.begin_bytes < b.begin_bytes : a.end_bytes < b.end_bytes;
    };
    if (!std::is_sorted(out.tensors.begin(), out.tensors.end(), before)) {
        struct Key {
            uint64_t begin, end;
            uint32_t index;
        };
        std::vector<Key> keys;
        keys.reserve(out.tensors.size());
        for (size_t i = 0; i < out.tensors.size(); ++i)
            keys.push_back({out.tensors[i].begin_bytes, out.tensors[i].end_bytes, static_cast<uint32_t>(i)});
        std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end != b.end ? a.end < b.end : a.index < b.index;
        });
        std::vector<TensorInfo> sorted;
        sorted.reserve(keys.size());
        for (const Key& k : keys) sorted.push_back(std::move(out.tensors[k.index]));
        out.tensors = std::move(sorted);
    }
    // Contiguity: the byte buffer must be entirely indexed (no holes, no overlaps) — tensor.rs validate().
    uint64_t cursor = 0;
    for (const auto& t : out.tensors) {
        if (t.begin_bytes < cursor) {
            out.error = make_error(ErrorCode::offsets_overlap, "bytes " + std::to_string(t.begin_bytes) + ".." +
                                                                   std::to_string(cursor) + " belong to two tensors" +
                                                                   where(file, t.name));
            return;
        }
        if (t.begin_bytes > cursor) {
            out.error = make_error(ErrorCode::offsets_hole, "bytes " + std::to_string(cursor) + ".." +
                                                                std::to_string(t.begin_bytes) + " belong to no tensor" +
                                                                where(file, t.name));
            return;
        }
        cursor = t.end_bytes;
    }
    out.data_bytes = cursor;
    if (file_size != 0) {
        const uint64_t prefix = kHeaderPrefixBytes + out.header_bytes;
        const uint64_t available = file_size >= prefix ? file_size - prefix : 0;
        if (cursor > available) {
            const std::string name = out.tensors.empty() ? std::string("?") : out.tensors.back().name;
            out.error = make_error(ErrorCode::offsets_past_file,
                                   "data ends at byte " + std::to_string(prefix + cursor) + " but the file has " +
                                       std::to_string(file_size) + " bytes" + where(file, name));
            return;
        }
        if (cursor < available) {
            out.error = make_error(ErrorCode::offsets_hole,
                                   std::to_string(available - cursor) + " bytes at the end of " + std::string(file) +
                                       " (" + std::to_string(file_size) + " bytes) belong to no tensor");
            return;
        }
    }
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::string_view file, uint64_t file_size) {
    SafetensorsHeader out;
    out.header_bytes = header_json.size();
    Scanner sc{header_json.data(), header_json.data() + header_json.size(), header_json.data(), {}};
    Error entry_error;  // the first entry problem; reported only if the document is valid JSON
    sc.ws();
    if (sc.p < sc.end && *sc.p != '{') {
        const char* kind = "value";
        if (sc.skip(&kind)) {
            sc.ws();
            if (sc.p != sc.end) sc.fail("unexpected content after the value");
        }
        if (sc.syntax.empty())
            out.error = make_error(ErrorCode::header_not_object,
                                   "the header of " + std::string(file) + " is " + kind + ", not an object");
        else
            out.error = make_error(ErrorCode::header_not_json,
                                   "the header of " + std::string(file) + " is not valid JSON: " + sc.syntax);
        return out;
    }
    std::string key;
    Entry entry;
    // Real entries take 80-200 bytes of JSON each: room for the likely count up front, so that the tensors are not
    // moved again and again as the vector grows (capped: a hostile header's size says nothing).
    out.tensors.reserve(std::min<size_t>(header_json.size() / 96, 1u << 16));
    if (sc.expect('{') && !sc.eat('}')) {
        do {
            sc.ws();
            if (!sc.string(&key) || !sc.expect(':')) break;
            sc.ws();
            if (key == kMetadataKey) {
                if (sc.p < sc.end && *sc.p == '{') {
                    ++sc.p;
                    std::string mkey, mval;
                    if (!sc.eat('}')) {
                        do {
                            sc.ws();
                            if (!sc.string(&mkey) || !sc.expect(':')) break;
                            sc.ws();
                            if (sc.p < sc.end && *sc.p == '"') {
                                if (!sc.string(&mval)) break;
                                out.metadata[mkey] = mval;
                            } else {
                                if (!sc.skip()) break;
                                out.warnings.push_back("__metadata__ value \"" + mkey + "\" of " + std::string(file) +
                                                       " is not a string; ignored");
                            }
                        } while (sc.eat(','));
                        if (sc.syntax.empty()) sc.expect('}');
                    }
                } else {
                    if (!sc.skip()) break;
                    out.warnings.push_back("__metadata__ of " + std::string(file) + " is not an object; ignored");
                }
                continue;
            }
            entry.reset();
            if (sc.p < sc.end && *sc.p == '{') {
                entry.is_object = true;
                ++sc.p;
                std::string field;
                if (!sc.eat('}')) {
                    do {
                        sc.ws();
                        if (!sc.string(&field) || !sc.expect(':')) break;
                        sc.ws();
                        const bool is_string = sc.p < sc.end && *sc.p == '"';
                        const bool is_array = sc.p < sc.end && *sc.p == '[';
                        const std::string_view f = field;
                        if (f == kDtypeKey && is_string) {
                            entry.has_dtype = sc.string(&entry.dtype);
                        } else if (f == kShapeKey && is_array) {
                            entry.has_shape = sc.number_array(entry.shape, entry.shape_unsigned);
                        } else if (f == kOffsetsKey && is_array) {
                            entry.has_offsets = sc.number_array(entry.offsets, entry.offsets_unsigned);
                        } else {
                            if (f == kDtypeKey) entry.has_dtype = false;
                            if (f == kShapeKey) entry.has_shape = false;
                            if (f == kOffsetsKey) entry.has_offsets = false;
                            sc.skip();
                        }
                    } while (sc.syntax.empty() && sc.eat(','));
                    if (sc.syntax.empty()) sc.expect('}');
                }
            } else {
                sc.skip();
            }
            if (!sc.syntax.empty()) break;
            if (entry_error) continue;
            TensorInfo& t = out.tensors.emplace_back();
            if (Error e = check_entry(key, entry, file, t, out.warnings)) {
                out.tensors.pop_back();
                entry_error = std::move(e);
                continue;
            }
        } while (sc.syntax.empty() && sc.eat(','));
        if (sc.syntax.empty()) sc.expect('}');
    }
    if (sc.syntax.empty()) {
        sc.ws();
        if (sc.p != sc.end) sc.fail("unexpected content after the header object");
    }
    if (!sc.syntax.empty()) {
        out.tensors.clear();
        out.error = make_error(ErrorCode::header_not_json,
                               "the header of " + std::string(file) + " is not valid JSON: " + sc.syntax);
        return out;
    }
    if (entry_error) {
        out.tensors.clear();
        out.error = std::move(entry_error);
        return out;
    }
    if (out.tensors.capacity() > 2 * out.tensors.size() + 64) out.tensors.shrink_to_fit();  // a padded header
    check_layout(out, file, file_size);
    return out;
}

}  // namespace vram
