// Names and shapes for the fine-tuning estimate: the Model keeps compact records (no names), so the headers the
// Model was built from are parsed again, in the Model's order, and each tensor is paired with its record.
// Also the glob matching of LoRA targets (PEFT matches target_modules against module names:
// peft 0.17 src/peft/tuners/tuners_utils.py check_target_module_exists, a plain name matching the last component).
#include <array>

#include "estimator/training.hpp"

namespace vram {
namespace {

// Containers of the decoder's repeated blocks under the names transformers gives them
// (model.layers.N, transformer.h.N, gpt_neox.layers.N, transformer.blocks.N, …).
constexpr std::array<std::string_view, 5> kLayerContainers = {"layers", "h", "blocks", "layer", "block"};
// A layer index above this is not a layer (architecture.cpp caps num_hidden_layers at 10,000 the same way).
constexpr uint64_t kMaxLayerIndex = 10'000;

int32_t layer_of(std::string_view name) {
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) break;
        const std::string_view part = name.substr(start, dot - start);
        start = dot + 1;
        bool container = false;
        for (auto c : kLayerContainers) container = container || part == c;
        if (!container) continue;
        uint64_t n = 0;
        size_t k = start;
        for (; k < name.size() && k - start < 6 && name[k] >= '0' && name[k] <= '9'; ++k)
            n = n * 10 + static_cast<uint64_t>(name[k] - '0');
        if (k > start && k < name.size() && name[k] == '.' && n < kMaxLayerIndex) return static_cast<int32_t>(n);
    }
    return -1;
}

}  // namespace

bool glob_match(std::string_view p, std::string_view t) {
    size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
            ++pi;
            ++ti;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

bool target_matches(std::string_view pattern, std::string_view name) {
    if (glob_match(pattern, name)) return true;
    const size_t last = name.rfind('.');
    if (last == std::string_view::npos) return false;
    const std::string_view module = name.substr(0, last);
    // The module path and each of its dot-suffixes: "q_proj", "self_attn.q_proj", … "model.layers.0.self_attn.q_proj".
    size_t from = module.size();
    while (true) {
        const size_t dot = from == 0 ? std::string_view::npos : module.rfind('.', from - 1);
        const std::string_view suffix = dot == std::string_view::npos ? module : module.substr(dot + 1);
        if (glob_match(pattern, suffix)) return true;
        if (dot == std::string_view::npos) return false;
        from = dot;
    }
}

TrainTensors training_tensors(const RepoSnapshot& s, const Model& m) {
    TrainTensors out;
    if (m.layout == "gguf") {
        out.error = make_error(ErrorCode::training_unsupported,
                               "fine-tuning estimates read safetensors checkpoints; " + m.repo_id +
                                   " has only GGUF files (llama.cpp's inference format)");
        return out;
    }
    const ListedSizes sizes = listed_sizes(s.files);
    out.tensors.reserve(m.tensors.size());
    for (const auto& c : m.components)
        for (const auto& file : c.files) {
            auto h = s.headers.find(file);
            if (h == s.headers.end()) {
                out.error =
                    make_error(ErrorCode::bad_response, "metadata incomplete: the header of " + file + " was not read");
                return out;
            }
            SafetensorsHeader header = parse_safetensors_header(h->second, file, listed_size(sizes, file));
            if (header.error) {
                out.error = header.error;
                return out;
            }
            for (auto& t : header.tensors) {
                const size_t k = out.tensors.size();
                const TensorRecord r = k < m.tensors.size() ? m.tensors[k] : TensorRecord{};
                TrainTensor tt;
                tt.name = std::move(t.name);
                tt.shape = std::move(t.shape);
                tt.dtype = r.dtype;
                tt.flags = r.flags;
                tt.bytes = r.bytes;
                tt.params = r.params;
                tt.layer = layer_of(tt.name);
                tt.in_llm = r.component < m.components.size() && m.components[r.component].name == "root";
                out.tensors.push_back(std::move(tt));
            }
        }
    if (out.tensors.size() != m.tensors.size())
        out.error =
            make_error(ErrorCode::bad_response, "the headers hold " + std::to_string(out.tensors.size()) +
                                                    " tensors where the model has " + std::to_string(m.tensors.size()) +
                                                    " (snapshot and model disagree)");
    return out;
}

}  // namespace vram
