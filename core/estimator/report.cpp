#include "estimator/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "estimator/engine.hpp"
#include "estimator/json_writer.hpp"
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
        for (const auto& r : e.gpu_fit) {  // appended in place: a row per GPU of the catalog
            const std::string_view id = r.gpu->id;
            const std::string usable = gib(r.gpu->usable_bytes);
            s += "  - ";
            s += id;
            if (id.size() < 24) s.append(24 - id.size(), ' ');
            if (usable.size() < 12) s.append(12 - usable.size(), ' ');
            s += usable;
            s += "  ";
            s += fit_text(r, profile);
            s += '\n';
        }
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
void json_original(JsonWriter& w, const Model& m, const Estimate& e) {
    w.field("model_id", m.repo_id);
    const Architecture& a = m.arch;
    w.key("architecture").begin_object();
    if (m.has_llm) {
        w.field("num_layers", a.n_layers)
            .field("hidden_size", a.hidden_size)
            .field("num_attention_heads", a.n_heads)
            .field("num_kv_heads", a.n_kv_heads)
            .field("head_dim", a.head_dim)
            .field("max_context", a.max_context_tokens)
            .field("model_type", a.model_type);
    } else {
        w.field("model_type", m.model_class.empty() ? a.model_type : m.model_class);
    }
    w.end_object();
    w.key("dtype_distribution").begin_object();
    for (const auto& [name, d] : m.dtypes) w.field(name, d.n_tensors);
    w.end_object();
    // An object by name: a name seen twice keeps its first place and its last value (as a JSON object
    // assigned in turn would; the names come from the repo's folders and may repeat).
    w.key("component_sizes").begin_object();
    const auto& cs = e.components;
    for (size_t i = 0; i < cs.size(); ++i) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; ++k) seen = cs[k].name == cs[i].name;
        if (seen) continue;
        size_t last = i;
        for (size_t k = i + 1; k < cs.size(); ++k)
            if (cs[k].name == cs[i].name) last = k;
        w.field(cs[i].name, format_bytes(cs[last].bytes));
    }
    w.end_object();
    w.field("quantization", precision_name(e.options.precision));
    w.field("batch_size", e.options.batch);
    w.field("context_length", e.context_tokens);
    const std::pair<const char*, uint64_t> est[] = {
        {"model_weights", e.weights_bytes},  {"model_weights_raw", e.weights_raw_bytes},
        {"kv_cache", e.kv_cache_bytes},      {"activation_overhead", e.activation_bytes},
        {"cuda_overhead", e.overhead_bytes}, {"total", e.total_bytes}};
    w.key("estimates").begin_object();
    for (const auto& [k, v] : est) w.field(k, format_bytes(v));
    w.end_object();
    w.key("estimates_bytes").begin_object();
    for (const auto& [k, v] : est) w.field(k, v);
    w.end_object();
}

// Fields beyond the original schema (documented in docs/json-schema.md).
void json_model(JsonWriter& w, const Model& m, const Estimate& e) {
    w.field("schema_version", kReportSchemaVersion)
        .field("tool_version", kToolVersion)
        .field("revision", m.revision)
        .field("sha", m.sha)
        .field("profile", profile_info(e.options.profile).name)
        .field("layout", m.layout)
        .field("variant", m.variant)
        .field("variants", m.variants)
        .field("tensors", m.n_tensors)
        .field("parameters", m.params)
        .field("weight_files", m.n_files);
    w.key("components").begin_array();
    for (size_t i = 0; i < e.components.size(); ++i)
        w.begin_object()
            .field("name", e.components[i].name)
            .field("bytes", e.components[i].bytes)
            .field("stored_bytes", m.components[i].bytes)
            .field("parameters", m.components[i].params)
            .field("tensors", m.components[i].n_tensors)
            .field("class_name", m.components[i].class_name)
            .end_object();
    w.end_array();
    w.key("dtypes").begin_object();
    for (const auto& [name, d] : m.dtypes)
        w.key(name)
            .begin_object()
            .field("tensors", d.n_tensors)
            .field("elements", d.elements)
            .field("bytes", d.bytes)
            .end_object();
    w.end_object();
    w.field("kv_bytes_per_token", e.kv_bytes_per_token)
        .field("quantization_method", m.quant.summary)
        .field("recommendation", e.recommendation)
        .field("assumptions", e.assumptions)
        .field("notes", m.notes)
        .field("warnings", m.warnings);
}

// Added with the engine profiles (docs/estimates.md § JSON). Bytes are integers; *_gib / *_gb are display values.
void json_profile(JsonWriter& w, const Model&, const Estimate& e) {
    w.field("kv_dtype", e.kv_dtype).field("tensor_parallel", e.tp);
    w.key("profile_details")
        .begin_object()
        .field("engine", e.details.engine)
        .field("version", e.details.version)
        .field("sources", e.details.sources)
        .field("kv_block_tokens", e.details.block_tokens)
        .field("max_num_batched_tokens", e.details.max_num_batched_tokens)
        .field("max_num_seqs", e.details.max_num_seqs)
        .field("memory_fraction_option", e.details.fraction_option)
        .field("memory_fraction", round2(e.details.memory_fraction))
        .field("compute_dtype_bytes", e.details.activation_bytes)
        .end_object();
    w.key("kv_cache_per_layer").begin_array();
    for (const auto& g : e.kv_groups)
        w.begin_object()
            .field("kind", g.kind)
            .field("layers", g.n_layers)
            .field("window_tokens", g.window_tokens)
            .field("bytes_per_token", g.bytes_per_token)
            .field("tokens_per_sequence", g.tokens_per_sequence)
            .field("state_bytes", g.state_bytes)
            .field("bytes", g.bytes)
            .end_object();
    w.end_array();
    w.key("per_gpu")
        .begin_object()
        .field("gpus", e.tp)
        .field("model_weights", e.per_gpu.weights_bytes)
        .field("kv_cache", e.per_gpu.kv_cache_bytes)
        .field("activation_overhead", e.per_gpu.activation_bytes)
        .field("cuda_overhead", e.per_gpu.overhead_bytes)
        .field("total", e.per_gpu.total_bytes)
        .end_object();
    w.key("overhead_parts")
        .begin_object()
        .field("fixed", e.overhead_parts.fixed_bytes)
        .field("cuda_context", e.overhead_parts.cuda_context_bytes)
        .field("non_torch", e.overhead_parts.non_torch_bytes)
        .field("cuda_graphs", e.overhead_parts.cuda_graph_bytes)
        .end_object();
}

// The chosen GPU, the engine's reservation, the limits that fit and the catalog table.
void json_fit(JsonWriter& w, const Model&, const Estimate& e) {
    w.key("gpu");
    if (e.gpu) {
        const GpuInfo& g = *e.gpu;
        w.begin_object()
            .field("id", g.id)
            .field("name", g.name)
            .field("backend", gpu_backend_name(g.backend))
            .field("segment", g.segment)
            .field("memory_bytes", g.memory_bytes)
            .field("memory_gib", round2(static_cast<double>(g.memory_bytes) / kGiB))
            .field("memory_gb", round2(static_cast<double>(g.memory_bytes) / kGB))
            .field("usable_bytes", g.usable_bytes)
            .field("usable_gib", round2(static_cast<double>(g.usable_bytes) / kGiB))
            .field("usable_gb", round2(static_cast<double>(g.usable_bytes) / kGB))
            .field("fits", e.fits)
            .field("source", g.source)
            .end_object();
    } else {
        w.null();
    }
    w.key("engine_reservation");
    if (e.reservation.present)
        w.begin_object()
            .field("option", e.details.fraction_option)
            .field("fraction", round2(e.reservation.fraction))
            .field("reserved_bytes", e.reservation.reserved_bytes)
            .field("non_kv_bytes", e.reservation.non_kv_bytes)
            .field("kv_pool_bytes", e.reservation.kv_pool_bytes)
            .field("kv_pool_tokens", e.reservation.kv_pool_tokens)
            .end_object();
    else
        w.null();
    w.field_or_null("max_context_tokens_fit", e.has_fit_limits && e.has_kv, e.max_context_tokens_fit)
        .field_or_null("max_batch_fit", e.has_fit_limits, e.max_batch_fit);
    // Rows stay lean (the page re-renders them on every control change); the catalog's full entry
    // is under "gpu" for the chosen one and in `vram-estimate --list-gpus`.
    w.key("gpu_fit").begin_array();
    for (const auto& r : e.gpu_fit)
        w.begin_object()
            .field("id", r.gpu->id)
            .field("name", r.gpu->name)
            .field("backend", gpu_backend_name(r.gpu->backend))
            .field("usable_bytes", r.gpu->usable_bytes)
            .field("engine_runs", r.engine_runs)
            .field("fits_one", r.fits_one)
            .field("gpus_needed", r.gpus_needed)
            .field("per_gpu_total_bytes", r.per_gpu_total_bytes)
            .end_object();
    w.end_array();
}

// Added with GGUF support (docs/estimates.md § llama.cpp): the quantization table and llama.cpp's split.
void json_gguf(JsonWriter& w, const Model& m, const Estimate& e) {
    const bool gguf = m.layout == "gguf";
    w.field_or_null("gguf_file", gguf, m.gguf_file)
        .field_or_null("gguf_projector", gguf && !m.gguf_projector.empty(), m.gguf_projector);
    w.key("gguf_files").begin_array();
    for (const auto& r : e.gguf_rows) {
        const GgufQuant& q = *r.quant;
        w.begin_object()
            .field("file", q.name)
            .field("files", q.files)
            .field_or_null("file_type", !q.file_type.empty(), q.file_type)
            .field("dominant_type", q.dominant_type)
            .field("tensors", q.n_tensors)
            .field("parameters", q.params)
            .field("bits_per_weight", round2(r.bits_per_weight))
            .field("weights_bytes", q.bytes)
            .field("file_bytes", q.file_bytes)
            .field("gpu_weights_bytes", r.weights_bytes)
            .field("kv_cache_bytes", r.kv_cache_bytes)
            .field("total_bytes", r.total_bytes)
            .field("system_memory_bytes", r.host_bytes)
            .field_or_null("fits", e.gpu != nullptr, r.fits)
            .field("selected", q.selected)
            .end_object();
    }
    w.end_array();
    if (profile_info(e.options.profile).gguf) {
        w.key("llama_cpp")
            .begin_object()
            .field("flash_attention", e.options.flash_attention)
            .field("ubatch_tokens", e.options.ubatch_tokens)
            .field("context_cells", e.context_cells)
            .field("n_gpu_layers", e.n_gpu_layers)
            .field("n_layers_total", e.per_gpu_layers_total())
            .field_or_null("max_gpu_layers_fit", e.has_gpu_layers_fit, e.max_gpu_layers_fit)
            .key("system_memory")
            .begin_object()
            .field("model_weights", e.host.weights_bytes)
            .field("kv_cache", e.host.kv_cache_bytes)
            .field("compute_buffer", e.host.compute_bytes)
            .field("output_buffer", e.host.output_bytes)
            .field("overhead", e.host.overhead_bytes)
            .field("total", e.host.total_bytes)
            .end_object()
            .end_object();
    } else {
        w.null_field("llama_cpp");
    }
    // diffusers: the peak as torch's two allocator figures (engine_diffusers.cpp); only this profile has the key.
    if (e.options.profile == ProfileId::diffusers)
        w.key("pipeline")
            .begin_object()
            .field("allocated_bytes", e.pipeline.allocated_bytes)
            .field("reserved_bytes", e.pipeline.reserved_bytes)
            .field("vae_upcast", e.pipeline.vae_upcast)
            .end_object();
}

}  // namespace

// Written by JsonWriter (json_writer.hpp) in the text nlohmann's dump() gives, without building a DOM: this
// runs on every control change of the page. Keys in the order written; none is written twice.
std::string render_json(const Model& m, const Estimate& e, int indent, const TrainingEstimate* training) {
    JsonWriter w(indent);
    w.reserve(4096 + 160 * e.gpu_fit.size());
    w.begin_object();
    json_original(w, m, e);
    json_model(w, m, e);
    json_profile(w, m, e);
    json_fit(w, m, e);
    json_gguf(w, m, e);
    if (training)
        w.key("training")
            .raw_dump(training_json(*training).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace));
    w.end_object();
    std::string out = w.take();
    out += '\n';
    return out;
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
