// embed.html?model=…&precision=…&context=…&gpu=… — the compact view, for iframes.
// embed.html?model=…&mode=qlora&lora-rank=16&seq-len=2048&gpu=rtx-4090 — the fine-tuning view (training-options.js).
import { CoreError, loadModel, report, vocabularies } from './engine.js';
import { DEFAULT_ENDPOINT, optionsFrom, pageUrl, testHook } from './common.js';
import { compactView, compactError, compactTrainingView } from './ui/compact.js';
import { trainingOptionsFrom, withTraining } from './training-options.js';

const params = new URLSearchParams(location.search);
const root = document.getElementById('root');
const model = params.get('model');
const revision = params.get('revision') || 'main';
const endpoint = params.get('endpoint') || DEFAULT_ENDPOINT;
const options = optionsFrom((k) => params.get(k));
let full = model ? pageUrl(new URL('./', location.href), { model, revision, endpoint }, options) : null;
const theme = params.get('theme');
// The frame's canvas follows the theme too (a dark canvas behind a light card shows at its rounded corners).
document.querySelector('meta[name="color-scheme"]').content = theme === 'dark' ? 'dark' : theme === 'auto' ? 'light dark' : 'light';

// The host page sizes the iframe from this message: {type: "vram-estimate:height", height} in CSS pixels, sent on
// every change of the view's height (any origin may embed the view, and the height is not a secret).
function reportHeight() {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height && window.parent !== window) window.parent.postMessage({ type: 'vram-estimate:height', height }, '*');
  testHook('__embedHeight', height);
}
if (typeof ResizeObserver === 'function') new ResizeObserver(reportHeight).observe(document.documentElement);

async function run() {
  if (!model) {
    root.replaceChildren(compactError({ message: 'No model given: add ?model=org/name to the address.' }, null, theme));
    return;
  }
  let r, vocab;
  try {
    vocab = await vocabularies();
    const training = trainingOptionsFrom((k) => params.get(k), vocab);
    full = withTraining(full, training);
    const loaded = await loadModel({ endpoint, repo: model, revision });
    r = await report(loaded.handle, { ...options, ...training });
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    root.replaceChildren(compactError(e, full, theme));
    document.body.dataset.state = 'error';
    return;
  }
  root.replaceChildren(r.training ? compactTrainingView(r, full, vocab.training.parts, theme) : compactView(r, full, theme));
  document.body.dataset.state = 'done';
  testHook('__lastReport', r);
}
run();
