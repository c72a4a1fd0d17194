// Profile "vllm": vLLM's own accounting (profiles.cpp names the version and files). The KV cache follows
// engine_kv.cpp (blocks of 16 tokens, hybrid groups sharing one page); the activation peak is the profile run's;
// the engine reserves gpu_memory_utilization of the GPU and sizes its KV pool from what is left.
#include <cstdlib>

#include "estimator/engine.hpp"

namespace vram {
namespace {

void resolve(Setup& s, const EstimateOptions& o) {
    server_resolve(s, o);
    const char* d = profile_default(ProfileId::vllm, "gpu_memory_utilization");
    s.fraction = o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : (d ? std::strtod(d, nullptr) : 0.9);
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev = server_evaluate(m, w, s, context, batch);
    // gpu_worker.py: non-KV = weights + torch peak increase + non-torch increase.
    ev.non_kv_bytes = ev.share.weights_bytes + ev.share.activation_bytes + ev.parts.non_torch_bytes;
    return ev;
}

// kv_cache_utils.py: num_blocks = available // page_size // group_size; the log's "GPU KV cache size"
// = num_blocks // len(kv_cache_groups) × block_size.
uint64_t pool_tokens(const Eval& ev, uint64_t pool_bytes) {
    if (!ev.page_bytes || !ev.group_size || !ev.n_groups) return 0;
    const uint64_t num_blocks = pool_bytes / ev.page_bytes / ev.group_size;
    return num_blocks / ev.n_groups * ev.block_tokens;
}

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights&, const Eval& ev) {
    const std::string src = " [" + std::string(s.profile->engine) + " " + s.profile->version + "]";
    paged_kv_assumptions(e, m, s, ev, src);
    server_assumptions(e, s, ev, src);
    e.assumptions.push_back(
        "KV pool = gpu_memory_utilization × GPU memory − (weights + activation peak + non-torch); tokens = "
        "num_blocks // groups × block (hybrid models: layers grouped by spec and padded, kv_cache_utils.py)" +
        src);
}

}  // namespace

const Engine kVllmEngine = {ProfileId::vllm, 4, false, resolve, evaluate, pool_tokens, assumptions};

}  // namespace vram
