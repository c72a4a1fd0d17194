// Every error the core reports, with a message and the next step a person can take.
import { el } from './dom.js';
import { DEFAULT_ENDPOINT } from '../common.js';

// A model's page and its terms live on the Hub itself, whichever endpoint served the metadata.
const modelPage = (repo) => `${DEFAULT_ENDPOINT}/${repo}`;

/** Returns {title, steps: [text|node], focus: element id or null}. */
export function explain(error, { repo, endpoint, hadToken, online }) {
  const link = (href, text) => el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text);
  switch (error.code) {
    case 'gated':
      return hadToken
        ? { title: 'Your token has no access to this gated model',
            steps: [el('span', {}, 'Open ', link(modelPage(repo), `the model page of ${repo}`), ', accept its terms with the same account, then try again.')], focus: 'token' }
        : { title: 'This model is gated: it needs an access token',
            steps: [el('span', {}, 'Accept its terms on ', link(modelPage(repo), `the model page of ${repo}`), ', then paste a token from ', link('https://huggingface.co/settings/tokens', 'your token settings'), ' in the token field.')], focus: 'token' };
    case 'invalid_token':
      return { title: 'The token was refused', steps: [el('span', {}, 'Check it, or create a new one in ', link('https://huggingface.co/settings/tokens', 'your token settings'), '.')], focus: 'token' };
    case 'repo_not_found':
      return { title: `No model “${repo}”`, steps: [hadToken ? 'Check the spelling; your token cannot see a repo of this name.' : 'Check the spelling. If the repo is private, paste a token that can read it.'], focus: 'model' };
    case 'revision_not_found':
      return { title: 'No such revision', steps: ['Check the branch, tag or commit in the revision field, or leave it empty for main.'], focus: 'revision' };
    case 'entry_not_found':
      return { title: 'A file the repo points to is missing', steps: ['The repo names a weight file that is not there (an index listing a missing shard, say). Try another revision.'], focus: 'revision' };
    case 'no_weights':
      return { title: 'No safetensors or GGUF weights in this repo', steps: [error.message,
        'Look for a safetensors or GGUF version of this model (often the same name under another org).'], focus: 'model' };
    case 'rate_limited':
      return { title: 'The Hub is rate-limiting requests', steps: ['Wait a few minutes and try again. Signed-in requests (with a token) get a higher limit.'], focus: null };
    case 'timeout':
      return { title: 'The Hub took too long to answer', steps: ['Try again; a slow connection or a very large repo can cause this.'], focus: null };
    case 'network':
      if (online === false) return { title: 'You are offline', steps: ['Connect to the network, or pick a model you looked up before (they work offline).'], focus: null };
      if (endpoint && endpoint !== DEFAULT_ENDPOINT)
        return { title: `The endpoint ${endpoint} did not answer this page`, steps: ['It is unreachable, or it refuses cross-origin requests (CORS) from this page. Check the endpoint setting, or use https://huggingface.co.'], focus: 'endpoint' };
      return { title: 'Could not reach the Hub', steps: ['Check your connection and try again.'], focus: null };
    case 'transfer_failed':
      return { title: 'The Hub’s answer broke off', steps: ['It started to answer, then the transfer stopped (a cut body or a redirect loop). Try again; a proxy or a flaky connection can cause this. No estimate is made from a partial answer.'], focus: null };
    case 'http_error':
      return { title: 'The Hub answered with an error', steps: [error.message, 'The fault is on the server’s side; try again later.'], focus: null };
    case 'bad_response':
      return { title: 'The Hub’s answer was not what the protocol says', steps: [error.message, 'A proxy, a captive portal or a misbehaving mirror can cause this; no estimate is made from such an answer.'], focus: null };
    case 'cancelled':
      return { title: 'Cancelled', steps: [], focus: null };
    case 'invalid_argument':
      return { title: 'That input cannot be estimated', steps: [error.message], focus: 'model' };
    case 'invalid_option':
      return { title: 'A setting is out of range', steps: [error.message], focus: null };
    case 'out_of_memory':
      return { title: 'This tab ran out of memory', steps: [error.message, 'The repo’s metadata is too large for the page; the command line has no such limit.'], focus: null };
    default:
      return { title: 'This repo’s metadata is malformed', steps: [error.message, 'The estimate would be wrong, so none is shown.'], focus: null };
  }
}

export class ErrorView {
  constructor(root) { this.root = root; }
  show(error, context) {
    const e = explain(error, context);
    this.root.replaceChildren(el('h2', { text: e.title }), ...e.steps.map((s) => el('p', {}, s)),
      el('p', { class: 'code', text: `${error.code}: ${error.message}` }));
    this.root.hidden = false;
    const target = e.focus ? document.getElementById(e.focus) : null;
    if (target) {
      target.closest('details')?.setAttribute('open', '');  // the endpoint setting is folded away
      target.focus();
    } else {
      this.root.focus();
    }
  }
  clear() { this.root.hidden = true; this.root.replaceChildren(); }
}
