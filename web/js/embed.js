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

async function run() {
  if (!model) {
    root.replaceChildren(compactError({ message: 'No model given: add ?model=org/name to the address.' }, null));
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
    root.replaceChildren(compactError(e, full));
    document.body.dataset.state = 'error';
    return;
  }
  root.replaceChildren(r.training ? compactTrainingView(r, full, vocab.training.parts) : compactView(r, full));
  document.body.dataset.state = 'done';
  testHook('__lastReport', r);
}
run();
