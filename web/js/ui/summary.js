// The answer panel: total, the verdict for the chosen GPU, the stacked bar, the largest context and batch that fit,
// and with llama.cpp partial offload the GPU and system memory side by side.
import { el, morph } from './dom.js';
import { REPORT_PARTS, formatBytes, formatCompact, formatCount, gib } from '../common.js';

// A fact: its exact value, and optionally a compact form that narrow screens show instead (css: .v[data-compact]).
const fact = (key, value, id, compact) => el('div', { class: 'fact' }, el('div', { class: 'k', text: key }),
  el('div', { class: 'v', id, text: value, 'data-compact': compact, title: compact ? value : null }));

/** The per-GPU figures the answer shows (the whole model when TP is 1). */
export function perGpuBytes(r) {
  return r.per_gpu && r.per_gpu.gpus > 1 ? r.per_gpu : { gpus: 1, ...r.estimates_bytes };
}

/**
 * The bar of a total's parts and its legend with swatches — the page's answer panel, the compact view and its
 * fine-tuning form. `b`: bytes by part key; `parts`: [{key, label, color}] in stacking order; `total`: b's total.
 */
export function stackedBar(b, parts = REPORT_PARTS, total = b.total) {
  const shown = parts.filter((p) => b[p.key]);
  return [
    el('div', { class: 'bar', role: 'img', 'aria-label': shown.map((p) => `${p.label} ${formatBytes(b[p.key])}`).join(', ') },
      ...shown.map((p) => el('span', { style: { width: `${(100 * b[p.key]) / (total || 1)}%`, background: p.color }, title: `${p.label}: ${formatBytes(b[p.key])}` }))),
    el('div', { class: 'legend' }, ...shown.map((p) => el('span', {}, el('i', { style: { background: p.color } }), `${p.label} `, el('span', { class: 'nb v', text: formatBytes(b[p.key]) })))),
  ];
}

/** The verdict line for a report: text and class. */
export function verdictOf(r) {
  const b = perGpuBytes(r);
  if (!r.gpu) return { cls: 'recommendation', text: `Pick your GPU above for a verdict. Classic rule of thumb: ${r.recommendation}.` };
  const n = b.gpus > 1 ? `${b.gpus}× ` : '';
  if (r.gpu.fits) {
    const spare = r.gpu.usable_bytes - b.total;
    return { cls: 'fits', text: `Fits on ${n}${r.gpu.name}${spare > 0 && !r.engine_reservation ? ` — ${gib(spare)} to spare` : ''}` };
  }
  const row = r.gpu_fit?.find((g) => g.id === r.gpu.id);
  const more = row?.gpus_needed > 1 ? ` — needs ${row.gpus_needed}× at these settings` : '';
  return { cls: 'nofit', text: `Does not fit on ${n}${r.gpu.name}${more}` };
}

export class SummaryView {
  constructor(root, { onPin } = {}) { this.root = root; this.onPin = onPin; }

  update(r, { profileLabel } = {}) {
    const b = perGpuBytes(r);
    const v = verdictOf(r);
    const host = r.llama_cpp?.system_memory;
    const totalLabel = b.gpus > 1 ? `Per GPU (tensor parallel ${b.gpus})` : host?.total ? 'On the GPU' : 'Total required';
    const facts = [];
    if (r.max_context_tokens_fit !== null && r.max_context_tokens_fit !== undefined) facts.push(fact('Largest context that fits', r.max_context_tokens_fit ? `${formatCount(r.max_context_tokens_fit)} tokens` : 'none', 'max-context'));
    if (r.max_batch_fit !== null && r.max_batch_fit !== undefined) facts.push(fact('Largest batch that fits', formatCount(r.max_batch_fit), 'max-batch'));
    if (r.kv_bytes_per_token) facts.push(fact('Context', `${formatCount(r.context_length)} tokens`, 'context'));
    facts.push(fact('Parameters', formatCount(r.parameters), 'parameters', formatCompact(r.parameters)));
    if (r.kv_bytes_per_token) facts.push(fact('KV cache per token', `${formatCount(r.kv_bytes_per_token)} B`, 'kv-per-token', formatBytes(r.kv_bytes_per_token)));
    facts.push(fact('Weights as stored', `${formatCount(r.estimates_bytes.model_weights_raw)} B`, 'weight-bytes', formatBytes(r.estimates_bytes.model_weights_raw)));
    if (r.engine_reservation) facts.push(fact(`KV pool (${r.engine_reservation.option} ${r.engine_reservation.fraction})`, `${gib(r.engine_reservation.kv_pool_bytes)} · ${formatCount(r.engine_reservation.kv_pool_tokens)} tokens`, 'kv-pool'));
    const totals = [el('div', {}, el('div', { class: 'k', text: totalLabel }), el('div', { class: 'total', id: 'total', text: formatBytes(b.total) }))];
    if (host?.total) totals.push(el('div', {}, el('div', { class: 'k', text: 'System memory' }), el('div', { class: 'total host', id: 'system-memory', text: formatBytes(host.total) })));
    morph(this.root, el('section', { id: 'summary', 'aria-label': 'Result' },
      el('div', { class: 'k', id: 'model-name', text: `${r.model_id} · ${profileLabel || r.profile}` }),
      el('div', { class: 'headline' }, ...totals),
      el('div', { id: 'verdict', class: `verdict ${v.cls}`, text: v.text }),
      ...stackedBar(b),
      host?.total ? el('p', { class: 'help', id: 'offload-note', text: `-ngl ${r.llama_cpp.n_gpu_layers} of ${r.llama_cpp.n_layers_total} layers on the GPU; the rest, with its KV cache, in system memory (weights ${formatBytes(host.model_weights)}, KV ${formatBytes(host.kv_cache)}, buffers ${formatBytes(host.compute_buffer + host.output_buffer + host.overhead)}).` }) : null,
      el('div', { class: 'facts' }, ...facts),
      this.onPin ? el('div', { class: 'panel-actions' }, el('button', { type: 'button', class: 'ghost small', id: 'pin', text: 'Pin to compare', onclick: () => this.onPin() })) : null));
  }
}
