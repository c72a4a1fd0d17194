// A GGUF repo's quantizations as one table — file, quant type, bits per weight, weights, KV at the
// chosen context, total and fit — from the headers read in parallel; a row's button picks the file
// the estimate uses.
import { el, formatBytes } from './dom.js';

export class GgufView {
  constructor(root, onPick) { this.root = root; this.onPick = onPick; }
  update(r) {
    if (!r.gguf_files?.length) { this.root.replaceChildren(); return; }
    const body = el('tbody');
    for (const g of r.gguf_files) {
      body.append(el('tr', { class: g.selected ? 'chosen' : null },
        el('td', {}, el('button', { type: 'button', class: 'ghost small', text: g.file_type || g.file, 'aria-pressed': String(!!g.selected),
          'aria-label': `Use ${g.file}`, onclick: () => this.onPick(g.file) })),
        el('td', { text: g.file }),
        el('td', { class: 'num', text: g.bits_per_weight.toFixed(2) }),
        el('td', { class: 'num', text: formatBytes(g.weights_bytes) }),
        el('td', { class: 'num', text: formatBytes(g.kv_cache_bytes) }),
        el('td', { class: 'num', text: formatBytes(g.total_bytes) }),
        el('td', { class: `num ${g.fits === true ? 'yes' : g.fits === false ? 'no' : ''}`, text: g.fits === true ? 'yes' : g.fits === false ? 'no' : '—' })));
    }
    this.root.replaceChildren(el('section', { class: 'card', id: 'gguf' },
      el('h2', { text: `Quantizations in this repo (${r.gguf_files.length})` }),
      el('p', { class: 'help', text: `At these settings (llama.cpp allocation rules where the profile is llama.cpp). “Fits” is on the chosen GPU. The estimate above uses ${r.gguf_file}.` }),
      el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, el('th', { text: 'Quant' }), el('th', { text: 'File' }), el('th', { class: 'num', text: 'Bits/weight' }),
          el('th', { class: 'num', text: 'Weights' }), el('th', { class: 'num', text: 'KV cache' }), el('th', { class: 'num', text: 'Total' }), el('th', { class: 'num', text: 'Fits' }))),
        body))));
  }
}
