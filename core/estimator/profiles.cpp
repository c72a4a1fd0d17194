#include "estimator/profiles.hpp"

namespace vram {
namespace {

constexpr uint64_t bit(KvDtype d) { return 1ull << static_cast<unsigned>(d); }
constexpr uint32_t on(GpuBackend b) { return 1u << static_cast<unsigned>(b); }
// vLLM and SGLang run on CUDA and ROCm; transformers (and the classic formula) also on Apple's MPS / Metal.
constexpr uint32_t kAllBackends = on(GpuBackend::cuda) | on(GpuBackend::rocm) | on(GpuBackend::metal);
constexpr uint32_t kServerBackends = on(GpuBackend::cuda) | on(GpuBackend::rocm);

}  // namespace

const std::vector<KvDtypeInfo>& kv_dtypes() {
    // ggml block layouts (ggml/src/ggml-common.h): block_q8_0 = fp16 scale + 32 int8 = 34 bytes,
    // block_q4_0 = fp16 scale + 16 bytes of nibbles = 18 bytes, q4_1 20, q5_0 22, q5_1 24, iq4_nl 18, all per 32
    // elements — the cache types llama.cpp accepts for -ctk/-ctv besides f32, f16 and bf16 (common/arg.cpp).
    // "auto" has no width of its own: the profile resolves it to the model's compute dtype.
    static const std::vector<KvDtypeInfo> kTable = {
        {KvDtype::auto_, "auto", 0, 1},  {KvDtype::fp16, "fp16", 2, 1},   {KvDtype::bf16, "bf16", 2, 1},
        {KvDtype::fp8, "fp8", 1, 1},     {KvDtype::int8, "int8", 1, 1},   {KvDtype::q8_0, "q8_0", 34, 32},
        {KvDtype::q4_0, "q4_0", 18, 32}, {KvDtype::fp32, "fp32", 4, 1},   {KvDtype::q4_1, "q4_1", 20, 32},
        {KvDtype::q5_0, "q5_0", 22, 32}, {KvDtype::q5_1, "q5_1", 24, 32}, {KvDtype::iq4_nl, "iq4_nl", 18, 32},
    };
    return kTable;
}

std::string kv_dtype_names() {
    std::string out;
    for (const auto& d : kv_dtypes()) out += (out.empty() ? "" : ", ") + std::string(d.name);
    return out;
}

const KvDtypeInfo* find_kv_dtype(std::string_view name) {
    for (const auto& d : kv_dtypes())
        if (name == d.name) return &d;
    return nullptr;
}

const std::vector<ProfileInfo>& profiles() {
    static const std::vector<ProfileInfo> kTable = {
        {ProfileId::classic, "classic", "hf-vram-estimator (original)", "original README",
         "../shared/seed/original-tool-README.md", true, "", 1, SlidingRule::full_context, false, false, false, "",
         bit(KvDtype::auto_) | bit(KvDtype::fp16), kAllBackends},
        // transformers generate(): DynamicCache grows one token at a time; sliding layers keep their window
        // (DynamicSlidingWindowLayer); DeepSeek-style MLA attention caches the expanded per-head K and V;
        // QuantizedCache offers 8-bit (HQQ backend).
        {ProfileId::transformers, "transformers", "Hugging Face transformers", "4.56",
         "src/transformers/cache_utils.py (DynamicCache, DynamicSlidingWindowLayer, QuantizedCache); "
         "src/transformers/generation/utils.py (logits_to_keep=1); models/deepseek_v3/modeling_deepseek_v3.py",
         true, "", 1, SlidingRule::window, false, true, false, "",
         bit(KvDtype::auto_) | bit(KvDtype::fp16) | bit(KvDtype::bf16) | bit(KvDtype::int8), kAllBackends},
        {ProfileId::vllm, "vllm", "vLLM", "0.19.0",
         "vllm/v1/kv_cache_interface.py, vllm/v1/core/kv_cache_utils.py, vllm/v1/worker/gpu_worker.py, "
         "vllm/engine/arg_utils.py (get_batch_defaults), vllm/config/cache.py",
         true, "", 16, SlidingRule::window_plus_batch, true, true, true, "gpu_memory_utilization",
         bit(KvDtype::auto_) | bit(KvDtype::fp16) | bit(KvDtype::bf16) | bit(KvDtype::fp8), kServerBackends},
        {ProfileId::sglang, "sglang", "SGLang", "0.4.x",
         "python/sglang/srt/model_executor/model_runner.py (profile_max_num_token), "
         "python/sglang/srt/server_args.py (mem_fraction_static, chunked_prefill_size defaults)",
         true, "", 1, SlidingRule::full_context, true, true, true, "mem_fraction_static",
         bit(KvDtype::auto_) | bit(KvDtype::fp16) | bit(KvDtype::bf16) | bit(KvDtype::fp8), kServerBackends},
        // llama.cpp (llama-server defaults): GGUF repos only. Rules from llama.cpp's allocator as gguf-parser-go models it
        // (../shared/reference/engines-and-peers.md §2, §7.3, §9); each one is cited in estimate.cpp.
        {ProfileId::llama_cpp, "llama.cpp", "llama.cpp",
         "master (read at 00395eb; compute model of gguf-parser-go v0.26)",
         "src/llama-model.cpp (load_tensors: input layer on the CPU, i_gpu_start), src/llama-kv-cache.cpp, "
         "src/llama-kv-cache-iswa.cpp (size_swa), src/llama-memory-recurrent.cpp, src/llama-context.cpp (output "
         "buffer); "
         "gpustack/gguf-parser-go file_estimate__llamacpp.go (compute buffer, footprint)",
         true, "", 1, SlidingRule::window, true, false, false, "",
         bit(KvDtype::auto_) | bit(KvDtype::fp16) | bit(KvDtype::bf16) | bit(KvDtype::fp32) | bit(KvDtype::q8_0) |
             bit(KvDtype::q4_0) | bit(KvDtype::q4_1) | bit(KvDtype::q5_0) | bit(KvDtype::q5_1) | bit(KvDtype::iq4_nl),
         kAllBackends},
    };
    return kTable;
}

const ProfileInfo* find_profile(std::string_view name) {
    for (const auto& p : profiles())
        if (name == p.name) return &p;
    return nullptr;
}

bool profile_supports(const ProfileInfo& p, KvDtype d) { return (p.kv_dtype_mask & bit(d)) != 0; }
bool profile_runs_on(const ProfileInfo& p, GpuBackend b) { return (p.backend_mask & on(b)) != 0; }

std::string_view profile_names() { return "classic, transformers, vllm, sglang, llama.cpp"; }

}  // namespace vram
