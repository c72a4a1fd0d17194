// app.js — the page: state, wiring between the form, the engine (the WebAssembly core) and the views.
import { CoreError, core, loadModel, loadSnapshot, report, release, series, snapshot } from './engine.js';
import * as store from './store.js';
import { registerServiceWorker, watchOnline } from './pwa.js';
import { OfflineView } from './ui/offline.js';
import { badgeSvg } from './ui/badge.js';
import { ErrorView } from './ui/errors.js';
import { ControlsView } from './ui/controls.js';
import { SummaryView } from './ui/summary.js';
import { FitView } from './ui/fit.js';
import { ChartView } from './ui/chart.js';
import { DetailsView } from './ui/details.js';
import { ExportView } from './ui/export.js';
import { GgufView } from './ui/gguf.js';
import { el } from './ui/dom.js';
import { DEFAULT_ENDPOINT, formatBytes, optionsFrom, pageUrl, testHook } from './common.js';
import { rememberedToken, rememberToken } from './token-store.js';
import { EndpointGate } from './endpoint-gate.js';

// Inside another site's frame, js/frame-guard.js has replaced the page with a link out: the app
// never starts there, so its token field cannot be clicked through an overlay (issue 16 item 7).
if (document.documentElement.dataset.framed === 'true') await new Promise(() => {});

const THEME_KEY = 'vram.theme';
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = { handle: null, loaded: null, controller: null, report: null, gpus: [], vocab: null };

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
  const local = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin);
  const cdn = local ? 'http://127.0.0.1:* http://localhost:*' : 'https://*.hf.co';
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
});

// --- token: in memory; stored only when "remember" is ticked, for this endpoint only -------------
const stored = rememberedToken(endpoint);
if (stored) { $('token').value = stored; $('remember').checked = true; }
function persistToken() {
  rememberToken(endpoint, $('remember').checked ? $('token').value.trim() : '');
}
$('remember').addEventListener('change', persistToken);
$('token').addEventListener('change', persistToken);

// --- model search suggestions (the Hub's model search; no token sent) ---------------------------
let searchTimer = null;
let searchController = null;
$('model').addEventListener('input', () => {
  clearTimeout(searchTimer);
  const q = $('model').value.trim();
  if (q.length < 2 || !gate.open) return;  // nothing goes to a linked endpoint before the user agrees
  searchTimer = setTimeout(async () => {
    searchController?.abort();
    searchController = new AbortController();
    try {
      const res = await fetch(`${endpoint}/api/models?search=${encodeURIComponent(q)}&limit=10&sort=downloads&direction=-1`,
        { signal: searchController.signal, referrerPolicy: 'no-referrer', credentials: 'omit' });
      if (!res.ok) return;
      const list = await res.json();
      if (!Array.isArray(list)) return;
      $('model-suggestions').replaceChildren(...list.filter((m) => typeof m?.id === 'string').map((m) => el('option', { value: m.id })));
    } catch { /* suggestions are a convenience: a failed search changes nothing */ }
  }, 250);
});

// --- views ---------------------------------------------------------------------------------------
const errors = new ErrorView($('error'));
const results = $('results');
const summaryRoot = el('div'), ggufRoot = el('div'), fitRoot = el('div'), chartRoot = el('div'), detailsRoot = el('div'), exportRoot = el('div');
results.append(summaryRoot, ggufRoot, chartRoot, fitRoot, detailsRoot, exportRoot);
const summary = new SummaryView(summaryRoot), fit = new FitView(fitRoot), chart = new ChartView(chartRoot), details = new DetailsView(detailsRoot);
const gguf = new GgufView(ggufRoot, (file) => { controls.setGguf(true, file); recompute(controls.options()); });
let controls = null;

function shareLink() {
  return pageUrl(new URL('./', location.href), { model: state.loaded.repo_id, revision: state.loaded.revision, endpoint },
    controls.options());  // never the token
}

new ExportView(exportRoot, {
  json: () => ({ name: `${state.report.model_id.replace('/', '__')}.vram.json`, text: JSON.stringify(state.report, null, 2) + '\n' }),
  markdown: () => report(state.handle, state.options, 'markdown'),
  link: shareLink,
  modelCard: async () => `${(await report(state.handle, state.options, 'markdown')).trimEnd()}\n\n[Full estimate with every setting](${shareLink()})\n`,
  badge: () => ({ name: `${state.report.model_id.replace('/', '__')}.vram-badge.svg`, text: badgeSvg(state.report) }),
});

// --- offline: installable app, saved models ------------------------------------------------------
registerServiceWorker($('update'));
watchOnline($('offline'));
const saved = new OfflineView($('saved-models'), {
  list: () => store.list(), remove: (k) => store.remove(k), clear: () => store.clear(),
  open: (r) => { $('model').value = r.repo; $('revision').value = r.revision === 'main' ? '' : r.revision; estimate(); },
});
saved.refresh();

// Chart points: the per-GPU total at contexts from 512 to the model's max, computed by the core
// in one call.
async function chartPoints(options, maxContext) {
  const contexts = [];
  for (let c = 512; c < maxContext; c *= 2) contexts.push(c);
  contexts.push(maxContext);
  const totals = await series(state.handle, options, contexts);
  return contexts.map((context, i) => ({ context, bytes: totals[i] }));
}

async function recompute(options) {
  if (state.handle === null) return;
  const started = performance.now();
  let r;
  try {
    r = await report(state.handle, options);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    // A combination the core refuses: its message, and no total until the settings are valid again — the
    // previous result would be a number for other settings.
    controls.showError(e.message);
    results.hidden = true;
    document.body.dataset.state = 'invalid';
    testHook('__lastReport', null);
    return;
  }
  controls.showError('');
  state.report = r;
  state.options = options;
  summary.update(r);
  gguf.update(r);
  fit.update(r);
  details.update(r);
  const gpu = state.gpus.find((g) => g.id === options.gpu);
  if (r.kv_bytes_per_token) {
    chart.update({ points: await chartPoints(options, r.architecture.max_context || 131072), capacity: gpu?.usable_bytes || 0,
      current: r.context_length, gpuName: gpu?.name || '' });
  } else chart.update({ points: [] });
  results.hidden = false;
  document.body.dataset.state = 'done';
  testHook('__lastReport', r);
  testHook('__recomputeMs', performance.now() - started);
}

// --- loading a model -----------------------------------------------------------------------------
async function estimate(event) {
  event?.preventDefault();
  const repo = $('model').value.trim();
  if (!repo) { $('model').focus(); return; }
  if (!gate.open) { gate.show(); return; }
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  errors.clear();
  $('cancel').hidden = false;
  $('go').disabled = true;
  $('progress').hidden = false;
  $('progress').removeAttribute('value');
  $('status').textContent = 'Reading the file list…';
  document.body.dataset.state = 'loading';
  const token = $('token').value.trim();
  if (repo !== state.variantRepo) $('variant').value = '';  // a variant belongs to the repo it was chosen for
  let loaded, failure = null;
  loaded = await loadModel({
    endpoint, repo, revision: $('revision').value.trim() || 'main', token, variant: $('variant').value, signal: controller.signal,
    onProgress: (p) => {
      if (!p.files_total) { $('status').textContent = p.stage === 'manifests' ? 'Reading config and manifests…' : 'Reading the file list…'; return; }
      $('progress').max = p.files_total;
      $('progress').value = p.files_done;
      $('status').textContent = `Reading headers: ${p.files_done} of ${p.files_total} files, ${formatBytes(p.bytes)}`;
    },
  }).catch((e) => { if (!(e instanceof CoreError)) throw e; failure = e; return null; });
  if (state.controller !== controller) return;  // a newer lookup took over
  $('cancel').hidden = true;
  $('go').disabled = false;
  $('progress').hidden = true;
  let offlineCopy = null;
  if (failure && ['network', 'timeout', 'rate_limited'].includes(failure.code)) {
    offlineCopy = await store.find(repo, $('revision').value.trim() || 'main').catch(() => null);
    if (offlineCopy) {
      try {
        loaded = await loadSnapshot(offlineCopy.snapshot);
        failure = null;
      } catch (e) {
        if (!(e instanceof CoreError)) throw e;
      }
    }
  }
  if (failure) {
    document.body.dataset.state = 'error';
    $('status').textContent = failure.code === 'cancelled' ? 'Cancelled.' : '';
    if (failure.code === 'cancelled') return;
    results.hidden = true;
    $('controls').hidden = true;
    errors.show(failure, { repo, endpoint, hadToken: !!token, online: navigator.onLine });
    return;
  }
  if (state.handle !== null) release(state.handle);
  state.handle = loaded.handle;
  state.loaded = { ...loaded, revision: $('revision').value.trim() || 'main' };
  const first = await report(state.handle, { profile: 'classic' });
  if (offlineCopy) {
    $('status').textContent = `Offline copy of ${loaded.repo_id} at commit ${loaded.sha.slice(0, 7)}, saved ${offlineCopy.savedAt.slice(0, 10)}: every setting works.`;
    document.body.dataset.source = 'offline';
  } else {
    $('status').textContent = `Read ${first.weight_files} weight file${first.weight_files === 1 ? '' : 's'} of ${loaded.repo_id} at commit ${loaded.sha.slice(0, 7)} with ${loaded.stats.requests} requests.`;
    document.body.dataset.source = 'network';
    // Keep the metadata for offline use (keyed by repo and commit; never the token) — once the
    // result is on screen, so that serialising a large snapshot never delays it.
    setTimeout(async () => {
      try {
        await store.save({ repo: loaded.repo_id, typed: repo, revision: state.loaded.revision, sha: loaded.sha, snapshot: await snapshot(loaded.handle) });
        saved.refresh();
      } catch { /* storage full or refused: online use is unaffected */ }
    }, 0);
  }
  controls.setModel({ maxContext: first.architecture.max_context, hasKv: !!first.kv_bytes_per_token });
  // Repos with several copies of the weights (fp16 beside fp32): say which is counted; switching reloads.
  state.variantRepo = repo;
  $('variant').replaceChildren(el('option', { value: '', text: 'Default files' }),
    ...(first.variants || []).map((v) => el('option', { value: v, text: `${v} variant` })));
  $('variant').value = first.variant || '';
  $('variant-row').hidden = !(first.variants || []).length;
  const isGguf = first.layout === 'gguf';
  controls.setGguf(isGguf, isGguf ? (params.get('gguf_file') || first.gguf_file) : '');
  if (isGguf && !params.get('profile') && controls.options().profile === 'classic') controls.set({ profile: 'llama.cpp' });
  $('controls').hidden = false;
  await recompute(controls.options());
}

async function main() {
  const mod = await core();
  state.vocab = JSON.parse(mod.vocabularies());
  state.gpus = state.vocab.gpus;
  $('version').textContent = mod.version();
  controls = new ControlsView($('controls'), state.vocab, (o) => recompute(o));
  controls.set(optionsFrom((k) => params.get(k)));
  if (params.get('model')) $('model').value = params.get('model');
  if (params.get('revision')) $('revision').value = params.get('revision');
  $('lookup').addEventListener('submit', estimate);
  $('variant').addEventListener('change', () => estimate());
  $('cancel').addEventListener('click', () => state.controller?.abort());
  document.body.dataset.ready = 'true';
  if (!gate.open) gate.show();
  else if (params.get('model')) estimate();
}
main();
