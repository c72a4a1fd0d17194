// Views of tensor names and file paths: the prefix and suffix tests and the last dotted component that the layout
// planner, the model's tensor walk, the quantization rules and the training breakdown all ask of every name. One
// copy, on string_view, so that no call copies the name (they run once per tensor: 92k on DeepSeek-R1).
#pragma once
#include <string_view>

namespace vram {

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// What follows the last '.' ("model.layers.0.mlp.down_proj.weight" → "weight"), the whole name without one; a view
// into `name`.
inline std::string_view last_component(std::string_view name) {
    const size_t dot = name.rfind('.');
    return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace vram
