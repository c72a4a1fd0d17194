// app.js — the page: state, wiring between the form, the engine (the WebAssembly core) and the views.
// Answer first: the result panel (#answer) holds the total and the verdict; one core call (view) per change gives the
// report, the chart's points and the precision × context matrix; the address bar always holds the model and settings.
import { CoreError, engines, loadModel, openOffline, prepareCore, report, release, saveOffline, saved as savedModels, version, view, vocabularies } from './engine.js';
import { registerServiceWorker, watchOnline } from './pwa.js';
import { OfflineView } from './ui/offline.js';
import { badgeSvg } from './ui/badge.js';
import { ErrorView } from './ui/errors.js';
import { ControlsView, ENGINE_NUMBERS } from './ui/controls.js';
import { SummaryView, perGpuBytes, verdictOf } from './ui/summary.js';
import { FitView } from './ui/fit.js';
import { ChartView } from './ui/chart.js';
import { DetailsView } from './ui/details.js';
import { ExportView } from './ui/export.js';
import { GgufView } from './ui/gguf.js';
import { MatrixView, matrixRequest } from './ui/matrix.js';
import { CompareView, MAX_PINS, pinFromText, pinToText } from './ui/compare.js';
import { el } from './ui/dom.js';
import { DEFAULT_ENDPOINT, LINK_OPTION_KEYS, formatBytes, formatCount, optionsFrom, pageUrl, parseModelInput, testHook } from './common.js';
import { rememberedToken, rememberToken } from './token-store.js';
import { EndpointGate } from './endpoint-gate.js';
import { checkLinkOptions } from './link-options.js';
import { TrainingControls, TrainingSummary, TrainingFitView } from './ui/training.js';
import { trainingOptionsFrom, withTraining } from './training-options.js';

// Inside another site's frame, js/frame-guard.js has replaced the page with a link out: the app
// never starts there, so its token field cannot be clicked through an overlay (issue 16 item 7).
if (document.documentElement.dataset.framed === 'true') await new Promise(() => {});

const THEME_KEY = 'vram.theme';
const GPU_KEY = 'vram.gpu';  // the GPU picker, remembered on the device (never with the token)
const $ = (id) => document.getElementById(id);
// Examples of different kinds, one click each (all public on the Hub).
const EXAMPLES = [
  ['mistralai/Mistral-7B-v0.1', 'LLM'], ['deepseek-ai/DeepSeek-R1', 'MoE, 671 B'], ['TheBloke/Llama-2-7B-Chat-GGUF', 'GGUF'],
  ['Qwen/Qwen2.5-VL-7B-Instruct', 'vision'], ['black-forest-labs/FLUX.1-schnell', 'diffusion'],
];

let params = new URLSearchParams(location.search);
const state = { handle: null, loaded: null, controller: null, report: null, options: null, vocab: null, pins: [], handles: new Map() };

// --- endpoint and its Content-Security-Policy ---------------------------------------------------
function normalizeEndpoint(text) {
  try {
    const u = new URL(text || DEFAULT_ENDPOINT);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return DEFAULT_ENDPOINT;
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch { return DEFAULT_ENDPOINT; }
}
const ownEndpoint = normalizeEndpoint(localStorage.getItem('vram.endpoint') || DEFAULT_ENDPOINT);
const endpoint = normalizeEndpoint(params.get('endpoint') || ownEndpoint);
$('endpoint').value = endpoint;
// A link that moves the page to another endpoint asks first; one the page's CSP refuses says so.
const gate = new EndpointGate($('lookup').insertAdjacentElement('beforebegin', el('section', { id: 'endpoint-gate', class: 'card', tabindex: '-1', 'aria-label': 'Hub endpoint' })), {
  endpoint, own: ownEndpoint, fallback: DEFAULT_ENDPOINT,
  onAccept: () => { if ($('model').value.trim()) estimate(); },
  onDecline: (back) => {
    if (back === DEFAULT_ENDPOINT) localStorage.removeItem('vram.endpoint');
    const url = new URL(location.href);
    url.searchParams.delete('endpoint');
    location.replace(url);
  },
});
// Narrow connect-src to this endpoint (and the CDN it redirects to) for the life of the page: a
// second policy can only restrict the static one in index.html. Changing the endpoint reloads.
{
  const origin = new URL(endpoint).origin;
  const local = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin);
  const scheme = origin.slice(0, origin.indexOf(':'));  // the imitation over HTTP/2 is https on loopback
  const cdn = local ? `${scheme}://127.0.0.1:* ${scheme}://localhost:*` : 'https://*.hf.co';
  document.head.append(el('meta', { 'http-equiv': 'Content-Security-Policy', content: `connect-src 'self' ${origin} ${cdn}` }));
}
$('endpoint').addEventListener('change', () => {
  const next = normalizeEndpoint($('endpoint').value);
  if (next === DEFAULT_ENDPOINT) localStorage.removeItem('vram.endpoint'); else localStorage.setItem('vram.endpoint', next);
  const url = new URL(location.href);
  if (next === DEFAULT_ENDPOINT) url.searchParams.delete('endpoint'); else url.searchParams.set('endpoint', next);
  location.replace(url);
});

// --- theme ---------------------------------------------------------------------------------------
const THEMES = ['auto', 'light', 'dark'];
function applyTheme(t) {
  if (t === 'auto') delete document.documentElement.dataset.theme; else document.documentElement.dataset.theme = t;
  $('theme').textContent = `Theme: ${t}`;
  $('theme').setAttribute('aria-label', `Color theme: ${t}`);
}
applyTheme(localStorage.getItem(THEME_KEY) || 'auto');
$('theme').addEventListener('click', () => {
  const next = THEMES[(THEMES.indexOf(localStorage.getItem(THEME_KEY) || 'auto') + 1) % THEMES.length];
  localStorage.setItem(THEME_KEY, next);
  applyTheme(next);
  if (state.report) chart.update(chart.last);  // the chart's colours are read at draw time
});

// --- token: in memory; stored only when "remember" is ticked, for this endpoint only -------------
const stored = rememberedToken(endpoint);
if (stored) { $('token').value = stored; $('remember').checked = true; }
function persistToken() {
  rememberToken(endpoint, $('remember').checked ? $('token').value.trim() : '');
}
$('remember').addEventListener('change', persistToken);
$('token').addEventListener('change', persistToken);

// --- model field: ids or pasted Hub links; search suggestions (the Hub's model search; no token sent) ----
function readModelField() {
  const parsed = parseModelInput($('model').value);
  if (!parsed) return null;
  if (parsed.repo !== $('model').value.trim()) {
    $('model').value = parsed.repo;
    if (parsed.revision) $('revision').value = parsed.revision;
  }
  return parsed.repo;
}
$('model').addEventListener('change', readModelField);
async function hubSearch(q, signal) {
  const res = await fetch(`${endpoint}/api/models?search=${encodeURIComponent(q)}&limit=8&sort=downloads&direction=-1`,
    { signal, referrerPolicy: 'no-referrer', credentials: 'omit' });
  if (!res.ok) return [];
  const list = await res.json();
  return Array.isArray(list) ? list.map((m) => m?.id).filter((id) => typeof id === 'string') : [];
}
let searchTimer = null;
let searchController = null;
$('model').addEventListener('input', () => {
  clearTimeout(searchTimer);
  const q = $('model').value.trim();
  if (q.length < 2 || !gate.open || /^https?:|\//.test(q) && q.includes('://')) return;  // nothing goes to a linked endpoint before the user agrees
  searchTimer = setTimeout(async () => {
    searchController?.abort();
    searchController = new AbortController();
    try {
      const ids = await hubSearch(q, searchController.signal);
      $('model-suggestions').replaceChildren(...ids.map((id) => el('option', { value: id })));
    } catch { /* suggestions are a convenience: a failed search changes nothing */ }
  }, 250);
});
$('examples').append(...EXAMPLES.map(([id, kind]) => el('button', { type: 'button', class: 'chip', 'data-model': id, onclick: () => {
  $('model').value = id;
  $('revision').value = '';
  estimate();
} }, el('span', { text: id.split('/')[1] }), el('small', { text: kind }))));

// --- views ---------------------------------------------------------------------------------------
const errors = new ErrorView($('error'));
const results = $('results');
const roots = Object.fromEntries(['matrix', 'chart', 'gguf', 'fit', 'compare', 'details', 'export'].map((k) => [k, el('div')]));
results.append(...Object.values(roots));
const summary = new SummaryView($('summary-root'), { onPin: () => pinCurrent() });
const fit = new FitView(roots.fit), chart = new ChartView(roots.chart), details = new DetailsView(roots.details);

// Which result views are on screen (an IntersectionObserver, 300 px ahead of the viewport): a change or a load updates
// those before its frame paints and the others right after that frame, so the numbers in view paint sooner and nobody
// sees the rest a frame late (at a load of gpt2 or Mistral-7B, the page's part after the core's answer went from 58 and
// 65 ms to 31 and 32: tests/bench pageLoad's pageMs, old and new page alternating, medians of 6 each, 2026-12-08).
// Not known yet, or no observer: in sight. While the results are hidden (before the first answer, after a failure or
// a refused setting) the observer says "out of sight" for every view; a view that still holds an older answer is then
// updated before the frame, so that it never shows that answer when the results reappear. An empty one can wait: for
// a frame it shows nothing, not a wrong number.
const inSight = new Map();
const sight = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => { for (const e of entries) inSight.set(e.target, e.isIntersecting); }, { rootMargin: '300px' }) : null;
for (const k of ['matrix', 'chart', 'gguf', 'fit', 'details']) sight?.observe(roots[k]);
const outOfSight = new Map();  // root → the latest change's update of that view, run after the frame
function updateView(root, update) {
  if (inSight.get(root) !== false || (results.hidden && root.hasChildNodes())) { outOfSight.delete(root); update(); }
  else outOfSight.set(root, update);
}
function updateOutOfSight() {
  const updates = [...outOfSight.values()];
  outOfSight.clear();
  for (const u of updates) u();
}
// The results step aside (a failed load, a refused setting): the updates kept for them were for an answer that is no
// longer on screen.
function hideResults() {
  results.hidden = true;
  outOfSight.clear();
}
const matrix = new MatrixView(roots.matrix, (o) => { controls.set(o); controls.emit(); });
const gguf = new GgufView(roots.gguf, (file) => { controls.setGguf(true, file); controls.emit(); });
const compare = new CompareView(roots.compare, {
  onRemove: (i) => { state.pins.splice(i, 1); syncAddress(); refreshCompare(); },
  onOpen: (i) => openPin(state.pins[i]),
});
let controls = null;
let training = null;           // the Fine-tuning controls (ui/training.js), built from the core's tables
let trainingSummary = null;
let trainingFit = null;        // which GPUs fit the training step (the core's training gpu_fit), where the fit table goes
const mode = () => document.querySelector('#mode input:checked').value;  // "inference" or "training"

const profileRow = (name) => state.vocab.profiles.find((p) => p.name === name) || state.vocab.profiles[0];
// Options as the address bar keeps them: only what differs from the engine's defaults (the core's table).
function linkOptions(o) {
  const d = profileRow(o.profile).defaults;
  const out = {};
  for (const k of LINK_OPTION_KEYS) {
    const v = o[k];
    if (v === undefined || v === '' || v === null) continue;
    const dv = d[k] === true ? 'on' : d[k] === false ? 'off' : k === 'n_gpu_layers' && d[k] === -1 ? 'all' : d[k];
    if (k !== 'profile' && dv !== undefined && String(dv) === String(v)) continue;
    if (k === 'gguf_file' && v === state.defaultGguf) continue;  // the file the core picks by default
    out[k] = v;
  }
  if (out.profile === state.vocab.profiles[0].name) delete out.profile;
  return out;
}
function currentUrl(options = controls.options()) {
  const model = state.loaded?.repo_id || readModelField();
  const href = pageUrl(new URL('./', location.href), { model, revision: $('revision').value.trim() || 'main', endpoint },
    linkOptions(options), state.pins.map((p) => ['pin', pinToText(p)]));  // never the token
  return mode() === 'training' && training ? withTraining(href, training.options()) : href;
}
// The address bar: replaced on every change of a setting, pushed when another model is loaded (Back returns to it).
function syncAddress(push = false) {
  if (!controls) return;
  const url = currentUrl();
  if (url === location.href) return;
  history[push ? 'pushState' : 'replaceState'](null, '', url);
}

new ExportView(roots.export, {
  json: () => ({ name: `${state.report.model_id.replace('/', '__')}.vram.json`, text: JSON.stringify(state.report, null, 2) + '\n' }),
  markdown: () => report(state.handle, state.options, 'markdown'),
  link: () => currentUrl(),
  modelCard: async () => `${(await report(state.handle, state.options, 'markdown')).trimEnd()}\n\n[Full estimate with every setting](${currentUrl()})\n`,
  badge: () => ({ name: `${state.report.model_id.replace('/', '__')}.vram-badge.svg`, text: badgeSvg(state.report) }),
});

// --- offline: installable app, saved models ------------------------------------------------------
registerServiceWorker($('update'));
watchOnline($('offline'));
const saved = new OfflineView($('saved-models'), {
  list: savedModels.list, remove: savedModels.remove, clear: savedModels.clear,
  open: (r) => { $('model').value = r.repo; $('revision').value = r.revision === 'main' ? '' : r.revision; estimate(); },
});
saved.refresh();

// The chart's contexts: 512 doubling up to the model's max, with the current context among them (it is a point of
// the curve, computed like the others).
function chartContexts(current, maxContext) {
  const set = new Set([current, maxContext]);
  for (let c = 512; c < maxContext; c *= 2) set.add(c);
  return [...set].filter((c) => c > 0 && c <= maxContext).sort((a, b) => a - b);
}

function showNotice(lines) {
  $('link-notice').replaceChildren(...lines.map((t) => el('p', { text: t })));
  $('link-notice').hidden = !lines.length;
}

// Fine-tuning: the core's training report for the GPU chosen above and the training settings; the inference-only
// views (matrix, chart, GPU table, GGUF table, compare) step aside.
// A combination the core refuses: its message in the answer panel, and no total until the settings are valid again —
// the previous result would be a number for other settings.
function showRefused(title, message) {
  $('summary-root').replaceChildren(el('div', { class: 'refused', id: 'refused' }, el('h2', { text: title }), el('p', { text: message })));
  hideResults();
  document.body.dataset.state = 'invalid';
  testHook('__lastReport', null);
}

// A result is on screen: the state, the live announcement and the address bar follow it.
function showResult(r, options, announce) {
  state.report = r;
  state.options = options;
  updateView(roots.details, () => details.update(r));
  results.hidden = false;
  $('answer-empty').hidden = true;
  if ($('announce').textContent !== announce) $('announce').textContent = announce;
  testHook('__lastReport', r);
  // A load ends its own way (estimate()): "done" once the address bar and focus have followed.
  document.body.dataset.state = state.loadingModel ? 'loading' : 'done';
  if (!state.loadingModel) addressAfterPaint();
}

// A change of a setting: the numbers paint first, the address bar follows after that frame (replaceState is
// usually 0.1 ms but 6–22 ms one call in a few here, which would hold the new numbers off the screen). Changes within
// one frame share one replaceState. body[data-address="pending"] says the address has not caught up yet.
let addressPending = false;
function addressAfterPaint() {
  if (addressPending) return;
  addressPending = true;
  document.body.dataset.address = 'pending';
  afterPaint().then(() => {
    updateOutOfSight();  // before the address: body[data-address] cleared means every view shows this change
    addressPending = false;
    delete document.body.dataset.address;
    syncAddress();
  });
}

// Resolves after the browser has had a chance to paint (a frame, then a task), or after 100 ms in a tab that draws no
// frames: a long piece of work split there never makes one long frame.
function afterPaint() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0));
  });
}

// The views only inference has (the fine-tuning view stands them aside).
const INFERENCE_VIEWS = ['matrix', 'chart', 'fit', 'gguf', 'compare'];

async function recomputeTraining(options) {
  const given = { ...options, ...training.options() };
  let r;
  try {
    r = await report(state.handle, given);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    showRefused('No fine-tuning estimate for these settings', e.message);
    return;
  }
  trainingSummary.update(r);
  for (const k of INFERENCE_VIEWS) roots[k].hidden = k !== 'fit';
  updateView(roots.fit, () => trainingFit.update(r));
  showResult(r, given, `${r.model_id}: fine-tuning ${formatBytes(r.training.per_gpu.total_bytes)} per GPU.`);
}

async function recompute(options) {
  if (state.handle === null) return;
  if (mode() === 'training') return recomputeTraining(options);
  for (const k of INFERENCE_VIEWS) roots[k].hidden = false;
  const started = performance.now();
  const model = state.model;
  const current = Number(options.context_tokens) || model.maxContext;
  const mreq = matrixRequest(profileRow(options.profile), model, state.vocab.precisions);
  let answer;
  try {
    answer = await view(state.handle, options, {
      contexts: model.hasKv && model.maxContext ? chartContexts(current, model.maxContext) : [],
      matrix: mreq ? { rows: mreq.rows.map((r) => r.set), contexts: mreq.contexts } : { rows: [], contexts: [] },
    });
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    controls.showError(e.message);
    showRefused('No estimate for these settings', e.message);
    return;
  }
  const r = answer.report;
  controls.showError('');
  controls.showContext(r.context_length);
  const profile = profileRow(options.profile);
  summary.update(r, { profileLabel: profile.label });
  updateView(roots.matrix, () => matrix.update(mreq, answer.matrix, options, r.gpu?.name));
  updateView(roots.gguf, () => gguf.update(r));
  updateView(roots.fit, () => fit.update(r, profile));
  const gpu = state.vocab.gpus.find((g) => g.id === options.gpu);
  updateView(roots.chart, () => chart.update({ points: answer.series, capacity: gpu?.usable_bytes || 0, current: r.context_length, gpuName: gpu?.name || '' }));
  const b = perGpuBytes(r);
  // For scripts/bench: when recompute() started and ended, and when the frame with these numbers ran (its frame
  // callback) and had painted (the first task after it: registered before showResult's, which then updates the views
  // out of sight and the address bar).
  let updated;
  if (globalThis.__VRAM_TEST_HOOKS__) {
    requestAnimationFrame(() => {
      const frame = performance.now();
      setTimeout(() => { testHook('__recomputeAt', { started, updated, frame }); testHook('__paintedAt', performance.now()); }, 0);
    });
  }
  showResult(r, options, `${r.model_id}: ${b.gpus > 1 ? 'per GPU ' : ''}${formatBytes(b.total)}. ${verdictOf(r).text}.`);
  if (state.pins.length && state.pinGpu !== options.gpu) refreshCompare();
  testHook('__lastView', answer);
  updated = performance.now();
  testHook('__recomputeMs', updated - started);
}

// --- did you mean: a name the Hub does not know gets the Hub's own search -------------------------------
async function didYouMean(repo) {
  if (!gate.open) return;
  const name = repo.split('/').pop();
  let ids = [];
  try { ids = (await hubSearch(name)).filter((id) => id !== repo).slice(0, 5); } catch { return; }
  if (!ids.length || $('error').hidden) return;
  $('error').append(el('p', { id: 'did-you-mean' }, 'Did you mean ', ...ids.flatMap((id, i) => [i ? ', ' : '',
    el('button', { type: 'button', class: 'linkish', text: id, onclick: () => { $('model').value = id; estimate(); } })]), '?'));
}

// --- loading a model -----------------------------------------------------------------------------
async function openRepo(repo, revision, { token = '', variant = '', withEngines = false, signal, onProgress } = {}) {
  let failure = null;
  let loaded = await loadModel({ endpoint, repo, revision, token, variant, withEngines, signal, onProgress })
    .catch((e) => { if (!(e instanceof CoreError)) throw e; failure = e; return null; });
  let offlineCopy = null;
  if (failure && ['network', 'transfer_failed', 'timeout', 'rate_limited'].includes(failure.code)) {
    // No saved copy, no store in this browser, or a copy the core cannot read: the network's failure stands.
    offlineCopy = await openOffline(repo, revision, { withEngines }).catch(() => null);
    if (offlineCopy) {
      loaded = offlineCopy.loaded;
      failure = null;
    }
  }
  return { loaded, failure, offlineCopy };
}

async function estimate(event, { push = true } = {}) {
  event?.preventDefault();
  const repo = readModelField();
  if (!repo) { $('model').focus(); return; }
  if (!gate.open) { gate.show(); return; }
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  state.loadingModel = true;
  errors.clear();
  $('cancel').hidden = false;
  $('go').disabled = true;
  $('progress').hidden = false;
  $('progress').removeAttribute('value');
  $('status').textContent = 'Reading the file list…';
  document.body.dataset.state = 'loading';
  const token = $('token').value.trim();
  const revision = $('revision').value.trim() || 'main';
  if (repo !== state.variantRepo) $('variant').value = '';  // a variant belongs to the repo it was chosen for
  const { loaded, failure, offlineCopy } = await openRepo(repo, revision, {
    token, withEngines: true, variant: $('variant').value, signal: controller.signal,
    onProgress: (p) => {
      if (!p.files_total) { $('status').textContent = p.stage === 'manifests' ? 'Reading config and manifests…' : 'Reading the file list…'; return; }
      $('progress').max = p.files_total;
      $('progress').value = p.files_done;
      $('status').textContent = `Reading headers: ${p.files_done} of ${p.files_total} files, ${formatBytes(p.bytes)}`;
    },
  });
  if (state.controller !== controller) return;  // a newer lookup took over
  state.loadingModel = false;
  $('cancel').hidden = true;
  $('go').disabled = false;
  $('progress').hidden = true;
  if (failure) {
    document.body.dataset.state = 'error';
    $('status').textContent = failure.code === 'cancelled' ? 'Cancelled.' : '';
    if (failure.code === 'cancelled') return;
    hideResults();
    $('controls').hidden = true;
    $('summary-root').replaceChildren();
    $('answer-empty').hidden = false;
    errors.show(failure, { repo, endpoint, hadToken: !!token, online: navigator.onLine });
    if (failure.code === 'repo_not_found') didYouMean(repo);
    return;
  }
  if (state.handle !== null && !state.pins.some((p) => state.handles.get(`${p.model}@${p.revision}`)?.handle === state.handle)) release(state.handle);
  state.handle = loaded.handle;
  state.loaded = { ...loaded, revision };
  testHook('__loadStats', loaded.stats ?? null);  // the core's request statistics (none for an offline copy)
  // Which engines the core refuses for this model, and why (e.g. llama.cpp on a safetensors repo); `first`: the report
  // of the first engine that takes it (its model-level fields: layout, architecture, files, variants).
  const { refused, first } = await engines(state.handle);
  const isGguf = first.layout === 'gguf';
  state.defaultGguf = first.gguf_file;
  state.model = { maxContext: first.architecture.max_context || 0, hasKv: !!first.kv_bytes_per_token, gguf: isGguf };
  if (offlineCopy) {
    $('status').textContent = `Offline copy of ${loaded.repo_id} at commit ${loaded.sha.slice(0, 7)}, saved ${offlineCopy.savedAt.slice(0, 10)}: every setting works.`;
    document.body.dataset.source = 'offline';
  } else {
    $('status').textContent = `Read ${first.weight_files} weight file${first.weight_files === 1 ? '' : 's'} of ${loaded.repo_id} at commit ${loaded.sha.slice(0, 7)} with ${loaded.stats.requests} requests.`;
    document.body.dataset.source = 'network';
  }
  controls.setModel({ maxContext: first.architecture.max_context, hasKv: state.model.hasKv, refused });
  // Repos with several copies of the weights (fp16 beside fp32): say which is counted; switching reloads.
  state.variantRepo = repo;
  $('variant').replaceChildren(el('option', { value: '', text: 'Default files' }),
    ...(first.variants || []).map((v) => el('option', { value: v, text: `${v} variant` })));
  $('variant').value = first.variant || '';
  $('variant-row').hidden = !(first.variants || []).length;
  controls.setGguf(isGguf, isGguf ? (params.get('gguf_file') || first.gguf_file) : '');
  const current = controls.options().profile;
  if (isGguf && !params.get('profile') && current === state.vocab.profiles[0].name && !refused['llama.cpp']) {
    controls.set({ profile: 'llama.cpp' });
    controls.note(`A GGUF repo: the page opened it with ${profileRow('llama.cpp').label}, the engine that reads GGUF files.`);
  } else if (refused[current]) {
    const to = isGguf && !refused['llama.cpp'] ? 'llama.cpp' : state.vocab.profiles.find((p) => !refused[p.name])?.name;
    if (to) {
      controls.note(`${profileRow(current).label} cannot estimate this model (${refused[current]}); showing ${profileRow(to).label}.`);
      controls.set({ profile: to });
    }
  }
  $('controls').hidden = mode() === 'training';
  $('training-controls').hidden = mode() !== 'training';
  state.loadingModel = true;
  await recompute(controls.options());
  // The answer paints first; the views out of sight, the address bar and the focus follow after that frame (they, the
  // pushState and the layout that focus forces would otherwise lengthen the load's last task).
  await afterPaint();
  if (state.controller !== controller) return;  // a newer lookup took over (and owns loadingModel)
  state.loadingModel = false;
  // The answer is on screen: the load is done. The address bar (pushState took 1-25 ms here) and the focus follow
  // in the next task; body[data-address="pending"] says so until they have.
  document.body.dataset.address = 'pending';
  // A control changed in between may have been refused ("invalid", no total) or answered ("loading", a total).
  if (document.body.dataset.state === 'loading') document.body.dataset.state = 'done';
  setTimeout(() => {
    if (state.controller === controller) {
      updateOutOfSight();  // before the address, as after a change: body[data-address] cleared means every view is current
      syncAddress(push);
      $('answer').focus({ preventScroll: matchMedia('(min-width: 1000px)').matches });
    }
    if (!addressPending) delete document.body.dataset.address;
  }, 0);
  // Keep the metadata for offline use (keyed by repo and commit; never the token) once the answer is on screen: the
  // core's worker serialises and stores it, off this thread.
  if (!offlineCopy) {
    saveOffline({ handle: loaded.handle, repo: loaded.repo_id, typed: repo, revision, sha: loaded.sha })
      .then(() => saved.refresh(), () => { /* storage full or refused: online use is unaffected */ });
  }
}

// --- compare -------------------------------------------------------------------------------------
async function handleFor(pin) {
  const key = `${pin.model}@${pin.revision}`;
  if (state.loaded && state.loaded.repo_id === pin.model && state.loaded.revision === pin.revision) return state.handle;
  if (!state.handles.has(key)) {
    state.handles.set(key, openRepo(pin.model, pin.revision, { token: $('token').value.trim() }).then(({ loaded, failure }) => {
      if (failure) { state.handles.delete(key); throw failure; }
      return loaded.handle;
    }));
  }
  return state.handles.get(key);
}
async function refreshCompare() {
  const gpu = controls?.gpu.value || '';
  state.pinGpu = gpu;
  const items = await Promise.all(state.pins.map(async (pin) => {
    try {
      return { pin, report: await report(await handleFor(pin), { ...pin.options, gpu }) };
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      return { pin, error: e.message };
    }
  }));
  compare.update(items);
  testHook('__compare', items.map((i) => i.report ? perGpuBytes(i.report).total : null));
}
function pinCurrent() {
  const o = { ...linkOptions(controls.options()) };
  delete o.gpu;  // every pin is checked against the GPU chosen now
  const pin = { model: state.loaded.repo_id, revision: state.loaded.revision, options: { ...o, profile: controls.options().profile } };
  const text = pinToText(pin);
  if (state.pins.some((p) => pinToText(p) === text)) return;
  if (state.pins.length >= MAX_PINS) state.pins.shift();
  state.pins.push(pin);
  syncAddress();
  refreshCompare();
}
function openPin(pin) {
  controls.set(pin.options);
  if (state.loaded?.repo_id === pin.model && state.loaded.revision === pin.revision) { controls.emit(); return; }
  $('model').value = pin.model;
  $('revision').value = pin.revision === 'main' ? '' : pin.revision;
  estimate();
}

// --- settings from the address: a value the core's tables do not accept is named, and its default used ----
function applyParams({ first = false } = {}) {
  const { options, problems } = checkLinkOptions(optionsFrom((k) => params.get(k)), state.vocab);
  if (first && !params.has('gpu')) options.gpu = localStorage.getItem(GPU_KEY) || '';
  if (!first && !params.has('gpu')) options.gpu = controls.gpu.value;
  for (const k of ['profile', 'precision', 'kv_dtype', 'tp', 'batch', 'context_tokens', 'n_gpu_layers', 'flash_attention'])
    if (options[k] === undefined) options[k] = k === 'context_tokens' ? 'max' : k === 'profile' ? state.vocab.profiles[0].name : profileRow(options.profile).defaults[k];
  // Settings a link may leave out whose default is not in the engine's row: off, and the engine's or the pipeline's own
  // number (a link without them, reached by Back, must not keep the previous link's values).
  for (const k of ['model_cpu_offload', 'enforce_eager']) options[k] ??= 'off';
  for (const k of ['height', 'width', ...ENGINE_NUMBERS]) options[k] ??= 'default';
  controls.set(options);
  state.pins = params.getAll('pin').map(pinFromText).filter(Boolean).slice(0, MAX_PINS);
  if (params.getAll('pin').length > state.pins.length) problems.push('A pinned result in the link could not be read and was left out.');
  showNotice(problems.map((p) => `${p} — the page uses the default instead.`));
}

async function main() {
  state.vocab = await vocabularies();
  testHook('__vocab', state.vocab);
  $('version').textContent = await version();
  $('gpu').replaceChildren(el('option', { value: '', text: 'Choose your GPU…' }),
    ...state.vocab.gpus.map((g) => el('option', { value: g.id, text: `${g.name} — ${formatCount(Math.round(g.usable_bytes / 2 ** 30))} GiB` })));
  $('gpu').addEventListener('change', () => localStorage.setItem(GPU_KEY, $('gpu').value));
  controls = new ControlsView($('controls'), state.vocab, $('gpu'), (o) => recompute(o));
  training = new TrainingControls($('training-controls'), state.vocab, () => recompute(controls.options()));
  trainingSummary = new TrainingSummary($('summary-root'), state.vocab);
  trainingFit = new TrainingFitView(roots.fit, state.vocab);
  const fromLink = trainingOptionsFrom((k) => params.get(k), state.vocab);
  if (fromLink.train) {
    training.set(fromLink);
    document.querySelector('#mode input[value="training"]').checked = true;
  }
  const showMode = () => {
    $('training-controls').hidden = mode() !== 'training' || state.handle === null;
    $('controls').hidden = mode() === 'training' || state.handle === null;
    if (state.handle !== null) recompute(controls.options());
  };
  for (const r of document.querySelectorAll('#mode input')) r.addEventListener('change', showMode);
  applyParams({ first: true });
  if (params.get('model')) $('model').value = params.get('model');
  if (params.get('revision')) $('revision').value = params.get('revision');
  $('lookup').addEventListener('submit', estimate);
  $('variant').addEventListener('change', () => estimate());
  $('cancel').addEventListener('click', () => state.controller?.abort());
  // Back and Forward: the address holds the model and settings; another model reloads, the same one recomputes.
  addEventListener('popstate', () => {
    params = new URLSearchParams(location.search);
    applyParams();
    const model = params.get('model') || '';
    const revision = params.get('revision') || 'main';
    if (model && (model !== state.loaded?.repo_id || revision !== state.loaded?.revision)) {
      $('model').value = model;
      $('revision').value = revision === 'main' ? '' : revision;
      estimate(null, { push: false });
    } else if (state.handle !== null) {
      recompute(controls.options());
      refreshCompare();
    }
  });
  document.body.dataset.ready = 'true';
  // The form is filled from the build's copy of the core's tables (js/vocab.js); the core itself (the wasm and its
  // glue, ~225 KiB gzip) loads on the first sign of use — the model field focused or typed in, an example, the button or
  // a saved model pointed at — while the visitor types, and with any load (engine.js prepareCore).
  const wake = () => { prepareCore().catch(() => { /* the load that follows reports it */ }); };
  for (const [id, types] of [['model', ['focus', 'input', 'pointerover']], ['examples', ['pointerover', 'focusin']],
    ['go', ['pointerover', 'focusin']], ['saved-models', ['pointerover', 'focusin']]])
    for (const type of types) $(id).addEventListener(type, wake, { once: true });
  // While the visitor types a model id, open the connection to the Hub (DNS, TCP, TLS), so that the first request of
  // a load does not wait for it. Anonymous, as the core's requests are (no cookies; a token goes in a header). Only to
  // an endpoint the visitor has accepted: nothing goes to a linked endpoint before that.
  if (gate.open) document.head.append(el('link', { rel: 'preconnect', href: new URL(endpoint).origin, crossorigin: 'anonymous' }));
  if (state.pins.length) refreshCompare();
  if (!gate.open) gate.show();
  else if (params.get('model')) estimate(null, { push: false });
}
main();
