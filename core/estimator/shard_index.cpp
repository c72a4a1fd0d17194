// parse_shard_index (repo_layout.hpp): a "*.safetensors.index.json" read for its shard names, the tensors of each and
// the metadata totals, with the Scanner (json_scanner.hpp) instead of a DOM.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "estimator/json_scanner.hpp"
#include "estimator/repo_layout.hpp"

namespace vram {
namespace {

// What a shard index is read for: the distinct shard names (first-seen order), the tensors of each,
// and the metadata totals. Read with the Scanner (json_scanner.hpp): the whole document is validated
// as JSON, nothing else is kept — a 60 MB index never becomes a DOM, and the 8.9 MB of
// DeepSeek-R1's 91,991 names are read in one pass (nlohmann's lexer took ~285 ms of the page's
// load for it).
struct IndexRead {
    std::vector<std::string> shards;
    std::map<std::string, uint64_t> counts;
    uint64_t total_size = 0, total_params = 0;
    bool saw_weight_map = false;
};

// metadata.total_size / total_parameters: an unsigned integer as is; another number a uint64_t holds
// (1.5e10) rounded down; a negative one, one of 2^64 or more, or a non-number, read as absent.
bool read_total(Scanner& sc, uint64_t& into) {
    sc.ws();
    if (sc.p >= sc.end || (*sc.p != '-' && (*sc.p < '0' || *sc.p > '9'))) return sc.skip(nullptr, 2);
    const char* start = sc.p;
    uint64_t v = 0;
    const Num n = sc.number(v);
    if (n == Num::none) return false;
    if (n == Num::unsigned_int) {
        into = v;
        return true;
    }
    const double d = std::strtod(std::string(start, sc.p).c_str(), nullptr);
    if (d >= 0 && d < 18446744073709551616.0) into = static_cast<uint64_t>(d);
    return true;
}

// The weight_map's values (an object's member values, or an array's elements): each string names a
// shard; anything else is validated and skipped.
bool read_weight_map(Scanner& sc, IndexRead& out) {
    sc.ws();
    const bool object = sc.p < sc.end && *sc.p == '{';
    if (!object && (sc.p >= sc.end || *sc.p != '[')) return sc.skip(nullptr, 1);
    ++sc.p;
    if (sc.eat(object ? '}' : ']')) return true;
    std::string name;
    std::map<std::string, uint64_t>::iterator last = out.counts.end();  // consecutive names share a shard
    do {
        if (object && (!sc.string(nullptr) || !sc.expect(':'))) return false;
        sc.ws();
        if (sc.p < sc.end && *sc.p == '"') {
            if (!sc.string(&name)) return false;
            if (last == out.counts.end() || last->first != name) {
                auto [it, inserted] = out.counts.emplace(name, 0);
                if (inserted) out.shards.push_back(name);
                last = it;
            }
            ++last->second;
        } else if (!sc.skip(nullptr, 2)) {
            return false;
        }
    } while (sc.eat(','));
    return sc.expect(object ? '}' : ']');
}

bool read_metadata(Scanner& sc, IndexRead& out) {
    sc.ws();
    if (sc.p >= sc.end || *sc.p != '{') return sc.skip(nullptr, 1);
    ++sc.p;
    if (sc.eat('}')) return true;
    std::string key;
    do {
        sc.ws();
        if (!sc.string(&key) || !sc.expect(':')) return false;
        const bool ok = key == "total_size"         ? read_total(sc, out.total_size)
                        : key == "total_parameters" ? read_total(sc, out.total_params)
                                                    : sc.skip(nullptr, 2);
        if (!ok) return false;
    } while (sc.eat(','));
    return sc.expect('}');
}

// The whole document; false with sc.syntax set when it is not valid JSON.
bool read_index(Scanner& sc, IndexRead& out) {
    sc.ws();
    if (sc.p < sc.end && *sc.p == '{') {
        ++sc.p;
        if (!sc.eat('}')) {
            std::string key;
            do {
                sc.ws();
                if (!sc.string(&key) || !sc.expect(':')) return false;
                bool ok = true;
                if (key == "weight_map") {
                    out.saw_weight_map = true;
                    ok = read_weight_map(sc, out);
                } else {
                    ok = key == "metadata" ? read_metadata(sc, out) : sc.skip(nullptr, 1);
                }
                if (!ok) return false;
            } while (sc.eat(','));
            if (!sc.expect('}')) return false;
        }
    } else if (!sc.skip()) {
        return false;
    }
    sc.ws();
    return sc.p == sc.end || sc.fail("unexpected content after the value");
}

}  // namespace

ShardList parse_shard_index(std::string_view index_json, const std::string& index_path) {
    ShardList out;
    IndexRead read;
    Scanner sc{index_json.data(), index_json.data() + index_json.size(), index_json.data(), {}};
    if (!read_index(sc, read)) {
        out.error = make_error(ErrorCode::index_invalid, index_path + " is not valid JSON: " + sc.syntax);
        return out;
    }
    if (!read.saw_weight_map || read.shards.empty()) {
        out.error = make_error(ErrorCode::index_invalid, index_path + " has no weight_map entries");
        return out;
    }
    // Shard names are relative to the index's folder (the part of its path before the last '/').
    const size_t slash = index_path.rfind('/');
    const std::string folder = slash == std::string::npos ? std::string() : index_path.substr(0, slash);
    const std::string prefix = folder.empty() ? folder : folder + "/";
    for (const auto& s : read.shards) {
        if (s.empty() || s.find("..") != std::string::npos || s[0] == '/' || s.find("://") != std::string::npos ||
            s.find('\\') != std::string::npos) {
            out.error = make_error(ErrorCode::index_invalid, index_path + " names an unsafe shard path \"" + s + "\"");
            return out;
        }
        std::string path = prefix + s;
        out.tensors_per_shard[path] = read.counts[s];
        out.shards.push_back(std::move(path));
    }
    out.total_size_bytes = read.total_size;
    out.total_parameters = read.total_params;
    return out;
}

}  // namespace vram
