// engine.js — the only importer of the WebAssembly core. It loads vram.js (Emscripten's UMD
// output) once, caches the module promise, and turns the core's callback API into promises.
// Field names in the objects it returns are the C++ ones (see core/wasm/api.hpp).

let modulePromise = null;

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

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/** The core module, created once. `base` is where vram.js and vram.wasm live (relative URLs). */
export function core(base = new URL('../wasm/', import.meta.url).href) {
  if (!modulePromise) {
    modulePromise = (async () => {
      if (typeof globalThis.createVramCore !== 'function') await loadScript(new URL('vram.js', base).href);
      return globalThis.createVramCore({ locateFile: (file) => new URL(file, base).href });
    })();
    modulePromise.catch(() => { modulePromise = null; });
  }
  return modulePromise;
}

/**
 * Loads a model's metadata through the core's Hub client (emscripten_fetch).
 * Resolves to {ok:true, handle, repo_id, sha, stats}; rejects with a CoreError. `signal` (an AbortSignal) cancels
 * the load (CoreError code "cancelled").
 */
export async function loadModel({ endpoint, repo, revision = 'main', token = '', variant = '', onProgress, signal }) {
  const mod = await core();
  return new Promise((resolve) => {
    const session = mod.loadModel(endpoint, repo, revision, token, variant,
      (json) => onProgress?.(JSON.parse(json)),
      (json) => resolve(JSON.parse(json)));
    signal?.addEventListener('abort', () => mod.cancel(session), { once: true });
  }).then(unwrap);
}

/** The report for a loaded model: format "json" gives an object, "text" and "markdown" strings; or a CoreError. */
export async function report(handle, options, format = 'json') {
  const mod = await core();
  const out = mod.report(handle, JSON.stringify(options), format);
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
  return unwrap(JSON.parse((await core()).view(handle, JSON.stringify(options), JSON.stringify(request))));
}

/** The model's metadata snapshot as JSON text (for the offline store). */
export async function snapshot(handle) {
  const mod = await core();
  const object = mod.snapshot(handle);
  return object ? JSON.stringify(object) : '';
}
export async function loadSnapshot(json) { return unwrap(JSON.parse((await core()).loadSnapshot(json))); }
export async function release(handle) { (await core()).release(handle); }

let vocabPromise = null;
/** Every list and default of the core (vocabularies_json: profiles, GPUs, the option table, the training tables), once. */
export function vocabularies() {
  if (!vocabPromise) {
    vocabPromise = core().then((mod) => unwrap(JSON.parse(mod.vocabularies())));
    vocabPromise.catch(() => { vocabPromise = null; });
  }
  return vocabPromise;
}
