// Profile "classic": the original hf-vram-estimator, unchanged (its README's formulas and examples):
//   KV cache      = 2 × layers × kv_heads × head_dim × context × batch × 2 bytes
//   activations   = 10 % of the weights
//   CUDA overhead = 500 MiB
#include <array>

#include "estimator/engine.hpp"

namespace vram {
namespace {

// The original tool's fixed runtime allowance ("CUDA Overhead … ~500MB").
constexpr uint64_t kClassicOverheadBytes = 500 * kMiB;
// The original tool's KV element width: 2 bytes (fp16) whatever the weight precision
// (its Qwen2-7B int4 example keeps 448 MB of KV at 8,192 tokens = 57,344 B/token × 8,192).
constexpr uint64_t kClassicKvElementBytes = 2;

void resolve(Setup& s, const EstimateOptions&) { s.kv_name = "fp16"; }

Eval evaluate(const Model& m, const Weights& w, const Setup&, uint64_t context, uint32_t batch) {
    Eval ev;
    const Architecture& a = m.arch;
    ev.share.weights_bytes = w.total;
    if (m.has_llm) {
        ev.kv_bytes_per_token = 2ull * a.n_layers * a.n_kv_heads * a.head_dim * kClassicKvElementBytes;
        KvLayerGroup g;
        g.kind = "full";
        g.n_layers = a.n_layers;
        g.bytes_per_token = 2ull * a.n_kv_heads * a.head_dim * kClassicKvElementBytes;
        g.tokens_per_sequence = context;
        g.bytes = mul_sat(mul_sat(ev.kv_bytes_per_token, context), batch);
        ev.share.kv_cache_bytes = g.bytes;
        ev.groups.push_back(g);
    }
    ev.share.activation_bytes = w.total / 10;
    ev.parts.fixed_bytes = kClassicOverheadBytes;
    ev.share.overhead_bytes = kClassicOverheadBytes;
    total_share(ev.share);
    return ev;
}

// The original assumption lines, in the original order.
void assumptions(Estimate& e, const Model&, const Setup&, const Weights&, const Eval&) {
    if (e.has_kv) {
        e.assumptions.push_back(
            "KV cache (classic): 2 × layers × kv_heads × head_dim × context × batch × 2 bytes, every layer full "
            "attention");
        if (!e.options.context_tokens)
            e.assumptions.push_back("context: the config's max context, " + std::to_string(e.context_tokens) +
                                    " tokens");
    }
    e.assumptions.push_back("activations (classic): 10 % of the weights");
    e.assumptions.push_back("runtime overhead (classic): 500 MiB");
    e.assumptions.push_back(
        "units: the text report prints GB, MB and KB as the original tool does, meaning GiB, MiB and KiB (2^30, 2^20, "
        "2^10 bytes)");
}

}  // namespace

const Engine kClassicEngine = {ProfileId::classic, kClassicKvElementBytes, true, resolve, evaluate, nullptr,
                               assumptions};

}  // namespace vram
