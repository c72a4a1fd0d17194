// llama.cpp's worst-case graph and ggml-alloc's plan of it (see llama_cpp_graph.hpp). Sources, llama.cpp release
// b3216 (June 2024; the graph and planner b3617 ships are the same for these ops):
//   ggml/src/ggml-alloc.c — ggml_dyn_tallocr_alloc / _free_tensor (Planner below), ggml_gallocr_allocate_node,
//     ggml_gallocr_alloc_graph_impl (plan()), ggml_op_can_inplace (Tensor::inplace);
//   ggml/src/ggml.c — ggml_visit_parents (Graph::expand: sources left to right, then the node);
//   ggml/src/ggml-backend.c — ggml_backend_sched_split_graph: an offloaded split starts with copies of its inputs;
//   src/llama.cpp — build_llama, llm_build_kv(_store), llm_build_kqv, llm_build_ffn (LLM_FFN_PAR),
//     llm_build_moe_ffn (norm_w), build_inp_KQ_mask (GGML_KQ_MASK_PAD 32; ggml_cast to F16 with flash attention).
#include "estimator/llama_cpp_graph.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "estimator/sat_math.hpp"

namespace vram {
namespace {

constexpr int kNone = -1;
constexpr int kExternal = -2;      // a view of a tensor the planner does not own (a weight, the KV cache)
constexpr uint64_t kF32 = 4;       // activations, logits, the KQ mask before the cast
constexpr uint64_t kI32 = 4;       // token ids, positions, output ids, expert ids
constexpr uint64_t kF16 = 2;       // the flash-attention mask
constexpr uint64_t kMaskPad = 32;  // GGML_KQ_MASK_PAD (ggml.h, b3216)

struct Tensor {
    uint64_t bytes = 0;
    std::array<int, 4> src{kNone, kNone, kNone, kNone};  // sources the planner owns (weights are left out)
    int view_of = kNone;                                 // view_src (kExternal: a view of a weight or of the KV cache)
    bool inplace = false;  // ggml_op_can_inplace(op): add, mul, div, rms_norm, rope, soft_max, unary …
    bool input = false;    // GGML_TENSOR_FLAG_INPUT: allocated before the nodes
    uint64_t layout = 0;   // equal keys = ggml_are_same_layout (type and shape; views never take part)
};

// The graph: tensors, and the order ggml_build_forward_expand puts them in.
struct Graph {
    std::vector<Tensor> t;
    std::vector<int> nodes, leafs;
    std::vector<bool> seen;

    int add(Tensor x) {
        t.push_back(x);
        seen.push_back(false);
        return static_cast<int>(t.size()) - 1;
    }
    int op(uint64_t bytes, std::initializer_list<int> src, bool inplace, uint64_t layout) {
        Tensor x;
        x.bytes = bytes;
        std::copy(src.begin(), src.end(), x.src.begin());
        x.inplace = inplace;
        x.layout = layout;
        return add(x);
    }
    // reshape, permute, transpose, view: a view of the root tensor (ggml_new_tensor_impl collapses view chains).
    int view(int of, std::initializer_list<int> src = {}) {
        Tensor x;
        x.view_of = of < 0 ? of : (t[of].view_of != kNone ? t[of].view_of : of);
        if (of >= 0) x.src[0] = of;
        std::copy(src.begin(), src.end(), x.src.begin() + (of >= 0 ? 1 : 0));
        return add(x);
    }
    // A leaf the planner allocates first (an input on its own backend).
    void input_leaf(int id) {
        t[id].input = true;
        seen[id] = true;
        leafs.push_back(id);
    }
    // A node placed before everything else (an input copy at the start of the offloaded split).
    void first_node(int id) {
        seen[id] = true;
        nodes.push_back(id);
    }
    // ggml_visit_parents: sources first, left to right, then the node itself.
    void expand(int id) {
        if (id < 0 || seen[id]) return;
        seen[id] = true;
        for (int s : t[id].src) expand(s);
        nodes.push_back(id);
    }
};

// ggml_dyn_tallocr: free blocks sorted by offset, the last one endless; best fit among all blocks but the last.
class Planner {
  public:
    explicit Planner(uint64_t alignment) : align_(std::max<uint64_t>(alignment, 1)) {
        blocks_.push_back({0, kSaturated / 2});
    }
    uint64_t alloc(uint64_t size) {
        size = pad_up(size, align_);
        size_t best = blocks_.size() - 1;
        uint64_t best_size = kSaturated;
        for (size_t i = 0; i + 1 < blocks_.size(); ++i)
            if (blocks_[i].size >= size && blocks_[i].size <= best_size) best = i, best_size = blocks_[i].size;
        Block& b = blocks_[best];
        if (b.size <= size && best + 1 == blocks_.size()) {  // past the endless block's 2^63: too large to count
            overflow_ = true;
            return 0;
        }
        const uint64_t offset = b.offset;
        b.offset = add_sat(b.offset, size);
        b.size = b.size > size ? b.size - size : 0;
        if (b.size == 0) blocks_.erase(blocks_.begin() + static_cast<long>(best));
        max_ = std::max(max_, add_sat(offset, size));
        return offset;
    }
    void release(uint64_t offset, uint64_t size) {
        size = pad_up(size, align_);
        for (size_t i = 0; i < blocks_.size(); ++i) {
            Block& b = blocks_[i];
            if (b.offset + b.size == offset) {  // after a free block: grow it, then join the next one
                b.size += size;
                if (i + 1 < blocks_.size() && b.offset + b.size == blocks_[i + 1].offset) {
                    b.size += blocks_[i + 1].size;
                    blocks_.erase(blocks_.begin() + static_cast<long>(i) + 1);
                }
                return;
            }
            if (offset + size == b.offset) {  // before a free block: grow it down, then join the previous one
                b.offset = offset;
                b.size += size;
                if (i > 0 && blocks_[i - 1].offset + blocks_[i - 1].size == b.offset) {
                    blocks_[i - 1].size += b.size;
                    blocks_.erase(blocks_.begin() + static_cast<long>(i));
                }
                return;
            }
        }
        auto at = std::find_if(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.offset >= offset; });
        blocks_.insert(at, {offset, size});
    }
    uint64_t max_size() const { return overflow_ ? kSaturated : max_; }

  private:
    struct Block {
        uint64_t offset, size;
    };
    uint64_t align_;
    std::vector<Block> blocks_;
    uint64_t max_ = 0;
    bool overflow_ = false;
};

// ggml_gallocr_alloc_graph_impl for one buffer: the high-water mark of the plan.
uint64_t plan(const Graph& g, uint64_t alignment) {
    struct Hash {
        int n_children = 0, n_views = 0;
        bool allocated = false;
        uint64_t offset = 0;
    };
    std::vector<Hash> h(g.t.size());
    Planner p(alignment);
    auto is_view = [&](int i) { return g.t[i].view_of != kNone; };
    auto allocate = [&](int i) {
        const Tensor& x = g.t[i];
        if (h[i].allocated || is_view(i)) return;
        h[i].allocated = true;
        if (x.inplace)  // reuse a parent this buffer owns, of the same layout, whose only child this is
            for (int s : x.src)
                if (s >= 0 && h[s].allocated && g.t[s].layout == x.layout && h[s].n_children == 1 &&
                    h[s].n_views == 0) {
                    h[i].offset = h[s].offset;
                    h[s].allocated = false;
                    return;
                }
        h[i].offset = p.alloc(x.bytes);
    };
    auto release = [&](int i) {
        p.release(h[i].offset, g.t[i].bytes);
        h[i].allocated = false;
    };
    for (int l : g.leafs) allocate(l);
    for (int n : g.nodes) {
        if (g.t[n].view_of >= 0) ++h[g.t[n].view_of].n_views;
        if (g.t[n].input) allocate(n);
        for (int s : g.t[n].src)
            if (s >= 0) {
                ++h[s].n_children;
                if (g.t[s].input) allocate(s);
            }
    }
    for (int n : g.nodes) {
        for (int s : g.t[n].src)
            if (s >= 0) allocate(s);
        allocate(n);
        for (int s : g.t[n].src) {
            if (s < 0 || --h[s].n_children != 0 || h[s].n_views != 0) continue;
            if (is_view(s)) {
                const int root = g.t[s].view_of;
                if (root >= 0 && --h[root].n_views == 0 && h[root].n_children == 0 && h[root].allocated) release(root);
            } else if (h[s].allocated) {
                release(s);
            }
        }
    }
    return p.max_size();
}

// Layout key of an F32 (or I32, tag 1) tensor of shape [a, b, c].
uint64_t key(uint64_t a, uint64_t b, uint64_t c = 1, uint64_t tag = 0) {
    return ((tag * 0x9E3779B97F4A7C15ull ^ a) * 0xBF58476D1CE4E5B9ull ^ b) * 0x94D049BB133111EBull ^ c;
}

uint64_t f32(uint64_t a, uint64_t b, uint64_t c = 1) { return mul_sat(mul_sat(mul_sat(kF32, a), b), c); }

struct Inputs {
    int pos = kNone, mask = kNone, out_ids = kNone, embd = kNone;
};

// build_inp_embd, build_inp_pos, build_inp_KQ_mask, build_inp_out_ids: own leafs on a CPU-only run, copies at the
// start of the split on an offloaded one (in the order the split first reads them).
Inputs inputs(Graph& g, const LlamaGraphShape& s, uint64_t n_kv) {
    const uint64_t nt = s.n_tokens;
    Inputs in;
    in.pos = g.op(mul_sat(kI32, nt), {}, false, key(nt, 1, 1, 1));
    in.mask = g.op(f32(n_kv, pad_up(nt, kMaskPad)), {}, false, key(n_kv, pad_up(nt, kMaskPad)));
    in.out_ids = g.op(mul_sat(kI32, nt), {}, false, key(nt, 1, 1, 1));
    if (s.own_inputs) {
        const int tokens = g.op(mul_sat(kI32, nt), {}, false, key(nt, 1, 1, 1));
        for (int id : {tokens, in.pos, in.mask, in.out_ids}) g.input_leaf(id);
        in.embd = g.op(f32(s.n_embd, nt), {tokens}, false, key(s.n_embd, nt));  // get_rows(token_embd, tokens)
        g.expand(in.embd);
    } else {
        in.embd = g.op(f32(s.n_embd, nt), {}, false, key(s.n_embd, nt));
        for (int id : {in.embd, in.pos, in.mask, in.out_ids}) g.first_node(id);
    }
    return in;
}

// llm_build_kv: Q, K, V and RoPE (on reshaped views: a view is never reused in place), the K/V stores into the
// cache, then KQ → soft_max (in place) → KQV → merged copy, or one flash-attention node; the output projection.
int attention(Graph& g, const LlamaGraphShape& s, const Inputs& in, int mask16, int cur, uint64_t n_kv) {
    const uint64_t nt = s.n_tokens, q_w = s.n_head * s.head_dim_k, k_w = s.n_head_kv * s.head_dim_k;
    const uint64_t v_w = s.n_head_kv * s.head_dim_v, o_w = s.n_head * s.head_dim_v;
    int q = g.op(f32(q_w, nt), {cur}, false, key(q_w, nt));
    int k = g.op(f32(k_w, nt), {cur}, false, key(k_w, nt));
    const int v = g.op(f32(v_w, nt), {cur}, false, key(v_w, nt));
    q = g.op(f32(q_w, nt), {g.view(q), in.pos}, true, key(s.head_dim_k, s.n_head, nt));
    k = g.op(f32(k_w, nt), {g.view(k), in.pos}, true, key(s.head_dim_k, s.n_head_kv, nt));
    g.expand(q);
    g.expand(k);
    g.expand(v);
    g.expand(g.view(kExternal, {k}));                             // ggml_cpy(Kcur, k_cache_view)
    g.expand(g.view(kExternal, {s.flash_attn ? v : g.view(v)}));  // ggml_cpy(Vcur or its transpose, …)
    const int qp = g.view(q);                                     // permute(Qcur, 0, 2, 1, 3)
    int out = kNone;
    if (s.flash_attn) {
        const int fa = g.op(f32(s.head_dim_v, s.n_head, nt), {qp, mask16}, false, key(s.head_dim_v, s.n_head, nt));
        out = g.view(fa);  // reshape_2d
    } else {
        const uint64_t kq_bytes = f32(n_kv, nt, s.n_head);
        const int kq = g.op(kq_bytes, {qp}, false, key(n_kv, nt, s.n_head));
        const int sm = g.op(kq_bytes, {kq, in.mask}, true, key(n_kv, nt, s.n_head));
        const int kqv = g.op(f32(s.head_dim_v, nt, s.n_head), {sm}, false, key(s.head_dim_v, nt, s.n_head));
        out = g.op(f32(o_w, nt), {g.view(kqv)}, false, key(o_w, nt));  // cont_2d(permute(kqv))
    }
    g.expand(out);
    return g.op(f32(s.n_embd, nt), {out}, false, key(s.n_embd, nt));  // wo
}

// llm_build_ffn (gate and up in parallel, SiLU) or llm_build_moe_ffn (softmax router, top-k, norm_w, experts).
int ffn(Graph& g, const LlamaGraphShape& s, int cur, uint64_t nt) {
    const uint64_t e = s.n_embd;
    if (!s.n_expert || !s.n_expert_used) {
        const int up = g.op(f32(s.n_ff, nt), {cur}, false, key(s.n_ff, nt));
        const int gate = g.op(f32(s.n_ff, nt), {cur}, false, key(s.n_ff, nt));
        const int silu = g.op(f32(s.n_ff, nt), {gate}, true, key(s.n_ff, nt));
        const int par = g.op(f32(s.n_ff, nt), {silu, up}, true, key(s.n_ff, nt));
        return g.op(f32(e, nt), {par}, false, key(e, nt));  // down
    }
    const uint64_t ne = s.n_expert, nu = s.n_expert_used, ff = s.n_ff_exp;
    const int logits = g.op(f32(ne, nt), {cur}, false, key(ne, nt));
    const int probs = g.op(f32(ne, nt), {logits}, true, key(ne, nt));
    const int sorted = g.op(mul_sat(mul_sat(kI32, ne), nt), {probs}, false, key(ne, nt, 1, 1));  // argsort
    const int top = g.view(sorted);                                                              // top_k
    const int w = g.op(f32(1, nu, nt), {g.view(probs), top}, false, key(1, nu, nt));             // get_rows
    const int w2 = g.view(w);
    const int sum = g.op(f32(1, nt), {w2}, false, key(1, nt));
    const int wn = g.view(g.op(f32(nu, nt), {w2, sum}, true, key(nu, nt)));  // div (its view parent is not own)
    const int x = g.view(cur);
    const int up = g.op(f32(ff, nu, nt), {x, top}, false, key(ff, nu, nt));
    const int gate = g.op(f32(ff, nu, nt), {x, top}, false, key(ff, nu, nt));
    const int silu = g.op(f32(ff, nu, nt), {gate}, true, key(ff, nu, nt));
    const int par = g.op(f32(ff, nu, nt), {up, silu}, true, key(ff, nu, nt));
    int experts = g.op(f32(e, nu, nt), {par, top}, false, key(e, nu, nt));
    experts = g.op(f32(e, nu, nt), {experts, wn}, true, key(e, nu, nt));
    // Aggregate: the first add takes a new tensor (both sources are views), every later one is in place and
    // allocates nothing, so two adds plan the same as n_expert_used − 1 (and bound the graph's size).
    int out = g.view(experts);
    for (uint64_t i = 1; i < std::min<uint64_t>(nu, 3); ++i)
        out = g.op(f32(e, nt), {out, g.view(experts)}, true, key(e, nt));
    if (nu == 1) out = g.op(f32(e, nt), {out}, false, key(e, nt));  // cont
    return out;
}

}  // namespace

uint64_t llama_cpp_compute_buffer_bytes(const LlamaGraphShape& s) {
    const uint64_t nt = s.n_tokens, e = s.n_embd;
    if (nt == 0 || e == 0) return 0;
    uint64_t n_kv = 0;
    for (uint64_t kv : s.layer_kv) n_kv = std::max(n_kv, kv);
    for (uint64_t v : {f32(n_kv, nt, s.n_head), f32(s.n_vocab, nt), f32(s.n_ff_exp, s.n_expert_used, nt)})
        if (v >= kSaturated / 4) return kSaturated;
    Graph g;
    const Inputs in = inputs(g, s, n_kv);
    // build_inp_KQ_mask: with flash attention the mask is cast to F16 once and read by every layer.
    const int mask16 =
        s.flash_attn ? g.op(mul_sat(mul_sat(kF16, n_kv), pad_up(nt, kMaskPad)), {in.mask}, false, 0) : kNone;
    int inp = in.embd;
    for (size_t il = 0; il < s.layer_kv.size(); ++il) {
        const int sa = inp;
        int cur = g.op(f32(e, nt), {g.op(f32(e, nt), {inp}, true, key(e, nt))}, true, key(e, nt));  // attn_norm
        if (s.layer_kv[il] > 0) cur = attention(g, s, in, mask16, cur, s.layer_kv[il]);
        int res = sa;
        if (il + 1 == s.layer_kv.size()) {  // skip computing output for unused tokens: get_rows(…, inp_out_ids)
            cur = g.op(f32(e, nt), {cur, in.out_ids}, false, key(e, nt));
            res = g.op(f32(e, nt), {sa, in.out_ids}, false, key(e, nt));
        }
        const int ffn_inp = g.op(f32(e, nt), {cur, res}, true, key(e, nt));
        const int norm = g.op(f32(e, nt), {g.op(f32(e, nt), {ffn_inp}, true, key(e, nt))}, true, key(e, nt));
        inp = g.op(f32(e, nt), {ffn(g, s, norm, nt), ffn_inp}, true, key(e, nt));  // l_out
    }
    if (s.output_head) {
        const int norm = g.op(f32(e, nt), {g.op(f32(e, nt), {inp}, true, key(e, nt))}, true, key(e, nt));
        inp = g.op(f32(s.n_vocab, nt), {norm}, false, key(s.n_vocab, nt));  // result_output
    }
    g.expand(inp);
    return plan(g, s.alignment);
}

std::vector<uint64_t> llama_cpp_layers_to_plan(const std::vector<uint64_t>& layer_kv) {
    constexpr size_t kMaxPeriod = 16;
    const size_t n = layer_kv.size();
    for (size_t p = 1; p <= kMaxPeriod && 6 * p < n; ++p) {
        bool periodic = true;
        for (size_t i = p; i < n && periodic; ++i) periodic = layer_kv[i] == layer_kv[i - p];
        if (!periodic) continue;
        std::vector<uint64_t> kept(layer_kv.begin(), layer_kv.begin() + static_cast<long>(4 * p));
        kept.insert(kept.end(), layer_kv.end() - static_cast<long>(2 * p), layer_kv.end());
        return kept;
    }
    return layer_kv;
}

uint64_t llama_cpp_host_inputs_bytes(const LlamaGraphShape& s, uint64_t n_kv) {
    const uint64_t nt = s.n_tokens, a = std::max<uint64_t>(s.alignment, 1);
    uint64_t sum = 0;
    for (uint64_t b :
         {mul_sat(kI32, nt), mul_sat(kI32, nt), f32(n_kv, pad_up(nt, kMaskPad)), mul_sat(kI32, nt), f32(s.n_embd, nt)})
        sum = add_sat(sum, pad_up(b, a));
    return sum;
}

}  // namespace vram
