#include "estimator/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "estimator/engine.hpp"
#include "estimator/training_report.hpp"
#include "estimator/version.hpp"

namespace vram {

std::string pad_right(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string pad_left(const std::string& s, size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

namespace {

using nlohmann::ordered_json;

const std::string kRule(60, '=');
const std::string kThin(60, '-');

std::string breakdown_line(const std::string& label, uint64_t bytes) {
    return "  " + pad_right(label, 20) + " " + pad_left(format_bytes(bytes), 12) + "\n";
}
std::string item(const std::string& label, const std::string& value) {
    return "  - " + pad_right(label, 17) + value + "\n";
}

std::string fixed2(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}
double round2(double v) { return std::round(v * 100.0) / 100.0; }
constexpr double kGiB = 1073741824.0;
constexpr double kGB = 1e9;
std::string gib(uint64_t bytes) { return fixed2(static_cast<double>(bytes) / kGiB) + " GiB"; }
std::string gib_gb(uint64_t bytes) { return gib(bytes) + " / " + fixed2(static_cast<double>(bytes) / kGB) + " GB"; }
std::string gib_line(const std::string& label, uint64_t bytes) {
    return "  " + pad_right(label, 20) + " " + pad_left(gib(bytes), 12) + "\n";
}

// "full", "sliding 4096", "chunked 8192"
std::string group_label(const KvLayerGroup& g) {
    return g.window_tokens ? g.kind + " " + format_count(g.window_tokens) : g.kind;
}

// What the reports add after the original layout: every profile but classic, and classic with a GPU.
bool has_extended_view(const Estimate& e) {
    return !profile_info(e.options.profile).original_report || e.gpu != nullptr;
}

std::string fit_text(const GpuFitRow& r, const ProfileInfo& p) {
    if (!r.engine_runs) return "engine does not run on " + std::string(gpu_backend_name(r.gpu->backend));
    if (!r.gpus_needed)
        return fit_max_gpus(p) <= 1 ? "does not fit on one GPU"
                                    : "does not fit (TP <= " + std::to_string(fit_max_gpus(p)) + ")";
    return r.gpus_needed == 1 ? "1 GPU"
                              : std::to_string(r.gpus_needed) + " GPUs (tp " + std::to_string(r.gpus_needed) + ")";
}

std::string render_extended_text(const Estimate& e) {
    std::string s;
    const ProfileInfo& profile = profile_info(e.options.profile);
    const bool classic = profile.original_report;
    if (!classic) {
        s += "\nEngine Profile: " + std::string(profile.name) + " (" + e.details.engine + " " + e.details.version +
             ")\n";
        if (e.has_kv) s += item("KV dtype:", e.kv_dtype);  // a pipeline or an encoder keeps no KV cache
        s += item("Tensor Parallel:", std::to_string(e.tp));
        if (e.details.block_tokens > 1) s += item("KV Block:", format_count(e.details.block_tokens) + " tokens");
        if (e.details.max_num_batched_tokens)
            s += item("Batched Tokens:", format_count(e.details.max_num_batched_tokens) + " (max_num_seqs " +
                                             format_count(e.details.max_num_seqs) + ")");
        if (!e.kv_groups.empty()) {
            s += "\nKV Cache by Layer (per GPU, whole batch):\n";
            for (const auto& g : e.kv_groups) {
                std::string line = "  - " + pad_right(group_label(g), 18) +
                                   pad_left(std::to_string(g.n_layers) + " layers", 11) + "  ";
                if (g.kind == "linear_state")
                    line += pad_right(format_bytes(g.state_bytes) + "/seq", 30);
                else
                    line += pad_right(format_count(g.bytes_per_token) + " B/token, " +
                                          format_count(g.tokens_per_sequence) + " tokens",
                                      30);
                s += line + pad_left(gib(g.bytes), 12) + "\n";
            }
        }
        s += "\nPer GPU (" + std::string(e.tp > 1 ? "each of " + std::to_string(e.tp) : "1 GPU") + "):\n";
        s += gib_line("Model Weights:", e.per_gpu.weights_bytes);
        if (e.has_kv) s += gib_line("KV Cache:", e.per_gpu.kv_cache_bytes);
        s += gib_line("Activations (est):", e.per_gpu.activation_bytes);
        s += gib_line("Runtime Overhead:", e.per_gpu.overhead_bytes);
        s += kThin + "\n";
        s += gib_line("TOTAL PER GPU:", e.per_gpu.total_bytes);
        if (profile.gguf) {
            s += "\nOffload: " + std::to_string(e.n_gpu_layers) + " of " + std::to_string(e.per_gpu_layers_total()) +
                 " layers on the GPU (-ngl), KV cache " + format_count(e.context_cells) + " cells, flash attention " +
                 (e.options.flash_attention ? "on" : "off") + "\n";
            s += "\nSystem Memory (llama.cpp):\n";
            s += gib_line("Model Weights:", e.host.weights_bytes);
            if (e.has_kv) s += gib_line("KV Cache:", e.host.kv_cache_bytes);
            s += gib_line("Compute Buffer:", e.host.compute_bytes);
            s += gib_line("Output Buffer:", e.host.output_bytes);
            s += gib_line("Runtime + Metadata:", e.host.overhead_bytes);
            s += kThin + "\n";
            s += gib_line("TOTAL SYSTEM:", e.host.total_bytes);
        }
    }
    if (e.gpu) {
        s += "\nOn " + std::string(e.gpu->name) + " (" + gib_gb(e.gpu->usable_bytes) + " usable):\n";
        s += item("This Setup:", e.fits ? "fits" : "does not fit");
        if (e.reservation.present) {
            s += item(e.details.fraction_option == "mem_fraction_static" ? "Static Share:" : "GPU Util:",
                      e.details.fraction_option + " " + fixed2(e.reservation.fraction) + " = " +
                          gib(e.reservation.reserved_bytes) + " reserved");
            s += item("KV Pool:", gib(e.reservation.kv_pool_bytes) + " = " +
                                      format_count(e.reservation.kv_pool_tokens) + " tokens");
        }
        if (e.has_kv)
            s += item("Max Context:",
                      format_count(e.max_context_tokens_fit) + " tokens at batch " + std::to_string(e.options.batch));
        s += item("Max Batch:", format_count(e.max_batch_fit) +
                                    (e.has_kv ? " at " + format_count(e.context_tokens) + " tokens" : ""));
        if (e.has_gpu_layers_fit)
            s += item("Max GPU Layers:", std::to_string(e.max_gpu_layers_fit) + " of " +
                                             std::to_string(e.per_gpu_layers_total()) + " (-ngl)");
    }
    if (!classic) {
        s += fit_max_gpus(profile) <= 1 ? "\nGPUs Needed (this profile models one GPU):\n"
                                        : "\nGPUs Needed (smallest power-of-two TP that fits):\n";
        for (const auto& r : e.gpu_fit)
            s += "  - " + pad_right(r.gpu->id, 24) + pad_left(gib(r.gpu->usable_bytes), 12) + "  " +
                 fit_text(r, profile) + "\n";
        s += "\nAssumptions:\n";
        for (const auto& a : e.assumptions) s += "  - " + a + "\n";
    }
    return s;
}

// The quantization table of a GGUF repo: every file at the estimate's context, batch and GPU.
std::string render_gguf_table(const Model& m, const Estimate& e) {
    size_t width = 4;
    for (const auto& r : e.gguf_rows) width = std::max(width, std::min<size_t>(r.quant->name.size(), 60));
    std::string s = "\nGGUF Files (" + std::to_string(m.gguf_quants.size()) + ", profile " +
                    std::string(profile_info(e.options.profile).name) + ", " + format_count(e.context_tokens) +
                    " tokens × batch " + std::to_string(e.options.batch) +
                    "; * = used above, --gguf-file to choose):\n";
    s += "    " + pad_right("file", width) + "  " + pad_right("quant", 10) + pad_right("type", 8) + pad_left("bpw", 6) +
         pad_left("weights", 12) + pad_left("KV cache", 12) + pad_left("total", 12) + (e.gpu ? "  fits" : "") + "\n";
    for (const auto& r : e.gguf_rows) {
        const GgufQuant& q = *r.quant;
        std::string name = q.name.size() > width ? q.name.substr(0, width - 1) + "~" : q.name;
        if (q.files.size() > 1) name += " (+" + std::to_string(q.files.size() - 1) + ")";
        s += std::string("  ") + (q.selected ? "* " : "  ") + pad_right(name, width) + "  " +
             pad_right(q.file_type.empty() ? "?" : q.file_type, 10) + pad_right(q.dominant_type, 8) +
             pad_left(fixed2(r.bits_per_weight), 6) + pad_left(gib(q.bytes), 12) + pad_left(gib(r.kv_cache_bytes), 12) +
             pad_left(gib(r.total_bytes), 12) + (e.gpu ? std::string("  ") + (r.fits ? "yes" : "no") : "") + "\n";
    }
    return s;
}

}  // namespace

namespace {
// Powers of 1024 with the given unit names ("GB" as the original tool prints them, or "GiB").
std::string scaled_bytes(uint64_t bytes, const char* g, const char* m, const char* k) {
    char buf[64];
    const double b = static_cast<double>(bytes);
    if (bytes >= (1ull << 30))
        std::snprintf(buf, sizeof buf, "%.2f %s", b / (1ull << 30), g);
    else if (bytes >= (1ull << 20))
        std::snprintf(buf, sizeof buf, "%.2f %s", b / (1ull << 20), m);
    else if (bytes >= (1ull << 10))
        std::snprintf(buf, sizeof buf, "%.2f %s", b / (1ull << 10), k);
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
}
}  // namespace

std::string format_bytes(uint64_t bytes) { return scaled_bytes(bytes, "GB", "MB", "KB"); }
std::string format_binary(uint64_t bytes) { return scaled_bytes(bytes, "GiB", "MiB", "KiB"); }

std::string format_count(uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string render_preamble(const Model& m) {
    if (m.layout == "gguf") {
        size_t n = m.gguf_projector.empty() ? 0 : 1;
        for (const auto& q : m.gguf_quants) n += q.files.size();
        return "Fetching metadata for: " + m.repo_id + " ...\nFound " + std::to_string(n) + " GGUF file(s), " +
               std::to_string(m.gguf_quants.size()) + " quantization(s); using " + m.gguf_file + "\n";
    }
    return "Fetching metadata for: " + m.repo_id + " ...\nFound " + std::to_string(m.n_files) +
           " safetensors file(s)\n";
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
    if (has_extended_view(e)) s += render_extended_text(e);
    if (!m.gguf_quants.empty()) s += render_gguf_table(m, e);
    return s;
}

namespace {

// The original tool's fields, in its order.
void json_original(ordered_json& j, const Model& m, const Estimate& e) {
    j["model_id"] = m.repo_id;
    const Architecture& a = m.arch;
    if (m.has_llm) {
        j["architecture"] = {{"num_layers", a.n_layers},         {"hidden_size", a.hidden_size},
                             {"num_attention_heads", a.n_heads}, {"num_kv_heads", a.n_kv_heads},
                             {"head_dim", a.head_dim},           {"max_context", a.max_context_tokens},
                             {"model_type", a.model_type}};
    } else {
        j["architecture"] = {{"model_type", m.model_class.empty() ? a.model_type : m.model_class}};
    }
    ordered_json dtypes = ordered_json::object();
    for (const auto& [name, d] : m.dtypes) dtypes[name] = d.n_tensors;
    j["dtype_distribution"] = std::move(dtypes);
    ordered_json sizes = ordered_json::object();
    for (const auto& c : e.components) sizes[c.name] = format_bytes(c.bytes);
    j["component_sizes"] = std::move(sizes);
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
    j["estimates"] = std::move(est);
    j["estimates_bytes"] = std::move(est_b);
}

// Fields beyond the original schema (documented in docs/json-schema.md).
void json_model(ordered_json& j, const Model& m, const Estimate& e) {
    j["schema_version"] = kReportSchemaVersion;
    j["tool_version"] = kToolVersion;
    j["revision"] = m.revision;
    j["sha"] = m.sha;
    j["profile"] = profile_info(e.options.profile).name;
    j["layout"] = m.layout;
    j["variant"] = m.variant;
    j["variants"] = m.variants;
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
    j["components"] = std::move(comps);
    ordered_json dt = ordered_json::object();
    for (const auto& [name, d] : m.dtypes)
        dt[name] = {{"tensors", d.n_tensors}, {"elements", d.elements}, {"bytes", d.bytes}};
    j["dtypes"] = std::move(dt);
    j["kv_bytes_per_token"] = e.kv_bytes_per_token;
    j["quantization_method"] = m.quant.summary;
    j["recommendation"] = e.recommendation;
    j["assumptions"] = e.assumptions;
    j["notes"] = m.notes;
    j["warnings"] = m.warnings;
}

// Added with the engine profiles (docs/estimates.md § JSON). Bytes are integers; *_gib / *_gb are display values.
void json_profile(ordered_json& j, const Model&, const Estimate& e) {
    j["kv_dtype"] = e.kv_dtype;
    j["tensor_parallel"] = e.tp;
    j["profile_details"] = {{"engine", e.details.engine},
                            {"version", e.details.version},
                            {"sources", e.details.sources},
                            {"kv_block_tokens", e.details.block_tokens},
                            {"max_num_batched_tokens", e.details.max_num_batched_tokens},
                            {"max_num_seqs", e.details.max_num_seqs},
                            {"memory_fraction_option", e.details.fraction_option},
                            {"memory_fraction", round2(e.details.memory_fraction)},
                            {"compute_dtype_bytes", e.details.activation_bytes}};
    ordered_json groups = ordered_json::array();
    for (const auto& g : e.kv_groups)
        groups.push_back({{"kind", g.kind},
                          {"layers", g.n_layers},
                          {"window_tokens", g.window_tokens},
                          {"bytes_per_token", g.bytes_per_token},
                          {"tokens_per_sequence", g.tokens_per_sequence},
                          {"state_bytes", g.state_bytes},
                          {"bytes", g.bytes}});
    j["kv_cache_per_layer"] = std::move(groups);
    j["per_gpu"] = {{"gpus", e.tp},
                    {"model_weights", e.per_gpu.weights_bytes},
                    {"kv_cache", e.per_gpu.kv_cache_bytes},
                    {"activation_overhead", e.per_gpu.activation_bytes},
                    {"cuda_overhead", e.per_gpu.overhead_bytes},
                    {"total", e.per_gpu.total_bytes}};
    j["overhead_parts"] = {{"fixed", e.overhead_parts.fixed_bytes},
                           {"cuda_context", e.overhead_parts.cuda_context_bytes},
                           {"non_torch", e.overhead_parts.non_torch_bytes},
                           {"cuda_graphs", e.overhead_parts.cuda_graph_bytes}};
}

// The chosen GPU, the engine's reservation, the limits that fit and the catalog table.
void json_fit(ordered_json& j, const Model&, const Estimate& e) {
    auto gpu_json = [](const GpuInfo& g) {
        return ordered_json{{"id", g.id},
                            {"name", g.name},
                            {"backend", gpu_backend_name(g.backend)},
                            {"segment", g.segment},
                            {"memory_bytes", g.memory_bytes},
                            {"memory_gib", round2(static_cast<double>(g.memory_bytes) / kGiB)},
                            {"memory_gb", round2(static_cast<double>(g.memory_bytes) / kGB)},
                            {"usable_bytes", g.usable_bytes},
                            {"usable_gib", round2(static_cast<double>(g.usable_bytes) / kGiB)},
                            {"usable_gb", round2(static_cast<double>(g.usable_bytes) / kGB)}};
    };
    if (e.gpu) {
        ordered_json g = gpu_json(*e.gpu);
        g["fits"] = e.fits;
        g["source"] = e.gpu->source;
        j["gpu"] = std::move(g);
    } else {
        j["gpu"] = nullptr;
    }
    if (e.reservation.present)
        j["engine_reservation"] = {{"option", e.details.fraction_option},
                                   {"fraction", round2(e.reservation.fraction)},
                                   {"reserved_bytes", e.reservation.reserved_bytes},
                                   {"non_kv_bytes", e.reservation.non_kv_bytes},
                                   {"kv_pool_bytes", e.reservation.kv_pool_bytes},
                                   {"kv_pool_tokens", e.reservation.kv_pool_tokens}};
    else
        j["engine_reservation"] = nullptr;
    if (e.has_fit_limits && e.has_kv)
        j["max_context_tokens_fit"] = e.max_context_tokens_fit;
    else
        j["max_context_tokens_fit"] = nullptr;
    if (e.has_fit_limits)
        j["max_batch_fit"] = e.max_batch_fit;
    else
        j["max_batch_fit"] = nullptr;
    ordered_json fit = ordered_json::array();
    // Rows stay lean (the page re-renders them on every control change); the catalog's full entry
    // is under "gpu" for the chosen one and in `vram-estimate --list-gpus`.
    // One row per catalog GPU on every render: assigned field by field and moved, not built from
    // initializer lists and copied (a third of render_json's time under the fuzzers' sanitizers).
    for (const auto& r : e.gpu_fit) {
        ordered_json row = ordered_json::object();
        row["id"] = r.gpu->id;
        row["name"] = r.gpu->name;
        row["backend"] = gpu_backend_name(r.gpu->backend);
        row["usable_bytes"] = r.gpu->usable_bytes;
        row["engine_runs"] = r.engine_runs;
        row["fits_one"] = r.fits_one;
        row["gpus_needed"] = r.gpus_needed;
        row["per_gpu_total_bytes"] = r.per_gpu_total_bytes;
        fit.push_back(std::move(row));
    }
    j["gpu_fit"] = std::move(fit);
}

// Added with GGUF support (docs/estimates.md § llama.cpp): the quantization table and llama.cpp's split.
void json_gguf(ordered_json& j, const Model& m, const Estimate& e) {
    if (m.layout == "gguf") {
        j["gguf_file"] = m.gguf_file;
        j["gguf_projector"] = m.gguf_projector.empty() ? ordered_json(nullptr) : ordered_json(m.gguf_projector);
    } else {
        j["gguf_file"] = nullptr;
        j["gguf_projector"] = nullptr;
    }
    ordered_json quants = ordered_json::array();
    for (const auto& r : e.gguf_rows) {
        const GgufQuant& q = *r.quant;
        quants.push_back({{"file", q.name},
                          {"files", q.files},
                          {"file_type", q.file_type.empty() ? ordered_json(nullptr) : ordered_json(q.file_type)},
                          {"dominant_type", q.dominant_type},
                          {"tensors", q.n_tensors},
                          {"parameters", q.params},
                          {"bits_per_weight", round2(r.bits_per_weight)},
                          {"weights_bytes", q.bytes},
                          {"file_bytes", q.file_bytes},
                          {"gpu_weights_bytes", r.weights_bytes},
                          {"kv_cache_bytes", r.kv_cache_bytes},
                          {"total_bytes", r.total_bytes},
                          {"system_memory_bytes", r.host_bytes},
                          {"fits", e.gpu ? ordered_json(r.fits) : ordered_json(nullptr)},
                          {"selected", q.selected}});
    }
    j["gguf_files"] = std::move(quants);
    if (profile_info(e.options.profile).gguf) {
        j["llama_cpp"] = {
            {"flash_attention", e.options.flash_attention},
            {"ubatch_tokens", e.options.ubatch_tokens},
            {"context_cells", e.context_cells},
            {"n_gpu_layers", e.n_gpu_layers},
            {"n_layers_total", e.per_gpu_layers_total()},
            {"max_gpu_layers_fit", e.has_gpu_layers_fit ? ordered_json(e.max_gpu_layers_fit) : ordered_json(nullptr)},
            {"system_memory",
             {{"model_weights", e.host.weights_bytes},
              {"kv_cache", e.host.kv_cache_bytes},
              {"compute_buffer", e.host.compute_bytes},
              {"output_buffer", e.host.output_bytes},
              {"overhead", e.host.overhead_bytes},
              {"total", e.host.total_bytes}}}};
    } else {
        j["llama_cpp"] = nullptr;
    }
    // diffusers: the peak as torch's two allocator figures (engine_diffusers.cpp); only this profile has the key.
    if (e.options.profile == ProfileId::diffusers)
        j["pipeline"] = {{"allocated_bytes", e.pipeline.allocated_bytes},
                         {"reserved_bytes", e.pipeline.reserved_bytes},
                         {"vae_upcast", e.pipeline.vae_upcast}};
}

}  // namespace

std::string render_json(const Model& m, const Estimate& e, int indent, const TrainingEstimate* training) {
    ordered_json j;
    json_original(j, m, e);
    json_model(j, m, e);
    json_profile(j, m, e);
    json_fit(j, m, e);
    json_gguf(j, m, e);
    if (training) j["training"] = ordered_json(training_json(*training));
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_markdown(const Model& m, const Estimate& e) {
    std::string s;
    s += "| " + m.repo_id + " | " + precision_name(e.options.precision) +
         (e.has_kv ? " · " + format_count(e.context_tokens) + " ctx" : "") + " · batch " +
         std::to_string(e.options.batch) + " |\n|---|---:|\n";
    s += "| Weights | " + format_binary(e.weights_bytes) + " |\n";
    if (e.has_kv) s += "| KV cache | " + format_binary(e.kv_cache_bytes) + " |\n";
    s += "| Activations | " + format_binary(e.activation_bytes) + " |\n";
    s += "| Overhead | " + format_binary(e.overhead_bytes) + " |\n";
    s += "| **Total** | **" + format_binary(e.total_bytes) + "** |\n";
    if (has_extended_view(e)) {
        if (!profile_info(e.options.profile).original_report)
            s += "| Per GPU" + std::string(e.tp > 1 ? " (tp " + std::to_string(e.tp) + ")" : "") + " | " +
                 gib(e.per_gpu.total_bytes) + " |\n";
        if (e.gpu) s += "| Fits " + std::string(e.gpu->name) + " | " + (e.fits ? "yes" : "no") + " |\n";
        if (e.reservation.present)
            s += "| KV pool (" + e.details.fraction_option + " " + fixed2(e.reservation.fraction) + ") | " +
                 gib(e.reservation.kv_pool_bytes) + " · " + format_count(e.reservation.kv_pool_tokens) + " tokens |\n";
        if (e.has_fit_limits && e.has_kv)
            s += "| Max context (batch " + std::to_string(e.options.batch) + ") | " +
                 format_count(e.max_context_tokens_fit) + " |\n";
        if (e.has_fit_limits) s += "| Max batch | " + format_count(e.max_batch_fit) + " |\n";
    }
    s += "\nProfile `" + std::string(profile_info(e.options.profile).name) + "`, " + format_count(m.params) +
         " parameters. GiB = 2^30 bytes (a \"24 GB\" GPU holds 24 GiB).\n";
    if (!profile_info(e.options.profile).original_report) {
        s += "Engine " + e.details.engine + " " + e.details.version + ", KV " + e.kv_dtype +
             ". Per-GPU rows in GiB (2^30 bytes).\n";
        std::string fits_one, fits_more;
        for (const auto& r : e.gpu_fit) {
            if (r.gpus_needed == 1)
                fits_one += (fits_one.empty() ? "" : ", ") + std::string(r.gpu->id);
            else if (r.gpus_needed)
                fits_more +=
                    (fits_more.empty() ? "" : ", ") + std::string(r.gpu->id) + " ×" + std::to_string(r.gpus_needed);
        }
        s += "Fits on one: " + (fits_one.empty() ? std::string("none") : fits_one) + ".";
        if (!fits_more.empty()) s += " With TP: " + fits_more + ".";
        s += "\n";
    }
    return s;
}

}  // namespace vram
