// app.js — wires the form to the engine and the views.
import { loadModel, report, release } from './engine.js';
import { el } from './ui/dom.js';
import { ResultsView } from './ui/results.js';

const DEFAULT_ENDPOINT = 'https://huggingface.co';
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = { handle: null, controller: null, options: { precision: 'auto', context_tokens: 0, batch: 1, profile: 'classic' } };
const results = new ResultsView($('results'));

$('endpoint').value = params.get('endpoint') || DEFAULT_ENDPOINT;
if (params.get('model')) $('model').value = params.get('model');
if (params.get('revision')) $('revision').value = params.get('revision');

function showError(error) {
  const box = $('error');
  box.replaceChildren(el('h2', { text: 'Could not estimate this model' }), el('p', { text: error.message }),
    el('p', { class: 'code', text: `(${error.code})` }));
  box.hidden = false;
}

async function estimate(event) {
  event?.preventDefault();
  const repo = $('model').value.trim();
  if (!repo) { $('model').focus(); return; }
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  $('error').hidden = true;
  $('cancel').hidden = false;
  $('status').textContent = 'Reading metadata…';
  const loaded = await loadModel({
    endpoint: $('endpoint').value.trim() || DEFAULT_ENDPOINT,
    repo,
    revision: $('revision').value.trim() || 'main',
    token: $('token').value.trim(),
    signal: controller.signal,
    onProgress: (p) => {
      if (p.files_total) $('status').textContent = `Reading headers: ${p.files_done} of ${p.files_total} files`;
    },
  });
  if (state.controller !== controller) return;  // a newer request took over
  $('cancel').hidden = true;
  if (!loaded.ok && loaded.error.code === 'cancelled') {
    $('status').textContent = 'Cancelled.';
    return;
  }
  if (!loaded.ok) {
    $('status').textContent = '';
    results.clear();
    showError(loaded.error);
    return;
  }
  if (state.handle !== null) release(state.handle);
  state.handle = loaded.handle;
  const r = await report(state.handle, state.options);
  if (r.ok === false) { showError(r.error); return; }
  $('status').textContent = `Read ${r.weight_files} weight file(s) at ${loaded.sha.slice(0, 7)}.`;
  results.update(r);
  document.body.dataset.state = 'done';
  window.__lastReport = r;
}

$('lookup').addEventListener('submit', estimate);
$('cancel').addEventListener('click', () => { state.controller?.abort(); $('status').textContent = 'Cancelled.'; });
if (params.get('model')) estimate();
