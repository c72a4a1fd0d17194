// The verdict: total, fit on the chosen GPU, the stacked bar and the key facts.
import { el } from './dom.js';
import { REPORT_PARTS, formatBytes, formatCount, gib } from '../common.js';

const PARTS = REPORT_PARTS.map((p) => [p.key, p.label, p.color]);

const fact = (key, value, id) => el('div', { class: 'fact' }, el('div', { class: 'k', text: key }), el('div', { class: 'v', id, text: value }));

export class SummaryView {
  constructor(root) { this.root = root; }

  update(r) {
    const perGpu = r.per_gpu || { gpus: 1, ...r.estimates_bytes };
    const b = perGpu.gpus > 1 ? perGpu : r.estimates_bytes;
    const total = b.total || 1;
    const bar = el('div', { class: 'bar', role: 'img', 'aria-label': PARTS.filter(([k]) => b[k]).map(([k, l]) => `${l} ${formatBytes(b[k])}`).join(', ') });
    const legend = el('div', { class: 'legend' });
    for (const [key, label, color] of PARTS) {
      if (!b[key]) continue;
      bar.append(el('span', { style: { width: `${(100 * b[key]) / total}%`, background: color }, title: `${label}: ${formatBytes(b[key])}` }));
      legend.append(el('span', {}, el('i', { style: { background: color } }), `${label} ${formatBytes(b[key])}`));
    }
    let verdict;
    if (r.gpu) {
      const where = `${perGpu.gpus > 1 ? `${perGpu.gpus}× ` : ''}${r.gpu.name} (${gib(r.gpu.usable_bytes)} usable)`;
      verdict = el('div', { id: 'verdict', class: `verdict ${r.gpu.fits ? 'fits' : 'nofit'}`, text: r.gpu.fits ? `Fits on ${where}` : `Does not fit on ${where}` });
    } else {
      verdict = el('div', { id: 'verdict', class: 'recommendation', text: r.recommendation });
    }
    const totalLabel = perGpu.gpus > 1 ? `Per GPU (tensor parallel ${perGpu.gpus})` : 'Total required';
    const facts = [
      fact('Parameters', formatCount(r.parameters), 'parameters'),
      fact('Tensors', formatCount(r.tensors), 'tensors'),
      fact('Weight bytes (stored)', `${formatCount(r.estimates_bytes.model_weights_raw)} B`, 'weight-bytes'),
      fact('Weight files', formatCount(r.weight_files), 'weight-files'),
    ];
    if (r.kv_bytes_per_token) facts.push(fact('KV cache per token', `${formatCount(r.kv_bytes_per_token)} B`, 'kv-per-token'));
    if (r.kv_bytes_per_token) facts.push(fact('Context', `${formatCount(r.context_length)} tokens`, 'context'));
    if (r.max_context_tokens_fit !== null && r.max_context_tokens_fit !== undefined) facts.push(fact('Largest context that fits', `${formatCount(r.max_context_tokens_fit)} tokens`, 'max-context'));
    if (r.max_batch_fit !== null && r.max_batch_fit !== undefined) facts.push(fact('Largest batch that fits', formatCount(r.max_batch_fit), 'max-batch'));
    if (r.engine_reservation) facts.push(fact(`KV pool (${r.engine_reservation.option} ${r.engine_reservation.fraction})`, `${gib(r.engine_reservation.kv_pool_bytes)} · ${formatCount(r.engine_reservation.kv_pool_tokens)} tokens`, 'kv-pool'));

    this.root.replaceChildren(el('section', { class: 'card', id: 'summary', 'aria-label': 'Result' },
      el('div', { class: 'headline' },
        el('div', {}, el('div', { class: 'k', text: totalLabel }), el('div', { class: 'total', id: 'total', text: formatBytes(b.total) })),
        el('div', {}, el('div', { class: 'k', id: 'model-name', text: `${r.model_id} · ${r.profile}` }), verdict)),
      bar, legend, el('div', { class: 'facts' }, ...facts)));
  }
}
