// Compare: up to four pinned results (model + settings) side by side — totals, parts, fit on the chosen GPU and the
// largest context. Pins live in the address bar (pin=…) so a link, a reload and the offline copy keep them.
import { el } from './dom.js';
import { REPORT_PARTS, formatBytes, formatCount } from '../common.js';
import { perGpuBytes, verdictOf } from './summary.js';

export const MAX_PINS = 4;

/** A pin as text for the address bar: "org/name@rev?k=v&k=v" (URL-encoded by URLSearchParams). */
export function pinToText({ model, revision, options }) {
  const q = new URLSearchParams(Object.entries(options).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  return `${model}${revision && revision !== 'main' ? `@${revision}` : ''}?${q}`;
}
export function pinFromText(text) {
  const [head, query = ''] = String(text).split('?');
  const [model, revision = 'main'] = head.split('@');
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(model)) return null;
  return { model, revision, options: Object.fromEntries(new URLSearchParams(query)) };
}

export class CompareView {
  constructor(root, { onRemove, onOpen }) { this.root = root; this.onRemove = onRemove; this.onOpen = onOpen; }

  /** items: [{pin, report} | {pin, error}] */
  update(items) {
    if (!items.length) { this.root.replaceChildren(); return; }
    const cols = items.map(({ pin, report, error }, i) => {
      if (error) return el('div', { class: 'pin' }, el('div', { class: 'k', text: pin.model }), el('p', { class: 'help', text: error }),
        el('button', { type: 'button', class: 'ghost small', text: 'Remove', onclick: () => this.onRemove(i) }));
      const b = perGpuBytes(report);
      const v = verdictOf(report);
      return el('div', { class: 'pin', 'data-total': String(b.total) },
        el('div', { class: 'k', text: `${report.model_id} · ${report.profile}` }),
        el('div', { class: 'pin-settings help', text: [report.quantization === 'auto' ? 'as stored' : report.quantization, report.kv_bytes_per_token ? `${formatCount(report.context_length)} tokens` : null, `batch ${report.batch_size}`, b.gpus > 1 ? `TP ${b.gpus} (per GPU)` : null].filter(Boolean).join(' · ') }),
        el('div', { class: 'total nb', text: formatBytes(b.total) }),
        el('div', { class: `verdict ${v.cls}`, text: v.text }),
        el('dl', {}, ...REPORT_PARTS.filter((p) => b[p.key]).flatMap((p) => [el('dt', { text: p.label }), el('dd', { class: 'nb', text: formatBytes(b[p.key]) })]),
          report.max_context_tokens_fit !== undefined && report.max_context_tokens_fit !== null ? [el('dt', { text: 'Largest context' }), el('dd', { class: 'nb', text: `${formatCount(report.max_context_tokens_fit)} tokens` })] : []),
        el('div', { class: 'pin-actions' },
          el('button', { type: 'button', class: 'ghost small', text: 'Open', onclick: () => this.onOpen(i) }),
          el('button', { type: 'button', class: 'ghost small', text: 'Remove', 'aria-label': `Remove ${report.model_id} from the comparison`, onclick: () => this.onRemove(i) })));
    });
    this.root.replaceChildren(el('section', { class: 'card', id: 'compare', 'aria-label': 'Compare pinned results' },
      el('h2', { text: `Compare (${items.length} of ${MAX_PINS})` }),
      el('p', { class: 'help', text: 'Pinned results, each at its own settings, checked against the GPU chosen above. Kept in the address bar and offline.' }),
      el('div', { class: 'pins' }, ...cols)));
  }
}
