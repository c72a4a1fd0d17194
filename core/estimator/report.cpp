#include "estimator/report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace vram {
namespace {

using nlohmann::ordered_json;

const std::string kRule(60, '=');
const std::string kThin(60, '-');

std::string pad_right(const std::string& s, size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }
std::string pad_left(const std::string& s, size_t width) { return s.size() >= width ? s : std::string(width - s.size(), ' ') + s; }

std::string breakdown_line(const std::string& label, uint64_t bytes) {
    return "  " + pad_right(label, 20) + " " + pad_left(format_bytes(bytes), 12) + "\n";
}
std::string item(const std::string& label, const std::string& value) { return "  - " + pad_right(label, 17) + value + "\n"; }

}  // namespace

std::string format_bytes(uint64_t bytes) {
    char buf[64];
    const double b = static_cast<double>(bytes);
    if (bytes >= (1ull << 30))
        std::snprintf(buf, sizeof buf, "%.2f GB", b / (1ull << 30));
    else if (bytes >= (1ull << 20))
        std::snprintf(buf, sizeof buf, "%.2f MB", b / (1ull << 20));
    else if (bytes >= (1ull << 10))
        std::snprintf(buf, sizeof buf, "%.2f KB", b / (1ull << 10));
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
}

std::string format_count(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string render_preamble(const Model& m) {
    return "Fetching metadata for: " + m.repo_id + " ...\nFound " + std::to_string(m.n_files) + " safetensors file(s)\n";
}

std::string render_text(const Model& m, const Estimate& e) {
    std::string s;
    s += "\n" + kRule + "\nVRAM Estimation Report: " + m.repo_id + "\n" + kRule + "\n\n";
    s += "Model Components:\n";
    for (const auto& c : e.components) s += "  - " + c.name + ": " + format_bytes(c.bytes) + "\n";
    s += "\n";
    if (m.has_llm) {
        const Architecture& a = m.arch;
        s += "Model Architecture (" + a.model_type + "):\n";
        s += item("Layers:", std::to_string(a.n_layers));
        s += item("Hidden Size:", std::to_string(a.hidden_size));
        s += item("Attention Heads:", std::to_string(a.n_heads));
        s += item("KV Heads (GQA):", std::to_string(a.n_kv_heads));
        s += item("Head Dimension:", std::to_string(a.head_dim));
        s += item("Max Context:", format_count(a.max_context_tokens) + " tokens");
    } else {
        s += "Model Type: " + (m.model_class.empty() ? m.arch.model_type : m.model_class) + "\n";
        s += "  (Non-transformer or diffusion model - KV cache N/A)\n";
    }
    s += "\nDtype Distribution:\n";
    for (const auto& [name, d] : m.dtypes) s += "  - " + name + ": " + std::to_string(d.n_tensors) + " tensors\n";
    s += "\nInference Configuration:\n";
    s += item("Quantization:", precision_name(e.options.precision));
    s += item("Batch Size:", std::to_string(e.options.batch));
    if (e.has_kv) s += item("Context Length:", format_count(e.context_tokens) + " tokens");
    s += "\n" + kThin + "\nVRAM Breakdown:\n" + kThin + "\n";
    s += breakdown_line("Model Weights:", e.weights_bytes);
    if (e.has_kv) s += breakdown_line("KV Cache:", e.kv_cache_bytes);
    s += breakdown_line("Activations (est):", e.activation_bytes);
    s += breakdown_line("CUDA Overhead:", e.overhead_bytes);
    s += kThin + "\n";
    s += breakdown_line("TOTAL REQUIRED:", e.total_bytes);
    s += kRule + "\n\nGPU Recommendations:\n  - " + e.recommendation + "\n";
    return s;
}

std::string render_json(const Model& m, const Estimate& e) {
    ordered_json j;
    j["model_id"] = m.repo_id;
    const Architecture& a = m.arch;
    if (m.has_llm) {
        j["architecture"] = {{"num_layers", a.n_layers},     {"hidden_size", a.hidden_size}, {"num_attention_heads", a.n_heads},
                             {"num_kv_heads", a.n_kv_heads}, {"head_dim", a.head_dim},      {"max_context", a.max_context_tokens},
                             {"model_type", a.model_type}};
    } else {
        j["architecture"] = {{"model_type", m.model_class.empty() ? a.model_type : m.model_class}};
    }
    ordered_json dtypes = ordered_json::object();
    for (const auto& [name, d] : m.dtypes) dtypes[name] = d.n_tensors;
    j["dtype_distribution"] = dtypes;
    ordered_json sizes = ordered_json::object();
    for (const auto& c : e.components) sizes[c.name] = format_bytes(c.bytes);
    j["component_sizes"] = sizes;
    j["quantization"] = precision_name(e.options.precision);
    j["batch_size"] = e.options.batch;
    j["context_length"] = e.context_tokens;
    ordered_json est, est_b;
    auto put = [&](const char* key, uint64_t v) {
        est[key] = format_bytes(v);
        est_b[key] = v;
    };
    put("model_weights", e.weights_bytes);
    put("model_weights_raw", e.weights_raw_bytes);
    put("kv_cache", e.kv_cache_bytes);
    put("activation_overhead", e.activation_bytes);
    put("cuda_overhead", e.overhead_bytes);
    put("total", e.total_bytes);
    j["estimates"] = est;
    j["estimates_bytes"] = est_b;
    // Fields beyond the original schema (documented in docs/json-schema.md).
    j["schema_version"] = kReportSchemaVersion;
    j["revision"] = m.revision;
    j["sha"] = m.sha;
    j["profile"] = e.options.profile;
    j["layout"] = m.layout;
    j["variant"] = m.variant;
    j["tensors"] = m.n_tensors;
    j["parameters"] = m.params;
    j["weight_files"] = m.n_files;
    ordered_json comps = ordered_json::array();
    for (size_t i = 0; i < e.components.size(); ++i)
        comps.push_back({{"name", e.components[i].name},
                         {"bytes", e.components[i].bytes},
                         {"stored_bytes", m.components[i].bytes},
                         {"parameters", m.components[i].params},
                         {"tensors", m.components[i].n_tensors},
                         {"class_name", m.components[i].class_name}});
    j["components"] = comps;
    ordered_json dt = ordered_json::object();
    for (const auto& [name, d] : m.dtypes) dt[name] = {{"tensors", d.n_tensors}, {"elements", d.elements}, {"bytes", d.bytes}};
    j["dtypes"] = dt;
    j["kv_bytes_per_token"] = e.kv_bytes_per_token;
    j["quantization_method"] = m.quant.summary;
    j["recommendation"] = e.recommendation;
    j["assumptions"] = e.assumptions;
    j["notes"] = m.notes;
    j["warnings"] = m.warnings;
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_markdown(const Model& m, const Estimate& e) {
    std::string s;
    s += "| " + m.repo_id + " | " + precision_name(e.options.precision) + (e.has_kv ? " · " + format_count(e.context_tokens) + " ctx" : "") +
         " · batch " + std::to_string(e.options.batch) + " |\n|---|---:|\n";
    s += "| Weights | " + format_bytes(e.weights_bytes) + " |\n";
    if (e.has_kv) s += "| KV cache | " + format_bytes(e.kv_cache_bytes) + " |\n";
    s += "| Activations | " + format_bytes(e.activation_bytes) + " |\n";
    s += "| Overhead | " + format_bytes(e.overhead_bytes) + " |\n";
    s += "| **Total** | **" + format_bytes(e.total_bytes) + "** |\n";
    s += "\nProfile `" + e.options.profile + "`, " + format_count(m.params) + " parameters. GB = 2^30 bytes.\n";
    return s;
}

}  // namespace vram
