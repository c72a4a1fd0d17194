// Fit: whether an evaluation fits a GPU (and inside a preallocating engine's reservation), the GPU table with the
// smallest tensor-parallel size that fits, and the inversions — the largest context, batch and -ngl that fit.
#include <algorithm>

#include "estimator/engine.hpp"
#include "estimator/search.hpp"

namespace vram {
namespace {

// Search bounds of the inversions: 2^24 tokens when the config has no max context; 2^20 sequences.
constexpr uint64_t kMaxSearchContext = 1ull << 24;
constexpr uint64_t kMaxSearchBatch = 1ull << 20;

struct TpFit {
    uint32_t tp = 0;
    uint64_t per_gpu_total = 0;
};

// Classic: the original tool has no tensor parallelism; its answer for a model too large for one GPU ("A100 (80GB) or
// multi-GPU setup") is counted as an even split: the total less the 500 MiB overhead divided over N GPUs, each adding
// its own 500 MiB. N = ceil((total − overhead) / (usable − overhead)), at most kClassicMaxGpus; 0 = none.
TpFit classic_split(const Eval& ev, const GpuInfo& gpu) {
    const uint64_t total = ev.share.total_bytes, overhead = ev.share.overhead_bytes;
    if (total <= gpu.usable_bytes) return {1, total};
    if (!gpu.multi_gpu || gpu.usable_bytes <= overhead || total == kSaturated) return {0, total};
    const uint64_t n = cdiv(total - overhead, gpu.usable_bytes - overhead);
    if (n > kClassicMaxGpus) return {0, total};
    return {static_cast<uint32_t>(n), cdiv(total - overhead, n) + overhead};
}

// Smallest power-of-two TP (≤ 8) at which this context × batch fits on `gpu`; 0 = none.
TpFit smallest_tp(const Model& m, const Weights& w, const Setup& base, const EstimateOptions& o, const GpuInfo& gpu,
                  uint64_t context, uint32_t batch) {
    TpFit out;
    if (!profile_runs_on(*base.profile, gpu.backend)) return out;
    const Engine& engine = engine_for(base.profile->id);
    if (base.profile->id == ProfileId::classic)
        return classic_split(engine.evaluate(m, w, resolve_setup(base, o, &gpu, 1), context, batch), gpu);
    for (uint32_t tp : tp_steps()) {
        if (tp > 1 && (tp > base.profile->max_tp || !gpu.multi_gpu || !m.arch.n_heads || m.arch.n_heads % tp)) break;
        Setup s = resolve_setup(base, o, &gpu, tp);
        Eval ev = engine.evaluate(m, w, s, context, batch);
        if (tp == 1) out.per_gpu_total = ev.share.total_bytes;
        if (fits_on(ev, s, gpu)) return {tp, ev.share.total_bytes};
    }
    return out;
}

}  // namespace

uint32_t fit_max_gpus(const ProfileInfo& p) {
    if (p.id == ProfileId::classic) return kClassicMaxGpus;
    return std::min(p.max_tp, tp_steps().back());
}

const char* fit_rule(const ProfileInfo& p) {
    if (p.id == ProfileId::classic)
        return "classic has no tensor parallelism: the total less the 500 MiB overhead split evenly over N GPUs, each "
               "with its own 500 MiB";
    if (fit_max_gpus(p) <= 1) return "this profile models one GPU: the model fits on one, or it does not";
    return "the smallest tensor-parallel size (1, 2, 4 or 8) at which one GPU's share fits";
}

Setup resolve_setup(Setup base, const EstimateOptions& o, const GpuInfo* gpu, uint32_t tp) {
    base.gpu = gpu;
    base.tp = tp;
    engine_for(base.profile->id).resolve(base, o);
    return base;
}

bool fits_on(const Eval& ev, const Setup& s, const GpuInfo& gpu) {
    if (ev.share.total_bytes > gpu.usable_bytes) return false;
    if (!s.profile->preallocates) return true;
    return add_sat(ev.non_kv_bytes, ev.share.kv_cache_bytes) <= scale(gpu.usable_bytes, s.fraction);
}

EngineReservation reserve(const Eval& ev, const Setup& s, const GpuInfo& gpu) {
    EngineReservation r;
    r.present = true;
    r.fraction = s.fraction;
    r.reserved_bytes = scale(gpu.usable_bytes, s.fraction);
    r.non_kv_bytes = ev.non_kv_bytes;
    r.kv_pool_bytes = r.reserved_bytes > r.non_kv_bytes ? r.reserved_bytes - r.non_kv_bytes : 0;
    if (const auto pool = engine_for(s.profile->id).pool_tokens) r.kv_pool_tokens = pool(ev, r.kv_pool_bytes);
    return r;
}

void fill_fit_table(Estimate& e, const Model& m, const Weights& w, const Setup& base) {
    const EstimateOptions& o = e.options;
    if (!o.fit_table) return;
    e.gpu_fit.reserve(gpu_catalog().size());
    for (const auto& g : gpu_catalog()) {
        GpuFitRow row;
        row.gpu = &g;
        row.engine_runs = profile_runs_on(*base.profile, g.backend);
        TpFit f = smallest_tp(m, w, base, o, g, e.context_tokens, o.batch);
        row.gpus_needed = f.tp;
        row.fits_one = f.tp == 1;
        row.per_gpu_total_bytes = f.per_gpu_total;
        e.gpu_fit.push_back(row);
    }
}

void fill_fit_limits(Estimate& e, const Model& m, const Weights& w, const Setup& s, const Eval& ev) {
    const GpuInfo& gpu = *e.gpu;
    const EstimateOptions& o = e.options;
    const Engine& engine = engine_for(s.profile->id);
    e.fits = fits_on(ev, s, gpu);
    if (s.profile->preallocates) e.reservation = reserve(ev, s, gpu);
    if (!o.fit_limits) return;  // a chart point or a matrix cell: whether it fits, no searches
    e.has_fit_limits = true;
    auto fits_at = [&](uint64_t context, uint64_t batch) {
        return fits_on(engine.evaluate(m, w, s, context, static_cast<uint32_t>(batch)), s, gpu);
    };
    if (e.has_kv) {
        const uint64_t cap = m.arch.max_context_tokens ? m.arch.max_context_tokens : kMaxSearchContext;
        e.max_context_tokens_fit = largest_true(cap, [&](uint64_t c) { return fits_at(c, o.batch); });
    }
    e.max_batch_fit = largest_true(kMaxSearchBatch, [&](uint64_t b) { return fits_at(e.context_tokens, b); });
    if (s.profile->gguf) {
        // The largest -ngl (layers offloaded, the output layer counting as one) that fits at this context and batch.
        e.has_gpu_layers_fit = true;
        const uint64_t n_max = static_cast<uint64_t>(m.arch.n_layers) + 1;
        const uint64_t x = largest_true(n_max + 1, [&](uint64_t k) {
            Setup t = s;
            t.n_gpu_layers = static_cast<int64_t>(k - 1);
            return fits_on(engine.evaluate(m, w, t, e.context_tokens, o.batch), t, gpu);
        });
        e.max_gpu_layers_fit = x ? static_cast<uint32_t>(x - 1) : 0;
        e.assumptions.push_back(
            "max GPU layers: the largest -ngl (0 … n_layer + 1) whose GPU share fits; the rest runs from system "
            "memory");
    }
    e.assumptions.push_back(std::string("GPU ") + gpu.name + ": " + gib_text(gpu.usable_bytes) + " usable (" +
                            gpu.source + ")");
    if (e.has_kv)
        e.assumptions.push_back("max context searched up to the model's max context; max batch up to 2^20 sequences");
}

void fill_gguf_rows(Estimate& e, const Model& m, const Weights& w, const Setup& s) {
    if (!e.options.fit_table) return;  // a chart point or a matrix cell needs its own total only
    const Engine& engine = engine_for(s.profile->id);
    for (const auto& q : m.gguf_quants) {
        Model rm;
        rm.layout = m.layout;
        rm.arch = q.arch;
        rm.has_llm = q.arch.has_kv_cache;
        rm.gguf_metadata_bytes = q.metadata_bytes;
        rm.gguf_duplicated_bytes = q.duplicated_bytes;
        rm.tensors = q.tensors;
        for (const auto& t : m.tensors)
            if (t.block == kBlockProjector) rm.tensors.push_back(t);
        Weights rw = weights_of(rm.tensors, e.options.precision, q.duplicated_bytes, q.arch.n_layers);
        rw.replicated = w.replicated;
        const Eval rev = engine.evaluate(rm, rw, s, e.context_tokens, e.options.batch);
        GgufRow row;
        row.quant = &q;
        row.bits_per_weight = q.params ? 8.0 * static_cast<double>(q.bytes) / static_cast<double>(q.params) : 0;
        row.weights_bytes = rev.share.weights_bytes;
        row.kv_cache_bytes = rev.share.kv_cache_bytes;
        row.total_bytes = rev.share.total_bytes;
        row.host_bytes = rev.host.total_bytes;
        row.fits = e.gpu && fits_on(rev, s, *e.gpu);
        e.gguf_rows.push_back(row);
    }
}

}  // namespace vram
