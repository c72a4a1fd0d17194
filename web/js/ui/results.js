// The results view: total and stacked bar, key facts, components, dtypes, assumptions.
import { el, formatBytes, formatCount } from './dom.js';

const PARTS = [
  ['model_weights', 'Weights', 'var(--w)'],
  ['kv_cache', 'KV cache', 'var(--kv)'],
  ['activation_overhead', 'Activations', 'var(--act)'],
  ['cuda_overhead', 'Runtime overhead', 'var(--ovh)'],
];

function fact(key, value, id) {
  return el('div', { class: 'fact' }, el('div', { class: 'k', text: key }), el('div', { class: 'v', text: value, id }));
}

export class ResultsView {
  constructor(root) { this.root = root; }

  update(report) {
    const b = report.estimates_bytes;
    const total = b.total || 1;
    const bar = el('div', { class: 'bar', role: 'img', 'aria-label': 'memory breakdown' });
    const legend = el('div', { class: 'legend' });
    for (const [key, label, color] of PARTS) {
      if (!b[key]) continue;
      bar.append(el('span', { style: { width: `${(100 * b[key]) / total}%`, background: color }, title: `${label}: ${formatBytes(b[key])}` }));
      legend.append(el('span', {}, el('i', { style: { background: color } }), `${label} ${formatBytes(b[key])}`));
    }
    const summary = el('section', { class: 'card', id: 'summary' },
      el('div', { class: 'headline' },
        el('div', {}, el('div', { class: 'k', text: 'Total required' }), el('div', { class: 'total', id: 'total', text: formatBytes(b.total) })),
        el('div', {}, el('div', { class: 'k', text: report.model_id }), el('div', { id: 'recommendation', text: report.recommendation }))),
      bar, legend,
      el('div', { class: 'facts' },
        fact('Parameters', formatCount(report.parameters), 'parameters'),
        fact('Tensors', formatCount(report.tensors), 'tensors'),
        fact('Weight bytes (stored)', `${formatCount(b.model_weights_raw)} B`, 'weight-bytes'),
        fact('Weight files', formatCount(report.weight_files), 'weight-files'),
        report.kv_bytes_per_token ? fact('KV cache per token', `${formatCount(report.kv_bytes_per_token)} B`, 'kv-per-token') : null,
        fact('Context', `${formatCount(report.context_length)} tokens`, 'context')));

    const comps = el('tbody');
    for (const c of report.components)
      comps.append(el('tr', {}, el('td', { text: c.name }), el('td', { text: c.class_name || '' }),
        el('td', { class: 'num', text: formatCount(c.parameters) }), el('td', { class: 'num', text: formatCount(c.tensors) }),
        el('td', { class: 'num', text: formatBytes(c.bytes) })));
    const components = el('section', { class: 'card' }, el('h2', { text: 'Components' }),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'Component' }), el('th', { text: 'Class' }),
        el('th', { class: 'num', text: 'Parameters' }), el('th', { class: 'num', text: 'Tensors' }), el('th', { class: 'num', text: 'Memory' }))), comps));

    const dt = el('tbody');
    for (const [name, d] of Object.entries(report.dtypes))
      dt.append(el('tr', {}, el('td', { text: name }), el('td', { class: 'num', text: formatCount(d.tensors) }),
        el('td', { class: 'num', text: formatCount(d.elements) }), el('td', { class: 'num', text: formatBytes(d.bytes) })));
    const dtypes = el('section', { class: 'card' }, el('h2', { text: 'Dtype distribution' }),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'Dtype' }), el('th', { class: 'num', text: 'Tensors' }),
        el('th', { class: 'num', text: 'Elements' }), el('th', { class: 'num', text: 'Bytes' }))), dt));

    const notes = [...report.assumptions, ...report.notes, ...report.warnings];
    const assumptions = el('section', { class: 'card' }, el('h2', { text: 'Assumptions' }),
      el('ul', { class: 'assumptions' }, ...notes.map((a) => el('li', { text: a }))));

    this.root.replaceChildren(summary, components, dtypes, assumptions);
    this.root.hidden = false;
  }

  clear() { this.root.replaceChildren(); this.root.hidden = true; }
}
