// Fuzz target: the whole pipeline on a snapshot built from fuzz bytes —
//   analyze(RepoSnapshot) → estimate(Model, options) → render_json (and text, markdown, preamble).
// Input = a bundle (fuzz_common.hpp: F listing, T small files, H safetensors headers, V variant,
// O estimate options, one estimate per O record, at most 4), or, when the input starts with '{',
// a stored snapshot as snapshot_to_json writes it (the page keeps those for offline use), read
// back with snapshot_from_json. Without O records: classic defaults or vllm on an H100 at tp 1 (which one,
// and which report each estimate is rendered to, follows from the input's hash).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "estimator/estimate.hpp"
#include "estimator/model.hpp"
#include "estimator/report.hpp"
#include "estimator/snapshot.hpp"
#include "fuzz_common.hpp"
#include "json_check.hpp"

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
    // A value the parser refuses is dropped, so that the estimate still runs on the rest. Most sets are accepted
    // whole, and then each option needs no parse of its own.
    if (OptionsResult whole = resolve_options(given); !whole.error) return whole.options;
    GivenOptions accepted;
    for (const auto& g : given)
        if (!resolve_options({g}).error) accepted.push_back(g);
    return resolve_options(accepted).options;
}

// Which report an estimate is rendered to: one per estimate, picked by the input's hash (fuzz_common.hpp
// input_hash), so every render is reached across inputs while an input pays for one. render_json was
// ~1,250 µs of a ~4,400 µs input that rendered all three twice (tests/fuzz/README.md, "Speed").
enum class Render { json, text, markdown };

void run(const Model& m, const EstimateOptions& o, Render render) {
    Estimate e = estimate(m, o);
    if (std::getenv("VRAM_FUZZ_VERBOSE"))
        std::fprintf(stderr, "pipeline: estimate %s/%s: %s %s total %llu\n", profile_info(o.profile).name,
                     o.gpu ? o.gpu->id : "", error_code_name(e.error.code), e.error.message.c_str(),
                     static_cast<unsigned long long>(e.total_bytes));
    if (e.error) return;
    switch (render) {
        case Render::json:
            // The JSON report must be JSON (the page parses it).
            if (!fuzz::report_is_json(render_json(m, e))) __builtin_trap();
            break;
        case Render::text:
            (void)render_text(m, e);
            break;
        case Render::markdown:
            (void)render_markdown(m, e);
            break;
    }
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
    // Bits 0-1 of the hash pick the first estimate's render (JSON for half the inputs, text and markdown
    // a quarter each), bits 2-3 the next one's…; bit 62 picks the default estimate when there is no O record.
    const uint64_t h = fuzz::input_hash(input);
    auto render_of = [h](size_t i) { return static_cast<Render>(((h >> (2 * i)) & 3) % 3); };
    if (runs.empty()) {
        EstimateOptions o;
        if ((h >> 62) & 1) {
            o.profile = ProfileId::vllm;
            o.gpu = find_gpu("h100-80gb");
        }
        run(m, o, render_of(0));
        return 0;
    }
    for (size_t i = 0; i < runs.size() && i < kMaxRuns; ++i) run(m, options_from(runs[i]), render_of(i));
    return 0;
}
