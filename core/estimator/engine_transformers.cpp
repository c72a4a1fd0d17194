// Profile "transformers": Hugging Face transformers generate() with the default DynamicCache (profiles.cpp names
// the files and version). The KV cache follows engine_kv.cpp; the activation peak is the prefill of the whole
// prompt at once.
#include <algorithm>

#include "estimator/engine.hpp"

namespace vram {
namespace {

void resolve(Setup&, const EstimateOptions&) {}

// generate(): the whole prompt is prefilled at once (context × batch tokens), layer by layer.
uint64_t activation(const Model& m, const Setup& s, uint64_t context, uint32_t batch) {
    const Architecture& a = m.arch;
    if (!a.hidden_size || !a.n_layers) return 0;
    const uint64_t T = mul_sat(context, batch), H = a.hidden_size, dt = s.act_bytes;
    const uint64_t hd = a.head_dim, heads = a.n_heads / s.tp, kv = std::max<uint64_t>(1, a.n_kv_heads / s.tp);
    const uint64_t ffn =
        (a.n_experts && a.moe_intermediate_size ? std::max(a.moe_intermediate_size, a.intermediate_size)
                                                : a.intermediate_size) /
        s.tp;
    const uint64_t residual = mul_sat(mul_sat(T, H), 2 * dt);                  // hidden states + residual
    const uint64_t attn = mul_sat(mul_sat(T, dt), (2 * heads + 2 * kv) * hd);  // q, k, v, attention output (SDPA)
    const uint64_t mlp = mul_sat(mul_sat(T, dt), 3 * ffn);                     // gate, up, act(gate)·up
    uint64_t act = add_sat(residual, std::max(attn, mlp));
    if (m.has_llm)
        act = add_sat(act, mul_sat(mul_sat(batch, a.vocab_size), dt + 8));  // last-token logits, float32 copy, probs
    return act;
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev;
    ev.share.weights_bytes = rank_weights(w, s.tp);
    paged_kv(m, s, context, batch, ev);
    ev.share.activation_bytes = activation(m, s, context, batch);
    ev.share.overhead_bytes = ev.parts.cuda_context_bytes;
    total_share(ev.share);
    return ev;
}

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights&, const Eval& ev) {
    const std::string src = " [" + std::string(s.profile->engine) + " " + s.profile->version + "]";
    paged_kv_assumptions(e, m, s, ev, src);
    e.assumptions.push_back(
        "activations: prefill of context × batch tokens at once; per layer hidden + residual (2·T·H) plus the larger "
        "of q/k/v/attention output (SDPA, no T×T scores) and gate/up/act (3·T·intermediate); logits for the last "
        "token only (vocab × (dtype + 8) bytes per sequence)" +
        src);
    e.assumptions.push_back(
        "overhead: CUDA context 0.51 GiB (measured at vLLM start-up on an H100, tests/validation/vllm)" + src);
}

}  // namespace

const Engine kTransformersEngine = {ProfileId::transformers, 4, false, resolve, evaluate, nullptr, assumptions};

}  // namespace vram
