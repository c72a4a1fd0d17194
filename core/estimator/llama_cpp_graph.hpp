// llama.cpp's compute buffers as llama.cpp sizes them: the worst-case graph that llama_new_context_with_model
// reserves (n_ubatch tokens, n_kv = the whole cache, every token an output) is walked node by node through a copy of
// ggml-alloc's planner (ggml_gallocr_alloc_graph_impl with ggml_dyn_tallocr: best fit among the free blocks, the last
// block as the last resort, in-place reuse of a parent with one child, a tensor freed after its last child), and the
// buffer is the planner's high-water mark. The graph is build_llama of llama.cpp release b3216 (src/llama.cpp
// llm_build_context::build_llama, llm_build_kv, llm_build_kqv, llm_build_ffn, llm_build_moe_ffn; ggml/src/ggml-alloc.c
// and ggml-backend.c ggml_backend_sched_split_graph of the same release, which b3617 keeps): every other
// architecture is sized as if it were that graph with its own shapes.
#pragma once
#include <cstdint>
#include <vector>

namespace vram {

// One worst-case graph. Widths are elements, token counts are tokens; every activation is F32.
struct LlamaGraphShape {
    uint64_t n_embd = 0;         // residual width (embedding_length)
    uint64_t n_head = 0;         // query heads
    uint64_t head_dim_k = 0;     // Q/K width per head
    uint64_t head_dim_v = 0;     // V width per head
    uint64_t n_head_kv = 0;      // KV heads (GQA)
    uint64_t n_ff = 0;           // dense FFN width
    uint64_t n_expert = 0;       // routed experts (0 = dense FFN)
    uint64_t n_expert_used = 0;  // experts per token
    uint64_t n_ff_exp = 0;       // one expert's FFN width
    uint64_t n_vocab = 0;        // logits rows
    uint64_t n_tokens = 0;       // the ubatch: min(n_ctx, n_ubatch)
    // One entry per repeating layer run by this backend: the KV cells it attends (n_kv), 0 for a layer without
    // attention (a recurrent layer: only its FFN is sized).
    std::vector<uint64_t> layer_kv;
    bool flash_attn = false;  // ggml_flash_attn_ext with an F16 mask instead of KQ, soft_max, KQV
    bool output_head = true;  // the output norm and logits run on this backend
    bool own_inputs = false;  // CPU-only: the graph inputs are this buffer's leafs (inp_tokens too); else the
                              // backend gets copies of the embeddings, positions, mask and output ids
    uint64_t alignment = 32;  // buffer alignment: ggml CPU 32 (TENSOR_ALIGNMENT), CUDA 128
};

// The high-water mark of ggml-alloc's plan for the graph, in bytes (UINT64_MAX if a size saturates).
uint64_t llama_cpp_compute_buffer_bytes(const LlamaGraphShape& s);

// The layers worth planning: a stack that repeats with a period p ≤ 16 (every layer alike, or a sliding-window
// pattern) and is longer than 6·p keeps its first 4·p and last 2·p layers. The plan settles into the period after
// its first layers, so the layers between repeat a peak already seen (tests/unit/llama_cpp_graph_test.cpp plans
// both and compares); this bounds a 10,000-layer GGUF to a few dozen planned layers.
std::vector<uint64_t> llama_cpp_layers_to_plan(const std::vector<uint64_t>& layer_kv);

// The host (CPU, CUDA_Host) compute buffer of an offloaded graph: the inputs llama.cpp sets on the CPU backend
// (inp_tokens, inp_pos, the F32 KQ mask [n_kv, pad(n_tokens, 32)], inp_out_ids) and the token embeddings that
// get_rows gathers from the CPU-resident token_embd, all live at once.
uint64_t llama_cpp_host_inputs_bytes(const LlamaGraphShape& s, uint64_t n_kv);

}  // namespace vram
