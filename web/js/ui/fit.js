// Which GPUs fit, and how many of each are needed: the smallest tensor-parallel size (1, 2, 4, 8) for the engines
// that split a model, or classic's even split of the total (the rule is the core's, in vocabularies()).
import { el, gib, morph } from './dom.js';

export class FitView {
  constructor(root) { this.root = root; }
  /** r: the report; profile: its vocabularies() row (fit_rule, fit_max_gpus). */
  update(r, profile) {
    if (!r.gpu_fit?.length) { this.root.replaceChildren(); return; }
    // gpus_needed 0: more GPUs than the profile tries; a profile modelled on one GPU (fit_max_gpus 1) just does not fit.
    const max = profile?.fit_max_gpus ?? 8;
    const limit = max > 1 ? `more than ${max}` : 'does not fit';
    const one = r.gpu_fit.filter((g) => g.engine_runs && g.fits_one).map((g) => g.name);
    const more = r.gpu_fit.filter((g) => g.engine_runs && !g.fits_one && g.gpus_needed).map((g) => `${g.gpus_needed}× ${g.name}`);
    // The table of every GPU (40 rows) sits in a closed <details>: it is built when opened, not on every change; one the
    // visitor has opened stays open, rebuilt, across changes.
    const wasOpen = !!this.root.querySelector('#fit-details')?.open;
    const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'GPU fit table' });
    // The listeners find the wrapper on the page when they run: morph() keeps the one already there, not `wrap`.
    const fill = () => { const w = this.root.querySelector('#fit-details .table-wrap'); if (w && !w.firstChild) w.append(table(r, limit)); };
    // Filled on the summary's click, before the browser opens it (so no frame shows it empty; Enter and Space click it
    // too), and on 'toggle' for an opening by script.
    const details = el('details', { id: 'fit-details', open: wasOpen, ontoggle: (e) => { if (e.target.open) fill(); } },
      el('summary', { text: `All ${r.gpu_fit.length} GPUs, with memory per GPU`, onclick: fill }),
      el('p', { class: 'help', text: `At these settings. “GPUs needed”: ${profile?.fit_rule || 'the smallest tensor-parallel size that fits'}; memory per GPU at that count. GiB = 2^30 bytes.` }),
      wrap);
    if (wasOpen) wrap.append(table(r, limit));
    morph(this.root, el('section', { class: 'card', id: 'gpu-fit' },
      el('h2', { text: 'Which GPUs fit' }),
      el('p', { id: 'fits-one' }, el('strong', { text: `On one GPU (${one.length}): ` }), one.length ? one.join(', ') : 'none'),
      more.length ? el('p', { id: 'fits-more' }, el('strong', { text: profile?.tp?.length > 1 ? 'With tensor parallelism: ' : 'Split over several GPUs: ' }), more.join(', ')) : null,
      details));
  }
}

function table(r, limit) {
  const body = el('tbody');
  for (const g of r.gpu_fit) {
    const needed = !g.engine_runs ? '—' : g.gpus_needed === 0 ? limit : String(g.gpus_needed);
    const cls = !g.engine_runs ? '' : g.fits_one ? 'yes' : g.gpus_needed ? '' : 'no';
    body.append(el('tr', { class: r.gpu && r.gpu.id === g.id ? 'chosen' : null },
      el('td', { 'data-label': 'GPU', text: g.name }),
      el('td', { class: 'num', 'data-label': 'Usable', text: gib(g.usable_bytes) }),
      el('td', { class: `num ${cls}`, 'data-label': 'Fits on one', text: !g.engine_runs ? `engine not on ${g.backend}` : g.fits_one ? 'yes' : 'no' }),
      el('td', { class: 'num', 'data-label': 'GPUs needed', text: needed }),
      el('td', { class: 'num', 'data-label': 'Per GPU', text: g.engine_runs && g.per_gpu_total_bytes ? gib(g.per_gpu_total_bytes) : '—' })));
  }
  return el('table', { class: 'cards' },
    el('thead', {}, el('tr', {}, el('th', { text: 'GPU' }), el('th', { class: 'num', text: 'Usable' }), el('th', { class: 'num', text: 'Fits on one' }),
      el('th', { class: 'num', text: 'GPUs needed' }), el('th', { class: 'num', text: 'Per GPU' }))), body);
}
