// core-api.js — the WebAssembly core behind a small set of calls, for the one place it runs: the Web Worker
// (core-worker.js), or the page itself where no worker can be started (engine.js decides). Every call takes and
// returns plain data (strings, numbers, objects without functions), so that it can cross postMessage; the core's
// answers stay JSON text and engine.js parses them. The offline store (store.js, IndexedDB) is read and written here
// too, so a large model's snapshot is serialised and stored without ever reaching the page's thread.
import * as store from './store.js';
import { warmUpSnapshot } from './warm-up.js';

let modulePromise = null;

/** The emscripten module, created once (vram.js is the ES-module build of Emscripten's glue; scripts/build). */
export function core() {
  if (!modulePromise) {
    const base = new URL('../wasm/', import.meta.url);
    // Imported here, not at the top: the worker starts (and the offline list is read) without the glue and the wasm.
    modulePromise = import('../wasm/vram.js').then(({ default: createVramCore }) =>
      createVramCore({ locateFile: (file) => new URL(file, base).href }));
    modulePromise.catch(() => { modulePromise = null; });
  }
  return modulePromise;
}

const sessions = new Map();  // a loadModel call's id (the caller's) → the core's session, for cancel

/** engines() of the model a load or a snapshot answer names, as JSON text; null when that answer is a failure. */
function enginesOf(mod, answerJson) {
  const answer = JSON.parse(answerJson);
  return answer.ok ? mod.engines(answer.handle) : null;
}

/** The calls; each is async and gets (args, {id, progress}) from its dispatcher. */
export const calls = {
  /** The worker is up (its module graph loaded); the core is not loaded by this. */
  async ping() { return true; },
  async version() { return (await core()).version(); },
  async heapBytes() { return (await core()).HEAPU8.buffer.byteLength; },
  /**
   * Resolves to {answer: the core's final JSON text, engines: with `withEngines`, engines() of the loaded model as JSON
   * text (null when the load failed)}; `progress(json)` gets each progress report. The page needs engines() first
   * after every load (which engines refuse the model; the model-level fields), so it can travel with the load's
   * answer: one message to the page instead of a second round trip to this worker.
   */
  async loadModel({ endpoint, repo, revision, token, variant, withEngines }, { id, progress }) {
    const mod = await core();
    return new Promise((resolve) => {
      sessions.set(id, mod.loadModel(endpoint, repo, revision, token, variant, progress, (json) => {
        sessions.delete(id);
        resolve({ answer: json, engines: withEngines ? enginesOf(mod, json) : null });
      }));
    });
  },
  async cancel({ id }) {
    const session = sessions.get(id);
    if (session !== undefined) (await core()).cancel(session);
  },
  async report({ handle, options, format }) { return (await core()).report(handle, options, format); },
  async engines({ handle }) { return (await core()).engines(handle); },
  async view({ handle, options, request }) { return (await core()).view(handle, options, request); },
  async release({ handle }) { (await core()).release(handle); },
  /**
   * Runs the core's path once on a made-up model (warm-up.js: why its size) and forgets it, so that the browser has
   * compiled and optimised that code before the visitor's first load; resolves to true when it ran.
   */
  async warmUp() {
    const mod = await core();
    const loaded = JSON.parse(mod.loadSnapshot(warmUpSnapshot()));
    if (!loaded.ok) return false;
    try {
      mod.engines(loaded.handle);
      const request = JSON.stringify({ contexts: [512, 1024, 2048, 4096], matrix: { rows: [{ precision: 'int4' }, { precision: 'float16' }], contexts: [1024, 4096] } });
      for (const profile of ['classic', 'vllm']) mod.view(loaded.handle, JSON.stringify({ profile, gpu: 'rtx-4090' }), request);
      return true;
    } finally {
      mod.release(loaded.handle);
    }
  },
  /** Keeps the model's metadata snapshot for offline use (keyed by repo and commit; never the token). */
  async save({ handle, repo, typed, revision, sha }) {
    const object = (await core()).snapshot(handle);
    if (!object) return false;
    await store.save({ repo, typed, revision, sha, snapshot: JSON.stringify(object) });
    return true;
  },
  /** The newest saved copy of repo at revision, loaded into the core: {answer (the core's JSON), savedAt} or null. */
  async openSaved({ repo, revision, withEngines }) {
    const entry = await store.find(repo, revision);
    if (!entry) return null;
    const mod = await core();
    const answer = mod.loadSnapshot(entry.snapshot);
    return { answer, engines: withEngines ? enginesOf(mod, answer) : null, savedAt: entry.savedAt };
  },
  async listSaved() { return store.list(); },
  async removeSaved({ key }) { await store.remove(key); },
  async clearSaved() { await store.clear(); },
};
