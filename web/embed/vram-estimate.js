// <vram-estimate model="org/name" precision="int4" context="8192" gpu="rtx-4090"></vram-estimate>
// One script tag from the hosted site defines the element:
//   <script type="module" src="https://…/embed/vram-estimate.js"></script>
// It renders the compact estimate in its Shadow DOM with the same WebAssembly core as the page
// (loaded from the site that serves this file). Attributes: model (required), revision, precision,
// context, batch, profile, kv-dtype, tp, gpu, endpoint, theme (light by default, dark, auto). Public models only: no
// token is taken.
// Fine-tuning: mode="full|lora|qlora|freeze" and the training rows of the core's option table under their CLI
// spellings (lora-rank, seq-len, micro-batch, optimizer, grad-checkpointing, gpus, zero, offload …; see
// js/training-options.js); the element then shows the per-GPU peak of one training step.
import { CoreError, loadModel, report, vocabularies } from '../js/engine.js';
import { DEFAULT_ENDPOINT, LINK_OPTION_KEYS, optionsFrom, pageUrl } from '../js/common.js';
import { compactView, compactError, compactTrainingView } from '../js/ui/compact.js';
import { trainingNames, trainingOptionsFrom, withTraining } from '../js/training-options.js';

const SITE = new URL('../', import.meta.url);
// model, revision, endpoint, and every option a link carries, in both spellings (context / context_tokens …).
const ATTRS = ['model', 'revision', 'endpoint', 'theme',
  ...LINK_OPTION_KEYS.flatMap((k) => [k, k === 'context_tokens' ? 'context' : k.replace(/_/g, '-')])];

class VramEstimate extends HTMLElement {
  static get observedAttributes() { return ATTRS; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    const style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = new URL('css/embed.css', SITE).href;
    this.body = document.createElement('div');
    this.body.className = 'loading';
    this.body.textContent = 'Estimating GPU memory…';
    this.shadowRoot.append(style, this.body);
    this.run = 0;
  }

  connectedCallback() {
    // The training attributes' names come from the core's table (known once the core is loaded): watched here.
    this.observer ??= new MutationObserver((changes) => {
      if (this.trainingNames && changes.some((c) => this.trainingNames.has(c.attributeName) && !ATTRS.includes(c.attributeName)))
        this.render();
    });
    this.observer.observe(this, { attributes: true });
    this.render();
  }
  disconnectedCallback() { this.observer?.disconnect(); }
  attributeChangedCallback() { if (this.isConnected) this.render(); }

  async render() {
    const run = ++this.run;
    const model = this.getAttribute('model');
    const revision = this.getAttribute('revision') || 'main';
    const endpoint = this.getAttribute('endpoint') || DEFAULT_ENDPOINT;
    const options = optionsFrom((k) => this.getAttribute(k));
    let full = model ? pageUrl(SITE, { model, revision, endpoint }, options) : null;
    const show = (node, state) => {
      if (run !== this.run) return;
      this.body.replaceWith(node);
      this.body = node;
      this.dataset.state = state;
      this.dispatchEvent(new CustomEvent(`vram-${state}`, { bubbles: true, composed: true }));
    };
    const theme = this.getAttribute('theme');  // light (default), dark or auto
    if (!model) return show(compactError({ message: 'Set the model attribute, e.g. model="org/name".' }, null, theme), 'error');
    const key = `${endpoint} ${model} ${revision}`;
    let r, vocab;
    try {
      vocab = await vocabularies();
      this.trainingNames = new Set(trainingNames(vocab));
      const training = trainingOptionsFrom((k) => this.getAttribute(k), vocab);
      full = withTraining(full, training);
      Object.assign(options, training);
      if (this.loadedKey !== key) {
        const loaded = await loadModel({ endpoint, repo: model, revision });
        this.handle = loaded.handle;
        this.loadedKey = key;
      }
      r = await report(this.handle, options);
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      return show(compactError(e, full, theme), 'error');
    }
    this.report = r;
    show(r.training ? compactTrainingView(r, full, vocab.training.parts, theme) : compactView(r, full, theme), 'done');
  }
}

if (!customElements.get('vram-estimate')) customElements.define('vram-estimate', VramEstimate);
