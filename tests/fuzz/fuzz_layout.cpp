// Fuzz target: the layout planner (plan_layout, first_round_texts, other_weight_formats) on a fuzzed
// listing. Input = a bundle (fuzz_common.hpp): F records for the listing, T records for the small
// files already fetched (model_index.json, modules.json, indexes), V for the variant.
// The planner is run as the Hub client runs it: first with no texts, then with what was fetched.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "estimator/repo_layout.hpp"
#include "fuzz_common.hpp"

using namespace vram;

static void check(const LayoutPlan& plan, const std::set<std::string>& listed) {
    if (plan.error) return;
    // The planner only asks for files the listing has (else the client would chase 404s).
    for (const auto& t : plan.need_texts)
        if (!listed.count(t)) __builtin_trap();
    if (plan.complete())
        for (const auto& c : plan.components)
            if (c.files.empty() && c.index_path.empty()) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz::Bundle b = fuzz::parse_bundle(input);
    const RepoSnapshot& s = b.snapshot;
    std::set<std::string> listed;
    for (const auto& f : s.files) listed.insert(f.path);

    std::vector<std::string> first = first_round_texts(s.files);
    for (const auto& t : first)
        if (!listed.count(t)) __builtin_trap();
    (void)other_weight_formats(s.files);

    check(plan_layout(s.files, {}, s.variant), listed);
    check(plan_layout(s.files, s.texts, s.variant), listed);
    if (!s.variant.empty()) check(plan_layout(s.files, s.texts, ""), listed);
    return 0;
}
