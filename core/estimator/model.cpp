#include "estimator/model.hpp"

#include "estimator/precision.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

#include "estimator/checked_math.hpp"
#include "estimator/gguf.hpp"
#include "estimator/json_sax.hpp"
#include "estimator/names.hpp"

namespace vram {
namespace {

using nlohmann::json;

struct SubComponent {
    std::string_view prefix;
    const char* name;
};
// Tensor-name prefixes of the non-LLM parts of multimodal checkpoints, reported as components.
constexpr std::array<SubComponent, 10> kSubComponents = {{
    {"visual.merger.", "projector"},
    {"model.visual.merger.", "projector"},
    {"visual.", "vision_tower"},
    {"model.visual.", "vision_tower"},
    {"vision_tower.", "vision_tower"},
    {"model.vision_tower.", "vision_tower"},
    {"vision_model.", "vision_tower"},
    {"model.vision_model.", "vision_tower"},
    {"multi_modal_projector.", "projector"},
    {"model.multi_modal_projector.", "projector"},
}};

const char* sub_component(std::string_view tensor) {
    for (const auto& s : kSubComponents)
        if (starts_with(tensor, s.prefix)) return s.name;
    return nullptr;
}

uint32_t component_index(Model& m, const std::string& name) {
    for (size_t i = 0; i < m.components.size(); ++i)
        if (m.components[i].name == name) return static_cast<uint32_t>(i);
    m.components.push_back(Component{name, {}, 0, 0, 0, {}});
    return static_cast<uint32_t>(m.components.size() - 1);
}

// Records one tensor and adds it to its component's, its dtype's and the model's totals. False (nothing
// recorded) when a total would pass 2^64: the sums are of numbers the files chose, and a wrapped sum is a
// small, wrong total.
bool add_tensor(Model& m, const TensorRecord& r, const std::string& dtype_name, uint64_t stored_elements) {
    Component& c = m.components[r.component];
    DTypeTally& d = m.dtypes[dtype_name];
    uint64_t c_bytes = 0, c_params = 0, d_elements = 0, d_bytes = 0, m_bytes = 0, m_params = 0;
    if (!checked_add(c.bytes, r.bytes, c_bytes) || !checked_add(c.params, r.params, c_params) ||
        !checked_add(d.elements, stored_elements, d_elements) || !checked_add(d.bytes, r.bytes, d_bytes) ||
        !checked_add(m.bytes, r.bytes, m_bytes) || !checked_add(m.params, r.params, m_params))
        return false;
    m.tensors.push_back(r);
    ++c.n_tensors;
    c.bytes = c_bytes;
    c.params = c_params;
    ++d.n_tensors;
    d.elements = d_elements;
    d.bytes = d_bytes;
    ++m.n_tensors;
    m.bytes = m_bytes;
    m.params = m_params;
    return true;
}

Error sum_overflow(const std::string& what) {
    return make_error(ErrorCode::sum_overflow,
                      "the " + what +
                          " add up to more than 2^64 (18,446,744,073,709,551,615): no real model is that "
                          "large, the metadata is malformed");
}

// What analyze reads from a component's config (read_config_class, json_sax.hpp: no DOM): its class and its own
// quantization_config, from one parse per config text (a diffusers denoiser's config is asked for three times). The
// root config.json's class comes from parse_architecture's parse instead (Architecture::class_name, the same rule).
class ConfigFactsCache {
  public:
    explicit ConfigFactsCache(const RepoSnapshot& s) : s_(s) {}
    // The facts of the config at path (empty facts when the snapshot lacks it or it is not a JSON object).
    const ConfigClass& of(const std::string& path) {
        auto [it, added] = by_path_.try_emplace(path);
        if (added)
            if (auto text = s_.texts.find(path); text != s_.texts.end()) it->second = read_config_class(text->second);
        return it->second;
    }

  private:
    const RepoSnapshot& s_;
    std::map<std::string, ConfigClass> by_path_;
};

// ---- GGUF ----------------------------------------------------------------------------------------------

DType dtype_of_ggml(uint32_t type) {
    switch (type) {
        case 0:
            return DType::F32;
        case 1:
            return DType::F16;
        case 24:
            return DType::I8;
        case 25:
            return DType::I16;
        case 26:
            return DType::I32;
        case 27:
            return DType::I64;
        case 28:
            return DType::F64;
        case 30:
            return DType::BF16;
        default:
            return DType::unknown;
    }
}

bool ggml_is_float(uint32_t type) { return type == 0 || type == 1 || type == 28 || type == 30; }

// blk.N with N at or above this is not a layer (architecture.cpp caps block_count at 10,000 the same way): such a
// tensor is counted with the input layer, so a hostile name cannot make per-layer tables huge.
constexpr uint64_t kMaxGgufBlocks = 10'000;

// llama.cpp's layer of a tensor by its GGUF name (llama-arch.cpp LLM_TENSOR_NAMES): blk.N.* → N; output /
// output_norm → the output layer; everything else (token_embd, token_embd_norm, rope_freqs …) → the input layer.
int32_t block_of(const std::string& name) {
    if (name.rfind("blk.", 0) == 0) {
        uint64_t n = 0;
        size_t k = 4;
        for (; k < name.size() && k < 14 && name[k] >= '0' && name[k] <= '9'; ++k)
            n = n * 10 + static_cast<uint64_t>(name[k] - '0');
        if (k > 4 && k < name.size() && name[k] == '.' && n < kMaxGgufBlocks) return static_cast<int32_t>(n);
    }
    if (name.rfind("output.", 0) == 0 || name.rfind("output_norm.", 0) == 0) return kBlockOutput;
    return kBlockInput;
}

// The layer index of a decoder tensor name: N in "….layers.N.…" (also "h.N." as in GPT-2 and "blocks.N."),
// -1 when the name has none or N is not a plausible layer.
int64_t layer_index(const std::string& name) {
    for (const char* seg : {"layers.", "h.", "blocks."}) {
        const size_t len = std::char_traits<char>::length(seg);
        for (size_t at = name.find(seg); at != std::string::npos; at = name.find(seg, at + 1)) {
            if (at != 0 && name[at - 1] != '.') continue;
            size_t k = at + len;
            uint64_t n = 0;
            while (k < name.size() && k < at + len + 6 && name[k] >= '0' && name[k] <= '9')
                n = n * 10 + static_cast<uint64_t>(name[k++] - '0');
            if (k > at + len && k < name.size() && name[k] == '.' && n < kMaxGgufBlocks) return static_cast<int64_t>(n);
        }
    }
    return -1;
}

// A Linear layer's weight matrix as vLLM builds it (LinearBase, or FusedMoE experts): "….weight" of rank 2 or 3,
// not the token embeddings (VocabParallelEmbedding), the output head (ParallelLMHead) nor an MoE router gate
// (ReplicatedLinear with quant_config=None in vLLM's llama/mixtral/qwen*_moe/deepseek_v2 models).
bool linear_matrix(const TensorInfo& t) {
    if ((t.shape.size() != 2 && t.shape.size() != 3) || !ends_with(t.name, ".weight")) return false;
    if (t.name.find("embed") != std::string::npos || t.name.find("lm_head") != std::string::npos) return false;
    for (const char* leaf : {".gate.weight", ".shared_expert_gate.weight", ".wte.weight", ".wpe.weight"})
        if (ends_with(t.name, leaf)) return false;
    return t.name != "output.weight";
}

// Collects LayerHints from the LLM's tensor names (for a config that lacks its counts).
struct HintCollector {
    std::vector<bool> seen;
    uint64_t max_layer = 0;
    LayerHints hints;
    void add(const TensorInfo& t) {
        const int64_t layer = layer_index(t.name);
        if (layer < 0) return;
        const auto n = static_cast<size_t>(layer);
        if (seen.size() <= n) seen.resize(n + 1, false);
        seen[n] = true;
        if (layer == 0 && t.shape.size() == 2 && dtype_is_floating(t.dtype)) {
            if (ends_with(t.name, ".q_proj.weight")) hints.q_proj_rows = t.shape[0];
            if (ends_with(t.name, ".k_proj.weight")) hints.k_proj_rows = t.shape[0];
        }
    }
    // n_layers only when layers 0 … N-1 are all present: gaps mean the names are not a plain layer stack.
    const LayerHints& finish() {
        const bool complete = !seen.empty() && std::all_of(seen.begin(), seen.end(), [](bool b) { return b; });
        hints.n_layers = complete ? static_cast<uint32_t>(seen.size()) : 0;
        return hints;
    }
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct ParsedGroup {
    GgufQuant quant;
    bool projector = false;
};

// Parses every file of a group from the snapshot; the architecture comes from the first shard (later shards
// may lack the architecture keys).
Error parse_group(const RepoSnapshot& s, const GgufGroup& g, const ListedSizes& sizes, ParsedGroup& out,
                  std::vector<std::string>& warnings) {
    GgufQuant& q = out.quant;
    q.name = g.name;
    q.files = g.files;
    out.projector = g.projector;
    std::map<std::string, uint64_t> type_bytes;
    bool has_output = false;
    uint64_t token_embd = 0;
    for (size_t k = 0; k < g.files.size(); ++k) {
        const std::string& file = g.files[k];
        auto it = s.gguf_prefixes.find(file);
        if (it == s.gguf_prefixes.end())
            return make_error(ErrorCode::bad_response,
                              "metadata incomplete: the GGUF header of " + file + " was not read");
        const uint64_t size = listed_size(sizes, file);
        GgufFile f = parse_gguf(it->second, file, size);
        if (f.error) return f.error;
        if (f.needs_more())
            return make_error(ErrorCode::bad_response, "metadata incomplete: the stored GGUF header of " + file +
                                                           " ends after " + std::to_string(it->second.size()) +
                                                           " bytes, before its tensor infos (" +
                                                           std::to_string(f.need_bytes) + " needed)");
        if (f.big_endian)
            warnings.push_back(file +
                               " is a big-endian GGUF (read, but llama.cpp on little-endian machines refuses it)");
        if (k == 0) {
            if (const GgufValue* ft = f.find("general.file_type"); ft && ft->is_integer())
                if (const char* name = llama_ftype_name(static_cast<uint32_t>(ft->u))) q.file_type = name;
            if (const GgufValue* sc = f.find("split.count");
                sc && sc->is_integer() && sc->u != g.files.size() && g.split_count)
                warnings.push_back(file + " says split.count " + std::to_string(sc->u) + " but the repo has " +
                                   std::to_string(g.files.size()) + " parts");
            if (!g.projector) {
                ArchitectureResult a = parse_gguf_architecture(f, file);
                if (a.error) return a.error;
                q.arch = std::move(a.arch);
            }
        }
        if (!add_to(q.file_bytes, size) || !add_to(q.metadata_bytes, f.data_offset_bytes))
            return sum_overflow("file sizes of " + g.name);
        for (const auto& t : f.tensors) {
            if (t.name == "output.weight") has_output = true;
            if (t.name == "token_embd.weight") token_embd = t.bytes;
            TensorRecord r;
            r.dtype = dtype_of_ggml(t.type);
            r.flags = ggml_is_float(t.type) ? kFloating : kQuantized;
            r.block = g.projector ? kBlockProjector : block_of(t.name);
            r.bytes = t.bytes;
            r.params = t.n_elements;
            q.tensors.push_back(r);
            if (!add_to(q.bytes, r.bytes) || !add_to(q.params, r.params) ||
                !add_to(type_bytes[ggml_type_info(t.type)->name], r.bytes))
                return sum_overflow("tensor bytes or parameters of " + g.name);
            ++q.n_tensors;
        }
    }
    // llama.cpp llama-model.cpp: without output.weight the output layer uses token_embd, created again with
    // TENSOR_DUPLICATED in the output layer's buffer (the input layer's copy stays in system memory).
    if (!g.projector && !has_output) q.duplicated_bytes = token_embd;
    uint64_t best = 0;
    for (const auto& [name, bytes] : type_bytes)
        if (bytes > best) {
            best = bytes;
            q.dominant_type = name;
        }
    return {};
}

Model analyze_gguf(const RepoSnapshot& s, Model m, const std::string& want) {
    const ListedSizes sizes = listed_sizes(s.files);
    GgufGroups groups = gguf_groups(s.files);
    if (groups.error) {
        m.error = groups.error;
        return m;
    }
    std::vector<ParsedGroup> models, projectors;
    for (const auto& g : groups.groups) {
        ParsedGroup p;
        if (Error e = parse_group(s, g, sizes, p, m.warnings)) {
            m.error = std::move(e);
            return m;
        }
        (p.projector ? projectors : models).push_back(std::move(p));
    }
    if (models.empty()) {
        m.error =
            make_error(ErrorCode::no_weights, "the repo's GGUF files are all projectors (mmproj*): no language model");
        return m;
    }
    // Which quantization: the one asked for, else the smallest Q4_K_M, else the first in the listing.
    size_t chosen = models.size();
    if (!want.empty()) {
        const std::string w = lower(want);
        for (size_t k = 0; k < models.size(); ++k) {
            const GgufQuant& q = models[k].quant;
            bool hit = lower(q.file_type) == w;
            for (const auto& f : q.files) hit = hit || f == want || base_name(f) == want;
            if (hit && (chosen == models.size() || q.bytes < models[chosen].quant.bytes)) chosen = k;
        }
        if (chosen == models.size()) {
            std::string names;
            for (const auto& p : models)
                names += (names.empty() ? "" : ", ") + p.quant.name +
                         (p.quant.file_type.empty() ? "" : " (" + p.quant.file_type + ")");
            m.error = make_error(ErrorCode::invalid_argument, "no GGUF file or quantization \"" + want + "\" in " +
                                                                  s.repo_id + "; it has: " + names);
            return m;
        }
    } else {
        for (size_t k = 0; k < models.size(); ++k)
            if (models[k].quant.file_type == "Q4_K_M" &&
                (chosen == models.size() || models[k].quant.bytes < models[chosen].quant.bytes))
                chosen = k;
        if (chosen == models.size()) {
            chosen = 0;
            if (models.size() > 1)
                m.notes.push_back("no Q4_K_M file: the estimate uses the first GGUF file in the listing, " +
                                  models[0].quant.name);
        }
    }
    for (size_t k = 0; k < models.size(); ++k) {
        models[k].quant.selected = k == chosen;
        m.gguf_quants.push_back(models[k].quant);
    }
    const GgufQuant& q = models[chosen].quant;
    m.gguf_file = q.name;
    m.gguf_metadata_bytes = q.metadata_bytes;
    m.gguf_duplicated_bytes = q.duplicated_bytes;
    m.arch = q.arch;
    m.has_llm = m.arch.has_kv_cache;
    if (models.size() > 1)
        m.notes.push_back("GGUF repo with " + std::to_string(models.size()) + " quantizations: the estimate uses " +
                          q.name + (q.file_type.empty() ? "" : " (" + q.file_type + ")") +
                          (want.empty()
                               ? " (default: the smallest Q4_K_M, else the first file); choose another with --gguf-file"
                               : ""));

    Component root{"root", q.files, 0, 0, 0, m.arch.model_type};
    m.components.push_back(root);
    bool overflow = false;
    auto add = [&](const TensorRecord& rec, uint32_t component, const char* type_name) {
        TensorRecord r = rec;
        r.component = component;
        if (!add_tensor(m, r, type_name, r.params)) overflow = true;
    };
    // The type names are not in the records: re-read them from the stored prefixes of the selected files.
    auto add_files = [&](const std::vector<std::string>& files, uint32_t component) {
        for (const auto& file : files) {
            GgufFile f = parse_gguf(s.gguf_prefixes.at(file), file, listed_size(sizes, file));
            for (const auto& t : f.tensors) {
                TensorRecord r;
                r.dtype = dtype_of_ggml(t.type);
                r.flags = ggml_is_float(t.type) ? kFloating : kQuantized;
                r.block = component == 0 ? block_of(t.name) : kBlockProjector;
                r.bytes = t.bytes;
                r.params = t.n_elements;
                add(r, component, ggml_type_info(t.type)->name);
            }
            ++m.n_files;
        }
    };
    add_files(q.files, 0);
    if (!projectors.empty()) {
        // llama.cpp pairs a model with one projector; prefer the F16 one when a repo ships several.
        size_t pick = 0;
        for (size_t k = 0; k < projectors.size(); ++k)
            if (lower(projectors[k].quant.name).find("f16") != std::string::npos) {
                pick = k;
                break;
            }
        const GgufQuant& p = projectors[pick].quant;
        m.gguf_projector = p.name;
        m.components.push_back(Component{"projector", p.files, 0, 0, 0, "mmproj"});
        add_files(p.files, 1);
        m.notes.push_back(
            p.name + " is counted as component projector (the multimodal projector llama.cpp loads beside the model)");
        if (projectors.size() > 1)
            m.notes.push_back(std::to_string(projectors.size() - 1) +
                              " other projector file(s) not counted (one is loaded at a time)");
    }
    if (overflow)
        m.error = sum_overflow("tensor bytes or parameters of " + q.name);
    else if (m.n_tensors == 0)
        m.error = make_error(ErrorCode::no_weights, "the GGUF files hold no tensors");
    return m;
}

// The LLM architecture from the root config.json, the quantization rules, and the diffusers denoiser's class.
// false (with m.error set) when config.json is malformed.
bool read_architecture(const RepoSnapshot& s, Model& m, ConfigFactsCache& configs) {
    // The LLM architecture: root config.json, else the first component config that has a KV cache.
    if (auto it = s.texts.find("config.json"); it != s.texts.end()) {
        ArchitectureResult a = parse_architecture(it->second);
        if (a.error) {
            m.error = a.error;
            return false;
        }
        m.arch = std::move(a.arch);
        m.has_llm = m.arch.has_kv_cache;
    }
    m.quant = parse_quant_rules(m.arch.quantization_config);
    if (m.quant.method.empty())
        if (auto it = s.texts.find("hf_quant_config.json"); it != s.texts.end())
            m.quant = parse_quant_rules(it->second);
    if (m.layout == "diffusers") {
        for (const char* denoiser : {"transformer", "unet", "prior", "decoder"}) {
            const std::string path = std::string(denoiser) + "/config.json";
            if (s.texts.count(path)) {
                m.model_class = configs.of(path).class_name;
                if (m.arch.model_type.empty()) m.arch.model_type = m.model_class;
                break;
            }
        }
    }

    return true;
}

// After the headers: the decoder's counts from the tensor names where config.json lacks them, and the
// per-component bytes at every precision (so that a recompute never walks the tensors again).
void finish(const RepoSnapshot& s, HintCollector& hints, Model& m) {
    if (!m.arch.missing_counts.empty() && !m.error) {
        // config.json lacks the decoder's counts: read them from the tensor names, or fail naming the keys.
        ArchitectureResult a = parse_architecture(s.texts.at("config.json"), &hints.finish());
        if (a.error) {
            m.error = a.error;
            return;
        }
        for (const auto& text : a.arch.assumptions)
            if (text.rfind("config.json has no usable count", 0) == 0) m.warnings.push_back(text);
        m.arch = std::move(a.arch);
        m.has_llm = m.arch.has_kv_cache;
    }
    m.component_bytes_at.resize(precisions().size());
    for (size_t index = 0; index < precisions().size(); ++index) {
        const Precision p = static_cast<Precision>(index);
        std::vector<uint64_t> sums(m.components.size(), 0);
        for (const auto& t : m.tensors)
            if (!add_to(sums[t.component], tensor_bytes_at(t, p))) {
                m.error = sum_overflow(std::string("weight bytes at precision ") + precision_name(p));
                return;
            }
        m.component_bytes_at[index] = std::move(sums);
    }
}

}  // namespace

Model analyze(const RepoSnapshot& s, const std::string& gguf_file, AnalyzeCache* cache) {
    Model m;
    m.repo_id = s.repo_id;
    m.revision = s.revision;
    m.sha = s.sha;
    m.variant = s.variant;
    LayoutPlan plan = plan_layout(s.files, s.texts, s.variant, cache ? &cache->shards : nullptr);
    if (plan.error) {
        m.error = plan.error;
        return m;
    }
    if (!plan.complete()) {
        m.error =
            make_error(ErrorCode::bad_response, "metadata incomplete: " + plan.need_texts.front() + " was not fetched");
        return m;
    }
    m.layout = plan.layout;
    m.variants = plan.variants;
    m.notes = plan.notes;
    if (m.layout == "gguf") return analyze_gguf(s, std::move(m), gguf_file);
    if (!gguf_file.empty()) {
        m.error = make_error(ErrorCode::invalid_argument, "gguf_file \"" + gguf_file + "\" given but " + s.repo_id +
                                                              " is not a GGUF repo (layout " + m.layout + ")");
        return m;
    }

    ConfigFactsCache configs(s);
    if (!read_architecture(s, m, configs)) return m;

    const ListedSizes sizes = listed_sizes(s.files);

    HintCollector hints;
    for (const auto& plan_c : plan.components) {
        const uint32_t ci = component_index(m, plan_c.name == "root" ? "root" : plan_c.name);
        // config.json was parsed by parse_architecture (read_architecture stops on its errors), which read its class.
        if (plan_c.config_path == "config.json" && s.texts.count("config.json"))
            m.components[ci].class_name = m.arch.class_name;
        else if (!plan_c.config_path.empty())
            m.components[ci].class_name = configs.of(plan_c.config_path).class_name;
        // Each component may carry its own quantization_config (diffusers bnb checkpoints).
        QuantRules rules = m.quant;
        if (!plan_c.folder.empty() && !plan_c.config_path.empty())
            if (const ConfigClass& facts = configs.of(plan_c.config_path); !facts.quantization_config.empty())
                rules = parse_quant_rules(facts.quantization_config);
        for (const auto& file : plan_c.files) {
            auto h = s.headers.find(file);
            if (h == s.headers.end()) {
                m.error =
                    make_error(ErrorCode::bad_response, "metadata incomplete: the header of " + file + " was not read");
                return m;
            }
            const uint64_t size = listed_size(sizes, file);
            SafetensorsHeader parsed_here;
            const SafetensorsHeader* cached = nullptr;
            if (cache)
                if (auto c = cache->headers.find(file); c != cache->headers.end() &&
                                                        c->second.text_bytes == h->second.size() &&
                                                        c->second.file_size == size)
                    cached = &c->second.header;
            if (!cached) parsed_here = parse_safetensors_header(h->second, file, size);
            const SafetensorsHeader& header = cached ? *cached : parsed_here;
            if (header.error) {
                m.error = header.error;
                return m;
            }
            m.warnings.insert(m.warnings.end(), header.warnings.begin(), header.warnings.end());
            m.components[ci].files.push_back(file);
            ++m.n_files;
            for (const auto& t : header.tensors) {
                uint32_t target = ci;
                if (plan_c.folder.empty()) {
                    if (const char* sub = sub_component(t.name))
                        target = component_index(m, sub);
                    else if (!m.arch.missing_counts.empty())
                        hints.add(t);
                }
                TensorRole role = classify_tensor(rules, t);
                TensorRecord r;
                r.component = target;
                r.dtype = t.dtype;
                r.bytes = t.bytes();
                if (role.bookkeeping) r.flags |= kBookkeeping;
                if (role.quantized) r.flags |= kQuantized;
                if (!role.bookkeeping && !role.quantized && dtype_is_floating(t.dtype)) {
                    r.flags |= kFloating;
                    if (linear_matrix(t)) r.flags |= kLinear;
                }
                if (!role.bookkeeping && t.dtype != DType::unknown)
                    r.params = static_cast<uint64_t>(std::llround(static_cast<double>(t.n_elements) * role.multiplier));
                if (!add_tensor(m, r, t.dtype_name, t.n_elements)) {
                    m.error = sum_overflow("tensor bytes or parameters of the weight files (at " + file + ")");
                    return m;
                }
            }
        }
    }
    if (m.layout == "diffusers") {
        std::map<std::string, std::string> configs;
        for (const auto& c : plan.components)
            if (auto it = s.texts.find(c.config_path); !c.config_path.empty() && it != s.texts.end())
                configs[c.name] = it->second;
        const auto index = s.texts.find("model_index.json");
        m.pipeline = read_pipeline_shape(index == s.texts.end() ? "" : index->second, configs);
    }
    if (m.n_tensors == 0 && !m.error)
        m.error = make_error(ErrorCode::no_weights, "the safetensors files hold no tensors");
    if (!m.error) finish(s, hints, m);
    return m;
}

}  // namespace vram
