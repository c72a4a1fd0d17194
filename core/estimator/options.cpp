#include "estimator/options.hpp"

#include <cerrno>
#include <cstdlib>

namespace vram {
namespace {

// Largest context accepted: 2^32 tokens is 4,000× today's longest windows.
constexpr uint64_t kMaxContextTokens = 1ull << 32;
// Largest batch accepted: a million concurrent sequences.
constexpr uint64_t kMaxBatch = 1'000'000;
// Tensor-parallel ranks: 64 GPUs is eight 8-GPU nodes, past any single-replica deployment of today's models.
constexpr uint64_t kMaxTp = 64;
// vLLM's and SGLang's batched-token budget: 2^24 tokens is 128× the largest default (8192) times 16.
constexpr uint64_t kMaxBatchedTokens = 1ull << 24;
// llama.cpp -ngl: layer counts of real models stay in the hundreds; 100,000 leaves room without overflow.
constexpr uint64_t kMaxGpuLayers = 100'000;
// llama.cpp -ub: 2^20 tokens per compute graph is far past what fits any GPU.
constexpr uint64_t kMaxUbatch = 1ull << 20;

bool parse_count(std::string_view text, uint64_t min, uint64_t max, uint64_t& out) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    errno = 0;
    const std::string s(text);
    const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
    if (errno != 0 || v < min || v > max) return false;
    out = v;
    return true;
}

std::string first_flag(const OptionSpec& spec) {
    std::string_view f = spec.flags;
    // The first long spelling, else the first one.
    size_t start = 0;
    while (start < f.size()) {
        size_t end = f.find(' ', start);
        if (end == std::string_view::npos) end = f.size();
        if (f.substr(start, 2) == "--") return std::string(f.substr(start, end - start));
        start = end + 1;
    }
    return std::string(f.substr(0, f.find(' ')));
}

Error option_error(const OptionSpec& spec, const std::string& what) {
    return make_error(ErrorCode::invalid_option, std::string(spec.key) + " (" + first_flag(spec) + "): " + what);
}

Error set_choice(EstimateOptions& o, const OptionSpec& spec, std::string_view v) {
    const std::string key = spec.key;
    bool ok = false;
    if (key == "precision") ok = parse_precision(v, o.precision);
    if (key == "profile") ok = parse_profile(v, o.profile);
    if (key == "kv_dtype") ok = parse_kv_dtype(v, o.kv_dtype);
    if (key == "gpu") {
        o.gpu = (v.empty() || v == "none") ? nullptr : find_gpu(v);
        ok = v.empty() || v == "none" || o.gpu;
        if (!ok)
            return option_error(spec, "\"" + std::string(v) + "\" is not in the GPU catalog (" +
                                          std::to_string(gpu_catalog().size()) +
                                          " ids such as rtx-4090, a100-80gb, h100-80gb, apple-m3-max-128gb; "
                                          "the full list: --list-gpus, or the page's GPU menu)");
    }
    if (!ok) return option_error(spec, "\"" + std::string(v) + "\" is not one of: " + option_choices(spec));
    return {};
}

Error set_count(EstimateOptions& o, const OptionSpec& spec, std::string_view v) {
    const std::string key = spec.key;
    uint64_t n = 0;
    const bool special = *spec.special && (v == spec.special || (key == "n_gpu_layers" && v == "-1"));
    if (!special && !parse_count(v, spec.min, spec.max, n))
        return option_error(spec, "must be a whole number from " + std::to_string(spec.min) + " to " +
                                      std::to_string(spec.max) +
                                      (*spec.special ? std::string(" or ") + spec.special : std::string()) +
                                      ", got \"" + std::string(v) + "\"");
    if (key == "context_tokens") o.context_tokens = special ? 0 : n;
    if (key == "batch") o.batch = static_cast<uint32_t>(n);
    if (key == "tp") o.tp = static_cast<uint32_t>(n);
    if (key == "max_num_batched_tokens") o.max_num_batched_tokens = n;
    if (key == "n_gpu_layers") o.n_gpu_layers = special ? -1 : static_cast<int32_t>(n);
    if (key == "ubatch_tokens") o.ubatch_tokens = static_cast<uint32_t>(n);
    return {};
}

}  // namespace

const std::vector<OptionSpec>& option_specs() {
    static const std::vector<OptionSpec> kTable = {
        {"context_tokens", "-c --context_length --context-length", "N", OptionKind::count, 1, kMaxContextTokens, "max",
         "context length in tokens (default, or max: the config's max context)", false},
        {"batch", "-b --batch_size --batch-size", "N", OptionKind::count, 1, kMaxBatch, "", "concurrent sequences",
         false},
        {"precision", "-q --quantization", "P", OptionKind::choice, 0, 0, "",
         "weight precision target (auto: every tensor keeps its stored dtype)", false},
        {"profile", "--profile", "P", OptionKind::choice, 0, 0, "",
         "whose memory accounting to follow (docs/estimates.md has each one's rules)", false},
        {"kv_dtype", "--kv-dtype --kv_dtype", "T", OptionKind::choice, 0, 0, "",
         "KV cache element type, as the profile's engine offers them", false},
        {"tp", "--tp", "N", OptionKind::count, 1, kMaxTp, "", "tensor-parallel GPUs per replica", false},
        {"gpu", "--gpu", "ID", OptionKind::choice, 0, 0, "",
         "check the fit on this GPU (--list-gpus); adds the largest context and batch that fit", false},
        {"gpu_memory_utilization", "--gpu-memory-utilization", "F", OptionKind::fraction, 0, 0, "",
         "vLLM gpu_memory_utilization / SGLang mem_fraction_static (default: the engine's)", false},
        {"max_num_batched_tokens", "--max-num-batched-tokens", "N", OptionKind::count, 1, kMaxBatchedTokens, "",
         "vLLM max_num_batched_tokens / SGLang chunked prefill (default: the engine's)", false},
        {"flash_attention", "--flash-attn -fa", "on|off", OptionKind::flag, 0, 0, "", "llama.cpp: flash attention",
         true},
        {"n_gpu_layers", "-ngl --n-gpu-layers --gpu-layers", "N", OptionKind::count, 0, kMaxGpuLayers, "all",
         "llama.cpp: layers offloaded to the GPU, the output layer counting as one; the rest is system memory", true},
        {"ubatch_tokens", "--ubatch -ub --ubatch-size", "N", OptionKind::count, 1, kMaxUbatch, "",
         "llama.cpp: tokens per compute graph (-ub)", true},
    };
    return kTable;
}

const OptionSpec* find_option(std::string_view name) {
    for (const auto& s : option_specs()) {
        if (name == s.key) return &s;
        std::string_view f = s.flags;
        size_t start = 0;
        while (start <= f.size()) {
            size_t end = f.find(' ', start);
            if (end == std::string_view::npos) end = f.size();
            if (f.substr(start, end - start) == name) return &s;
            start = end + 1;
        }
    }
    return nullptr;
}

std::string option_choices(const OptionSpec& spec) {
    const std::string key = spec.key;
    std::string out;
    auto add = [&](const char* n) { out += (out.empty() ? "" : ", ") + std::string(n); };
    if (key == "precision")
        for (const auto& p : precisions()) add(p.name);
    if (key == "profile")
        for (const auto& p : profiles()) add(p.name);
    if (key == "kv_dtype")
        for (const auto& d : kv_dtypes()) add(d.name);
    if (key == "gpu")
        for (const auto& g : gpu_catalog()) add(g.id);
    if (spec.kind == OptionKind::flag) out = "on, off";
    return out;
}

Error set_option(EstimateOptions& o, const OptionSpec& spec, std::string_view v) {
    switch (spec.kind) {
        case OptionKind::choice:
            return set_choice(o, spec, v);
        case OptionKind::count:
            return set_count(o, spec, v);
        case OptionKind::fraction: {
            const std::string s(v);
            char* end = nullptr;
            const double f = s.empty() ? 0 : std::strtod(s.c_str(), &end);
            if (s.empty() || *end != '\0' || !(f > 0 && f <= 1))
                return option_error(spec, "must be a number in (0, 1], got \"" + s + "\"");
            o.gpu_memory_utilization = f;
            return {};
        }
        case OptionKind::flag:
            if (v == "on" || v == "true" || v == "1")
                o.flash_attention = true;
            else if (v == "off" || v == "false" || v == "0")
                o.flash_attention = false;
            else
                return option_error(spec, "must be on or off, got \"" + std::string(v) + "\"");
            return {};
    }
    return {};
}

OptionsResult resolve_options(const GivenOptions& given) {
    OptionsResult r;
    // The profile first: its defaults come before every given value.
    for (const auto& [key, value] : given)
        if (const OptionSpec* s = find_option(key); s && std::string_view(s->key) == "profile")
            if (Error e = set_option(r.options, *s, value)) return {r.options, e};
    for (const auto& d : profile_defaults())
        if (d.profile == r.options.profile)
            if (const OptionSpec* s = find_option(d.key))
                if (Error e = set_option(r.options, *s, d.value)) return {r.options, e};
    for (const auto& [key, value] : given) {
        const OptionSpec* s = find_option(key);
        if (!s) return {r.options, make_error(ErrorCode::invalid_option, "unknown option \"" + key + "\"")};
        if (Error e = set_option(r.options, *s, value)) return {r.options, e};
    }
    r.error = validate_options(r.options);
    return r;
}

Error validate_options(const EstimateOptions& o) {
    const ProfileInfo& p = profile_info(o.profile);
    const KvDtypeInfo& kv = kv_dtype_info(o.kv_dtype);
    if (o.batch == 0) return make_error(ErrorCode::invalid_option, "batch (--batch_size): must be at least 1");
    if (o.tp == 0) return make_error(ErrorCode::invalid_option, "tp (--tp): must be at least 1");
    if (!profile_supports(p, o.kv_dtype))
        return make_error(ErrorCode::invalid_argument, std::string("kv_dtype ") + kv.name + " is not offered by " +
                                                           p.engine + " (profile " + p.name +
                                                           " accepts: " + kv_dtype_names(p) + ")");
    if (o.tp > p.max_tp)
        return make_error(ErrorCode::invalid_argument, std::string("profile ") + p.name +
                                                           " has no tensor parallelism (tp " + std::to_string(o.tp) +
                                                           "); use transformers, vllm or sglang");
    if (o.gpu_memory_utilization < 0 || o.gpu_memory_utilization > 1)
        return make_error(ErrorCode::invalid_option,
                          "gpu_memory_utilization (--gpu-memory-utilization): must be a "
                          "number in (0, 1]");
    if (o.gpu) {
        if (!profile_runs_on(p, o.gpu->backend))
            return make_error(ErrorCode::invalid_argument, std::string(p.engine) + " does not run on " + o.gpu->name +
                                                               " (" + gpu_backend_name(o.gpu->backend) + ")");
        if (o.tp > 1 && !o.gpu->multi_gpu)
            return make_error(ErrorCode::invalid_argument,
                              std::string(o.gpu->name) + " is a single unified-memory device: tp must be 1");
    }
    if (p.gguf) {
        if (o.ubatch_tokens == 0 || o.n_gpu_layers < -1)
            return make_error(ErrorCode::invalid_option,
                              "ubatch_tokens must be at least 1 and n_gpu_layers -1 (all) or more");
        // llama-context.cpp: "V cache quantization requires flash_attn" — llama.cpp refuses to start otherwise.
        if (!o.flash_attention && kv.block_elements > 1)
            return make_error(ErrorCode::invalid_argument,
                              std::string("llama.cpp needs flash attention for a quantized V cache (kv_dtype ") +
                                  kv.name + "): V cache quantization requires flash_attn");
    }
    return {};
}

std::string help_line(const std::string& flags, const std::string& help) {
    // The flags in a 33-column gutter, the help wrapped at 100 columns.
    constexpr size_t kGutter = 33, kWidth = 100;
    std::string line = "  " + flags;
    line += line.size() < kGutter ? std::string(kGutter - line.size(), ' ') : "\n" + std::string(kGutter, ' ');
    size_t col = kGutter;
    std::string word;
    for (size_t i = 0; i <= help.size(); ++i) {
        if (i < help.size() && help[i] != ' ') {
            word += help[i];
            continue;
        }
        if (col + word.size() > kWidth && col > kGutter) {
            line.pop_back();  // the space before the break
            line += "\n" + std::string(kGutter, ' ');
            col = kGutter;
        }
        line += word + (i < help.size() ? " " : "");
        col += word.size() + 1;
        word.clear();
    }
    return line + "\n";
}

std::string options_help() {
    std::string out;
    for (const auto& s : option_specs()) {
        std::string flags;
        std::string_view f = s.flags;
        // "-c, --context_length N": the short spelling (if any) and the first long one.
        const std::string lng = first_flag(s);
        const std::string shrt(f.substr(0, f.find(' ')));
        flags = (shrt != lng && shrt.rfind("--", 0) != 0 ? shrt + ", " : "    ") + lng + " " + s.value_name;
        std::string help = s.help;
        if (s.kind == OptionKind::choice && std::string_view(s.key) != "gpu") help += ": " + option_choices(s);
        if (s.kind == OptionKind::count && std::string_view(s.key) != "context_tokens")
            help += " (" + std::to_string(s.min) + " to " + std::to_string(s.max) +
                    (*s.special ? std::string(", or ") + s.special : std::string()) + ")";
        std::string defaults;
        for (const auto& d : profile_defaults())
            if (std::string_view(d.key) == s.key)
                defaults += (defaults.empty() ? "" : ", ") + std::string(profile_info(d.profile).name) + " " + d.value;
        if (!defaults.empty()) help += "; default " + defaults;
        out += help_line(flags, help);
    }
    return out;
}

}  // namespace vram
