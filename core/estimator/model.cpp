#include "estimator/model.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

namespace vram {
namespace {

using nlohmann::json;

struct SubComponent {
    const char* prefix;
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

const char* sub_component(const std::string& tensor) {
    for (const auto& s : kSubComponents)
        if (tensor.rfind(s.prefix, 0) == 0) return s.name;
    return nullptr;
}

uint32_t component_index(Model& m, const std::string& name) {
    for (size_t i = 0; i < m.components.size(); ++i)
        if (m.components[i].name == name) return static_cast<uint32_t>(i);
    m.components.push_back(Component{name, {}, 0, 0, 0, {}});
    return static_cast<uint32_t>(m.components.size() - 1);
}

std::string class_of(const std::string& config_text) {
    try {
        json c = json::parse(config_text);
        if (!c.is_object()) return {};
        if (c.contains("_class_name") && c["_class_name"].is_string()) return c["_class_name"].get<std::string>();
        if (c.contains("architectures") && c["architectures"].is_array() && !c["architectures"].empty() &&
            c["architectures"][0].is_string())
            return c["architectures"][0].get<std::string>();
    } catch (const json::exception&) {
    }
    return {};
}

}  // namespace

Model analyze(const RepoSnapshot& s) {
    Model m;
    m.repo_id = s.repo_id;
    m.revision = s.revision;
    m.sha = s.sha;
    m.variant = s.variant;
    LayoutPlan plan = plan_layout(s.files, s.texts, s.variant);
    if (plan.error) {
        m.error = plan.error;
        return m;
    }
    if (!plan.complete()) {
        m.error = make_error(ErrorCode::bad_response, "metadata incomplete: " + plan.need_texts.front() + " was not fetched");
        return m;
    }
    m.layout = plan.layout;
    m.variants = plan.variants;
    m.notes = plan.notes;

    // The LLM architecture: root config.json, else the first component config that has a KV cache.
    if (auto it = s.texts.find("config.json"); it != s.texts.end()) {
        ArchitectureResult a = parse_architecture(it->second);
        if (a.error) {
            m.error = a.error;
            return m;
        }
        m.arch = std::move(a.arch);
        m.has_llm = m.arch.has_kv_cache;
    }
    m.quant = parse_quant_rules(m.arch.quantization_config);
    if (m.quant.method.empty())
        if (auto it = s.texts.find("hf_quant_config.json"); it != s.texts.end()) m.quant = parse_quant_rules(it->second);
    if (m.layout == "diffusers") {
        for (const char* denoiser : {"transformer", "unet", "prior", "decoder"}) {
            auto it = s.texts.find(std::string(denoiser) + "/config.json");
            if (it != s.texts.end()) {
                m.model_class = class_of(it->second);
                if (m.arch.model_type.empty()) m.arch.model_type = m.model_class;
                break;
            }
        }
    }

    std::map<std::string, uint64_t> sizes;
    for (const auto& f : s.files) sizes[f.path] = f.size_bytes;

    for (const auto& plan_c : plan.components) {
        const uint32_t ci = component_index(m, plan_c.name == "root" ? "root" : plan_c.name);
        if (!plan_c.config_path.empty())
            if (auto it = s.texts.find(plan_c.config_path); it != s.texts.end()) m.components[ci].class_name = class_of(it->second);
        // Each component may carry its own quantization_config (diffusers bnb checkpoints).
        QuantRules rules = m.quant;
        if (!plan_c.folder.empty() && !plan_c.config_path.empty())
            if (auto it = s.texts.find(plan_c.config_path); it != s.texts.end()) {
                try {
                    json c = json::parse(it->second);
                    if (c.is_object() && c.contains("quantization_config") && c["quantization_config"].is_object())
                        rules = parse_quant_rules(c["quantization_config"].dump());
                } catch (const json::exception&) {
                }
            }
        for (const auto& file : plan_c.files) {
            auto h = s.headers.find(file);
            if (h == s.headers.end()) {
                m.error = make_error(ErrorCode::bad_response, "metadata incomplete: the header of " + file + " was not read");
                return m;
            }
            const uint64_t size = sizes.count(file) ? sizes[file] : 0;
            SafetensorsHeader header = parse_safetensors_header(h->second, file, size);
            if (header.error) {
                m.error = header.error;
                return m;
            }
            m.warnings.insert(m.warnings.end(), header.warnings.begin(), header.warnings.end());
            m.components[ci].files.push_back(file);
            ++m.n_files;
            for (const auto& t : header.tensors) {
                uint32_t target = ci;
                if (plan_c.folder.empty())
                    if (const char* sub = sub_component(t.name)) target = component_index(m, sub);
                TensorRole role = classify_tensor(rules, t);
                TensorRecord r;
                r.component = target;
                r.dtype = t.dtype;
                r.bytes = t.bytes();
                if (role.bookkeeping) r.flags |= kBookkeeping;
                if (role.quantized) r.flags |= kQuantized;
                if (!role.bookkeeping && !role.quantized && dtype_is_floating(t.dtype)) r.flags |= kFloating;
                if (!role.bookkeeping && t.dtype != DType::unknown)
                    r.params = static_cast<uint64_t>(std::llround(static_cast<double>(t.n_elements) * role.multiplier));
                m.tensors.push_back(r);
                Component& c = m.components[target];
                ++c.n_tensors;
                c.bytes += r.bytes;
                c.params += r.params;
                DTypeTally& d = m.dtypes[t.dtype_name];
                ++d.n_tensors;
                d.elements += t.n_elements;
                d.bytes += r.bytes;
                ++m.n_tensors;
                m.bytes += r.bytes;
                m.params += r.params;
            }
        }
    }
    if (m.n_tensors == 0 && !m.error) m.error = make_error(ErrorCode::no_weights, "the safetensors files hold no tensors");
    return m;
}

}  // namespace vram
