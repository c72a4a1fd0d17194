// embed.html?model=…&precision=…&context=…&gpu=… — the compact view, for iframes.
import { CoreError, loadModel, report } from './engine.js';
import { DEFAULT_ENDPOINT, optionsFrom, pageUrl, testHook } from './common.js';
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
  let r;
  try {
    const loaded = await loadModel({ endpoint, repo: model, revision });
    r = await report(loaded.handle, options);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    root.replaceChildren(compactError(e, full));
    document.body.dataset.state = 'error';
    return;
  }
  root.replaceChildren(compactView(r, full));
  document.body.dataset.state = 'done';
  testHook('__lastReport', r);
}
run();
