// Which GPUs fit, and how many of each are needed (tensor parallel, powers of two up to 8).
import { el, gib } from './dom.js';

export class FitView {
  constructor(root) { this.root = root; }
  update(r) {
    if (!r.gpu_fit?.length) { this.root.replaceChildren(); return; }
    const body = el('tbody');
    for (const g of r.gpu_fit) {
      const needed = !g.engine_runs ? '—' : g.gpus_needed === 0 ? 'more than 8' : String(g.gpus_needed);
      const cls = !g.engine_runs ? '' : g.fits_one ? 'yes' : g.gpus_needed ? '' : 'no';
      body.append(el('tr', { class: r.gpu && r.gpu.id === g.id ? 'chosen' : null },
        el('td', { text: g.name }),
        el('td', { class: 'num', text: gib(g.usable_bytes) }),
        el('td', { class: `num ${cls}`, text: !g.engine_runs ? `engine not on ${g.backend}` : g.fits_one ? 'yes' : 'no' }),
        el('td', { class: 'num', text: needed }),
        el('td', { class: 'num', text: g.engine_runs && g.per_gpu_total_bytes ? gib(g.per_gpu_total_bytes) : '—' })));
    }
    const one = r.gpu_fit.filter((g) => g.engine_runs && g.fits_one).map((g) => g.name);
    const more = r.gpu_fit.filter((g) => g.engine_runs && !g.fits_one && g.gpus_needed).map((g) => `${g.gpus_needed}× ${g.name}`);
    this.root.replaceChildren(el('section', { class: 'card', id: 'gpu-fit' },
      el('h2', { text: 'Which GPUs fit' }),
      el('p', { id: 'fits-one' }, el('strong', { text: `On one GPU (${one.length}): ` }), one.length ? one.join(', ') : 'none'),
      more.length ? el('p', { id: 'fits-more' }, el('strong', { text: 'With tensor parallelism: ' }), more.join(', ')) : null,
      el('details', { id: 'fit-details' }, el('summary', { text: `All ${r.gpu_fit.length} GPUs, with memory per GPU` }),
      el('p', { class: 'help', text: 'At these settings. “GPUs needed” is the smallest tensor-parallel degree (1, 2, 4 or 8) that fits; memory per GPU at that degree. GiB = 2^30 bytes.' }),
      el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, el('th', { text: 'GPU' }), el('th', { class: 'num', text: 'Usable' }), el('th', { class: 'num', text: 'Fits on one' }),
          el('th', { class: 'num', text: 'GPUs needed' }), el('th', { class: 'num', text: 'Per GPU' }))), body)))));
  }
}
