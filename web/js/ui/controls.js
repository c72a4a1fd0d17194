// The estimate's settings. Changing any of them recomputes in the core from the metadata already
// loaded: no request is made.
import { el } from './dom.js';
import { GiB, formatCount, formatTokens } from '../common.js';

const PRESETS = [2048, 4096, 8192, 32768, 131072];
const MIN_CONTEXT = 256;

function select(id, label, options, help) {
  return el('div', {},
    el('label', { for: id, text: label }),
    el('select', { id, 'aria-describedby': help ? `${id}-help` : null }, ...options.map(([v, t]) => el('option', { value: v, text: t }))),
    help ? el('p', { class: 'help', id: `${id}-help`, text: help }) : null);
}

// Context slider on a log scale: position 0..1000 ↔ MIN_CONTEXT..max.
const toPos = (ctx, max) => Math.round((1000 * Math.log(ctx / MIN_CONTEXT)) / Math.log(max / MIN_CONTEXT));
const fromPos = (pos, max) => Math.round(MIN_CONTEXT * Math.exp((pos / 1000) * Math.log(max / MIN_CONTEXT)));

export class ControlsView {
  /** `vocab`: the core's vocabularies() — every choice below comes from its tables. */
  constructor(root, vocab, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.maxContext = 131072;
    const gpuOptions = [['', 'No GPU chosen'], ...vocab.gpus.map((g) => [g.id, `${g.name} — ${(g.usable_bytes / GiB).toFixed(0)} GiB`])];
    const PRECISIONS = vocab.precisions.map((p) => [p.name, p.label]);
    const KV_DTYPES = vocab.kv_dtypes.map((d) => [d.name, d.label]);
    const PROFILES = vocab.profiles.map((p) => [p.name, p.label]);
    const TPS = [...new Set(vocab.profiles.flatMap((p) => p.tp))].sort((a, b) => a - b);
    root.append(el('h2', { text: 'Settings' }),
      el('div', { class: 'controls-grid' },
        select('gpu', 'GPU', gpuOptions, 'Checks the fit and finds the largest context and batch.'),
        select('profile', 'Serving engine', PROFILES, 'Whose memory accounting to follow.'),
        select('precision', 'Weights precision', PRECISIONS),
        select('kv_dtype', 'KV cache dtype', KV_DTYPES),
        el('div', {}, el('label', { for: 'batch', text: 'Batch (concurrent sequences)' }), el('input', { id: 'batch', type: 'number', min: '1', max: '1000000', step: '1', value: '1' })),
        select('tp', 'Tensor parallel GPUs', TPS.map((t) => [String(t), String(t)])),
        el('div', { class: 'gguf-only' }, el('label', { for: 'n_gpu_layers', text: 'GPU layers (-ngl)' }),
          el('input', { id: 'n_gpu_layers', type: 'number', min: '-1', max: '10000', step: '1', value: '-1', 'aria-describedby': 'n_gpu_layers-help' }),
          el('p', { class: 'help', id: 'n_gpu_layers-help', text: '-1 = all layers on the GPU; fewer puts the rest in system memory.' })),
        el('div', { class: 'gguf-only' }, el('label', { class: 'check' }, el('input', { id: 'flash_attention', type: 'checkbox', checked: true }), 'Flash attention (llama.cpp)')),
        el('div', { class: 'context-row' },
          el('label', { for: 'context', id: 'context-label', text: 'Context length' }),
          el('input', { id: 'context', type: 'range', min: '0', max: '1000', step: '1', 'aria-labelledby': 'context-label', 'aria-valuetext': '' }),
          el('div', { class: 'presets', role: 'group', 'aria-label': 'Context presets' },
            ...PRESETS.map((p) => el('button', { type: 'button', class: 'ghost small', 'data-context': String(p), text: formatTokens(p) })),
            el('button', { type: 'button', class: 'ghost small', 'data-context': 'max', id: 'context-max', text: 'Max' }),
            el('input', { id: 'context-exact', type: 'number', min: String(MIN_CONTEXT), step: '1', 'aria-label': 'Context length in tokens', style: { width: '9rem' } })))),
      el('p', { id: 'controls-error', class: 'help', role: 'alert' }));
    for (const id of ['gpu', 'profile', 'precision', 'kv_dtype', 'tp', 'flash_attention']) this.$(id).addEventListener('change', () => this.emit());
    this.$('n_gpu_layers').addEventListener('change', () => this.emit());
    this.$('batch').addEventListener('input', () => this.emit());
    this.$('context').addEventListener('input', () => { this.context = fromPos(Number(this.$('context').value), this.maxContext); this.emit(); });
    this.$('context-exact').addEventListener('change', () => { this.context = Math.max(MIN_CONTEXT, Math.min(this.maxContext, Number(this.$('context-exact').value) || MIN_CONTEXT)); this.emit(); });
    root.querySelector('.presets').addEventListener('click', (e) => {
      const v = e.target.closest('button')?.dataset.context;
      if (!v) return;
      this.context = v === 'max' ? this.maxContext : Math.min(Number(v), this.maxContext);
      this.emit();
    });
  }

  $(id) { return this.root.querySelector(`#${id}`); }

  /** Options as the core reads them (field names as in C++ EstimateOptions). */
  options() {
    return {
      precision: this.$('precision').value,
      kv_dtype: this.$('kv_dtype').value,
      context_tokens: this.context || 'max',
      batch: Math.max(1, Math.min(1000000, Math.floor(Number(this.$('batch').value) || 1))),
      profile: this.$('profile').value,
      tp: Number(this.$('tp').value),
      gpu: this.$('gpu').value,
      ...(this.gguf ? { gguf_file: this.ggufFile || '', flash_attention: this.$('flash_attention').checked,
        n_gpu_layers: Math.max(-1, Math.floor(Number(this.$('n_gpu_layers').value) || -1)) } : {}),
    };
  }

  /** A GGUF repo: show the llama.cpp settings; `file` is the quantization the estimate uses. */
  setGguf(isGguf, file) {
    this.gguf = isGguf;
    if (file !== undefined) this.ggufFile = file;
    for (const n of this.root.querySelectorAll('.gguf-only')) n.hidden = !isGguf;
  }

  set(options) {
    for (const k of ['precision', 'kv_dtype', 'profile', 'gpu']) if (options[k] !== undefined) this.$(k).value = options[k];
    if (options.gguf_file) this.ggufFile = options.gguf_file;
    if (options.n_gpu_layers !== undefined) this.$('n_gpu_layers').value = String(options.n_gpu_layers);
    if (options.flash_attention !== undefined) this.$('flash_attention').checked = String(options.flash_attention) !== 'false';
    if (options.tp) this.$('tp').value = String(options.tp);
    if (options.batch) this.$('batch').value = String(options.batch);
    if (options.context_tokens) this.context = options.context_tokens === 'max' ? Infinity : Number(options.context_tokens) || 0;  // Infinity: the model's own max, once known
  }

  /** The model's limits: the slider spans 256 .. its max context. */
  setModel({ maxContext, hasKv }) {
    this.maxContext = Math.max(MIN_CONTEXT * 2, maxContext || 131072);
    if (this.context === Infinity) this.context = this.maxContext;
    else if (!this.context || this.context > this.maxContext) this.context = Math.min(8192, this.maxContext);
    for (const b of this.root.querySelectorAll('.presets button[data-context]'))
      b.disabled = b.dataset.context !== 'max' && Number(b.dataset.context) > this.maxContext;
    this.$('context-max').textContent = `Max (${formatTokens(this.maxContext)})`;
    this.$('context-exact').max = String(this.maxContext);
    this.root.querySelector('.context-row').hidden = !hasKv;
    this.$('kv_dtype').disabled = !hasKv;
    this.sync();
  }

  sync() {
    const slider = this.$('context');
    slider.value = String(toPos(this.context, this.maxContext));
    slider.setAttribute('aria-valuetext', `${formatCount(this.context)} tokens`);
    this.$('context-label').textContent = `Context length: ${formatCount(this.context)} tokens`;
    this.$('context-exact').value = String(this.context);
    for (const b of this.root.querySelectorAll('.presets button[data-context]')) {
      const v = b.dataset.context === 'max' ? this.maxContext : Number(b.dataset.context);
      b.setAttribute('aria-pressed', String(v === this.context));
    }
  }

  showError(message) { this.$('controls-error').textContent = message || ''; }

  emit() {
    this.sync();
    this.onChange(this.options());
  }
}
