// vLLM 0.19's resident RoPE cos/sin cache: one buffer per distinct rotary embedding, created at model init and so part
// of "Model loading took" (engine_vllm_rope.cpp states every rule's source). The vLLM profile adds it to the weights
// on every rank (it is not split by tensor parallelism).
#pragma once
#include <cstdint>
#include <string>

#include "estimator/architecture.hpp"

namespace vram {

struct VllmRopeCache {
    uint64_t positions = 0;   // rows: the positions the cache covers
    uint64_t rotary_dim = 0;  // columns: cos half + sin half = rotary_dim
    uint32_t width = 0;       // bytes per element
    uint32_t count = 0;       // distinct caches counted (get_rope shares one among layers with the same parameters)
    uint64_t bytes = 0;       // positions × rotary_dim × width × count
    std::string rule;         // how positions / rotary_dim / width were read, for the assumption line
    bool established = true;  // false: the rope type's vLLM class was not read; sized as the default rope
};

// The cache one rank holds for this architecture; act_bytes is the model's compute dtype width (vLLM creates the
// cache under the model's default dtype). All zero when the config names no RoPE or no position count. The rule text
// is written only with with_rule: the engine's evaluate() asks for the bytes on every call of the fit searches, the
// assumption line once.
VllmRopeCache vllm_rope_cache(const Architecture& a, uint32_t act_bytes, bool with_rule = false);

}  // namespace vram
