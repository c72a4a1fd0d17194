#include "estimator/vocabulary.hpp"

#include "estimator/engine.hpp"
#include "estimator/options.hpp"
#include "estimator/training_report.hpp"

namespace vram {
namespace {

using nlohmann::json;

const char* kind_name(OptionKind k) {
    switch (k) {
        case OptionKind::count:
            return "count";
        case OptionKind::fraction:
            return "fraction";
        case OptionKind::probability:
            return "probability";
        case OptionKind::flag:
            return "flag";
        case OptionKind::choice:
            return "choice";
        case OptionKind::list:
            return "list";
    }
    return "";
}

json profile_json(const ProfileInfo& p) {
    json kv = json::array();
    for (size_t i = 0; i < kv_dtypes().size(); ++i)
        if (profile_supports(p, static_cast<KvDtype>(i))) kv.push_back(kv_dtypes()[i].name);
    // The precision targets the profile's engine takes (PrecisionInfo::profiles); the list is the table's.
    json precision_list = json::array();
    for (size_t i = 0; i < precisions().size(); ++i)
        if (profile_takes(p, static_cast<Precision>(i))) precision_list.push_back(precisions()[i].name);
    json tp = json::array();
    for (uint32_t t : tp_steps())
        if (t <= p.max_tp) tp.push_back(t);
    json backends = json::array();
    for (GpuBackend b : {GpuBackend::cuda, GpuBackend::rocm, GpuBackend::metal})
        if (profile_runs_on(p, b)) backends.push_back(gpu_backend_name(b));
    // The resolved defaults of every option under this profile (the same resolution the CLI runs).
    const EstimateOptions d = resolve_options({{"profile", p.name}}).options;
    json defaults = {{"context_tokens", d.context_tokens},
                     {"batch", d.batch},
                     {"precision", precision_name(d.precision)},
                     {"kv_dtype", kv_dtype_info(d.kv_dtype).name},
                     {"tp", d.tp}};
    if (p.preallocates && d.gpu_memory_utilization > 0) defaults["gpu_memory_utilization"] = d.gpu_memory_utilization;
    if (p.gguf) {
        defaults["flash_attention"] = d.flash_attention;
        defaults["n_gpu_layers"] = d.n_gpu_layers;
        defaults["ubatch_tokens"] = d.ubatch_tokens;
    }
    return {{"name", p.name},
            {"label", p.label},
            {"engine", p.engine},
            {"version", p.version},
            {"precisions", precision_list},
            {"kv_dtypes", kv},
            {"tp", tp},
            {"fit_max_gpus", fit_max_gpus(p)},
            {"fit_rule", fit_rule(p)},
            {"gguf", p.gguf},
            {"pipeline", p.id == ProfileId::diffusers},  // takes the image size and placement (height, width …)
            {"eager", profile_takes_eager(p)},           // takes enforce_eager
            {"preallocates", p.preallocates},
            {"fraction_option", p.fraction_option},
            {"backends", backends},
            {"fixed_kv_reason", p.fixed_kv_reason},
            {"defaults", defaults}};
}

}  // namespace

json gpus_json() {
    json out = json::array();
    for (const auto& g : gpu_catalog())
        out.push_back({{"id", g.id},
                       {"name", g.name},
                       {"segment", g.segment},
                       {"backend", gpu_backend_name(g.backend)},
                       {"memory_bytes", g.memory_bytes},
                       {"usable_bytes", g.usable_bytes},
                       {"multi_gpu", g.multi_gpu}});
    return out;
}

json vocabularies_json() {
    json out;
    out["profiles"] = json::array();
    for (const auto& p : profiles()) out["profiles"].push_back(profile_json(p));
    out["precisions"] = json::array();
    for (const auto& p : precisions())
        out["precisions"].push_back({{"name", p.name}, {"label", p.label}, {"bits", p.bits}, {"help", p.help}});
    out["kv_dtypes"] = json::array();
    for (const auto& d : kv_dtypes())
        out["kv_dtypes"].push_back({{"name", d.name},
                                    {"label", d.label},
                                    {"block_bytes", d.block_bytes},
                                    {"block_elements", d.block_elements},
                                    {"help", d.help}});
    out["gpus"] = gpus_json();
    out["options"] = json::array();
    for (const auto& s : option_specs()) {
        json o = {{"key", s.key},   {"flags", s.flags},         {"kind", kind_name(s.kind)},
                  {"help", s.help}, {"gguf_only", s.gguf_only}, {"training", s.training}};
        if (s.training) {
            o["default"] = training_default_text(s.key);
            o["framework"] = s.framework;
            if (*s.method_needs) o["method_needs"] = s.method_needs;
        }
        if (s.kind == OptionKind::count) {
            o["min"] = s.min;
            o["max"] = s.max;
            if (*s.special) o["special"] = s.special;
        }
        if (s.kind == OptionKind::choice) o["choices"] = option_choices(s);
        if (*s.special && s.kind == OptionKind::choice) o["special"] = s.special;
        out["options"].push_back(o);
    }
    // The fine-tuning tables (methods, precisions, optimizers, attentions, distributions, offloads, the default LoRA
    // targets, bounds): the page's Fine-tuning controls are built from these rows.
    out["training"] = training_tables_json();
    // One unit policy: bytes in every field; GiB = 2^30 and GB = 10^9 when printed; GPU capacities are binary.
    out["units"] = {
        {"GiB", 1ull << 30}, {"GB", 1000000000ull}, {"gpu_capacity", "binary: a card sold as \"24 GB\" holds 24 GiB"}};
    return out;
}

}  // namespace vram
