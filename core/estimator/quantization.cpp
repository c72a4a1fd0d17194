#include "estimator/quantization.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "estimator/names.hpp"

namespace vram {
namespace {

using nlohmann::json;

// Glob with '*' only, anchored (huggingface.js turns `re:` patterns into such globs). Iterative,
// backtracking only to the last '*': O(|p|·|s|). (The recursive form was exponential in the number
// of '*'s: a config's modules_to_not_convert entry such as "a*a*a*…*b" froze the estimate —
// tests/fuzz/regressions/pipeline/quant-glob-exponential.)
bool glob_match(const char* p, const char* s) {
    const char* star = nullptr;    // the last '*' of p seen so far
    const char* resume = nullptr;  // where s restarts when the text after that '*' fails to match
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == *s) {
            ++p;
            ++s;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*') ++p;
    return *p == '\0';
}

// An entry as written in the config → the form excluded() matches: "re:" entries (compressed-tensors ignore) as
// globs — the common `re:.*name.*` forms turn '.*' into '*', anything fancier is taken literally — that may match
// a prefix of the name; entries with '*' as globs anywhere in the name; the others as substrings; "" never matches.
void add_not_convert(QuantRules& r, const std::string& p) {
    if (p.rfind("re:", 0) == 0) {
        std::string g;
        for (size_t i = 3; i < p.size(); ++i) {
            if (p[i] == '.' && i + 1 < p.size() && p[i + 1] == '*') {
                g += '*';
                ++i;
            } else if (p[i] == '\\' && i + 1 < p.size()) {
                g += p[++i];
            } else if (p[i] != '^' && p[i] != '$') {
                g += p[i];
            }
        }
        r.not_convert.push_back({g + "*", true});  // the whole name, or the name with anything after it
    } else if (p.find('*') != std::string::npos) {
        r.not_convert.push_back({"*" + p + "*", true});
    } else if (!p.empty()) {
        r.not_convert.push_back({p, false});
    }
}

bool excluded(const QuantRules& r, const std::string& tensor) {
    for (const auto& p : r.not_convert)
        if (p.glob ? glob_match(p.text.c_str(), tensor.c_str()) : tensor.find(p.text) != std::string::npos) return true;
    return false;
}

const char* const kQuantBookkeeping[] = {"weight_scale", "weight_scale_inv", "weight_scale_2", "weight_global_scale",
                                         "weight_zero_point", "input_scale", "input_global_scale", "input_zero_point",
                                         "zero_point", "weight_shape", "weight_g_idx",
                                         // KV-cache quantization scales (ModelOpt, compressed-tensors kv_cache_scheme)
                                         "k_scale", "v_scale"};
const char* const kGptqBookkeeping[] = {"qzeros", "g_idx", "scales"};
const char* const kBnbBookkeeping[] = {"absmax",           "quant_map", "nested_absmax",
                                       "nested_quant_map", "SCB",       "weight_format"};

}  // namespace

static QuantRules parse_quant_rules_unchecked(const std::string& text) {
    QuantRules r;
    if (text.empty()) return r;
    json q;
    try {
        q = json::parse(text);
    } catch (const json::exception&) {
        return r;
    }
    if (!q.is_object()) return r;
    r.method = q.value("quant_method", std::string());
    if (q.contains("bits") && q["bits"].is_number_unsigned()) r.bits = q["bits"].get<uint32_t>();
    if (q.contains("w_bit") && q["w_bit"].is_number_unsigned()) r.bits = q["w_bit"].get<uint32_t>();
    if (r.bits == 0 || r.bits > 32) r.bits = 4;
    r.load_in_4bit = q.value("load_in_4bit", false);
    std::string format = q.value("format", std::string());
    r.pack_quantized = ends_with(format, "pack-quantized");
    if (auto groups = q.find("config_groups"); groups != q.end() && groups->is_object()) {
        for (auto& g : groups->items()) {
            if (g.value().is_object() && g.value().contains("weights") && g.value()["weights"].is_object()) {
                const auto& w = g.value()["weights"];
                if (w.contains("num_bits") && w["num_bits"].is_number_unsigned())
                    r.ct_num_bits = w["num_bits"].get<uint32_t>();
                if (g.value().contains("format") && g.value()["format"].is_string() &&
                    ends_with(g.value()["format"].get<std::string>(), "pack-quantized"))
                    r.pack_quantized = true;
                break;
            }
        }
    }
    if (r.ct_num_bits == 0 || r.ct_num_bits > 32) r.ct_num_bits = 4;
    for (const char* key : {"modules_to_not_convert", "ignore", "llm_int8_skip_modules"}) {
        if (auto it = q.find(key); it != q.end() && it->is_array())
            for (const auto& m : *it)
                if (m.is_string()) add_not_convert(r, m.get<std::string>());
    }
    // NVIDIA ModelOpt keeps its settings in hf_quant_config.json: {"quantization": {"quant_algo": "FP8", …}}.
    if (r.method.empty() && q.contains("quantization") && q["quantization"].is_object()) {
        r.method = "modelopt";
        const auto& mq = q["quantization"];
        if (mq.contains("quant_algo") && mq["quant_algo"].is_string()) format = mq["quant_algo"].get<std::string>();
        if (mq.contains("exclude_modules") && mq["exclude_modules"].is_array())
            for (const auto& m : mq["exclude_modules"])
                if (m.is_string()) add_not_convert(r, m.get<std::string>());
    }
    r.summary = r.method;
    if (r.method == "modelopt" && !format.empty()) r.summary += " " + format;
    if (r.method == "gptq" || r.method == "awq") r.summary += " " + std::to_string(r.bits) + "-bit";
    if (q.contains("group_size") && q["group_size"].is_number_integer())
        r.summary += ", group " + std::to_string(q["group_size"].get<int64_t>());
    if (r.method == "bitsandbytes") r.summary += r.load_in_4bit ? " 4-bit" : " 8-bit";
    if (r.method == "compressed-tensors") r.summary += " " + format + " " + std::to_string(r.ct_num_bits) + "-bit";
    return r;
}

QuantRules parse_quant_rules(const std::string& text) {
    try {
        return parse_quant_rules_unchecked(text);
    } catch (const nlohmann::json::exception&) {
        return QuantRules{};  // a quantization_config of the wrong shape is read as "not quantized"
    }
}

TensorRole classify_tensor(const QuantRules& r, const TensorInfo& t) {
    TensorRole role;
    if (t.dtype == DType::F8_E8M0) {  // MX block scales in any scheme
        role.bookkeeping = true;
        return role;
    }
    if (r.method.empty()) return role;
    const std::string_view last = last_component(t.name);
    for (const char* s : kQuantBookkeeping)
        if (last == s) {
            role.bookkeeping = true;
            return role;
        }
    const bool skip = excluded(r, t.name);
    if (r.method == "gptq" || r.method == "awq") {
        for (const char* s : kGptqBookkeeping)
            if (last == s) {
                role.bookkeeping = true;
                return role;
            }
        if (last == "qweight" && !skip) {
            role.quantized = true;
            const uint32_t container = dtype_bits(t.dtype);
            role.multiplier = container >= r.bits ? static_cast<double>(container / r.bits) : 1.0;
        }
    } else if (r.method == "bitsandbytes") {
        for (const char* s : kBnbBookkeeping)
            if (last == s) {
                role.bookkeeping = true;
                return role;
            }
        if (t.name.find("quant_state.bitsandbytes__") != std::string::npos) {
            role.bookkeeping = true;
            return role;
        }
        if (t.dtype == DType::U8 && r.load_in_4bit && !skip) {
            role.quantized = true;
            role.multiplier = 2.0;
        } else if (t.dtype == DType::I8 && !skip) {
            role.quantized = true;
        }
    } else if (r.method == "mxfp4") {
        if (t.dtype == DType::U8 && ends_with(last, "_scales")) {
            role.bookkeeping = true;
            return role;
        }
        if (t.dtype == DType::U8 && t.name.find("_blocks") != std::string::npos && !skip) {
            role.quantized = true;
            role.multiplier = 2.0;
        }
    } else if (r.method == "compressed-tensors") {
        const auto kind = dtype_info(t.dtype).kind;
        if (r.pack_quantized && kind == DTypeKind::integer && !skip) {
            role.quantized = true;
            role.multiplier = static_cast<double>(dtype_bits(t.dtype)) / r.ct_num_bits;
        } else if (t.dtype == DType::F8_E4M3 || t.dtype == DType::F8_E5M2 || t.dtype == DType::I8) {
            role.quantized = !skip;
        }
    } else if (r.method == "fp8" || r.method == "fbgemm_fp8" || r.method == "modelopt") {
        if (t.dtype == DType::F8_E4M3 || t.dtype == DType::F8_E5M2) role.quantized = true;
    } else {
        // Other methods: low-bit integer containers are treated as quantized storage, counted as stored.
        if (dtype_info(t.dtype).kind == DTypeKind::integer && !skip) role.quantized = true;
    }
    return role;
}

}  // namespace vram
