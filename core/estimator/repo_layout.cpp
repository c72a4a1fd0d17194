#include "estimator/repo_layout.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "estimator/json_sax.hpp"
#include "estimator/names.hpp"

namespace vram {
namespace {

using nlohmann::json;

// The path helpers take and give views: the planner runs them for every listed file and every
// component (a 163-shard repo lists ~200 files), and a copy per call was most of plan_layout's time
// under the fuzzer (tests/fuzz/README.md, "Fifth pass").

std::string_view folder_view(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}
std::string_view base_view(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
std::string folder_of(const std::string& path) { return std::string(folder_view(path)); }
std::string base_of(const std::string& path) { return std::string(base_view(path)); }
std::string join(const std::string& folder, const std::string& name) {
    return folder.empty() ? name : folder + "/" + name;
}

// Weight names that transformers / diffusers save: `<stem>[.<variant>].safetensors`, shards
// `<stem>-00001-of-00004[.<variant>].safetensors`, index `<stem>.safetensors.index[.<variant>].json`.
// The parts are views into the name parsed (the planner reads every listed name once per component).
struct WeightName {
    std::string_view stem;     // "model" or "diffusion_pytorch_model" (anything before the extension)
    std::string_view variant;  // "fp16" or ""
    bool shard = false;
    bool index = false;
};

bool parse_weight_name(std::string_view base, WeightName& w) {
    constexpr std::string_view kIndex = ".safetensors.index";
    if (auto p = base.find(kIndex); p != std::string_view::npos && ends_with(base, ".json")) {
        w.index = true;
        w.stem = base.substr(0, p);
        std::string_view rest = base.substr(p + kIndex.size());  // ".json" or ".fp16.json"
        if (rest.size() > 5) w.variant = rest.substr(1, rest.size() - 6);
        return true;
    }
    if (!ends_with(base, ".safetensors")) return false;
    std::string_view stem = base.substr(0, base.size() - 12);
    // A variant is a short alphanumeric tag after the last dot (fp16, bf16, fp32, …).
    if (auto dot = stem.rfind('.'); dot != std::string_view::npos) {
        std::string_view tag = stem.substr(dot + 1);
        bool alnum = !tag.empty() && tag.size() <= 8 && std::all_of(tag.begin(), tag.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c));
        });
        if (alnum) {
            w.variant = tag;
            stem = stem.substr(0, dot);
        }
    }
    // Shards: <stem>-00001-of-00004
    auto of = stem.rfind("-of-");
    if (of != std::string_view::npos && of >= 6 && stem[of - 6] == '-') {
        w.shard = true;
        stem = stem.substr(0, of - 6);
    }
    w.stem = stem;
    return true;
}

bool is_excluded_path(std::string_view path) {
    return starts_with(path, "original/") || starts_with(base_view(path), "consolidated");
}

struct FolderWeights {
    std::vector<std::string> singles;  // non-shard safetensors matching the variant
    std::string index;                 // index matching the variant
    std::set<std::string> variants;
};

// The listing grouped by folder (a path's part before its last '/'), each group in listing order; the keys view
// the listing's paths. The planner reads one folder per component instead of the whole listing each time (a
// manifest may name hundreds of components). Every group is a run of one vector: two passes over the listing, one
// allocation for the files, where a vector per folder grew one push at a time.
struct FolderFiles {
    std::vector<const RepoFile*> files;                          // grouped by folder
    std::map<std::string_view, std::pair<size_t, size_t>> runs;  // folder → [begin, end) of `files`
};
struct FileRun {
    const RepoFile* const* first = nullptr;
    const RepoFile* const* last = nullptr;
    const RepoFile* const* begin() const { return first; }
    const RepoFile* const* end() const { return last; }
};

FolderFiles group_by_folder(const std::vector<RepoFile>& files) {
    FolderFiles out;
    for (const auto& f : files) ++out.runs[folder_view(f.path)].second;  // count per folder
    size_t at = 0;
    for (auto& [folder, run] : out.runs) {  // run: [begin, fill cursor) while filling
        run.first = at;
        at += run.second;
        run.second = run.first;
    }
    out.files.resize(files.size());
    for (const auto& f : files) out.files[out.runs.find(folder_view(f.path))->second.second++] = &f;
    return out;
}

// The files of one folder, in listing order (none when the listing has no file there).
FileRun files_in(const FolderFiles& by_folder, std::string_view folder) {
    const auto it = by_folder.runs.find(folder);
    if (it == by_folder.runs.end()) return {};
    const RepoFile* const* base = by_folder.files.data();
    return {base + it->second.first, base + it->second.second};
}

FolderWeights scan_folder(const FolderFiles& by_folder, const std::string& folder, const std::string& variant) {
    FolderWeights out;
    for (const RepoFile* file : files_in(by_folder, folder)) {
        const RepoFile& f = *file;
        // parse_weight_name's own test first: it needs no search for the last '/'.
        if (!ends_with(f.path, ".safetensors") && !ends_with(f.path, ".json")) continue;
        if (is_excluded_path(f.path)) continue;
        WeightName w;
        if (!parse_weight_name(base_view(f.path), w)) continue;
        if (!w.variant.empty()) out.variants.emplace(w.variant);
        if (w.variant != variant) continue;
        if (w.index) {
            // Prefer the canonical stems' index when a folder has several.
            if (out.index.empty() || w.stem == "model" || w.stem == "diffusion_pytorch_model") out.index = f.path;
        } else if (!w.shard) {
            out.singles.push_back(f.path);
        }
    }
    return out;
}

// Fills a component from its folder; false when the folder has no weights for this variant.
// `variants_seen`: plan.variants as a set (a listing may name tens of thousands of variants; a search of the
// list for each would be quadratic).
bool fill_component(const FolderFiles& by_folder, ComponentPlan& c, const std::string& variant, LayoutPlan& plan,
                    std::set<std::string>& variants_seen, const std::map<std::string, std::string>& texts,
                    ShardCache* cache) {
    FolderWeights fw = scan_folder(by_folder, c.folder, variant);
    for (const auto& v : fw.variants)
        if (variants_seen.insert(v).second) plan.variants.push_back(v);
    if (!variant.empty() && fw.index.empty() && fw.singles.empty()) {
        fw = scan_folder(by_folder, c.folder, "");  // this component has no such variant: default files
        if (!fw.index.empty() || !fw.singles.empty())
            plan.notes.push_back("component " + c.name + " has no " + variant + " variant: its default files are used");
    }
    const std::string config = join(c.folder, "config.json");  // in c.folder: its last '/' is the one join adds
    for (const RepoFile* f : files_in(by_folder, c.folder))
        if (f->path == config) c.config_path = f->path;
    if (!fw.index.empty()) {
        c.index_path = fw.index;
        auto it = texts.find(fw.index);
        if (it == texts.end()) {
            plan.need_texts.push_back(fw.index);
        } else {
            ShardList parsed;
            const ShardList* shards = nullptr;
            if (cache) {
                auto hit = cache->find(fw.index);
                if (hit == cache->end()) hit = cache->emplace(fw.index, parse_shard_index(it->second, fw.index)).first;
                shards = &hit->second;
            } else {
                parsed = parse_shard_index(it->second, fw.index);
                shards = &parsed;
            }
            if (shards->error) {
                plan.error = shards->error;
                return true;
            }
            c.files = shards->shards;
        }
        if (!fw.singles.empty())
            plan.notes.push_back("single files beside the index of " +
                                 (c.folder.empty() ? std::string("the root") : c.folder) +
                                 " are not counted: " + fw.singles.front() + (fw.singles.size() > 1 ? " …" : ""));
        return true;
    }
    if (fw.singles.empty()) return false;
    // Prefer the canonical file when a folder holds several unindexed files.
    for (const auto& s : fw.singles) {
        std::string b = base_of(s);
        if (b == "model.safetensors" || b == "diffusion_pytorch_model.safetensors" ||
            b == "model." + variant + ".safetensors" || b == "diffusion_pytorch_model." + variant + ".safetensors") {
            c.files = {s};
            if (fw.singles.size() > 1)
                plan.notes.push_back(std::to_string(fw.singles.size() - 1) + " other safetensors file(s) beside " + s +
                                     " are not counted");
            return true;
        }
    }
    c.files = fw.singles;
    return true;
}

bool is_gguf(const std::string& path) { return ends_with(path, ".gguf"); }

bool is_projector(const std::string& path) {
    std::string b = base_of(path);
    std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return starts_with(b, "mmproj");
}

bool has_file(const std::vector<RepoFile>& files, const std::string& path) {
    return std::any_of(files.begin(), files.end(), [&](const RepoFile& f) { return f.path == path; });
}

bool has_hf_weights(const std::vector<RepoFile>& files) {
    return std::any_of(files.begin(), files.end(), [](const RepoFile& f) {
        return ends_with(f.path, ".safetensors") && !is_excluded_path(f.path);
    });
}

void finish(LayoutPlan& plan) {
    std::vector<ComponentPlan> kept;
    for (auto& c : plan.components)
        if (!c.files.empty() || !c.index_path.empty()) kept.push_back(std::move(c));
    plan.components = std::move(kept);
    if (!plan.complete()) return;
    for (const auto& c : plan.components)
        plan.weight_files.insert(plan.weight_files.end(), c.files.begin(), c.files.end());
}

}  // namespace

std::vector<std::string> first_round_texts(const std::vector<RepoFile>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) {
        if (is_excluded_path(f.path) || !ends_with(f.path, ".json")) continue;  // every file wanted here is JSON
        const std::string_view folder = folder_view(f.path);
        if (folder.find('/') != std::string_view::npos) continue;  // deeper than root or one level down
        const std::string_view base = base_view(f.path);
        if (f.path == "config.json" || f.path == "model_index.json" || f.path == "modules.json" ||
            f.path == "hf_quant_config.json" || (base == "config.json" && !folder.empty())) {
            out.push_back(f.path);
            continue;
        }
        WeightName w;
        if (parse_weight_name(base, w) && w.index) out.push_back(f.path);
    }
    return out;
}

LayoutPlan plan_layout(const std::vector<RepoFile>& files, const std::map<std::string, std::string>& texts,
                       const std::string& variant, ShardCache* cache) {
    LayoutPlan plan;
    std::set<std::string> seen_folders;
    plan.variant = variant;
    auto need = [&](const std::string& path) {
        if (!texts.count(path)) plan.need_texts.push_back(path);
        return texts.count(path) > 0;
    };

    const size_t n_gguf = static_cast<size_t>(
        std::count_if(files.begin(), files.end(), [](const RepoFile& f) { return is_gguf(f.path); }));
    if (!has_hf_weights(files) && n_gguf) {
        plan.layout = "gguf";
        GgufGroups g = gguf_groups(files);
        if (g.error) {
            plan.error = g.error;
            return plan;
        }
        bool any_model = false;
        for (const auto& group : g.groups) {
            ComponentPlan c;
            c.name = group.projector ? "projector" : "root";
            c.files = group.files;
            any_model |= !group.projector;
            plan.gguf_files.insert(plan.gguf_files.end(), group.files.begin(), group.files.end());
            plan.components.push_back(std::move(c));
        }
        if (!any_model)
            plan.error = make_error(ErrorCode::no_weights,
                                    "the repo's GGUF files are all projectors (mmproj*): no language model");
        return plan;
    }
    if (n_gguf)
        plan.notes.push_back("the repo also has " + std::to_string(n_gguf) +
                             " GGUF file(s): the safetensors weights are used "
                             "(the llama.cpp profile needs a repo with GGUF files only)");
    if (!has_hf_weights(files)) {
        std::string what;
        for (const auto& o : other_weight_formats(files)) what += (what.empty() ? "" : ", ") + o;
        plan.error = make_error(ErrorCode::no_weights,
                                what.empty() ? "This repo has no safetensors weights and no other weight files."
                                             : "This repo has no safetensors weights, only " + what +
                                                   ", which cannot be sized without downloading them.");
        return plan;
    }
    const FolderFiles by_folder = group_by_folder(files);
    std::set<std::string> variants_seen;
    const bool skipped_consolidated = std::any_of(files.begin(), files.end(), [](const RepoFile& f) {
        return ends_with(f.path, ".safetensors") && is_excluded_path(f.path);
    });
    if (skipped_consolidated)
        plan.notes.push_back(
            "consolidated*.safetensors and original/ hold a second copy of the weights (native format): not counted");

    if (has_file(files, "model_index.json")) {
        plan.layout = "diffusers";
        if (!need("model_index.json")) return plan;
        const ManifestMembers index = read_manifest_members(texts.at("model_index.json"));
        if (!index.valid) {
            plan.error = make_error(ErrorCode::manifest_invalid, "model_index.json is not valid JSON: " + index.error);
            return plan;
        }
        if (!index.object) {
            plan.error = make_error(ErrorCode::manifest_invalid, "model_index.json is not an object");
            return plan;
        }
        for (const auto& [name, pair] : index.pairs) {
            if (starts_with(name, "_") || !pair) continue;
            ComponentPlan c;
            c.name = c.folder = name;
            if (c.folder.find('/') != std::string::npos || c.folder.find("..") != std::string::npos) continue;
            if (!seen_folders.insert(c.folder).second) continue;  // a manifest naming a folder twice counts it once
            if (fill_component(by_folder, c, variant, plan, variants_seen, texts, cache))
                plan.components.push_back(std::move(c));
        }
        FolderWeights root = scan_folder(by_folder, "", variant);
        if (!root.singles.empty())
            plan.notes.push_back("root single-file checkpoint " + root.singles.front() +
                                 " duplicates the component folders: not counted");
        finish(plan);
        return plan;
    }

    if (has_file(files, "modules.json")) {
        plan.layout = "sentence-transformers";
        if (!need("modules.json")) return plan;
        json modules;
        try {
            modules = json::parse(texts.at("modules.json"));
        } catch (const json::exception& e) {
            plan.error =
                make_error(ErrorCode::manifest_invalid, std::string("modules.json is not valid JSON: ") + e.what());
            return plan;
        }
        if (!modules.is_array()) {
            plan.error = make_error(ErrorCode::manifest_invalid, "modules.json is not an array");
            return plan;
        }
        for (const auto& m : modules) {
            if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) continue;
            std::string path = m["path"].get<std::string>();
            if (path.find("..") != std::string::npos || starts_with(path, "/")) continue;
            ComponentPlan c;
            c.folder = path;
            c.name = path.empty() ? "root" : path;
            if (!seen_folders.insert(c.folder).second) continue;  // a manifest naming a folder twice counts it once
            if (fill_component(by_folder, c, variant, plan, variants_seen, texts, cache))
                plan.components.push_back(std::move(c));
        }
        finish(plan);
        return plan;
    }

    ComponentPlan root;
    root.name = "root";
    if (!fill_component(by_folder, root, variant, plan, variants_seen, texts, cache)) {
        // Weights only in subfolders without a manifest: take each first-level folder that has some.
        std::set<std::string> folders;
        for (const auto& f : files)
            if (ends_with(f.path, ".safetensors") && !is_excluded_path(f.path)) folders.insert(folder_of(f.path));
        for (const auto& folder : folders) {
            ComponentPlan c;
            c.name = c.folder = folder;
            if (!seen_folders.insert(c.folder).second) continue;  // a manifest naming a folder twice counts it once
            if (fill_component(by_folder, c, variant, plan, variants_seen, texts, cache))
                plan.components.push_back(std::move(c));
        }
        plan.layout = "folders";
        plan.notes.push_back("no manifest and no weights at the root: each folder with safetensors is one component");
    } else {
        plan.layout = root.index_path.empty() ? "single-file" : "sharded";
        plan.components.push_back(std::move(root));
    }
    finish(plan);
    return plan;
}

bool parse_gguf_split_name(const std::string& path, std::string& prefix, uint32_t& no, uint32_t& count) {
    // <prefix>-NNNNN-of-MMMMM.gguf
    static const std::string kExt = ".gguf";
    if (!ends_with(path, kExt) || path.size() < kExt.size() + 16) return false;
    const std::string tail = path.substr(path.size() - kExt.size() - 15, 15);  // "-00001-of-00003"
    auto digits = [](const std::string& s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (tail[0] != '-' || tail.compare(6, 4, "-of-") != 0 || !digits(tail.substr(1, 5)) || !digits(tail.substr(10, 5)))
        return false;
    no = static_cast<uint32_t>(std::stoul(tail.substr(1, 5)));
    count = static_cast<uint32_t>(std::stoul(tail.substr(10, 5)));
    if (no == 0 || count == 0 || no > count) return false;
    prefix = path.substr(0, path.size() - kExt.size() - 15);
    return true;
}

GgufGroups gguf_groups(const std::vector<RepoFile>& files) {
    GgufGroups out;
    std::map<std::string, size_t> split_index;  // "prefix|count" → group
    // The parts seen of each split, by part number: a name may claim up to 99,999 parts, so the parts are
    // not kept in a vector of that many names (which the fuzzer showed costs more than the rest of the plan).
    std::map<std::string, std::map<uint32_t, std::string>> shards;
    for (const auto& f : files) {
        if (!is_gguf(f.path)) continue;
        std::string prefix;
        uint32_t no = 0, count = 0;
        if (parse_gguf_split_name(f.path, prefix, no, count) && count > 1) {
            const std::string key = prefix + "|" + std::to_string(count);
            shards[key][no] = f.path;  // a part listed twice: the later entry, as before
            if (!split_index.count(key)) {
                split_index[key] = out.groups.size();
                GgufGroup g;
                g.projector = is_projector(f.path);
                g.split_count = count;
                out.groups.push_back(std::move(g));
            }
            continue;
        }
        GgufGroup g;
        g.name = f.path;
        g.files = {f.path};
        g.projector = is_projector(f.path);
        out.groups.push_back(std::move(g));
    }
    for (const auto& [key, parts] : shards) {
        GgufGroup& g = out.groups[split_index[key]];
        // Parts are 1..count (parse_gguf_split_name); the first number missing from the ordered map is reported.
        uint32_t want_no = 1;
        for (auto it = parts.begin(); it != parts.end() && it->first == want_no; ++it) ++want_no;
        if (want_no <= g.split_count) {
            const std::string prefix = key.substr(0, key.rfind('|'));
            char want[48];
            std::snprintf(want, sizeof want, "-%05u-of-%05u.gguf", want_no, g.split_count);
            out.error = make_error(ErrorCode::gguf_metadata_invalid, "split GGUF " + prefix + " has " +
                                                                         std::to_string(g.split_count) + " parts but " +
                                                                         prefix + want + " is not in the repo");
            return out;
        }
        g.files.reserve(parts.size());
        for (const auto& part : parts) g.files.push_back(part.second);
        g.name = g.files.front();
    }
    return out;
}

std::vector<std::string> other_weight_formats(const std::vector<RepoFile>& files) {
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {".bin", ".bin (PyTorch pickle)"}, {".pt", ".pt (PyTorch)"}, {".pth", ".pth (PyTorch)"},
        {".gguf", ".gguf (llama.cpp)"},    {".onnx", ".onnx"},       {".h5", ".h5 (Keras)"},
        {".msgpack", ".msgpack (Flax)"},   {".ckpt", ".ckpt"},       {".mlmodel", ".mlmodel (Core ML)"}};
    std::vector<std::string> out;
    for (const auto& kind : kinds) {
        const std::string& ext = kind.first;
        size_t n = static_cast<size_t>(
            std::count_if(files.begin(), files.end(), [&ext](const RepoFile& f) { return ends_with(f.path, ext); }));
        if (n) out.push_back(std::to_string(n) + " " + kind.second + " file" + (n > 1 ? "s" : ""));
    }
    return out;
}

}  // namespace vram
