#include "estimator/profiles.hpp"

#include "estimator/gguf.hpp"

namespace vram {
namespace {

constexpr uint32_t on(GpuBackend b) { return 1u << static_cast<unsigned>(b); }
// vLLM and SGLang run on CUDA and ROCm; transformers (and the classic formula) also on Apple's MPS / Metal.
constexpr uint32_t kAllBackends = on(GpuBackend::cuda) | on(GpuBackend::rocm) | on(GpuBackend::metal);
constexpr uint32_t kServerBackends = on(GpuBackend::cuda) | on(GpuBackend::rocm);

constexpr uint32_t kClassic = profile_bit(ProfileId::classic);
constexpr uint32_t kTransformers = profile_bit(ProfileId::transformers);
constexpr uint32_t kVllm = profile_bit(ProfileId::vllm);
constexpr uint32_t kSglang = profile_bit(ProfileId::sglang);
constexpr uint32_t kLlamaCpp = profile_bit(ProfileId::llama_cpp);
constexpr uint32_t kDiffusers = profile_bit(ProfileId::diffusers);

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

// Quantized rows take their block layout from the ggml type table, so the two never disagree.
std::vector<KvDtypeInfo> with_ggml_blocks(std::vector<KvDtypeInfo> rows) {
    for (auto& r : rows)
        if (*r.ggml_type)
            if (const GgmlTypeInfo* g = ggml_type_by_name(r.ggml_type)) {
                r.block_bytes = g->block_bytes;
                r.block_elements = g->block_elements;
            }
    return rows;
}

}  // namespace

const std::vector<KvDtypeInfo>& kv_dtypes() {
    // Which engine offers which: transformers QuantizedCache (8-bit, HQQ backend); vLLM --kv-cache-dtype and SGLang
    // --kv-cache-dtype fp8; llama.cpp -ctk/-ctv f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1
    // (common/arg.cpp). "auto" has no width of its own: the profile resolves it to the model's compute dtype.
    static const std::vector<KvDtypeInfo> kTable = with_ggml_blocks({
        {"auto", "Auto (model dtype)", "", 0, 1, kClassic | kTransformers | kVllm | kSglang | kLlamaCpp | kDiffusers,
         "the engine's default: the model's compute dtype (llama.cpp: f16)"},
        {"fp16", "fp16", "", 2, 1, kClassic | kTransformers | kVllm | kSglang | kLlamaCpp, "2 bytes per element"},
        {"bf16", "bf16", "", 2, 1, kTransformers | kVllm | kSglang | kLlamaCpp, "2 bytes per element"},
        {"fp8", "fp8", "", 1, 1, kVllm | kSglang, "1 byte per element (e4m3 / e5m2)"},
        {"int8", "int8", "", 1, 1, kTransformers, "1 byte per element (transformers QuantizedCache)"},
        {"q8_0", "q8_0 (llama.cpp)", "Q8_0", 0, 0, kLlamaCpp, "ggml block of 32: fp16 scale + 32 int8"},
        {"q4_0", "q4_0 (llama.cpp)", "Q4_0", 0, 0, kLlamaCpp, "ggml block of 32: fp16 scale + 16 bytes"},
        {"fp32", "fp32 (llama.cpp)", "", 4, 1, kLlamaCpp, "4 bytes per element"},
        {"q4_1", "q4_1 (llama.cpp)", "Q4_1", 0, 0, kLlamaCpp, "ggml block of 32"},
        {"q5_0", "q5_0 (llama.cpp)", "Q5_0", 0, 0, kLlamaCpp, "ggml block of 32"},
        {"q5_1", "q5_1 (llama.cpp)", "Q5_1", 0, 0, kLlamaCpp, "ggml block of 32"},
        {"iq4_nl", "iq4_nl (llama.cpp)", "IQ4_NL", 0, 0, kLlamaCpp, "ggml block of 32"},
        // vLLM --kv-cache-dtype fp8_ds_mla (DeepSeek's FlashMLA layout): per token and MLA layer 512 float8_e4m3 of
        // the latent, 4 float32 scales (one per 128 values), 64 bfloat16 of the rope part = 656 B
        // (vllm/v1/kv_cache_interface.py MLAAttentionSpec.real_page_size_bytes: block_size × 656;
        // v1/attention/backends/mla/flashmla_sparse.py get_kv_cache_shape, get_supported_head_sizes [576]).
        {"fp8_ds_mla", "fp8_ds_mla (vLLM, MLA models)", "", 1, 1, kVllm,
         "DeepSeek MLA layout: 512 fp8 latent + 4 fp32 scales + 64 bf16 rope = 656 B per token and layer",
         512 * 1 + 4 * 4 + 64 * 2, 512 + 64},
#ifdef VRAM_TEST_EXTRA_ROWS
        {"fp4_test", "fp4 (test row)", "", 1, 2, kVllm, "a row added by the extra-rows test build"},
#endif
    });
    return kTable;
}

const KvDtypeInfo& kv_dtype_info(KvDtype d) {
    const auto& t = kv_dtypes();
    const size_t i = static_cast<size_t>(d);
    return i < t.size() ? t[i] : t[0];
}

bool parse_kv_dtype(std::string_view name, KvDtype& out) {
    const auto& t = kv_dtypes();
    for (size_t i = 0; i < t.size(); ++i)
        if (name == t[i].name) {
            out = static_cast<KvDtype>(i);
            return true;
        }
    return false;
}

const std::vector<ProfileInfo>& profiles() {
    static const std::vector<ProfileInfo> kTable = {
        {ProfileId::classic, "classic", "Classic (original tool)", "hf-vram-estimator (original)", "original README",
         "the original tool's README (its formulas and examples)", 1, SlidingRule::full_context, false, false, 1, false,
         "", false, kAllBackends, "classic: the KV cache is fp16 (the original formula's 2 bytes)", true},
        // transformers generate(): DynamicCache grows one token at a time; sliding layers keep their window
        // (DynamicSlidingWindowLayer); DeepSeek-style MLA attention caches the expanded per-head K and V;
        // QuantizedCache offers 8-bit (HQQ backend).
        {ProfileId::transformers, "transformers", "transformers", "Hugging Face transformers", "4.56",
         "src/transformers/cache_utils.py (DynamicCache, DynamicSlidingWindowLayer, QuantizedCache); "
         "src/transformers/generation/utils.py (logits_to_keep=1); models/deepseek_v3/modeling_deepseek_v3.py",
         1, SlidingRule::window, false, false, 64, false, "", false, kAllBackends, "", false},
        {ProfileId::vllm, "vllm", "vLLM", "vLLM", "0.19.0",
         "vllm/v1/kv_cache_interface.py, vllm/v1/core/kv_cache_utils.py, vllm/v1/worker/gpu_worker.py, "
         "vllm/engine/arg_utils.py (get_batch_defaults), vllm/config/cache.py",
         16, SlidingRule::window_plus_batch, true, true, 64, true, "gpu_memory_utilization", false, kServerBackends, "",
         false},
        {ProfileId::sglang, "sglang", "SGLang", "SGLang", "0.4.x",
         "python/sglang/srt/model_executor/model_runner.py (profile_max_num_token), "
         "python/sglang/srt/server_args.py (mem_fraction_static, chunked_prefill_size defaults)",
         1, SlidingRule::full_context, true, false, 64, true, "mem_fraction_static", false, kServerBackends, "", false},
        // llama.cpp (llama-server defaults): GGUF repos only. Placement and caches from llama.cpp's sources, the
        // compute buffers from its graph and ggml-alloc's plan (llama_cpp_graph.cpp); each rule is cited in
        // engine_llama_cpp.cpp.
        {ProfileId::llama_cpp, "llama.cpp", "llama.cpp (GGUF)", "llama.cpp",
         "master (read at 00395eb; compute buffers from release b3216's graph and ggml-alloc)",
         "src/llama-model.cpp (load_tensors: input layer on the CPU, i_gpu_start), src/llama-kv-cache.cpp, "
         "src/llama-kv-cache-iswa.cpp (size_swa), src/llama-memory-recurrent.cpp, src/llama-context.cpp (output "
         "buffer); src/llama.cpp build_llama and ggml/src/ggml-alloc.c of release b3216 (compute buffers); "
         "gpustack/gguf-parser-go file_estimate__llamacpp.go (footprint)",
         1, SlidingRule::window, true, false, 1, false, "", true, kAllBackends, "", false},
        // diffusers pipelines (model_index.json): every component resident, or enable_model_cpu_offload; the
        // denoiser, VAE-decode and text-encoder phases at a resolution and batch (engine_diffusers.cpp cites each
        // rule). No KV cache: a pipeline generates no tokens.
        {ProfileId::diffusers, "diffusers", "diffusers (pipelines)", "Hugging Face diffusers",
         "0.3x (pipeline_utils.py read at 007fbf0b)",
         "src/diffusers/pipelines/pipeline_utils.py (enable_model_cpu_offload), pipelines/flux/pipeline_flux.py "
         "(vae_scale_factor, _pack_latents, default_sample_size, max_sequence_length), "
         "models/transformers/transformer_flux.py (FluxSingleTransformerBlock), models/autoencoders/vae.py (Decoder), "
         "models/resnet.py (ResnetBlock2D, Upsample2D), "
         "pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py (force_upcast, upcast_vae)",
         1, SlidingRule::full_context, false, false, 1, false, "", false, kAllBackends,
         "diffusers: a pipeline has no KV cache", false},
    };
    return kTable;
}

const ProfileInfo& profile_info(ProfileId id) {
    const auto& t = profiles();
    const size_t i = static_cast<size_t>(id);
    return i < t.size() ? t[i] : t[0];
}

bool parse_profile(std::string_view name, ProfileId& out) {
    for (const auto& p : profiles())
        if (name == p.name) {
            out = p.id;
            return true;
        }
    return false;
}

bool profile_supports(const ProfileInfo& p, KvDtype d) { return (kv_dtype_info(d).profiles & profile_bit(p.id)) != 0; }
bool profile_runs_on(const ProfileInfo& p, GpuBackend b) { return (p.backend_mask & on(b)) != 0; }
bool profile_takes(const ProfileInfo& p, Precision x) {
    const uint32_t mask = precision_info(x).profiles;
    return mask == 0 || (mask & profile_bit(p.id)) != 0;
}

std::string precision_names(const ProfileInfo& p) {
    std::string out;
    for (size_t i = 0; i < precisions().size(); ++i)
        if (profile_takes(p, static_cast<Precision>(i)))
            out += (out.empty() ? "" : ", ") + std::string(precisions()[i].name);
    return out;
}

std::string profile_names() {
    std::string out;
    for (const auto& p : profiles()) out += (out.empty() ? "" : ", ") + std::string(p.name);
    return out;
}

std::string kv_dtype_names(const ProfileInfo& p) {
    std::string out;
    for (size_t i = 0; i < kv_dtypes().size(); ++i)
        if (profile_supports(p, static_cast<KvDtype>(i)))
            out += (out.empty() ? "" : ", ") + std::string(kv_dtypes()[i].name);
    return out;
}

std::string kv_dtype_names() {
    std::string out;
    for (const auto& d : kv_dtypes()) out += (out.empty() ? "" : ", ") + std::string(d.name);
    return out;
}

const std::vector<ProfileDefault>& profile_defaults() {
    static const std::vector<ProfileDefault> kTable = {
        {ProfileId::vllm, "gpu_memory_utilization", "0.9", "vllm/config/cache.py: gpu_memory_utilization = 0.9"},
        // llama-server's defaults (common/common.h): -fa auto (on where the backend has it), -ngl all, -ub 512.
        {ProfileId::llama_cpp, "flash_attention", "on", "llama.cpp common/arg.cpp: -fa auto"},
        {ProfileId::llama_cpp, "n_gpu_layers", "all", "llama.cpp common/common.h: n_gpu_layers -1 (all)"},
        {ProfileId::llama_cpp, "ubatch_tokens", "512", "llama.cpp common/common.h: n_ubatch 512"},
#ifdef VRAM_TEST_EXTRA_ROWS
        {ProfileId::vllm, "context_tokens", "8192", "a row added by the extra-rows test build"},
#endif
    };
    return kTable;
}

const char* profile_default(ProfileId profile, std::string_view key) {
    for (const auto& d : profile_defaults())
        if (d.profile == profile && key == d.key) return d.value;
    return nullptr;
}

const BatchDefault& batch_default(ProfileId profile, const GpuInfo* gpu) {
    // vllm/engine/arg_utils.py get_batch_defaults (OpenAI server): a GPU with ≥ 70 GiB that is not an A100 gets
    // max_num_batched_tokens 8192 and max_num_seqs 1024; any other GPU 2048 and 256. SGLang server_args.py:
    // chunked_prefill_size 2048 below 25,000 MB of GPU memory, else 8192 (max running requests as vLLM's).
    static const std::vector<BatchDefault> kTable = {
        {ProfileId::vllm, 70 * kGiB, "a100", 8192, 1024, "vllm/engine/arg_utils.py get_batch_defaults"},
        {ProfileId::vllm, 0, "", 2048, 256, "vllm/engine/arg_utils.py get_batch_defaults"},
        {ProfileId::sglang, 25'000 * kMiB, "", 8192, 1024, "sglang server_args.py chunked_prefill_size"},
        {ProfileId::sglang, 0, "", 2048, 256, "sglang server_args.py chunked_prefill_size"},
    };
    static const BatchDefault kNone = {ProfileId::classic, 0, "", 0, 0, ""};
    for (const auto& r : kTable) {
        if (r.profile != profile) continue;
        if (!gpu) return r;
        const bool excluded = *r.excluded_prefix && std::string_view(gpu->id).rfind(r.excluded_prefix, 0) == 0;
        if (gpu->usable_bytes >= r.min_usable_bytes && !excluded) return r;
    }
    return kNone;
}

const std::vector<uint32_t>& tp_steps() {
    // Powers of two up to one 8-GPU node: the page's choices and the sizes "how many GPUs" tries.
    static const std::vector<uint32_t> kSteps = {1, 2, 4, 8};
    return kSteps;
}

double sglang_fraction(uint32_t tp) {
    // SGLang server_args.py (0.4.x): mem_fraction_static by tensor-parallel size.
    static const std::vector<FractionStep> kSteps = {{16, 0.79}, {8, 0.81}, {4, 0.85}, {2, 0.87}, {1, 0.88}};
    for (const auto& f : kSteps)
        if (tp >= f.min_tp) return f.fraction;
    return kSteps.back().fraction;
}

}  // namespace vram
