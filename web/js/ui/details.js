// Components, dtype distribution, architecture with its per-layer attention, and assumptions.
import { el, formatBytes, formatCount, morph } from './dom.js';

const table = (head, rows, name) => el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': name }, el('table', {},
  el('thead', {}, el('tr', {}, ...head.map(([t, num]) => el('th', { class: num ? 'num' : null, text: t })))),
  el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map(([t, num]) => el('td', { class: num ? 'num' : null, text: t })))))));

function attention(g) {
  const what = {
    full: 'full attention', sliding: `sliding window of ${formatCount(g.window_tokens)}`, chunked: `chunked attention of ${formatCount(g.window_tokens)}`,
    mla: 'MLA latent', linear_state: 'linear attention / SSM state', cross_attention: 'cross-attention',
  }[g.kind] || g.kind;
  const size = g.kind === 'linear_state' ? `${formatBytes(g.state_bytes)} state per sequence` : `${formatCount(g.bytes_per_token)} B per token, ${formatCount(g.tokens_per_sequence)} tokens held`;
  return [[`${g.layers} × ${what}`], [size], [formatBytes(g.bytes), true]];
}

// The checkpoint's own quantization: the config's method, or a GGUF file's type (Q4_K_M), never "none" for those.
function quantization(r) {
  if (r.quantization_method) return r.quantization_method;
  const file = r.gguf_files?.find((g) => g.selected);
  if (file) return `${file.file_type || 'GGUF'} (GGUF, ${file.bits_per_weight.toFixed(2)} bits per weight)`;
  return 'none (floating point as stored)';
}

export class DetailsView {
  constructor(root) { this.root = root; }
  update(r) {
    // Everything below is read from these fields: a change that leaves them as they were (most do: a precision
    // changes the total, not the checkpoint's dtypes or architecture) leaves the cards as they are.
    const key = JSON.stringify([r.components, r.dtypes, r.architecture, r.layout, r.variant, quantization(r), r.tensors, r.weight_files,
      r.kv_dtype, r.sha, r.kv_cache_per_layer, r.kv_bytes_per_token, r.assumptions, r.notes, r.warnings]);
    if (key === this.key && this.root.firstChild) return;
    this.key = key;
    const comps = el('section', { class: 'card', id: 'components' }, el('h2', { text: 'Components' }),
      table([['Component'], ['Class'], ['Parameters', 1], ['Tensors', 1], ['Memory', 1]],
        r.components.map((c) => [[c.name], [c.class_name || ''], [formatCount(c.parameters), 1], [formatCount(c.tensors), 1], [formatBytes(c.bytes), 1]]), 'Components table'));
    const dtypes = el('section', { class: 'card', id: 'dtypes' }, el('h2', { text: 'Dtype distribution' }),
      table([['Dtype'], ['Tensors', 1], ['Elements', 1], ['Bytes', 1]],
        Object.entries(r.dtypes).map(([n, d]) => [[n], [formatCount(d.tensors), 1], [formatCount(d.elements), 1], [formatBytes(d.bytes), 1]]), 'Dtype table'));
    const a = r.architecture;
    const facts = [
      ['Model type', a.model_type], ['Layers', a.num_layers], ['Hidden size', a.hidden_size], ['Attention heads', a.num_attention_heads],
      ['KV heads', a.num_kv_heads], ['Head dimension', a.head_dim], ['Max context', a.max_context !== undefined ? `${formatCount(a.max_context)} tokens` : undefined],
      ['Layout', r.layout + (r.variant ? ` (variant ${r.variant})` : '')], ['Quantization', quantization(r)],
      ['Tensors', formatCount(r.tensors), 'tensors'], ['Weight files', formatCount(r.weight_files), 'weight-files'],
      ['KV dtype', r.kv_dtype], ['Commit', r.sha ? r.sha.slice(0, 12) : undefined],
    ].filter(([, v]) => v !== undefined && v !== '');
    const arch = el('section', { class: 'card', id: 'architecture' }, el('h2', { text: 'Architecture' }),
      el('div', { class: 'grid2' }, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Architecture table' }, el('table', {}, el('tbody', {},
        ...facts.map(([k, v, id]) => el('tr', {}, el('th', { scope: 'row', text: k }), el('td', { id, text: String(v) })))))),
        r.kv_cache_per_layer?.length
          ? el('div', {}, el('h3', { class: 'k', text: 'KV cache per layer kind (one GPU)' }), table([['Layers'], ['Size'], ['Total', 1]], r.kv_cache_per_layer.map(attention), 'KV cache per layer table'))
          : el('p', { class: 'help', text: r.kv_bytes_per_token ? 'Classic profile: every layer counted as full attention.' : 'No KV cache: not a generating decoder.' })));
    const notes = el('section', { class: 'card', id: 'assumptions' }, el('h2', { text: 'Assumptions and notes' }),
      el('ul', { class: 'plain' }, ...[...r.assumptions, ...r.notes, ...r.warnings].map((t) => el('li', { text: t }))));
    morph(this.root, comps, dtypes, arch, notes);
  }
}
