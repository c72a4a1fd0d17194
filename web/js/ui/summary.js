// The answer panel: total, the verdict for the chosen GPU, the stacked bar, the largest context and batch that fit,
// and with llama.cpp partial offload the GPU and system memory side by side.
import { el, morph, setAttr, setText } from './dom.js';
import { REPORT_PARTS, formatBytes, formatCompact, formatCount, gib } from '../common.js';

// A fact: its exact value, and optionally a compact form that narrow screens show instead (css: .v[data-compact]).
const fact = ({ key, value, id, compact }) => el('div', { class: 'fact' }, el('div', { class: 'k', text: key }),
  el('div', { class: 'v', id, text: value, 'data-compact': compact, title: compact ? value : null }));

/** The per-GPU figures the answer shows (the whole model when TP is 1). */
export function perGpuBytes(r) {
  return r.per_gpu && r.per_gpu.gpus > 1 ? r.per_gpu : { gpus: 1, ...r.estimates_bytes };
}

// The bar's parts as data: those with bytes, in stacking order, with their width and texts.
function barParts(b, parts, total) {
  return parts.filter((p) => b[p.key]).map((p) => ({ ...p, width: `${(100 * b[p.key]) / (total || 1)}%`, text: formatBytes(b[p.key]) }));
}
const barLabel = (shown) => shown.map((p) => `${p.label} ${p.text}`).join(', ');

/**
 * The bar of a total's parts and its legend with swatches — the page's answer panel, the compact view and its
 * fine-tuning form. `b`: bytes by part key; `parts`: [{key, label, color}] in stacking order; `total`: b's total.
 */
export function stackedBar(b, parts = REPORT_PARTS, total = b.total) { return barNodes(barParts(b, parts, total)); }

// The bar and its legend for parts as barParts() gives them.
function barNodes(shown) {
  return [
    el('div', { class: 'bar', role: 'img', 'aria-label': barLabel(shown) },
      ...shown.map((p) => el('span', { style: { width: p.width, background: p.color }, title: `${p.label}: ${p.text}` }))),
    el('div', { class: 'legend' }, ...shown.map((p) => el('span', {}, el('i', { style: { background: p.color } }), `${p.label} `, el('span', { class: 'nb v', text: p.text })))),
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

// What the answer panel shows for a report, as data: update() builds its nodes from it, or, when the panel already
// holds the same kinds of rows (`layout`: which totals, parts, note and facts), writes the values into them.
function panelOf(r, profileLabel) {
  const b = perGpuBytes(r);
  const host = r.llama_cpp?.system_memory;
  const facts = [];
  if (r.max_context_tokens_fit !== null && r.max_context_tokens_fit !== undefined) facts.push({ key: 'Largest context that fits', value: r.max_context_tokens_fit ? `${formatCount(r.max_context_tokens_fit)} tokens` : 'none', id: 'max-context' });
  if (r.max_batch_fit !== null && r.max_batch_fit !== undefined) facts.push({ key: 'Largest batch that fits', value: formatCount(r.max_batch_fit), id: 'max-batch' });
  if (r.kv_bytes_per_token) facts.push({ key: 'Context', value: `${formatCount(r.context_length)} tokens`, id: 'context' });
  facts.push({ key: 'Parameters', value: formatCount(r.parameters), id: 'parameters', compact: formatCompact(r.parameters) });
  if (r.kv_bytes_per_token) facts.push({ key: 'KV cache per token', value: `${formatCount(r.kv_bytes_per_token)} B`, id: 'kv-per-token', compact: formatBytes(r.kv_bytes_per_token) });
  facts.push({ key: 'Weights as stored', value: `${formatCount(r.estimates_bytes.model_weights_raw)} B`, id: 'weight-bytes', compact: formatBytes(r.estimates_bytes.model_weights_raw) });
  if (r.engine_reservation) facts.push({ key: `KV pool (${r.engine_reservation.option} ${r.engine_reservation.fraction})`, value: `${gib(r.engine_reservation.kv_pool_bytes)} · ${formatCount(r.engine_reservation.kv_pool_tokens)} tokens`, id: 'kv-pool' });
  const totals = [{ key: b.gpus > 1 ? `Per GPU (tensor parallel ${b.gpus})` : host?.total ? 'On the GPU' : 'Total required', cls: 'total', id: 'total', text: formatBytes(b.total) }];
  if (host?.total) totals.push({ key: 'System memory', cls: 'total host', id: 'system-memory', text: formatBytes(host.total) });
  const bar = barParts(b, REPORT_PARTS, b.total);
  const note = host?.total ? `-ngl ${r.llama_cpp.n_gpu_layers} of ${r.llama_cpp.n_layers_total} layers on the GPU; the rest, with its KV cache, in system memory (weights ${formatBytes(host.model_weights)}, KV ${formatBytes(host.kv_cache)}, buffers ${formatBytes(host.compute_buffer + host.output_buffer + host.overhead)}).` : null;
  return { name: `${r.model_id} · ${profileLabel || r.profile}`, totals, verdict: verdictOf(r), bar, note, facts,
    layout: [totals.map((t) => t.id), bar.map((p) => p.key), note ? 'note' : '', facts.map((f) => f.id)].join('|') };
}

export class SummaryView {
  constructor(root, { onPin } = {}) { this.root = root; this.onPin = onPin; }

  update(r, { profileLabel } = {}) {
    const p = panelOf(r, profileLabel);
    const section = this.root.firstElementChild;
    // The same rows, still this view's (the fine-tuning summary and a refusal replace the panel's content): write the
    // values, so that only what changed is laid out again and no node is built.
    if (section && section.id === 'summary' && section.dataset.layout === p.layout) { this.refresh(section, p); return; }
    morph(this.root, el('section', { id: 'summary', 'aria-label': 'Result', 'data-layout': p.layout },
      el('div', { class: 'k', id: 'model-name', text: p.name }),
      el('div', { class: 'headline' }, ...p.totals.map((t) => el('div', {}, el('div', { class: 'k', text: t.key }), el('div', { class: t.cls, id: t.id, text: t.text })))),
      el('div', { id: 'verdict', class: `verdict ${p.verdict.cls}`, text: p.verdict.text }),
      ...barNodes(p.bar),
      p.note ? el('p', { class: 'help', id: 'offload-note', text: p.note }) : null,
      el('div', { class: 'facts' }, ...p.facts.map(fact)),
      this.onPin ? el('div', { class: 'panel-actions' }, el('button', { type: 'button', class: 'ghost small', id: 'pin', text: 'Pin to compare', onclick: () => this.onPin() })) : null));
  }

  // Writes p's values into the nodes that a build of the same layout made (the layout names every row they hold).
  refresh(section, p) {
    const [name, headline, verdict, bar, legend] = section.children;
    const facts = section.querySelector(':scope > .facts');
    setText(name, p.name);
    p.totals.forEach((t, i) => { const [k, v] = headline.children[i].children; setText(k, t.key); setText(v, t.text); });
    setAttr(verdict, 'class', `verdict ${p.verdict.cls}`);
    setText(verdict, p.verdict.text);
    setAttr(bar, 'aria-label', barLabel(p.bar));
    p.bar.forEach((b, i) => {
      const span = bar.children[i];
      if (span.style.width !== b.width) span.style.width = b.width;
      setAttr(span, 'title', `${b.label}: ${b.text}`);
      setText(legend.children[i].lastElementChild, b.text);
    });
    if (p.note) setText(section.querySelector(':scope > #offload-note'), p.note);
    p.facts.forEach((f, i) => {
      const [k, v] = facts.children[i].children;
      setText(k, f.key);
      setText(v, f.value);
      if (f.compact) { setAttr(v, 'data-compact', f.compact); setAttr(v, 'title', f.value); }
    });
  }
}
