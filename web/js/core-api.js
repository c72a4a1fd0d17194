// core-api.js — the WebAssembly core behind a small set of calls, for the one place it runs: the Web Worker
// (core-worker.js), or the page itself where no worker can be started (engine.js decides). Every call takes and
// returns plain data (strings, numbers, objects without functions), so that it can cross postMessage; the core's
// answers stay JSON text and engine.js parses them. The offline store (store.js, IndexedDB) is read and written here
// too, so a large model's snapshot is serialised and stored without ever reaching the page's thread.
import createVramCore from '../wasm/vram.js';
import * as store from './store.js';

let modulePromise = null;

/** The emscripten module, created once (vram.js is the ES-module build of Emscripten's glue; scripts/build). */
export function core() {
  if (!modulePromise) {
    const base = new URL('../wasm/', import.meta.url);
    modulePromise = createVramCore({ locateFile: (file) => new URL(file, base).href });
    modulePromise.catch(() => { modulePromise = null; });
  }
  return modulePromise;
}

const sessions = new Map();  // a loadModel call's id (the caller's) → the core's session, for cancel

/** The calls; each is async and gets (args, {id, progress}) from its dispatcher. */
export const calls = {
  async vocabularies() { return (await core()).vocabularies(); },
  async version() { return (await core()).version(); },
  async heapBytes() { return (await core()).HEAPU8.buffer.byteLength; },
  /** Resolves to the core's final JSON text; `progress(json)` gets each progress report. */
  async loadModel({ endpoint, repo, revision, token, variant }, { id, progress }) {
    const mod = await core();
    return new Promise((resolve) => {
      sessions.set(id, mod.loadModel(endpoint, repo, revision, token, variant, progress, (json) => {
        sessions.delete(id);
        resolve(json);
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
  /** Keeps the model's metadata snapshot for offline use (keyed by repo and commit; never the token). */
  async save({ handle, repo, typed, revision, sha }) {
    const object = (await core()).snapshot(handle);
    if (!object) return false;
    await store.save({ repo, typed, revision, sha, snapshot: JSON.stringify(object) });
    return true;
  },
  /** The newest saved copy of repo at revision, loaded into the core: {answer (the core's JSON), savedAt} or null. */
  async openSaved({ repo, revision }) {
    const entry = await store.find(repo, revision);
    if (!entry) return null;
    return { answer: (await core()).loadSnapshot(entry.snapshot), savedAt: entry.savedAt };
  },
  async listSaved() { return store.list(); },
  async removeSaved({ key }) { await store.remove(key); },
  async clearSaved() { await store.clear(); },
};
