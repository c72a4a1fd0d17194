#include "estimator/safetensors.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>


namespace vram {
namespace {

using nlohmann::json;

std::string where(std::string_view file, std::string_view tensor) {
    return " (tensor \"" + std::string(tensor) + "\" in " + std::string(file) + ")";
}

// Multiplies with an overflow check; false when a × b does not fit in 64 bits.
bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
    if (a != 0 && b > UINT64_MAX / a) return false;
    out = a * b;
    return true;
}

Error parse_entry(const std::string& name, const json& entry, std::string_view file, TensorInfo& t,
                  std::vector<std::string>& warnings) {
    t.name = name;
    if (!entry.is_object())
        return make_error(ErrorCode::tensor_entry_invalid, "entry is not an object" + where(file, name));
    auto dtype = entry.find("dtype");
    auto shape = entry.find("shape");
    auto offsets = entry.find("data_offsets");
    if (dtype == entry.end() || !dtype->is_string())
        return make_error(ErrorCode::tensor_entry_invalid, "missing or non-string \"dtype\"" + where(file, name));
    if (shape == entry.end() || !shape->is_array())
        return make_error(ErrorCode::tensor_entry_invalid, "missing or non-array \"shape\"" + where(file, name));
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
        return make_error(ErrorCode::tensor_entry_invalid,
                          "\"data_offsets\" must be two non-negative integers" + where(file, name));

    t.dtype_name = dtype->get<std::string>();
    t.dtype = dtype_from_name(t.dtype_name);
    if (t.dtype == DType::unknown)
        warnings.push_back("unknown dtype \"" + t.dtype_name + "\"" + where(file, name) +
                           ": its bytes are taken from data_offsets and it is not counted as parameters");

    t.shape.reserve(shape->size());
    uint64_t n = 1;
    for (const auto& dim : *shape) {
        if (!dim.is_number_unsigned())
            return make_error(ErrorCode::tensor_entry_invalid,
                              "shape dimensions must be non-negative integers" + where(file, name));
        uint64_t d = dim.get<uint64_t>();
        t.shape.push_back(d);
        if (!checked_mul(n, d, n))
            return make_error(ErrorCode::shape_overflow, "the product of the shape overflows 64 bits" + where(file, name));
    }
    t.n_elements = n;
    t.begin_bytes = (*offsets)[0].get<uint64_t>();
    t.end_bytes = (*offsets)[1].get<uint64_t>();
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
                              "shape " + shape->dump() + " of " + t.dtype_name + " needs " + std::to_string(bits) +
                                  " bits but data_offsets span " + std::to_string(t.bytes()) + " bytes" +
                                  where(file, name));
    }
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
        out.error = make_error(ErrorCode::header_truncated, "header length " + std::to_string(n) +
                                                                " is longer than the file (" +
                                                                std::to_string(file_size) + " bytes) in " +
                                                                std::string(file));
    }
    return out;
}

SafetensorsHeader parse_safetensors_header(std::string_view header_json, std::string_view file, uint64_t file_size) {
    SafetensorsHeader out;
    out.header_bytes = header_json.size();
    json doc;
    try {
        doc = json::parse(header_json.begin(), header_json.end());
    } catch (const json::exception& e) {
        out.error = make_error(ErrorCode::header_not_json,
                               "the header of " + std::string(file) + " is not valid JSON: " + e.what());
        return out;
    }
    if (!doc.is_object()) {
        out.error = make_error(ErrorCode::header_not_object,
                               "the header of " + std::string(file) + " is " + doc.type_name() + ", not an object");
        return out;
    }
    out.tensors.reserve(doc.size());
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it->is_object()) {
                out.warnings.push_back("__metadata__ of " + std::string(file) + " is not an object; ignored");
                continue;
            }
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (m->is_string())
                    out.metadata[m.key()] = m->get<std::string>();
                else
                    out.warnings.push_back("__metadata__ value \"" + m.key() + "\" of " + std::string(file) +
                                           " is not a string; ignored");
            }
            continue;
        }
        TensorInfo t;
        if (Error e = parse_entry(it.key(), *it, file, t, out.warnings)) {
            out.error = std::move(e);
            return out;
        }
        out.tensors.push_back(std::move(t));
    }
    std::sort(out.tensors.begin(), out.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.begin_bytes != b.begin_bytes ? a.begin_bytes < b.begin_bytes : a.end_bytes < b.end_bytes;
    });
    // Contiguity: the byte buffer must be entirely indexed (no holes, no overlaps) — tensor.rs validate().
    uint64_t cursor = 0;
    for (const auto& t : out.tensors) {
        if (t.begin_bytes < cursor) {
            out.error = make_error(ErrorCode::offsets_overlap, "bytes " + std::to_string(t.begin_bytes) + ".." +
                                                                  std::to_string(cursor) +
                                                                  " belong to two tensors" + where(file, t.name));
            return out;
        }
        if (t.begin_bytes > cursor) {
            out.error = make_error(ErrorCode::offsets_hole, "bytes " + std::to_string(cursor) + ".." +
                                                               std::to_string(t.begin_bytes) +
                                                               " belong to no tensor" + where(file, t.name));
            return out;
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
            return out;
        }
        if (cursor < available) {
            out.error = make_error(ErrorCode::offsets_hole,
                                   std::to_string(available - cursor) + " bytes at the end of " + std::string(file) +
                                       " (" + std::to_string(file_size) + " bytes) belong to no tensor");
            return out;
        }
    }
    return out;
}

}  // namespace vram
