// Profile "transformers": Hugging Face transformers generate() with the default DynamicCache (profiles.cpp names
// the files and version). The KV cache follows engine_kv.cpp; the activation peak is the prefill of the whole
// prompt at once. With -q int8 / int4 the weights are loaded by bitsandbytes (BitsAndBytesConfig load_in_8bit /
// load_in_4bit), whose layout adds bytes that a flat 8 or 4 bits per parameter misses (bnb_layout below).
#include <algorithm>

#include "estimator/engine.hpp"

namespace vram {
namespace {

void resolve(Setup&, const EstimateOptions&) {}

// bitsandbytes block size of 4-bit weights: one float32 absmax per 64 weights (bitsandbytes functional.py
// quantize_4bit blocksize=64, the block Params4bit uses; transformers' BitsAndBytesConfig leaves
// bnb_4bit_use_double_quant off, so the absmax stay float32).
constexpr uint64_t kBnb4BlockWeights = 64;
constexpr uint64_t kBnbAbsmaxBytes = 4;

struct BnbLayout {
    uint64_t extra_weight_bytes = 0;  // 16-bit embeddings / lm_head and the 4-bit absmax, beyond bits/8 per param
    uint64_t dequant_bytes = 0;       // one Linear weight dequantized to the compute dtype during a 4-bit matmul
};

// transformers integrations/bitsandbytes.py replace_with_bnb_linear swaps every nn.Linear but the output
// embedding (get_keys_to_not_convert keeps lm_head); nn.Embedding is not a Linear: both stay 16-bit. 4-bit
// matmuls of more than one token dequantize the whole weight (bitsandbytes autograd/_functions.py matmul_4bit →
// dequantize_4bit), so the largest quantized Linear exists once more in the compute dtype. LLM.int8's per-row SCB
// scales (out_features × 4 B, under 0.1 % of the weights) are not counted.
BnbLayout bnb_layout(const Model& m, const Setup& s) {
    BnbLayout b;
    const Architecture& a = m.arch;
    if ((s.weight_bits != 4 && s.weight_bits != 8) || !m.has_llm || !a.quantization_config.empty() || a.from_gguf)
        return b;
    const uint64_t params = m.params;  // Σ of the tensors' parameters, kept by analyze(): no walk per evaluation
    const uint64_t emb = std::min(params, mul_sat(mul_sat(a.vocab_size, a.hidden_size), a.tied_embeddings ? 1 : 2));
    // Embeddings at 2 bytes where the target counted bits/8: (16 − bits) / 8 bytes more per parameter.
    b.extra_weight_bytes = mul_sat(emb, 16 - s.weight_bits) / 8;
    if (s.weight_bits == 4) {
        b.extra_weight_bytes =
            add_sat(b.extra_weight_bytes, mul_sat(cdiv(params - emb, kBnb4BlockWeights), kBnbAbsmaxBytes));
        const uint64_t ffn = std::max(a.intermediate_size, a.moe_intermediate_size);
        b.dequant_bytes = mul_sat(mul_sat(std::max<uint64_t>(ffn, a.hidden_size), a.hidden_size), s.act_bytes);
    }
    return b;
}

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
    const BnbLayout bnb = bnb_layout(m, s);
    ev.share.weights_bytes = add_sat(rank_weights(w, s.tp), cdiv(bnb.extra_weight_bytes, s.tp));
    paged_kv(m, s, context, batch, ev);
    ev.share.activation_bytes = add_sat(activation(m, s, context, batch), cdiv(bnb.dequant_bytes, s.tp));
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
    if (bnb_layout(m, s).extra_weight_bytes)
        e.assumptions.push_back("bitsandbytes " + std::to_string(s.weight_bits) +
                                "-bit: embeddings and lm_head stay 16-bit (transformers integrations/bitsandbytes.py "
                                "get_keys_to_not_convert)" +
                                (s.weight_bits == 4
                                     ? std::string("; one float32 absmax per 64 weights (bitsandbytes quantize_4bit "
                                                   "blocksize 64, no double quantization); the largest Linear "
                                                   "dequantized to the compute dtype during prefill (matmul_4bit)")
                                     : std::string("; per-row SCB scales not counted")) +
                                src);
    e.assumptions.push_back(
        "overhead: CUDA context 0.51 GiB (measured at vLLM start-up on an H100, tests/validation/vllm)" + src);
}

}  // namespace

const Engine kTransformersEngine = {ProfileId::transformers, 4, false, resolve, evaluate, nullptr, assumptions};

}  // namespace vram
