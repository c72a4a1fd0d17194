// The estimate's settings. Changing any of them recomputes in the core from the metadata already loaded: no request.
// Every list, default and limit comes from the core's tables (vocabularies()); a choice the current engine does not
// accept is disabled with the reason, and a setting it cannot keep falls back to the engine's default, said on screen.
import { el, setAttr, setProp, setText } from './dom.js';
import { flagOn, formatCount, formatTokens } from '../common.js';

const PRESETS = [2048, 4096, 8192, 32768, 131072];
const MIN_CONTEXT = 256;

function select(id, label, help) {
  return el('div', {},
    el('label', { for: id, text: label }),
    el('select', { id, 'aria-describedby': `${id}-help` }),
    el('p', { class: 'help', id: `${id}-help`, text: help || '' }));
}

// Context slider on a log scale: position 0..1000 ↔ MIN_CONTEXT..max.
const toPos = (ctx, max) => Math.round((1000 * Math.log(ctx / MIN_CONTEXT)) / Math.log(max / MIN_CONTEXT));
const fromPos = (pos, max) => Math.round(MIN_CONTEXT * Math.exp((pos / 1000) * Math.log(max / MIN_CONTEXT)));

/** A row of the core's option table (vocabularies().options) by key. */
function optionSpec(vocab, key) { return vocab.options.find((o) => o.key === key); }

// The batch: its bounds and its meaning (sequences; images for a pipeline) from the core's option row, as --help.
function batchInput(spec) {
  return el('div', {}, el('label', { for: 'batch', text: 'Batch' }),
    el('input', { id: 'batch', type: 'number', min: String(spec.min), max: String(spec.max), step: '1', value: '1', inputmode: 'numeric', 'aria-describedby': 'batch-help' }),
    el('p', { class: 'help', id: 'batch-help', text: spec.help.replace(/^./, (c) => c.toUpperCase()) + '.' }));
}

// The engines' own numbers, each a row of the core's option table (an input each; empty = the default).
export const ENGINE_NUMBERS = ['gpu_memory_utilization', 'max_num_batched_tokens', 'ubatch_tokens', 'text_tokens'];

export class ControlsView {
  /** `vocab`: the core's vocabularies(); `gpuSelect`: the page's GPU picker (it lives on the first screen). */
  constructor(root, vocab, gpuSelect, onChange) {
    this.root = root;
    this.vocab = vocab;
    this.gpu = gpuSelect;
    this.onChange = onChange;
    this.maxContext = 131072;
    this.context = null;  // null: the engine's default (the model's max context, as on the command line)
    this.refused = {};    // profile name → the core's reason it cannot estimate this model
    this.notes = [];      // what fell back to a default since the last change the user made, and why
    this.batchSpec = optionSpec(vocab, 'batch');
    const TPS = [...new Set(vocab.profiles.flatMap((p) => p.tp))].sort((a, b) => a - b);  // every size any engine takes
    // An image side for pipelines: bounds, the word for "the pipeline's own" (empty field) and the help from the core's
    // option row, as --help prints them.
    const imageSide = (key, label) => {
      const spec = optionSpec(vocab, key);
      return el('div', { class: 'pipeline-only' }, el('label', { for: key, text: label }),
        el('input', { id: key, type: 'number', min: String(spec.min), max: String(spec.max), step: '8', placeholder: spec.special, inputmode: 'numeric', 'aria-describedby': `${key}-help` }),
        el('p', { class: 'help', id: `${key}-help`, text: `Empty: ${spec.help.replace(/^diffusers: /, '')}.` }));
    };
    // An engine's own number (gpu_memory_utilization, max_num_batched_tokens, -ub, the prompt's tokens): bounds and
    // help from the core's option row, as --help prints them; empty = the engine's or the pipeline's default.
    const engineNumber = (key, label, cls) => {
      const spec = optionSpec(vocab, key);
      const bounds = spec.kind === 'fraction' ? { min: '0.01', max: '1', step: '0.01', inputmode: 'decimal' }
        : { min: String(spec.min), max: String(spec.max), step: '1', inputmode: 'numeric' };
      return el('div', { class: cls }, el('label', { for: key, text: label }),
        el('input', { id: key, type: 'number', ...bounds, placeholder: 'default', 'aria-describedby': `${key}-help` }),
        el('p', { class: 'help', id: `${key}-help`, text: `${spec.help}; empty: the default.` }));
    };
    root.append(el('h2', { text: 'Settings' }),
      el('div', { class: 'controls-grid' },
        select('profile', 'Serving engine'),
        select('precision', 'Weights precision', 'Auto keeps every tensor as stored.'),
        select('kv_dtype', 'KV cache dtype'),
        batchInput(this.batchSpec),
        select('tp', 'Tensor parallel GPUs'),
        el('div', { class: 'gguf-only' }, el('label', { for: 'n_gpu_layers', text: 'GPU layers (-ngl)' }),
          el('input', { id: 'n_gpu_layers', type: 'number', min: '-1', max: '100000', step: '1', value: '-1', inputmode: 'numeric', 'aria-describedby': 'n_gpu_layers-help' }),
          el('p', { class: 'help', id: 'n_gpu_layers-help', text: '-1 = all layers on the GPU; 0 keeps every layer in system memory.' })),
        el('div', { class: 'gguf-only' }, el('label', { class: 'check' }, el('input', { id: 'flash_attention', type: 'checkbox', checked: true }), 'Flash attention (llama.cpp)')),
        engineNumber('ubatch_tokens', 'Micro-batch tokens (-ub)', 'gguf-only'),
        // diffusers pipelines: the call's image size, prompt tokens and placement (the core's option table).
        imageSide('height', 'Image height (px)'),
        imageSide('width', 'Image width (px)'),
        engineNumber('text_tokens', 'Prompt tokens', 'pipeline-only'),
        el('div', { class: 'pipeline-only' }, el('label', { class: 'check' }, el('input', { id: 'model_cpu_offload', type: 'checkbox' }), 'Model CPU offload (enable_model_cpu_offload)')),
        // vLLM: enforce_eager (the core's option row says what it changes).
        el('div', { class: 'eager-only' }, el('label', { class: 'check' }, el('input', { id: 'enforce_eager', type: 'checkbox', 'aria-describedby': 'enforce_eager-help' }), 'Eager mode (--enforce-eager)'),
          el('p', { class: 'help', id: 'enforce_eager-help', text: optionSpec(vocab, 'enforce_eager').help.replace(/^vLLM: enforce_eager, /, '') })),
        // Engines that reserve their memory up front (vLLM, SGLang): the share they take and the prefill chunk.
        engineNumber('gpu_memory_utilization', 'GPU memory utilization', 'prealloc-only'),
        engineNumber('max_num_batched_tokens', 'Max batched tokens', 'prealloc-only'),
        el('div', { class: 'context-row' },
          el('label', { for: 'context', id: 'context-label', text: 'Context length' }),
          el('input', { id: 'context', type: 'range', min: '0', max: '1000', step: '1', 'aria-labelledby': 'context-label', 'aria-valuetext': '' }),
          el('div', { class: 'presets', role: 'group', 'aria-label': 'Context presets' },
            ...PRESETS.map((p) => el('button', { type: 'button', class: 'ghost small', 'data-context': String(p), text: formatTokens(p) })),
            el('button', { type: 'button', class: 'ghost small', 'data-context': 'max', id: 'context-max', text: 'Max' }),
            el('input', { id: 'context-exact', type: 'number', min: String(MIN_CONTEXT), step: '1', inputmode: 'numeric', 'aria-label': 'Context length in tokens', class: 'exact' })))),
      el('p', { id: 'controls-note', class: 'help', role: 'status' }),
      el('p', { id: 'controls-error', class: 'help error-line', role: 'alert' }));
    this.fill('profile', vocab.profiles.map((p) => [p.name, p.label]));
    this.fill('precision', vocab.precisions.map((p) => [p.name, p.label]));
    this.fill('kv_dtype', vocab.kv_dtypes.map((d) => [d.name, d.label]));
    this.fill('tp', TPS.map((t) => [String(t), String(t)]));
    for (const id of ['precision', 'kv_dtype', 'tp', 'flash_attention', 'n_gpu_layers', 'height', 'width', 'model_cpu_offload', 'enforce_eager', ...ENGINE_NUMBERS]) this.$(id).addEventListener('change', () => this.emit());
    this.$('profile').addEventListener('change', () => this.emit());
    this.gpu.addEventListener('change', () => this.emit());
    this.$('batch').addEventListener('input', () => this.emit());
    this.$('context').addEventListener('input', () => { this.context = fromPos(Number(this.$('context').value), this.maxContext); this.emit(); });
    this.$('context-exact').addEventListener('change', () => {
      this.context = Math.max(MIN_CONTEXT, Math.min(this.maxContext, Math.floor(Number(this.$('context-exact').value)) || MIN_CONTEXT));
      this.emit();
    });
    root.querySelector('.presets').addEventListener('click', (e) => {
      const v = e.target.closest('button')?.dataset.context;
      if (!v) return;
      this.context = v === 'max' ? null : Math.min(Number(v), this.maxContext);
      this.emit();
    });
    this.applyProfile();
  }

  $(id) { return this.root.querySelector(`#${id}`); }
  fill(id, rows) { this.$(id).replaceChildren(...rows.map(([v, t]) => el('option', { value: v, text: t }))); }
  profileInfo() { return this.vocab.profiles.find((p) => p.name === this.$('profile').value) || this.vocab.profiles[0]; }

  /** Options as the core reads them (the keys of its option table); defaults are left to the core. */
  options() {
    const p = this.profileInfo();
    const o = {
      profile: p.name,
      precision: this.$('precision').value,
      kv_dtype: this.$('kv_dtype').value,
      batch: String(Math.max(this.batchSpec.min, Math.min(this.batchSpec.max, Math.floor(Number(this.$('batch').value)) || 1))),
      tp: this.$('tp').value,
      gpu: this.gpu.value,
    };
    if (this.context) o.context_tokens = String(this.context);
    if (p.pipeline) {
      for (const k of ['height', 'width']) {
        const spec = optionSpec(this.vocab, k);
        const v = Math.floor(Number(this.$(k).value));
        if (v >= spec.min) o[k] = String(Math.min(spec.max, v));
      }
      if (this.$('model_cpu_offload').checked) o.model_cpu_offload = 'on';
    }
    if (p.eager && this.$('enforce_eager').checked) o.enforce_eager = 'on';
    const shown = { gpu_memory_utilization: p.preallocates, max_num_batched_tokens: p.preallocates, ubatch_tokens: p.gguf && this.gguf, text_tokens: p.pipeline };
    for (const k of ENGINE_NUMBERS) {
      const v = this.$(k).value.trim(), spec = optionSpec(this.vocab, k);
      if (!shown[k] || v === '' || !(Number(v) > 0)) continue;  // the engine's default
      o[k] = spec.kind === 'fraction' ? String(Math.min(1, Number(v))) : String(Math.max(spec.min, Math.min(spec.max, Math.floor(Number(v)))));
    }
    if (p.gguf && this.gguf) {
      o.gguf_file = this.ggufFile || '';
      o.flash_attention = this.$('flash_attention').checked ? 'on' : 'off';
      const ngl = this.$('n_gpu_layers').value.trim();
      o.n_gpu_layers = ngl === '' || Number(ngl) < 0 ? 'all' : String(Math.floor(Number(ngl)));  // 0 means zero layers
    }
    return o;
  }

  /** A GGUF repo: the llama.cpp settings are offered; `file` is the quantization the estimate uses. */
  setGguf(isGguf, file) {
    this.gguf = isGguf;
    if (file !== undefined) this.ggufFile = file;
    this.applyProfile();
  }

  /**
   * Applies settings (from a link or a click on the matrix). Values were checked against the core's table by the
   * caller; what the current engine cannot take falls back with a note.
   */
  set(options) {
    for (const k of ['profile', 'precision', 'kv_dtype']) if (options[k] !== undefined) this.$(k).value = options[k];
    if (options.gpu !== undefined) this.gpu.value = options.gpu;
    if (options.gguf_file) this.ggufFile = options.gguf_file;
    if (options.n_gpu_layers !== undefined) this.$('n_gpu_layers').value = options.n_gpu_layers === 'all' ? '-1' : String(options.n_gpu_layers);
    if (options.enforce_eager !== undefined) this.$('enforce_eager').checked = flagOn(options.enforce_eager);
    if (options.flash_attention !== undefined) this.$('flash_attention').checked = flagOn(options.flash_attention);
    for (const k of ['height', 'width', ...ENGINE_NUMBERS]) if (options[k] !== undefined) this.$(k).value = options[k] === 'default' ? '' : String(options[k]);
    if (options.model_cpu_offload !== undefined) this.$('model_cpu_offload').checked = flagOn(options.model_cpu_offload);
    if (options.tp !== undefined) this.$('tp').value = String(options.tp);
    if (options.batch !== undefined) this.$('batch').value = String(options.batch);
    if (options.context_tokens !== undefined) this.context = options.context_tokens === 'max' ? null : Number(options.context_tokens) || null;
    this.applyProfile();
  }

  /** Disables what the current engine does not take, says why, and falls back to its defaults. */
  applyProfile() {
    const p = this.profileInfo();
    const notes = this.notes;
    for (const o of this.$('profile').options) {
      const why = this.refused[o.value];
      setProp(o, 'disabled', !!why && o.value !== p.name);
      setText(o, this.vocab.profiles.find((q) => q.name === o.value).label + (why ? ' — not for this model' : ''));
    }
    const refusedNames = Object.keys(this.refused);
    setText(this.$('profile-help'), [`${p.engine} ${p.version}.`,
      p.name === this.vocab.profiles[0].name ? 'The command line’s default, which the page opens with; pick the engine you serve with.' : '',
      refusedNames.length ? `Not for this model: ${refusedNames.map((n) => `${n} (${this.refused[n]})`).join('; ')}.` : ''].filter(Boolean).join(' '));
    const kv = this.$('kv_dtype');
    for (const o of kv.options) setProp(o, 'disabled', !p.kv_dtypes.includes(o.value));
    if (kv.selectedOptions[0]?.disabled) {
      notes.push(`KV cache dtype back to ${p.defaults.kv_dtype}: ${p.fixed_kv_reason || `${p.label} offers ${p.kv_dtypes.join(', ')}`}.`);
      kv.value = p.defaults.kv_dtype;
    }
    setText(this.$('kv_dtype-help'), p.fixed_kv_reason || `${p.label} offers: ${p.kv_dtypes.join(', ')}.`);
    const tp = this.$('tp');
    for (const o of tp.options) setProp(o, 'disabled', !p.tp.includes(Number(o.value)));
    if (tp.selectedOptions[0]?.disabled) {
      notes.push(`Tensor parallel back to ${p.defaults.tp}: ${p.label} models one GPU.`);
      tp.value = String(p.defaults.tp);
    }
    setText(this.$('tp-help'), p.tp.length === 1
      ? `${p.label}: one GPU. “Which GPUs fit” counts how many a model needs.`
      : 'Weights and KV heads split over this many GPUs; figures are per GPU.');
    const precision = this.$('precision');
    for (const o of precision.options) setProp(o, 'disabled', !p.precisions.includes(o.value));
    for (const n of this.root.querySelectorAll('.gguf-only')) setProp(n, 'hidden', !(p.gguf && this.gguf));
    for (const n of this.root.querySelectorAll('.pipeline-only')) setProp(n, 'hidden', !p.pipeline);
    for (const n of this.root.querySelectorAll('.eager-only')) setProp(n, 'hidden', !p.eager);
    for (const n of this.root.querySelectorAll('.prealloc-only')) setProp(n, 'hidden', !p.preallocates);
    setText(this.$('controls-note'), notes.join(' '));
  }

  /** A line in the settings' note (kept until the user changes a setting). */
  note(text) {
    this.notes.push(text);
    this.$('controls-note').textContent = this.notes.join(' ');
  }

  /** The model's limits and what the core refuses for it ({profile: reason}). */
  setModel({ maxContext, hasKv, refused = {} }) {
    this.maxContext = Math.max(MIN_CONTEXT * 2, maxContext || 131072);
    this.refused = refused;
    if (this.context && this.context > this.maxContext) this.context = null;
    for (const b of this.root.querySelectorAll('.presets button[data-context]'))
      b.disabled = b.dataset.context !== 'max' && Number(b.dataset.context) > this.maxContext;
    this.$('context-max').textContent = `Max (${formatTokens(this.maxContext)})`;
    this.$('context-exact').max = String(this.maxContext);
    this.root.querySelector('.context-row').hidden = !hasKv;
    this.$('kv_dtype').disabled = !hasKv;
    this.applyProfile();
    this.sync();
  }

  /** The context the core used (the default resolves to the model's max). */
  showContext(tokens) {
    this.used = tokens;
    this.sync();
  }

  sync() {
    const ctx = this.context || this.used || this.maxContext;
    const slider = this.$('context');
    setProp(slider, 'value', String(toPos(ctx, this.maxContext)));
    setAttr(slider, 'aria-valuetext', `${formatCount(ctx)} tokens`);
    setText(this.$('context-label'), `Context length: ${formatCount(ctx)} tokens${this.context ? '' : ' (the default: the model’s max)'}`);
    setProp(this.$('context-exact'), 'value', String(ctx));
    for (const b of this.root.querySelectorAll('.presets button[data-context]')) {
      const pressed = b.dataset.context === 'max' ? !this.context : Number(b.dataset.context) === this.context;
      setAttr(b, 'aria-pressed', String(pressed));
    }
  }

  showError(message) { setText(this.$('controls-error'), message || ''); }

  emit() {
    this.notes = [];
    this.applyProfile();
    this.sync();
    this.onChange(this.options());
  }
}
