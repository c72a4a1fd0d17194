// Fuzz target: a *.safetensors.index.json (parse_shard_index: the JSON scanner of json_scanner.hpp). Input = the index
// text. Parsed as a root index and as a component folder's index; every accepted shard path must
// be safe (no "..", no leading '/', no scheme, no backslash) and live in the index's folder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "estimator/repo_layout.hpp"

using namespace vram;

static void check(const ShardList& s, const std::string& folder) {
    if (s.error) return;
    if (s.shards.empty()) __builtin_trap();
    for (const auto& p : s.shards) {
        if (p.find("..") != std::string::npos || p.empty() || p[0] == '/' || p.find("://") != std::string::npos)
            __builtin_trap();
        if (!folder.empty() && p.rfind(folder + "/", 0) != 0) __builtin_trap();
        if (!s.tensors_per_shard.count(p)) __builtin_trap();
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(parse_shard_index(input, "model.safetensors.index.json"), "");
    check(parse_shard_index(input, "transformer/diffusion_pytorch_model.safetensors.index.fp16.json"), "transformer");
    return 0;
}
