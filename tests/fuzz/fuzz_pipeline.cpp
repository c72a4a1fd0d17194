// Fuzz target: the whole pipeline on a snapshot built from fuzz bytes —
//   analyze(RepoSnapshot) → estimate(Model, options) → render_json (and text, markdown, preamble).
// Input = a bundle (fuzz_common.hpp: F listing, T small files, H safetensors headers, V variant,
// O estimate options, one estimate per O record, at most 4), or, when the input starts with '{',
// a stored snapshot as snapshot_to_json writes it (the page keeps those for offline use), read
// back with snapshot_from_json. Without O records: classic defaults, then vllm on an H100 at tp 1.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "estimator/estimate.hpp"
#include "estimator/model.hpp"
#include "estimator/report.hpp"
#include "estimator/snapshot.hpp"
#include "fuzz_common.hpp"

using namespace vram;

namespace {

constexpr size_t kMaxRuns = 4;

// The fuzzer's short keys name the core's options; values go through the same parser as the CLI and the page.
EstimateOptions options_from(const std::vector<std::pair<std::string, std::string>>& kv) {
    static const std::pair<const char*, const char*> kKeys[] = {{"profile", "profile"},
                                                                {"precision", "precision"},
                                                                {"context", "context_tokens"},
                                                                {"batch", "batch"},
                                                                {"tp", "tp"},
                                                                {"gpu", "gpu"},
                                                                {"kv", "kv_dtype"},
                                                                {"util", "gpu_memory_utilization"},
                                                                {"mnbt", "max_num_batched_tokens"}};
    GivenOptions given;
    for (const auto& [k, v] : kv)
        for (const auto& [short_key, key] : kKeys)
            if (k == short_key) given.emplace_back(key, v);
    // A value the parser refuses is dropped, so that the estimate still runs on the rest.
    GivenOptions accepted;
    for (const auto& g : given)
        if (!resolve_options({g}).error) accepted.push_back(g);
    return resolve_options(accepted).options;
}

void run(const Model& m, const EstimateOptions& o) {
    Estimate e = estimate(m, o);
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "pipeline: estimate %s/%s: %s %s total %llu\n", profile_info(o.profile).name,
                     o.gpu ? o.gpu->id : "", error_code_name(e.error.code), e.error.message.c_str(),
                     static_cast<unsigned long long>(e.total_bytes));
    if (e.error) return;
    std::string j = render_json(m, e);
    // The JSON report must be JSON (the page parses it).
    if (!nlohmann::json::accept(j)) __builtin_trap();
    (void)render_text(m, e);
    (void)render_markdown(m, e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    RepoSnapshot snap;
    std::vector<std::vector<std::pair<std::string, std::string>>> runs;
    if (!input.empty() && input[0] == '{') {
        SnapshotResult r = snapshot_from_json(input);
        if (r.error) return 0;
        snap = std::move(r.snapshot);
        // What the page stores must read back the same.
        SnapshotResult again = snapshot_from_json(snapshot_to_json(snap));
        if (again.error) __builtin_trap();
    } else {
        fuzz::Bundle b = fuzz::parse_bundle(input);
        snap = std::move(b.snapshot);
        runs = std::move(b.options);
    }
    Model m = analyze(snap);
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "pipeline: analyze %s: %s %s (%llu tensors)\n", m.repo_id.c_str(),
                     error_code_name(m.error.code), m.error.message.c_str(),
                     static_cast<unsigned long long>(m.n_tensors));
    if (m.error) return 0;
    (void)render_preamble(m);
    if (runs.empty()) {
        run(m, EstimateOptions{});
        EstimateOptions v;
        v.profile = ProfileId::vllm;
        v.gpu = find_gpu("h100-80gb");
        run(m, v);
        return 0;
    }
    for (size_t i = 0; i < runs.size() && i < kMaxRuns; ++i) run(m, options_from(runs[i]));
    return 0;
}
