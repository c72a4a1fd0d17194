// warm-up.js — the made-up model the page's core runs once before the visitor's first load (core-api.js warmUp), as a
// stored snapshot (the schema of core/estimator/snapshot.cpp). No imports: tests/node reads it too.
//
// Why its size matters. V8 compiles a wasm function first with its baseline compiler (Liftoff) and recompiles it with
// TurboFan in the background once the function has run enough code (dynamic tiering). A two-layer model ran every
// function of the path once, which compiled them, but ran none enough to be optimised. The first real load then
// parsed its first headers and the whole shard index with baseline code, while TurboFan took CPU from it. Chromium
// traces of a Qwen3-Next-80B load on the imitation (HTTP/2, 50 ms; 2026-12-07, three loads each): the renderer's wasm
// compile jobs took 234-263 ms of CPU inside the load after the two-layer warm-up, 55-59 ms after this one.
// This model is a sharded mixture of experts with an index, 2,739 tensors: the code that a large repo runs per
// tensor, per header byte and per index entry (the Scanner, the tensor records, the layout, the analysis with its MoE
// terms) has run enough to be optimised before the visitor's click, and a visitor who types a model id gives the
// background compile the time it needs.

/** Its shape: a Qwen3-MoE (model_type qwen3_moe) of 48 layers with 16 experts each, split into 2 shards. */
export const WARM_UP = Object.freeze({ layers: 48, experts: 16, shards: 2, hidden: 64, heads: 4, kvHeads: 2, vocab: 256, moeIntermediate: 32 });

/** The snapshot's JSON text. */
export function warmUpSnapshot() {
  const { layers, experts, shards, hidden: h, heads, kvHeads: kvh, vocab, moeIntermediate: ff } = WARM_UP;
  const hd = h / heads;
  const shapes = [['model.embed_tokens.weight', [vocab, h]], ['model.norm.weight', [h]], ['lm_head.weight', [vocab, h]]];
  for (let i = 0; i < layers; i++) {
    const l = `model.layers.${i}.`;
    shapes.push([`${l}input_layernorm.weight`, [h]], [`${l}post_attention_layernorm.weight`, [h]],
      [`${l}self_attn.q_proj.weight`, [heads * hd, h]], [`${l}self_attn.k_proj.weight`, [kvh * hd, h]],
      [`${l}self_attn.v_proj.weight`, [kvh * hd, h]], [`${l}self_attn.o_proj.weight`, [h, heads * hd]],
      [`${l}self_attn.q_norm.weight`, [hd]], [`${l}self_attn.k_norm.weight`, [hd]], [`${l}mlp.gate.weight`, [experts, h]]);
    for (let e = 0; e < experts; e++) {
      const x = `${l}mlp.experts.${e}.`;
      shapes.push([`${x}gate_proj.weight`, [ff, h]], [`${x}up_proj.weight`, [ff, h]], [`${x}down_proj.weight`, [h, ff]]);
    }
  }
  const per = Math.ceil(shapes.length / shards);
  const files = [], headers = {}, weightMap = {};
  let totalSize = 0;
  for (let k = 0; k < shards; k++) {
    const name = `model-${String(k + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const header = {};
    let at = 0;
    for (const [tensor, shape] of shapes.slice(k * per, (k + 1) * per)) {
      const bytes = shape.reduce((a, b) => a * b, 1) * 2;  // BF16
      header[tensor] = { dtype: 'BF16', shape, data_offsets: [at, at + bytes] };
      weightMap[tensor] = name;
      at += bytes;
    }
    const text = JSON.stringify(header);
    headers[name] = text;
    files.push({ path: name, size: 8 + text.length + at });
    totalSize += at;
  }
  const index = JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap });
  const config = JSON.stringify({ architectures: ['Qwen3MoeForCausalLM'], model_type: 'qwen3_moe', hidden_size: h,
    intermediate_size: 4 * h, moe_intermediate_size: ff, num_experts: experts, num_experts_per_tok: 2, decoder_sparse_step: 1,
    mlp_only_layers: [], norm_topk_prob: true, num_hidden_layers: layers, num_attention_heads: heads, num_key_value_heads: kvh,
    head_dim: hd, vocab_size: vocab, max_position_embeddings: 4096, rms_norm_eps: 1e-6, rope_theta: 1000000,
    tie_word_embeddings: false, torch_dtype: 'bfloat16' });
  files.push({ path: 'config.json', size: config.length }, { path: 'model.safetensors.index.json', size: index.length });
  return JSON.stringify({ schema: 1, repo_id: 'warm-up/tiny-moe', revision: 'main', sha: '0'.repeat(40), gated: 'false',
    library_name: 'transformers', pipeline_tag: 'text-generation', variant: '',
    files, texts: { 'config.json': config, 'model.safetensors.index.json': index }, headers });
}
