// Fuzz target: config.json → Architecture (parse_architecture). Input = the config text.
// Also feeds the config's quantization_config to parse_quant_rules, as analyze() does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "estimator/architecture.hpp"
#include "estimator/quantization.hpp"

using namespace vram;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    ArchitectureResult r = parse_architecture(input);
    if (r.error) return 0;
    const Architecture& a = r.arch;
    // Invariants the estimator relies on: one layer record per decoder layer when there is a KV cache.
    if (a.has_kv_cache && a.layers.size() != a.n_layers) __builtin_trap();
    (void)attention_kind_name(a.layers.empty() ? AttentionKind::none : a.layers.front().kind);
    QuantRules q = parse_quant_rules(a.quantization_config);
    (void)q;
    return 0;
}
