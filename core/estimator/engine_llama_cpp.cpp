// Profile "llama.cpp" (GGUF repos only) follows llama.cpp's own allocation: the context padded to 256 (flash
// attention) or 32 cells, one unified KV cache of context × batch cells in the chosen cache type (row sizes with
// block rounding), sliding-window layers holding min(n_ctx, W·n_seq + n_ubatch) cells, recurrent layers one F32
// state per sequence, the compute and output buffers, and -ngl partial offload: the input layer (token_embd) stays
// in system memory, the output layer is offloaded first (i_gpu_start = max(n_layer + 1 − ngl, 0)); what is not on
// the GPU is reported as system memory (HostShare). The compute buffers are ggml-alloc's plan of llama.cpp's
// worst-case graph (llama_cpp_graph.cpp); the runtime footprint follows gguf-parser-go (docs/estimates.md).
#include <algorithm>

#include "estimator/engine.hpp"
#include "estimator/llama_cpp_graph.hpp"

namespace vram {
namespace {

// gguf-parser-go --platform-footprint default "150,250": MiB of system memory and VRAM the runtime takes before any
// tensor (CUDA context, backend buffers).
constexpr uint64_t kGpuFootprintBytes = 250 * kMiB;
constexpr uint64_t kHostFootprintBytes = 150 * kMiB;
// gguf-parser-go footprint: 5 MiB + (file − tensor data) + tokenizer tables: tokens × (4 + 4) + merges × (48 + 56)
// + tokens × (32 + 24 + 32) bytes.
constexpr uint64_t kHostBaseBytes = 5 * kMiB;
constexpr uint64_t kBytesPerToken = 4 + 4 + 32 + 24 + 32;
constexpr uint64_t kBytesPerMerge = 48 + 56;
// Context padding: n_ctx = pad(n_ctx, 256) with flash attention, else 32 (gguf-parser-go; llama.cpp cparams / the
// KV cache's get_padding).
constexpr uint64_t kPadFlash = 256, kPadPlain = 32;
// Compute buffer alignment: ggml-cuda's buffer type 128 B, the CPU's TENSOR_ALIGNMENT 32 B (ggml-backend.c).
constexpr uint64_t kGpuBufferAlignment = 128, kHostBufferAlignment = 32;

void resolve(Setup& s, const EstimateOptions& o) {
    if (o.kv_dtype == KvDtype::auto_) {
        s.kv_name = "fp16";  // llama.cpp's default cache type, -ctk/-ctv f16
        s.kv_block_bytes = 2;
        s.kv_block_elements = 1;
    }
}

// Layers 0 … n_layer − 1 and the output layer: which are on the GPU under -ngl.
struct Placement {
    uint64_t n_ctx = 0;  // padded cells
    uint64_t n_seq = 1;
    uint64_t pad = kPadFlash;
    uint64_t ngl = 0;        // layers offloaded, the output layer counting as one
    uint64_t gpu_start = 0;  // first repeating layer on the GPU
    bool output_gpu = false;
    bool on_gpu(uint64_t il) const { return il >= gpu_start; }
};

// KV cache and recurrent state, per layer, on the layer's device (llama-kv-cache.cpp, offload_kqv on).
void kv_cache(const Architecture& a, const Setup& s, const Placement& p, Eval& ev, bool& cpu_layers,
              std::vector<uint64_t>& layer_kv) {
    layer_kv.assign(a.layers.size(), 0);
    for (uint64_t il = 0; il < a.layers.size(); ++il) {
        const AttentionLayer& l = a.layers[il];
        KvLayerGroup g;
        g.kind = attention_kind_name(l.kind);
        g.n_layers = 1;
        uint64_t bytes = 0;
        const bool windowed = l.kind == AttentionKind::sliding || l.kind == AttentionKind::chunked;
        if (l.kind == AttentionKind::linear_state) {
            // llama-memory-recurrent.cpp: max(1, n_seq_max) cells of F32 r and s states.
            g.state_bytes = mul_sat(l.state_elements, kF32Bytes);
            bytes = mul_sat(g.state_bytes, p.n_seq);
        } else if (l.kind != AttentionKind::none) {
            // ggml_row_size(type_k, n_embd_k_gqa) + ggml_row_size(type_v, n_embd_v_gqa) per cell.
            g.bytes_per_token = add_sat(kv_row_bytes(static_cast<uint64_t>(l.n_head_kv) * l.head_dim_k, s),
                                        kv_row_bytes(static_cast<uint64_t>(l.n_head_kv) * l.head_dim_v, s));
            uint64_t cells = p.n_ctx;
            if (windowed && l.window_tokens)
                // llama-kv-cache-iswa.cpp: size_swa = min(size_base, GGML_PAD(n_swa·n_seq_max + n_ubatch, n_pad)).
                cells = std::min(p.n_ctx, pad_up(add_sat(mul_sat(l.window_tokens, p.n_seq), s.ubatch), p.pad));
            g.window_tokens = windowed ? l.window_tokens : 0;
            g.tokens_per_sequence = cells;
            layer_kv[il] = cells;
            bytes = mul_sat(g.bytes_per_token, cells);
            ev.kv_bytes_per_token += g.bytes_per_token;
        }
        g.bytes = bytes;
        if (p.on_gpu(il)) {
            ev.share.kv_cache_bytes = add_sat(ev.share.kv_cache_bytes, bytes);
        } else {
            ev.host.kv_cache_bytes = add_sat(ev.host.kv_cache_bytes, bytes);
            cpu_layers = true;
        }
        auto same = std::find_if(ev.groups.begin(), ev.groups.end(), [&](const KvLayerGroup& x) {
            return x.kind == g.kind && x.window_tokens == g.window_tokens && x.bytes_per_token == g.bytes_per_token &&
                   x.state_bytes == g.state_bytes && x.tokens_per_sequence == g.tokens_per_sequence;
        });
        if (same != ev.groups.end()) {
            ++same->n_layers;
            same->bytes = add_sat(same->bytes, g.bytes);
        } else {
            ev.groups.push_back(g);
        }
    }
}

// Compute buffers: llama.cpp's worst-case graph (n_t = min(n_ctx, n_ubatch) tokens, every cell attended, every token
// an output) planned by ggml-alloc (llama_cpp_graph.cpp: build_llama and ggml-alloc.c of release b3216). Offloaded,
// the GPU buffer holds the layers on the GPU (and the output head when it is offloaded) with copies of the graph
// inputs; the host buffer holds the inputs themselves and the gathered embeddings, or, when repeating layers stay on
// the CPU, their own plan. CPU only, the one host buffer holds the whole graph.
void compute_buffers(const Architecture& a, const Setup& s, const Placement& p, bool cpu_layers,
                     const std::vector<uint64_t>& layer_kv, Eval& ev) {
    LlamaGraphShape g;
    g.n_embd = a.hidden_size;
    g.n_head = a.n_heads;
    g.head_dim_k = g.head_dim_v = a.head_dim;
    g.n_head_kv = a.n_kv_heads;
    for (const auto& l : a.layers)
        if (l.kind != AttentionKind::linear_state && l.kind != AttentionKind::none && l.head_dim_v) {
            g.head_dim_v = l.head_dim_v;
            break;
        }
    g.n_ff = a.intermediate_size;
    g.n_expert = a.n_experts;
    g.n_expert_used = a.n_experts_active;
    g.n_ff_exp = a.moe_intermediate_size ? a.moe_intermediate_size : a.intermediate_size;
    g.n_vocab = a.vocab_size;
    g.n_tokens = std::min(p.n_ctx, s.ubatch);
    g.flash_attn = s.flash_attention;
    uint64_t n_kv = 0;
    for (uint64_t kv : layer_kv) n_kv = std::max(n_kv, kv);
    const auto split = layer_kv.begin() + static_cast<long>(std::min<uint64_t>(p.gpu_start, layer_kv.size()));
    if (p.ngl == 0) {
        g.layer_kv = llama_cpp_layers_to_plan(layer_kv);
        g.own_inputs = true;
        ev.share.activation_bytes = 0;
        ev.host.compute_bytes = llama_cpp_compute_buffer_bytes(g);
        return;
    }
    g.layer_kv = llama_cpp_layers_to_plan({split, layer_kv.end()});
    g.output_head = p.output_gpu;
    g.alignment = kGpuBufferAlignment;
    ev.share.activation_bytes = llama_cpp_compute_buffer_bytes(g);
    g.alignment = kHostBufferAlignment;
    uint64_t host = llama_cpp_host_inputs_bytes(g, n_kv);
    if (cpu_layers) {
        g.layer_kv = llama_cpp_layers_to_plan({layer_kv.begin(), split});
        g.output_head = false;
        g.own_inputs = true;
        host = std::max(host, llama_cpp_compute_buffer_bytes(g));
    }
    ev.host.compute_bytes = host;
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t context, uint32_t batch) {
    Eval ev;
    const Architecture& a = m.arch;
    Placement p;
    p.n_seq = std::max<uint32_t>(1, batch);
    // One unified cache of context × sequences cells (llama-server --parallel), padded: n_ctx = pad(n_ctx, 256 | 32).
    p.pad = s.flash_attention ? kPadFlash : kPadPlain;
    p.n_ctx = pad_up(mul_sat(context, p.n_seq), p.pad);
    const uint64_t n_layer = a.n_layers;
    // llama.cpp offloads the output layer first (gguf-parser-go issue #42): i_gpu_start = max(n_layer + 1 − ngl, 0);
    // repeating layer il is on the GPU when il ≥ i_gpu_start, the output layer whenever ngl ≥ 1.
    p.ngl = s.n_gpu_layers < 0 ? n_layer + 1 : std::min<uint64_t>(static_cast<uint64_t>(s.n_gpu_layers), n_layer + 1);
    p.gpu_start = n_layer + 1 - p.ngl;
    p.output_gpu = p.ngl >= 1;
    ev.context_cells = p.n_ctx;
    ev.gpu_layers = static_cast<uint32_t>(p.ngl);

    // Weights: the input layer (token_embd) always stays in system memory (llama-model.cpp load_tensors: "there is
    // very little benefit to offloading the input layer"); tied embeddings are loaded again for the output layer.
    uint64_t gpu_w = 0, host_w = w.input;
    for (uint64_t il = 0; il < w.block.size(); ++il) (p.on_gpu(il) ? gpu_w : host_w) += w.block[il];
    (p.output_gpu ? gpu_w : host_w) += w.output + w.projector;
    if (p.output_gpu) gpu_w += w.duplicated;

    bool cpu_layers = false;
    std::vector<uint64_t> layer_kv;
    kv_cache(a, s, p, ev, cpu_layers, layer_kv);
    cpu_layers = cpu_layers || (p.gpu_start > 0 && n_layer > 0);  // a repeating layer runs on the CPU
    compute_buffers(a, s, p, cpu_layers, layer_kv, ev);

    ev.share.weights_bytes = gpu_w;
    ev.parts.fixed_bytes = kGpuFootprintBytes;
    ev.share.overhead_bytes = kGpuFootprintBytes;
    total_share(ev.share);

    HostShare& h = ev.host;
    h.weights_bytes = host_w;
    h.output_bytes = mul_sat(mul_sat(a.vocab_size, kF32Bytes), p.n_seq);  // llama-context.cpp output_reserve: logits
    h.overhead_bytes =
        add_sat(kHostFootprintBytes + kHostBaseBytes,
                add_sat(m.gguf_metadata_bytes, a.vocab_size * kBytesPerToken + a.n_merges * kBytesPerMerge));
    h.total_bytes = add_sat(add_sat(h.weights_bytes, h.kv_cache_bytes),
                            add_sat(add_sat(h.compute_bytes, h.output_bytes), h.overhead_bytes));
    return ev;
}

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights& w, const Eval&) {
    const ProfileInfo& p = *s.profile;
    const std::string src = " [llama.cpp]";
    auto add = [&](const std::string& text) { e.assumptions.push_back(text + src); };
    add(std::string("profile llama.cpp: rules read from ") + p.sources);
    if (m.gguf_quants.size() > 0)
        add("GGUF file " + m.gguf_file + ": weights are the tensors' bytes (n_elements / block × block bytes)");
    const uint64_t pad = s.flash_attention ? kPadFlash : kPadPlain;
    add("context: one unified KV cache of context × batch = " + std::to_string(e.context_tokens) + " × " +
        std::to_string(e.options.batch) + " cells padded to a multiple of " + std::to_string(pad) +
        (s.flash_attention ? " (flash attention on)" : " (flash attention off)") + " = " +
        std::to_string(e.context_cells) +
        " cells (gguf-parser-go: n_ctx = pad(n_ctx, 256 if FA else 32); llama-server --parallel)");
    add("KV cache per attention layer and cell: ggml_row_size(type_k, n_head_kv × key_length) + ggml_row_size(type_v, "
        "n_head_kv × value_length), cache type " +
        e.kv_dtype +
        " (llama-kv-cache.cpp; quantized types round each row up to whole blocks of 32); MLA GGUFs cache "
        "head_count_kv × (key_length + value_length)");
    add("sliding-window layers hold min(n_ctx, pad(window × sequences + n_ubatch, pad)) cells (llama-kv-cache-iswa.cpp "
        "size_swa, unified cache); n_ubatch " +
        std::to_string(s.ubatch));
    add("recurrent layers (head_count_kv 0, %s.ssm.*, full_attention_interval): one F32 state of (d_conv − 1)·(d_inner "
        "+ 2·n_group·d_state) + d_state·d_inner elements per sequence (llama-memory-recurrent.cpp, llama-hparams.cpp "
        "n_embd_r/n_embd_s)");
    add("offload: -ngl " + std::to_string(e.n_gpu_layers) + " of " + std::to_string(m.arch.n_layers + 1) +
        " (the output layer counts as one and is offloaded first: i_gpu_start = max(n_layer + 1 − ngl, 0), "
        "gguf-parser-go issue #42); the input layer (token_embd, " +
        gib_text(w.input) +
        ") stays in system memory (llama-model.cpp load_tensors); each layer's KV cache lives with the layer");
    if (w.duplicated)
        add("tied embeddings (no output.weight): the output layer loads token_embd again (TENSOR_DUPLICATED), " +
            gib_text(w.duplicated) + " on the GPU");
    add(std::string("compute buffers: llama.cpp's worst-case graph (") +
        std::to_string(std::min(e.context_cells, s.ubatch)) +
        " tokens = min(n_ctx, n_ubatch), every cell attended, every token an output) planned node by node as "
        "ggml-alloc plans it: best fit among the free blocks, in-place reuse of a parent with one child, a tensor "
        "freed after its last reader (build_llama and ggml-alloc.c of llama.cpp release b3216, as b3617 ships them); " +
        (s.flash_attention ? "flash attention: one attention node and the F16 mask, no KQ scores"
                           : "without flash attention the F32 KQ scores [n_kv, n_tokens, n_head] and their in-place "
                             "soft_max") +
        "; other architectures are planned as that graph with their own shapes (not checked against their logs)");
    add("system memory: the host compute buffer holds the graph inputs (token ids, positions, output ids, the F32 KQ "
        "mask) and the gathered embeddings (repeating layers left on the CPU: their own plan, not checked against "
        "logs), the logits output buffer n_vocab × 4 B × sequences (llama-context.cpp output_reserve), 150 MiB "
        "runtime + 5 MiB + GGUF metadata (" +
        std::to_string(m.gguf_metadata_bytes) +
        " B) + tokenizer tables (tokens × 96 B + merges × 104 B) (gguf-parser-go footprint)");
    add("overhead (GPU): 250 MiB runtime footprint (gguf-parser-go --platform-footprint default \"150,250\" MiB)");
    add("buffers checked against 10 llama.cpp logs (docs/validation.md): model, KV and output buffers exact, compute "
        "buffers of Llama 2, Llama 3.1 and Qwen2 within the printed 0.01 MiB (two rows of other builds miss and say "
        "why); flash attention on, MoE, partial offload and the runtime footprint are not checked");
}

}  // namespace

const Engine kLlamaCppEngine = {ProfileId::llama_cpp, 4, false, resolve, evaluate, nullptr, assumptions};

}  // namespace vram
