// Profile "sglang": SGLang's accounting (profiles.cpp names the version and files). Every attention layer holds
// the whole context in one uniform cell per token; the pool is mem_fraction_static of the GPU less the weights,
// the CUDA context and NCCL; the activation model is vLLM's (not calibrated for SGLang).
#include "estimator/engine.hpp"

namespace vram {
namespace {

void resolve(Setup& s, const EstimateOptions& o) {
    server_resolve(s, o);
    s.fraction = o.gpu_memory_utilization > 0 ? o.gpu_memory_utilization : sglang_fraction(s.tp);
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev = server_evaluate(m, w, s, context, batch);
    // model_runner.py profile_max_num_token: free memory after load = total − context − weights − NCCL.
    ev.non_kv_bytes = ev.share.weights_bytes + ev.parts.cuda_context_bytes + ev.parts.non_torch_bytes;
    return ev;
}

// max_total_num_tokens = rest // cell_size.
uint64_t pool_tokens(const Eval& ev, uint64_t pool_bytes) { return ev.cell_bytes ? pool_bytes / ev.cell_bytes : 0; }

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights&, const Eval& ev) {
    const std::string src = " [" + std::string(s.profile->engine) + " " + s.profile->version + "]";
    paged_kv_assumptions(e, m, s, ev, src);
    server_assumptions(e, s, ev, src);
    e.assumptions.push_back(
        "KV pool = mem_fraction_static × GPU memory − (weights + CUDA context + non-torch); tokens = pool // "
        "cell_size; activations and CUDA graphs live in the remaining share; activation model reused from vLLM (not "
        "calibrated for SGLang)" +
        src);
}

}  // namespace

const Engine kSglangEngine = {ProfileId::sglang, 4, false, resolve, evaluate, pool_tokens, assumptions};

}  // namespace vram
