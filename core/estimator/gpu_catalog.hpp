// GPU catalog: the accelerators an estimate is checked against, as data (one row per SKU).
// Capacities are the vendors' spec-sheet figures. DRAM and HBM come in binary sizes, so a card sold as
// "24 GB" holds 24 GiB = 25,769,803,776 bytes; the report prints GiB (2^30) and GB (10^9) side by side
// so the two are never mixed. `usable_bytes` is what a runtime may allocate on the device: the full
// capacity for discrete GPUs unless a measurement says less (each row names its source), and Metal's
// recommendedMaxWorkingSetSize share of the unified memory for Apple silicon.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace vram {

enum class GpuBackend : uint8_t { cuda, rocm, metal };
const char* gpu_backend_name(GpuBackend b);

struct GpuInfo {
    const char* id;         // stable catalog id ("rtx-4090", "h100-80gb"): the `gpu` option
    const char* name;       // display name
    GpuBackend backend;     // cuda, rocm, metal
    const char* segment;    // consumer, workstation, datacenter, apple
    uint64_t memory_bytes;  // capacity as sold (binary: "80 GB" HBM = 80 GiB)
    uint64_t usable_bytes;  // what a runtime may allocate on one device
    bool multi_gpu;         // tensor parallelism across several of these is possible (false: unified-memory Macs)
    const char* source;     // where memory_bytes / usable_bytes come from
    // CUDA compute capability × 10 (90 = sm_90, Hopper), from NVIDIA's "CUDA GPUs" compute-capability table
    // (developer.nvidia.com/cuda-gpus); 0 for ROCm and Metal rows. Engines whose kernels depend on it read it
    // (vLLM 0.19 picks its MXFP4 MoE backend by capability: engine_vllm.cpp).
    uint32_t cuda_sm = 0;
};

// Every row, in display order (consumer, workstation, datacenter, AMD, Apple).
const std::vector<GpuInfo>& gpu_catalog();
// nullptr when the id is not in the catalog.
const GpuInfo* find_gpu(std::string_view id);

}  // namespace vram
