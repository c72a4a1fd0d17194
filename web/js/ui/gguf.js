// A GGUF repo's quantizations as one table, smallest first: bits per weight, the file's weights, and at the chosen
// context and -ngl what lands on the GPU (weights + KV cache + buffers = GPU total) and in system memory, and the
// fit. A row's button (a real button: Tab and Enter pick it) chooses the file the estimate uses.
import { el, formatBytes } from './dom.js';

export class GgufView {
  constructor(root, onPick) { this.root = root; this.onPick = onPick; }
  update(r) {
    if (!r.gguf_files?.length) { this.root.replaceChildren(); return; }
    const body = el('tbody');
    const rows = [...r.gguf_files].sort((a, b) => a.weights_bytes - b.weights_bytes || a.file.localeCompare(b.file));
    const partial = rows.some((g) => g.system_memory_bytes);
    for (const g of rows) {
      const gpuWeights = g.gpu_weights_bytes ?? g.weights_bytes;
      const buffers = g.total_bytes - gpuWeights - g.kv_cache_bytes;
      body.append(el('tr', { class: g.selected ? 'chosen' : null },
        el('td', { 'data-label': 'Quant' }, el('button', { type: 'button', class: 'ghost small', text: g.file_type || g.file, 'aria-pressed': String(!!g.selected),
          'aria-label': `Use ${g.file}`, onclick: () => this.onPick(g.file) })),
        el('td', { class: 'num', 'data-label': 'Bits/weight', text: g.bits_per_weight.toFixed(2) }),
        el('td', { class: 'num', 'data-label': 'File weights', text: formatBytes(g.weights_bytes) }),
        el('td', { class: 'num', 'data-label': 'GPU weights', text: formatBytes(gpuWeights) }),
        el('td', { class: 'num', 'data-label': 'GPU KV cache', text: formatBytes(g.kv_cache_bytes) }),
        el('td', { class: 'num', 'data-label': 'GPU buffers', text: formatBytes(buffers) }),
        el('td', { class: 'num strong', 'data-label': 'GPU total', text: formatBytes(g.total_bytes) }),
        partial ? el('td', { class: 'num', 'data-label': 'System memory', text: formatBytes(g.system_memory_bytes || 0) }) : null,
        el('td', { class: `num ${g.fits === true ? 'yes' : g.fits === false ? 'no' : ''}`, 'data-label': 'Fits', text: g.fits === true ? 'yes' : g.fits === false ? 'no' : '—' })));
    }
    this.root.replaceChildren(el('section', { class: 'card', id: 'gguf' },
      el('h2', { text: `Quantizations in this repo (${r.gguf_files.length})` }),
      el('p', { class: 'help', text: `At these settings, llama.cpp's allocation: GPU weights + GPU KV cache + GPU buffers (compute, output, runtime) = GPU total${partial ? '; the layers not offloaded are in system memory' : ''}. “Fits” is on the chosen GPU. The estimate above uses ${r.gguf_file}.` }),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Quantizations table' }, el('table', { class: 'cards' },
        el('thead', {}, el('tr', {}, el('th', { text: 'Quant' }), el('th', { class: 'num', text: 'Bits per weight' }), el('th', { class: 'num', text: 'File weights' }),
          el('th', { class: 'num', text: 'GPU weights' }), el('th', { class: 'num', text: 'GPU KV cache' }), el('th', { class: 'num', text: 'GPU buffers' }),
          el('th', { class: 'num', text: 'GPU total' }), partial ? el('th', { class: 'num', text: 'System memory' }) : null, el('th', { class: 'num', text: 'Fits' }))),
        body))));
  }
}
