// Unit tests of core/estimator/llama_cpp_graph.* — llama.cpp's compute buffers from its worst-case graph and
// ggml-alloc's plan. Each expected number is worked by hand in the comment above it, from the allocator's rules
// (best fit among the free blocks but the last, in-place reuse of a parent with one child, views never reused) and
// the order build_llama adds the nodes; where a log exists, the figure llama.cpp printed is named.
#include <catch2/catch.hpp>

#include "estimator/llama_cpp_graph.hpp"

using namespace vram;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * 1024;

// Llama 2 7B (the logs print n_embd 4096, n_head 32, n_head_kv 32, n_ff 11008, n_vocab 32000, 32 layers).
LlamaGraphShape llama2_7b(uint64_t n_kv, uint64_t n_tokens, bool flash_attn) {
    LlamaGraphShape s;
    s.n_embd = 4096, s.n_head = 32, s.head_dim_k = s.head_dim_v = 128, s.n_head_kv = 32;
    s.n_ff = 11008, s.n_vocab = 32000, s.n_tokens = n_tokens;
    s.layer_kv.assign(32, n_kv);
    s.flash_attn = flash_attn;
    s.alignment = 128;
    return s;
}

}  // namespace

TEST_CASE("without flash attention the KQ scores of one layer set the buffer: Llama 2 7B at 2048 cells",
          "[llama.cpp][graph]") {
    // Offloaded, the split starts with copies of the embeddings E = 4·4096·512 = 8 MiB, the positions (2 KiB), the
    // F32 mask M = 4·2048·512 = 4 MiB and the output ids (2 KiB). A layer then takes its norm (E), Q (E) and RoPE'd
    // Q (E: RoPE reads a reshaped view, and a view is never reused in place); K and V fill Q's freed slot or the
    // end and are freed once stored in the cache; the KQ scores 4·2048·512·32 = 128 MiB fit no hole (16 MiB), so
    // they go after the RoPE'd Q: E + 2 KiB + M + 2 KiB + 3·E + 128 MiB = 164 MiB + 4 KiB.
    // llama.cpp printed 164.01 MiB on CUDA and on a CPU build (tests/validation/llama.cpp/runs.jsonl).
    CHECK(llama_cpp_compute_buffer_bytes(llama2_7b(2048, 512, false)) == 164 * MiB + 4 * KiB);
    // CPU only the graph's own inputs come first, inp_tokens (2 KiB) too: 164 MiB + 6 KiB, printed "164.01 MiB".
    LlamaGraphShape cpu = llama2_7b(2048, 512, false);
    cpu.own_inputs = true, cpu.alignment = 32;
    CHECK(llama_cpp_compute_buffer_bytes(cpu) == 164 * MiB + 6 * KiB);
    // At 4096 cells the scores double to 256 MiB and the mask to 8 MiB: 8 + 8 + 24 + 256 MiB + 4 KiB (296.00 MiB on
    // Vulkan and SYCL).
    CHECK(llama_cpp_compute_buffer_bytes(llama2_7b(4096, 512, false)) == 296 * MiB + 4 * KiB);
}

TEST_CASE("at 512 cells the output head sets the buffer: the norm in place and the F32 logits after it",
          "[llama.cpp][graph]") {
    // By the head every input has been freed (positions after the last RoPE, the mask after the last soft_max, the
    // output ids after the last get_rows) and the last layer's output (E = 8 MiB) sits at offset 0; the output norm
    // reuses it in place and the logits 4·32000·512 = 62.5 MiB follow: 70.5 MiB, as the SYCL log prints (70.50 MiB).
    // The attention peak is lower: 8 + 1 MiB + 4 KiB + 24 + 32 MiB.
    CHECK(llama_cpp_compute_buffer_bytes(llama2_7b(512, 512, false)) == 70 * MiB + 512 * KiB);
}

TEST_CASE("a ubatch of 1024 tokens with grouped-query attention: Mistral 7B shapes at 1024 cells",
          "[llama.cpp][graph][ubatch]") {
    // E = 4·4096·1024 = 16 MiB, Q as wide as E, K and V 4·1024·1024 = 4 MiB (8 KV heads), mask 4·1024·1024 = 4 MiB,
    // positions and output ids 4 KiB each. RoPE'd K (4 MiB) fits the rest of Q's freed slot, V its start; after the
    // stores the free run [norm, Q slot] is 32 MiB, too small for KQ = 4·1024·1024·32 = 128 MiB, which follows the
    // RoPE'd Q: 16 + 4 KiB + 4 + 4 KiB + 16 + 16 + 16 + 128 = 196 MiB + 8 KiB.
    LlamaGraphShape s = llama2_7b(1024, 1024, false);
    s.n_head_kv = 8, s.n_ff = 14336;
    CHECK(llama_cpp_compute_buffer_bytes(s) == 196 * MiB + 8 * KiB);
}

TEST_CASE("with flash attention no KQ scores exist and the first layer's FFN sets the buffer", "[llama.cpp][graph]") {
    // Llama 2 7B, 2048 cells, 512 tokens, offloaded. Copies: E = 8 MiB at 0, positions, the F32 mask (4 MiB), output
    // ids: B = 12 MiB + 4 KiB. Layer 0: norm at B, Q at B+E, RoPE'd Q at B+2E; K into Q's slot, RoPE'd K at B+3E,
    // V into Q's slot; the stores free K, V and the norm: a free run [B, B+2E). The F16 mask (2 MiB) takes its
    // start and frees the F32 copy (a 4 MiB hole); the attention output (E) takes [B+2M, B+10M); the RoPE'd Q is
    // freed, wo goes to the end at B+10M, the residual add reuses it, the embeddings copy is freed (a hole [0, E)).
    // The FFN norm takes [0, E); gate (4·11008·512 = 21.5 MiB) and up (21.5 MiB) fit no hole and go to the end at
    // B+18M: B + 18 + 21.5 + 21.5 MiB = 73 MiB + 4 KiB. Later layers and the head stay below it.
    CHECK(llama_cpp_compute_buffer_bytes(llama2_7b(2048, 512, true)) == 73 * MiB + 4 * KiB);
}

TEST_CASE("the host buffer of an offloaded graph holds the inputs and the gathered embeddings", "[llama.cpp][graph]") {
    // inp_tokens, inp_pos, inp_out_ids 4·512 = 2 KiB each, the F32 mask 4·4096·512 = 8 MiB, get_rows 4·4096·512 =
    // 8 MiB: 16 MiB + 6 KiB, printed "16.01 MiB" by the Vulkan build (Vulkan_Host compute buffer).
    LlamaGraphShape s = llama2_7b(4096, 512, false);
    s.alignment = 32;
    CHECK(llama_cpp_host_inputs_bytes(s, 4096) == 16 * MiB + 6 * KiB);
}

TEST_CASE("a graph too large to count saturates instead of wrapping", "[llama.cpp][graph][malformed]") {
    LlamaGraphShape s = llama2_7b(1ull << 40, 1ull << 20, false);
    s.n_head = 1ull << 20;
    CHECK(llama_cpp_compute_buffer_bytes(s) == UINT64_MAX);
    // An FFN row of 2^62 elements: each tensor saturates, and the planner says so instead of indexing past its blocks.
    LlamaGraphShape ffn = llama2_7b(2048, 512, true);
    ffn.n_ff = 1ull << 62;
    CHECK(llama_cpp_compute_buffer_bytes(ffn) == UINT64_MAX);
    // Tensors that fit one by one but not together: 4 B × 2^20 tokens × 2^40-wide rows = 2^62 B each, two at once.
    LlamaGraphShape wide = llama2_7b(2048, 1ull << 20, true);
    wide.n_embd = 1ull << 40;
    CHECK(llama_cpp_compute_buffer_bytes(wide) == UINT64_MAX);
}

TEST_CASE("a repeating stack is planned from its first four and last two periods", "[llama.cpp][graph]") {
    const std::vector<uint64_t> dense(32, 4096);
    CHECK(llama_cpp_layers_to_plan(dense) == std::vector<uint64_t>(6, 4096));
    // A sliding-window pattern of period 2 (window layers hold 1024 cells): 8 + 4 layers.
    std::vector<uint64_t> swa;
    for (int i = 0; i < 40; ++i) swa.push_back(i % 2 ? 4096 : 1024);
    const auto kept = llama_cpp_layers_to_plan(swa);
    REQUIRE(kept.size() == 12);
    CHECK(kept.front() == 1024);
    CHECK(kept.back() == 4096);
    // No period of 16 or less, or too few layers: every layer is planned.
    std::vector<uint64_t> odd(20, 4096);
    odd[7] = 512;
    CHECK(llama_cpp_layers_to_plan(odd) == odd);
    CHECK(llama_cpp_layers_to_plan(std::vector<uint64_t>(6, 4096)).size() == 6);
}

TEST_CASE("planning the kept layers gives the same buffer as planning every layer", "[llama.cpp][graph]") {
    // The plan settles into the stack's period within its first layers: over flash attention on and off, dense and
    // MoE FFNs, own inputs and copies, GQA and MHA, ubatch 32 and 512, every layer alike, a period-2 window and a
    // hybrid stack with a recurrent layer in four, both plans agree to the byte.
    int compared = 0;
    for (bool fa : {false, true})
        for (bool moe : {false, true})
            for (bool own : {false, true})
                for (uint64_t nt : {32ull, 512ull})
                    for (uint64_t kvh : {8ull, 32ull})
                        for (int pattern = 0; pattern < 3; ++pattern) {
                            LlamaGraphShape s = llama2_7b(2048, nt, fa);
                            s.n_head_kv = kvh, s.own_inputs = own;
                            if (moe) s.n_expert = 8, s.n_expert_used = 2, s.n_ff_exp = 14336;
                            s.layer_kv.clear();
                            for (uint64_t i = 0; i < 40; ++i)
                                s.layer_kv.push_back(pattern == 1 && i % 2 ? 1024 : pattern == 2 && i % 4 ? 0 : 2048);
                            LlamaGraphShape kept = s;
                            kept.layer_kv = llama_cpp_layers_to_plan(s.layer_kv);
                            REQUIRE(kept.layer_kv.size() < s.layer_kv.size());
                            CHECK(llama_cpp_compute_buffer_bytes(kept) == llama_cpp_compute_buffer_bytes(s));
                            ++compared;
                        }
    CHECK(compared == 96);
}
