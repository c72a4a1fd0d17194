// embed.html?model=…&precision=…&context=…&gpu=… — the compact view, for iframes.
import { loadModel, report } from './engine.js';
import { DEFAULT_ENDPOINT, optionsFrom, pageUrl, testHook } from './shared.js';
import { compactView, compactError } from './ui/compact.js';

const params = new URLSearchParams(location.search);
const root = document.getElementById('root');
const model = params.get('model');
const revision = params.get('revision') || 'main';
const endpoint = params.get('endpoint') || DEFAULT_ENDPOINT;
const options = optionsFrom((k) => params.get(k));
const full = model ? pageUrl(new URL('./', location.href), { model, revision, endpoint }, options) : null;

async function run() {
  if (!model) {
    root.replaceChildren(compactError({ message: 'No model given: add ?model=org/name to the address.' }, null));
    return;
  }
  const loaded = await loadModel({ endpoint, repo: model, revision });
  if (!loaded.ok) { root.replaceChildren(compactError(loaded.error, full)); document.body.dataset.state = 'error'; return; }
  const r = await report(loaded.handle, options);
  if (r.ok === false) { root.replaceChildren(compactError(r.error, full)); document.body.dataset.state = 'error'; return; }
  root.replaceChildren(compactView(r, full));
  document.body.dataset.state = 'done';
  testHook('__lastReport', r);
}
run();
