// The page's Fine-tuning controls and result, built from the core's tables (vocabularies(): the option rows with
// `training: true`, and vocab.training's methods, precisions, optimizers, attentions, distributions, offloads and
// parts). No list of choices lives here: a row added to a core table appears as a control.
//
// Mounting (for app.js, which owns the page):
//   import { TrainingControls, TrainingSummary } from this module (web/js/ui/training.js, as ./ui/training.js);
//   const vocab = await vocabularies();                        // engine.js
//   const controls = new TrainingControls(document.getElementById('training-controls'), vocab, recompute);
//   const summary = new TrainingSummary(document.getElementById('training-summary'), vocab);
//   // on every change, in Fine-tuning mode:
//   const r = await report(handle, { ...inferenceOptions, ...controls.options() });   // gpu comes from the page
//   summary.update(r);                                          // r.training: the core's training_json()
//   // Inference mode: leave controls.options() out (a training key without `train` is refused by the core).
//   // A share link: controls.options() as query parameters; controls.set(params) restores them.
// options() keeps the C++ keys (train, lora_rank, micro_batch, seq_tokens …), values as the core reads them.
import { el, formatBytes, formatCount, gib, morph } from './dom.js';
import { flagOn } from '../common.js';

// Rows of vocab.options that are controls of their own here: the method is the section's switch, and ZeRO stages are
// the `distribution` choice's rows (zero1, zero2, zero3), so the `--zero N` shorthand is not repeated.
const NOT_A_CONTROL = new Set(['zero']);

// A choice row's entries, from vocab.training's table of that name: [name, label].
function choices(vocab, row) {
  const table = { train: 'methods', train_precision: 'precisions', optimizer: 'optimizers', attention: 'attentions',
    distribution: 'distributions', offload: 'offloads' }[row.key];
  const rows = table ? vocab.training[table] : row.choices.split(', ').map((name) => ({ name, label: name }));
  return rows.map((r) => [r.name, r.label]);
}

function control(vocab, row) {
  const id = `train-${row.key}`;
  const label = el('label', { for: id, text: row.help });
  let input;
  if (row.kind === 'choice') {
    input = el('select', { id }, ...choices(vocab, row).map(([v, t]) => el('option', { value: v, text: t })));
  } else if (row.kind === 'flag') {
    input = el('input', { id, type: 'checkbox' });
  } else if (row.kind === 'count') {
    input = el('input', { id, type: 'number', min: String(row.min), max: String(row.max), step: '1' });
  } else if (row.kind === 'probability') {  // lora_dropout: [0, 1), checked by the core
    input = el('input', { id, type: 'number', min: '0', step: '0.05', inputmode: 'decimal' });
  } else {  // list: comma-separated glob patterns
    input = el('input', { id, type: 'text', placeholder: row.key === 'lora_targets' ? vocab.training.default_lora_targets.join(',') : '' });
  }
  return { row, input, node: el('div', { class: `training-control training-${row.key}` }, label, input) };
}

export class TrainingControls {
  /** `vocab`: the core's vocabularies(); `onChange()` is called after any control changes. */
  constructor(root, vocab, onChange) {
    this.root = root;
    this.vocab = vocab;
    this.onChange = onChange;
    this.controls = vocab.options.filter((r) => r.training && !NOT_A_CONTROL.has(r.key)).map((r) => control(vocab, r));
    this.byKey = Object.fromEntries(this.controls.map((c) => [c.row.key, c]));
    // How one framework runs a step (the core's rows with `framework: true`: PEFT's fp32 adapters, litgpt's fused
    // Linears and chunked loss, TRL's fp32 norms…) are folded away: most visitors keep the defaults. The fold opens by
    // itself when a link or a restored state sets one of them (set()).
    const main = this.controls.filter((c) => !c.row.framework), detail = this.controls.filter((c) => c.row.framework);
    this.framework = el('details', { id: 'training-framework', class: 'training-framework' },
      el('summary', { text: `How your framework runs it (PEFT, TRL, litgpt, torchtune): ${detail.length} settings` }),
      el('div', { class: 'controls-grid training-grid' }, ...detail.map((c) => c.node)));
    root.append(el('h2', { text: 'Fine-tuning' }), el('div', { class: 'controls-grid training-grid' }, ...main.map((c) => c.node)),
      ...(detail.length ? [this.framework] : []));
    this.set({});
    for (const c of this.controls) c.input.addEventListener(c.input.type === 'text' ? 'change' : 'input', () => { this.sync(); this.onChange(); });
    this.sync();
  }

  /** Shows only what the chosen method reads: each row's `method_needs` (the core's table) names the method's field. */
  sync() {
    const method = this.vocab.training.methods.find((m) => m.name === this.byKey.train.input.value);
    for (const c of this.controls) if (c.row.method_needs) c.node.hidden = !method?.[c.row.method_needs];
  }

  /** The training options for report(): the core's keys; hidden controls and default values are left out. */
  options() {
    const o = { train: this.byKey.train.input.value };
    for (const c of this.controls) {
      if (c.row.key === 'train' || c.node.hidden) continue;
      const v = c.input.type === 'checkbox' ? (c.input.checked ? 'on' : 'off') : c.input.value.trim();
      if (v !== '' && v !== c.row.default) o[c.row.key] = c.input.type === 'number' ? Number(v) : v;
    }
    return o;
  }

  /** Sets the controls from options (a share link's parameters or options()); absent keys take the core's default. */
  set(o) {
    for (const c of this.controls) {
      const given = o[c.row.key];
      let v = given ?? (c.row.key === 'train' ? (o.mode ?? this.vocab.training.methods[1]?.name) : c.row.default);
      if (Array.isArray(v)) v = v.join(',');
      if (c.input.type === 'checkbox') c.input.checked = flagOn(v);
      else c.input.value = v ?? '';
      const differs = c.input.type === 'checkbox' ? flagOn(v) !== flagOn(c.row.default) : String(v) !== c.row.default;
      if (c.row.framework && given !== undefined && differs) this.framework.open = true;
    }
    this.sync();
  }
}

export class TrainingSummary {
  /** `vocab`: the core's vocabularies() (the parts' labels). */
  constructor(root, vocab) {
    this.root = root;
    this.parts = vocab.training.parts;
  }

  /** `report`: report()'s JSON with its `training` object (training_json in core/estimator/training_report.cpp). */
  update(report) {
    const t = report?.training;
    if (!t) { this.root.replaceChildren(); return; }
    const g = t.per_gpu;
    const rows = this.parts.filter((p) => g[p.key]).map((p) => el('tr', {}, el('th', { scope: 'row', text: p.label }), el('td', { text: formatBytes(g[p.key]) })));
    const fit = t.gpu ? [
      el('p', { class: `verdict ${t.gpu.fits ? 'fits' : 'nofit'}`, text: `${t.gpu.fits ? 'Fits' : 'Does not fit'} on ${t.gpu.name}` }),
      el('p', { text: `Largest micro-batch at ${formatCount(t.options.seq_tokens)} tokens: ${formatCount(t.gpu.max_micro_batch_fit)} · longest sequence at micro-batch ${t.options.micro_batch}: ${formatCount(t.gpu.max_seq_tokens_fit)} tokens` }),
    ] : [];
    this.root.replaceChildren(...[
      el('h2', { text: 'Fine-tuning memory per GPU' }),
      el('p', { class: 'total', text: formatBytes(g.total_bytes) }),
      el('p', { text: `Peak at ${t.peak_phase_text} · ${formatCount(t.params.trainable_params)} of ${formatCount(t.params.total_params)} parameters trained` }),
      el('table', { class: 'training-parts' }, el('tbody', {}, ...rows,
        el('tr', {}, el('th', { scope: 'row', text: 'Total' }), el('td', { text: formatBytes(g.total_bytes) })))),
      t.host.total_bytes ? el('p', { text: `Host memory (CPU offload), all ranks: ${formatBytes(t.host.total_bytes)}` }) : null,
      ...fit,
      ...t.warnings.map((w) => el('p', { class: 'warning', text: w })),
      t.matched_tensors.count ? el('p', { text: `${formatCount(t.matched_tensors.count)} tensors matched: ${t.matched_tensors.names.join(', ')}${t.matched_tensors.count > t.matched_tensors.names.length ? ', …' : ''}` }) : null,
      el('details', {}, el('summary', { text: 'Assumptions' }), el('ul', {}, ...t.assumptions.map((a) => el('li', { text: a })))),
    ].filter(Boolean));
  }
}

/**
 * Which GPUs fit the training step: at the chosen GPU count, and the smallest count of the core's list (the report's
 * gpu_fit_counts) that fits under the chosen distribution, with the per-GPU peak there — the core's gpu_fit rows, the
 * same the CLI's text report lists under "GPUs needed". Rendered where the inference fit table goes.
 */
export class TrainingFitView {
  /** `vocab`: the core's vocabularies() (the distributions' labels and whether they shard). */
  constructor(root, vocab) {
    this.root = root;
    this.distributions = vocab.training.distributions;
  }

  update(report) {
    const t = report?.training;
    if (!t?.gpu_fit?.length) { this.root.replaceChildren(); return; }
    const o = t.options;
    const dist = this.distributions.find((d) => d.name === o.distribution);
    const counts = t.gpu_fit_counts;
    const fitsNow = t.gpu_fit.filter((g) => g.fits).map((g) => g.name);
    // Not at this count but at another (more GPUs when sharded; one under DDP, whose bucket copy only adds).
    const more = t.gpu_fit.filter((g) => !g.fits && g.gpus_needed).map((g) => `${g.gpus_needed}× ${g.name}`);
    // The CLI's words (training_report.cpp fit_row_text).
    const none = dist?.shards_optimizer ? `more than ${counts.at(-1)}` : 'does not fit (replicated: more GPUs do not lower it)';
    const wasOpen = !!this.root.querySelector('#fit-details')?.open;
    const body = el('tbody');
    for (const g of t.gpu_fit) {
      body.append(el('tr', { class: report.gpu && report.gpu.id === g.id ? 'chosen' : null },
        el('td', { 'data-label': 'GPU', text: g.name }),
        el('td', { class: 'num', 'data-label': 'Usable', text: gib(g.usable_bytes) }),
        el('td', { class: `num ${g.fits ? 'yes' : 'no'}`, 'data-label': `Fits on ${o.n_gpus}`, text: g.fits ? 'yes' : 'no' }),
        el('td', { class: 'num', 'data-label': 'GPUs needed', text: g.gpus_needed ? String(g.gpus_needed) : none }),
        el('td', { class: 'num', 'data-label': 'Per GPU', text: gib(g.per_gpu_total_bytes) })));
    }
    const table = el('table', { class: 'cards' },
      el('thead', {}, el('tr', {}, el('th', { text: 'GPU' }), el('th', { class: 'num', text: 'Usable' }),
        el('th', { class: 'num', text: `Fits on ${o.n_gpus}` }), el('th', { class: 'num', text: 'GPUs needed' }), el('th', { class: 'num', text: 'Per GPU' }))),
      body);
    morph(this.root, el('section', { class: 'card', id: 'gpu-fit' },
      el('h2', { text: 'Which GPUs fit this training step' }),
      el('p', { id: 'fits-one' }, el('strong', { text: `On ${o.n_gpus} GPU${o.n_gpus === 1 ? '' : 's'} (${fitsNow.length}): ` }), fitsNow.length ? fitsNow.join(', ') : 'none'),
      more.length ? el('p', { id: 'fits-more' }, el('strong', { text: `At another GPU count, ${dist?.label ?? o.distribution}: ` }), more.join(', ')) : null,
      el('details', { id: 'fit-details', open: wasOpen },
        el('summary', { text: `All ${t.gpu_fit.length} GPUs, with memory per GPU` }),
        el('p', { class: 'help', text: `At these settings. “GPUs needed”: the smallest of ${counts.join(', ')} GPUs that fits with ${dist?.label ?? o.distribution}; memory per GPU at that count (at ${o.n_gpus} where none fits). GiB = 2^30 bytes.` }),
        el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'GPU fit table for training' }, table))));
  }
}
