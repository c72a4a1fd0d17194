#include "estimator/options.hpp"

#include <cerrno>
#include <cstdio>
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
// diffusers: 2^16 pixels a side is 64× FLUX's 1024 default; 2^16 prompt tokens is 128× FLUX's 512.
constexpr uint64_t kMaxImageSide = 1ull << 16;
constexpr uint64_t kMaxTextTokens = 1ull << 16;

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

// A dropout rate as the user would write it ("0", "0.05").
std::string probability_text(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", p);
    return buf;
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
    if (key == "train") {
        o.train = v != spec.special;
        ok = !o.train || parse_train_method(v, o.training.method);
    }
    if (key == "train_precision") ok = parse_train_precision(v, o.training.precision);
    if (key == "optimizer") ok = parse_optimizer(v, o.training.optimizer);
    if (key == "attention") ok = parse_train_attention(v, o.training.attention);
    if (key == "distribution") ok = parse_distribution(v, o.training.distribution);
    if (key == "offload") ok = parse_offload(v, o.training.offload);
    if (key == "gpu") {
        o.gpu = (v.empty() || v == "none") ? nullptr : find_gpu(v);
        ok = v.empty() || v == "none" || o.gpu;
        if (!ok)
            return option_error(spec, "\"" + std::string(v) + "\" is not in the GPU catalog (" +
                                          std::to_string(gpu_catalog().size()) +
                                          " ids such as rtx-4090, a100-80gb, h100-80gb, apple-m3-max-128gb; "
                                          "the full list: --list-gpus, or the page's GPU menu)");
    }
    if (!ok)
        return option_error(spec, "\"" + std::string(v) + "\" is not one of: " + option_choices(spec) +
                                      (*spec.special ? std::string(", ") + spec.special : std::string()));
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
    if (key == "height") o.height = special ? 0 : static_cast<uint32_t>(n);
    if (key == "width") o.width = special ? 0 : static_cast<uint32_t>(n);
    if (key == "text_tokens") o.text_tokens = special ? 0 : static_cast<uint32_t>(n);
    if (key == "lora_rank") o.training.lora_rank = static_cast<uint32_t>(n);
    if (key == "micro_batch") o.training.micro_batch = static_cast<uint32_t>(n);
    if (key == "seq_tokens") o.training.seq_tokens = n;
    if (key == "n_gpus") o.training.n_gpus = static_cast<uint32_t>(n);
    // ZeRO stage N is the distribution row zeroN (training.hpp: zero1, zero2, zero3 follow ddp in that order).
    if (key == "zero") o.training.distribution = static_cast<Distribution>(static_cast<int>(Distribution::ddp) + n);
    return {};
}

Error set_flag(EstimateOptions& o, const OptionSpec& spec, std::string_view v) {
    bool on = false;
    if (v == "on" || v == "true" || v == "1")
        on = true;
    else if (!(v == "off" || v == "false" || v == "0"))
        return option_error(spec, "must be on or off, got \"" + std::string(v) + "\"");
    const std::string key = spec.key;
    if (key == "flash_attention") o.flash_attention = on;
    if (key == "double_quant") o.training.double_quant = on;
    if (key == "adapters_fp32") o.training.adapters_fp32 = on;
    if (key == "kbit_fp32_upcast") o.training.kbit_fp32_upcast = on;
    if (key == "nf4_every_linear") o.training.nf4_every_linear = on;
    if (key == "litgpt_modules") o.training.litgpt_modules = on;
    if (key == "untie_head") o.training.untie_head = on;
    if (key == "repeat_kv") o.training.repeat_kv = on;
    if (key == "litgpt_loss") o.training.litgpt_loss = on;
    if (key == "fp32_norms") o.training.fp32_norms = on;
    if (key == "no_sync_accumulation") o.training.no_sync_accumulation = on;
    if (key == "gradient_checkpointing") o.training.gradient_checkpointing = on;
    if (key == "chunked_loss") o.training.chunked_loss = on;
    if (key == "model_cpu_offload") o.model_cpu_offload = on;
    if (key == "enforce_eager") o.enforce_eager = on;
    return {};
}

// "q_proj, v_proj" → {"q_proj", "v_proj"}: spaces around a pattern dropped, an empty one refused.
Error set_list(EstimateOptions& o, const OptionSpec& spec, std::string_view v) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v.size()) {
        size_t end = v.find(',', start);
        if (end == std::string_view::npos) end = v.size();
        std::string_view item = v.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.empty())
            return option_error(spec, "an empty pattern in \"" + std::string(v) + "\" (comma-separated glob patterns)");
        if (out.size() == kMaxTargetPatterns)
            return option_error(spec, "more than " + std::to_string(kMaxTargetPatterns) + " patterns");
        out.emplace_back(item);
        start = end + 1;
    }
    if (std::string_view(spec.key) == "lora_targets") o.training.lora_targets = std::move(out);
    if (std::string_view(spec.key) == "trainable_modules") o.training.trainable_modules = std::move(out);
    return {};
}

}  // namespace

const std::vector<OptionSpec>& option_specs() {
    static const std::vector<OptionSpec> kTable = {
        {"context_tokens", "-c --context_length --context-length", "N", OptionKind::count, 1, kMaxContextTokens, "max",
         "context length in tokens (default, or max: the config's max context)", false},
        {"batch", "-b --batch_size --batch-size", "N", OptionKind::count, 1, kMaxBatch, "",
         "concurrent sequences (diffusers: images generated in one call)", false},
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
        {"enforce_eager", "--eager --enforce-eager", "on|off", OptionKind::flag, 0, 0, "",
         "vLLM: enforce_eager, no CUDA graphs captured (their memory leaves the total; the KV pool is unchanged)",
         false},
        {"flash_attention", "--flash-attn -fa", "on|off", OptionKind::flag, 0, 0, "", "llama.cpp: flash attention",
         true},
        {"n_gpu_layers", "-ngl --n-gpu-layers --gpu-layers", "N", OptionKind::count, 0, kMaxGpuLayers, "all",
         "llama.cpp: layers offloaded to the GPU, the output layer counting as one; the rest is system memory", true},
        {"ubatch_tokens", "--ubatch -ub --ubatch-size", "N", OptionKind::count, 1, kMaxUbatch, "",
         "llama.cpp: tokens per compute graph (-ub)", true},
        // diffusers profile: the pipeline call's size and the placement (engine_diffusers.cpp).
        {"height", "--height", "PX", OptionKind::count, 8, kMaxImageSide, "default",
         "diffusers: image height in pixels (default: the pipeline's, e.g. FLUX 1024)", false},
        {"width", "--width", "PX", OptionKind::count, 8, kMaxImageSide, "default",
         "diffusers: image width in pixels (default: the pipeline's)", false},
        {"text_tokens", "--text-tokens --max-sequence-length", "N", OptionKind::count, 1, kMaxTextTokens, "default",
         "diffusers: prompt tokens of the long text encoder (max_sequence_length; default: the pipeline's)", false},
        {"model_cpu_offload", "--model-cpu-offload", "on|off", OptionKind::flag, 0, 0, "",
         "diffusers: enable_model_cpu_offload (one component on the GPU at a time)", false},
        // Fine-tuning (training.hpp): read only with --train; each choice lists its table's rows.
        {"train", "--train", "M", OptionKind::choice, 0, 0, "none",
         "estimate fine-tuning instead of inference: the peak memory of one training step per GPU", false, true},
        {"train_precision", "--train-precision", "P", OptionKind::choice, 0, 0, "",
         "weights, gradients and optimizer states' widths", false, true},
        {"optimizer", "--optimizer", "O", OptionKind::choice, 0, 0, "", "optimizer (its states per parameter)", false,
         true},
        {"lora_rank", "--lora-rank --lora_rank", "R", OptionKind::count, 1, kMaxLoraRank, "",
         "LoRA / QLoRA rank r (alpha costs no memory)", false, true, false, "adapters"},
        {"lora_targets", "--lora-targets --lora_targets", "P,...", OptionKind::list, 0, 0, "",
         "LoRA target modules: comma-separated glob patterns over the module names (default: the attention and MLP "
         "projections)",
         false, true, false, "adapters"},
        {"trainable_modules", "--trainable-modules", "P,...", OptionKind::list, 0, 0, "",
         "freeze: the only modules trained, comma-separated glob patterns", false, true, false, "train_named_only"},
        {"double_quant", "--double-quant", "on|off", OptionKind::flag, 0, 0, "",
         "QLoRA: quantize the absmax constants too (bnb_4bit_use_double_quant)", false, true, false, "base_nf4"},
        {"adapters_fp32", "--adapters-fp32", "on|off", OptionKind::flag, 0, 0, "",
         "LoRA adapters in fp32 as PEFT keeps them (off: the compute width, as torchtune and litgpt)", false, true,
         true, "adapters"},
        {"kbit_fp32_upcast", "--kbit-fp32-upcast", "on|off", OptionKind::flag, 0, 0, "",
         "QLoRA through PEFT's prepare_model_for_kbit_training: unquantized 16-bit parameters (embeddings, norms, "
         "output head) upcast to fp32",
         false, true, true, "base_nf4"},
        {"nf4_every_linear", "--nf4-every-linear", "on|off", OptionKind::flag, 0, 0, "",
         "QLoRA as litgpt runs it (Lightning BitsandbytesPrecision): every Linear in NF4, the output head too, "
         "dequantized through an fp16 copy",
         false, true, true, "base_nf4"},
        {"lora_dropout", "--lora-dropout --lora_dropout", "P", OptionKind::probability, 0, 0, "",
         "LoRA dropout on the adapters' input, in [0, 1): above 0 each adapted Linear saves a dropped copy and a "
         "1-byte mask of its input (PEFT's LoraConfig default is 0)",
         false, true},
        {"litgpt_modules", "--litgpt-modules", "on|off", OptionKind::flag, 0, 0, "",
         "the Linears as litgpt builds them: q, k and v fused into one with one adapter input, a fused gate_up_proj "
         "split in two (off: one adapter per Linear of the checkpoint, as PEFT and torchtune)",
         false, true, true},
        {"untie_head", "--untie-head", "on|off", OptionKind::flag, 0, 0, "",
         "a separate output head even where the checkpoint ties it to the embedding, as litgpt keeps it", false, true,
         true},
        {"repeat_kv", "--repeat-kv", "on|off", OptionKind::flag, 0, 0, "",
         "K and V repeated to every query head before SDPA, as litgpt does in training (off: the KV heads as stored)",
         false, true, true},
        {"litgpt_loss", "--litgpt-loss", "on|off", OptionKind::flag, 0, 0, "",
         "litgpt's LoRA loss: the head in 128-token chunks, each chunk's log-softmax kept at the compute width, the "
         "previous step's logits held until the next forward returns",
         false, true, true},
        {"fp32_norms", "--fp32-norms", "on|off", OptionKind::flag, 0, 0, "",
         "QLoRA with the norms kept in fp32 (TRL's SFTTrainer on one GPU): the MLP's intermediates and the residual "
         "stream after the first MLP are fp32, so are the checkpointed layer inputs",
         false, true, true, "base_nf4"},
        {"no_sync_accumulation", "--no-sync-accumulation", "on|off", OptionKind::flag, 0, 0, "",
         "gradient accumulation with the sync skipped until the last micro-batch (litgpt, FSDP no_sync): backward "
         "runs beside the whole accumulated gradient, unsharded",
         false, true, true},
        {"gradient_checkpointing", "--grad-checkpointing --gradient-checkpointing", "on|off", OptionKind::flag, 0, 0,
         "", "gradient checkpointing: keep one input per decoder layer, recompute the rest in backward", false, true},
        {"micro_batch", "--micro-batch --micro_batch", "N", OptionKind::count, 1, kMaxMicroBatch, "",
         "sequences per GPU per step", false, true},
        {"seq_tokens", "--seq-len --seq_len --seq-tokens", "N", OptionKind::count, 1, kMaxSeqTokens, "",
         "tokens per training sequence", false, true},
        {"attention", "--attention --attn-implementation", "A", OptionKind::choice, 0, 0, "",
         "attention implementation (eager saves the scores matrix)", false, true},
        {"chunked_loss", "--chunked-loss", "on|off", OptionKind::flag, 0, 0, "",
         "cross-entropy over chunks of the logits (torchtune)", false, true},
        {"n_gpus", "--gpus", "N", OptionKind::count, 1, kMaxTrainGpus, "", "data-parallel GPUs (figures are per GPU)",
         false, true},
        {"distribution", "--distribution", "D", OptionKind::choice, 0, 0, "",
         "how the GPUs share the model and its states", false, true},
        {"zero", "--zero", "N", OptionKind::count, 1, 3, "",
         "DeepSpeed ZeRO stage: 1 shards optimizer states, 2 also gradients, 3 also parameters (= --distribution "
         "zeroN)",
         false, true},
        {"offload", "--offload", "W", OptionKind::choice, 0, 0, "",
         "CPU offload (needs ZeRO or FSDP; parameters needs ZeRO-3 or FSDP)", false, true},
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
    if (key == "train")
        for (const auto& r : train_methods()) add(r.name);
    if (key == "train_precision")
        for (const auto& r : train_precisions()) add(r.name);
    if (key == "optimizer")
        for (const auto& r : optimizers()) add(r.name);
    if (key == "attention")
        for (const auto& r : train_attentions()) add(r.name);
    if (key == "distribution")
        for (const auto& r : distributions()) add(r.name);
    if (key == "offload")
        for (const auto& r : offloads()) add(r.name);
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
        case OptionKind::probability: {
            const std::string s(v);
            char* end = nullptr;
            const double f = s.empty() ? -1 : std::strtod(s.c_str(), &end);
            if (s.empty() || *end != '\0' || !(f >= 0 && f < kMaxLoraDropout))
                return option_error(spec, "must be a number in [0, 1), got \"" + s + "\"");
            o.training.lora_dropout = f;
            return {};
        }
        case OptionKind::flag:
            return set_flag(o, spec, v);
        case OptionKind::list:
            return set_list(o, spec, v);
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
    const OptionSpec* training_given = nullptr;
    for (const auto& [key, value] : given) {
        const OptionSpec* s = find_option(key);
        if (!s) return {r.options, make_error(ErrorCode::invalid_option, "unknown option \"" + key + "\"")};
        if (Error e = set_option(r.options, *s, value)) return {r.options, e};
        if (s->training && std::string_view(s->key) != "train") training_given = s;
    }
    // A fine-tuning option without --train would be silently ignored: say so instead.
    if (training_given && !r.options.train)
        return {r.options, option_error(*training_given, "a fine-tuning option; add --train " +
                                                             option_choices(*find_option("train")) +
                                                             " (without it the estimate is for inference)")};
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
    if (!profile_takes(p, o.precision))
        return make_error(ErrorCode::invalid_argument, std::string("precision ") + precision_name(o.precision) +
                                                           " is not offered by " + p.engine + " (profile " + p.name +
                                                           " accepts: " + precision_names(p) + ")");
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
    if (o.profile != ProfileId::diffusers && (o.height || o.width || o.text_tokens || o.model_cpu_offload))
        return make_error(ErrorCode::invalid_argument,
                          std::string("height, width, text_tokens and model_cpu_offload are read by the diffusers "
                                      "profile only (profile ") +
                              p.name + ")");
    if (o.enforce_eager && !profile_takes_eager(p))
        return make_error(
            ErrorCode::invalid_argument,
            std::string("enforce_eager (--eager) is read by the vllm profile only (profile ") + p.name + ")");
    if (o.profile == ProfileId::diffusers && (o.tp > 1 || o.train))
        return make_error(ErrorCode::invalid_argument, o.train ? "profile diffusers estimates inference only"
                                                               : "profile diffusers has no tensor parallelism");
    if (o.train)
        if (Error e = check_training_options(o.training)) return e;
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

std::string training_value_text(const TrainingOptions& d, std::string_view key) {
    auto list = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& p : v) out += (out.empty() ? "" : ",") + p;
        return out;
    };
    auto flag = [](bool b) { return std::string(b ? "on" : "off"); };
    if (key == "train") return train_method_info(d.method).name;
    if (key == "train_precision") return train_precision_info(d.precision).name;
    if (key == "optimizer") return optimizer_info(d.optimizer).name;
    if (key == "lora_rank") return std::to_string(d.lora_rank);
    if (key == "lora_targets") return list(d.lora_targets);
    if (key == "trainable_modules") return list(d.trainable_modules);
    if (key == "double_quant") return flag(d.double_quant);
    if (key == "adapters_fp32") return flag(d.adapters_fp32);
    if (key == "kbit_fp32_upcast") return flag(d.kbit_fp32_upcast);
    if (key == "nf4_every_linear") return flag(d.nf4_every_linear);
    if (key == "lora_dropout") return probability_text(d.lora_dropout);
    if (key == "litgpt_modules") return flag(d.litgpt_modules);
    if (key == "untie_head") return flag(d.untie_head);
    if (key == "repeat_kv") return flag(d.repeat_kv);
    if (key == "litgpt_loss") return flag(d.litgpt_loss);
    if (key == "fp32_norms") return flag(d.fp32_norms);
    if (key == "no_sync_accumulation") return flag(d.no_sync_accumulation);
    if (key == "gradient_checkpointing") return flag(d.gradient_checkpointing);
    if (key == "micro_batch") return std::to_string(d.micro_batch);
    if (key == "seq_tokens") return std::to_string(d.seq_tokens);
    if (key == "attention") return train_attention_info(d.attention).name;
    if (key == "chunked_loss") return flag(d.chunked_loss);
    if (key == "n_gpus") return std::to_string(d.n_gpus);
    if (key == "distribution") return distribution_info(d.distribution).name;
    if (key == "offload") return offload_info(d.offload).name;
    return "";
}

// The struct's defaults are the training estimate's (training.hpp); "train" is off unless asked for.
std::string training_default_text(std::string_view key) {
    return key == "train" ? "none" : training_value_text(TrainingOptions{}, key);
}

std::vector<std::string> unread_training_options(const TrainingOptions& o) {
    const TrainMethodInfo& method = train_method_info(o.method);
    auto has = [](const TrainMethodInfo& m, std::string_view field) {
        return field == "adapters" ? m.adapters : field == "base_nf4" ? m.base_nf4 : m.train_named_only;
    };
    std::vector<std::string> out;
    for (const auto& s : option_specs()) {
        if (!*s.method_needs || has(method, s.method_needs)) continue;
        const std::string value = training_value_text(o, s.key);
        if (value == training_default_text(s.key)) continue;
        std::string readers;
        for (const auto& m : train_methods())
            if (has(m, s.method_needs)) readers += (readers.empty() ? "" : ", ") + std::string(m.name);
        out.push_back(first_flag(s) + " " + (value.empty() ? "\"\"" : value) + " changes nothing here: method " +
                      method.name + " does not read it (only " + readers + ")");
    }
    return out;
}

std::string options_help(bool training) {
    std::string out;
    for (const auto& s : option_specs()) {
        if (s.training != training) continue;
        std::string flags;
        std::string_view f = s.flags;
        // "-c, --context_length N": the short spelling (if any) and the first long one.
        const std::string lng = first_flag(s);
        const std::string shrt(f.substr(0, f.find(' ')));
        flags = (shrt != lng && shrt.rfind("--", 0) != 0 ? shrt + ", " : "    ") + lng + " " + s.value_name;
        std::string help = s.help;
        if (s.kind == OptionKind::choice && std::string_view(s.key) != "gpu")
            help += ": " + option_choices(s) + (*s.special ? std::string(", ") + s.special : std::string());
        if (s.kind == OptionKind::count && std::string_view(s.key) != "context_tokens")
            help += " (" + std::to_string(s.min) + " to " + std::to_string(s.max) +
                    (*s.special ? std::string(", or ") + s.special : std::string()) + ")";
        std::string defaults;
        for (const auto& d : profile_defaults())
            if (std::string_view(d.key) == s.key)
                defaults += (defaults.empty() ? "" : ", ") + std::string(profile_info(d.profile).name) + " " + d.value;
        if (!defaults.empty()) help += "; default " + defaults;
        if (s.training && !training_default_text(s.key).empty()) help += "; default " + training_default_text(s.key);
        out += help_line(flags, help);
    }
    return out;
}

}  // namespace vram
