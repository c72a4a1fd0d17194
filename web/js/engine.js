// engine.js — the page's one door to the WebAssembly core (core-api.js). The core — fetching, parsing, estimating,
// the offline store — runs in a Web Worker (core-worker.js), so loading a 163-shard repo never blocks the page;
// where no worker can be started (a host page of <vram-estimate> whose policy forbids one), the same calls run on
// this thread. Callers get promises either way. Field names in the objects returned are the C++ ones
// (core/wasm/api.hpp).
//
// The core's tables (vocabularies(), version()) come from js/vocab.js, which scripts/build writes from the same
// build's core: the page fills its form from them without loading the core. The worker and the core start on the
// first call that needs them, or earlier when the page calls prepareCore() on a first sign of use.
import { version as builtVersion, vocabularies as builtVocabularies } from './vocab.js';

/** Every failure the core reports, with its stable code (error.hpp's names); pages match on `code`, never on text. */
export class CoreError extends Error {
  constructor({ code, message }) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
  }
}

// The core answers {ok:false, error:{code, message}} on any failure (core/wasm/api.cpp); that becomes a CoreError.
function unwrap(answer) {
  if (answer && answer.ok === false) throw new CoreError(answer.error);
  return answer;
}

/**
 * Time per call, from the call to its answer on this thread (scripts/bench reads it):
 * {call: {ms, coreMs, calls, lastEnd, lastProgress}}: coreMs is the part spent in the call itself where the core runs
 * (in the worker: without posting the call and its answer; on this thread: equal to ms); the last two are
 * performance.now() of the last answer and progress report.
 */
export const callTimes = {};
const timesOf = (name) => (callTimes[name] ??= { ms: 0, coreMs: 0, calls: 0, lastEnd: null, lastProgress: null });

let backendPromise = null;
/** Whether the worker's warm-up (core-api.js warmUp) ran: a promise of true or false; null until it starts. */
export let warmedUp = null;
let nextId = 1;

// A worker made from a blob: URL takes the page's Content-Security-Policy (connect-src: the Hub and its CDN only);
// one made from its own URL would take only what its response's headers say, which a static host never sets.
function startWorker() {
  const url = new URL('./core-worker.js', import.meta.url).href;
  const blob = URL.createObjectURL(new Blob([`import ${JSON.stringify(url)};\n`], { type: 'text/javascript' }));
  const worker = new Worker(blob, { type: 'module', name: 'vram-core' });
  const pending = new Map();
  return new Promise((resolve, reject) => {
    const failAll = (message) => {
      for (const p of pending.values()) p.reject(new Error(message));
      pending.clear();
    };
    worker.onerror = (e) => { e.preventDefault?.(); failAll(`the core's worker failed: ${e.message || 'could not start'}`); reject(new Error('no worker')); };
    worker.onmessage = ({ data }) => {
      const p = pending.get(data.id);
      if (!p) return;
      if ('progress' in data) { p.onProgress?.(data.progress); return; }
      pending.delete(data.id);
      if (data.failure) p.reject(Object.assign(new Error(data.failure.message), { name: data.failure.name }));
      else p.resolve({ value: data.value, ms: data.ms });
    };
    const backend = {
      kind: 'worker',
      call(call, args, { id = nextId++, onProgress } = {}) {
        return new Promise((res, rej) => {
          pending.set(id, { resolve: res, reject: rej, onProgress });
          worker.postMessage({ id, call, args });
        });
      },
    };
    // The first answer says the worker and its module graph loaded (the core itself loads on its first use).
    backend.call('ping', {}).then(() => resolve(backend), reject);
  });
}

async function inThread() {
  const { calls } = await import('./core-api.js');
  return {
    kind: 'main',
    async call(call, args, { id = nextId++, onProgress } = {}) {
      const t = performance.now();
      const value = await calls[call](args, { id, progress: (json) => onProgress?.(json) });
      return { value, ms: performance.now() - t };
    },
  };
}

function backend() {
  if (!backendPromise) {
    backendPromise = (typeof Worker === 'function' ? startWorker().catch(() => inThread()) : inThread());
    backendPromise.catch(() => { backendPromise = null; });
  }
  return backendPromise;
}

async function call(name, args, { id, onProgress } = {}) {
  const b = await backend();
  const c = timesOf(name);
  const t = performance.now();
  try {
    const { value, ms } = await b.call(name, args, { id, onProgress: (p) => { c.lastProgress = performance.now(); onProgress?.(p); } });
    c.coreMs += ms;
    return value;
  } finally {
    c.lastEnd = performance.now();
    c.ms += c.lastEnd - t;
    c.calls++;
  }
}

let startPromise = null, corePromise = null;
/**
 * Starts the worker and loads the core (the worker fetches and instantiates the wasm), without warming it up. A load
 * needs no call to it: the worker's loadModel waits for the core itself.
 */
function startCore() {
  if (!startPromise) {
    startPromise = backend().then((b) => b.call('version', {}).then(() => b));
    startPromise.catch(() => { startPromise = null; });
  }
  return startPromise;
}

/**
 * Loads the core, then runs it once on a made-up model (core-api.js warmUp; web/js/warm-up.js says why its size), so
 * that the first real load runs optimised code; a failure there changes nothing (the first load is then only slower).
 * The page calls it on a first sign of use (the model field focused, an example pointed at), while the visitor types.
 * A load does not: the warm-up is worth its time only before a load, and a load that starts at once (a link with a
 * model, the <vram-estimate> element) would wait for it. Resolves to the warm-up's outcome (true when it ran), like
 * `warmedUp`; idempotent.
 */
export function prepareCore() {
  if (!corePromise) {
    corePromise = startCore().then((b) => {
      warmedUp = b.call('warmUp', {}).then(({ value }) => value, () => false);
      return warmedUp;
    });
    corePromise.catch(() => { corePromise = null; });
  }
  return corePromise;
}

/** Where the core runs: "worker" or "main". */
export async function where() { return (await backend()).kind; }

/**
 * Loads a model's metadata through the core's Hub client (emscripten_fetch).
 * Resolves to {ok:true, handle, repo_id, sha, stats}; rejects with a CoreError. `signal` (an AbortSignal) cancels
 * the load (CoreError code "cancelled"). `withEngines`: the worker computes engines() with the load, so that the first
 * engines(handle) needs no second round trip.
 */
export async function loadModel({ endpoint, repo, revision = 'main', token = '', variant = '', withEngines = false, onProgress, signal }) {
  const id = nextId++;
  signal?.addEventListener('abort', () => { call('cancel', { id }); }, { once: true });
  const { answer, engines: enginesJson } = await call('loadModel', { endpoint, repo, revision, token, variant, withEngines },
    { id, onProgress: (p) => onProgress?.(JSON.parse(p)) });
  return loadedWithEngines(answer, enginesJson);
}

// engines() answers computed by the worker with a load's answer (core-api.js loadModel, openSaved), by handle: the
// first engines(handle) takes its answer from here instead of asking the worker again.
const enginesAtLoad = new Map();
function loadedWithEngines(answer, enginesJson) {
  const loaded = unwrap(JSON.parse(answer));
  if (enginesJson) enginesAtLoad.set(loaded.handle, enginesJson);
  return loaded;
}

/** The report for a loaded model: format "json" gives an object, "text" and "markdown" strings; or a CoreError. */
export async function report(handle, options, format = 'json') {
  const out = await call('report', { handle, options: JSON.stringify(options), format });
  // An error is the core's JSON, keys sorted: {"error":{…},"ok":false} (core/wasm/api.cpp error_json).
  if (format !== 'json' && !out.startsWith('{"error":')) return out;
  return unwrap(JSON.parse(out));
}

/**
 * The page's one core call per change: {report, series, matrix} (core/wasm/api.hpp `view`): the report, the chart's
 * points (per-GPU parts at each of `contexts`) and the matrix rows (`matrix: {rows: [overrides], contexts}`);
 * or a CoreError.
 */
export async function view(handle, options, request) {
  return unwrap(JSON.parse(await call('view', { handle, options: JSON.stringify(options), request: JSON.stringify(request) })));
}

/**
 * Which engines refuse a loaded model and why, in one core call: {refused: {profile: message}, first: the report of the
 * first engine that takes it (model-level fields; no fit table) or null}; or a CoreError.
 */
export async function engines(handle) {
  const atLoad = enginesAtLoad.get(handle);
  enginesAtLoad.delete(handle);
  return unwrap(JSON.parse(atLoad ?? await call('engines', { handle })));
}

export function release(handle) {
  enginesAtLoad.delete(handle);
  return call('release', { handle });
}

/** Keeps a loaded model's metadata for offline use ({handle, repo, typed, revision, sha}; never the token). */
export function saveOffline(entry) { return call('save', entry); }

/** The newest copy of repo at revision kept for offline use, loaded: {loaded (as loadModel's), savedAt} or null. */
export async function openOffline(repo, revision, { withEngines = false } = {}) {
  startCore().catch(() => {});  // the wasm loads while the worker reads the store (a failure shows as the call's own)
  const found = await call('openSaved', { repo, revision, withEngines });
  return found && { loaded: loadedWithEngines(found.answer, found.engines), savedAt: found.savedAt };
}

/** The models kept for offline use (newest first, without their snapshots), and forgetting them. */
export const saved = {
  list: () => call('listSaved', {}),
  remove: (key) => call('removeSaved', { key }),
  clear: () => call('clearSaved', {}),
};

/** The core's version text (js/vocab.js: the build's core answered it). */
export function version() { return Promise.resolve(builtVersion); }

/** The core's WebAssembly memory now, in bytes (it only grows, so this is the peak so far). */
export function heapBytes() { return call('heapBytes', {}); }

/**
 * Every list and default of the core (vocabularies_json: profiles, GPUs, the option table, the training tables), as
 * scripts/build took them from this build's core (js/vocab.js): no core call, so the form needs no core.
 */
export function vocabularies() { return Promise.resolve(builtVocabularies); }
