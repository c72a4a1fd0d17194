// The package's API over the WebAssembly core, shared by the browser entry (index.js) and the node
// entry (node.js); each passes a function that creates the Emscripten module. Field names are the
// core's (see core/wasm/api.hpp in the repository), so one grep finds both sides.

/** An error the core reported: `code` is its stable name (e.g. "repo_not_found", "gated"). */
export class VramError extends Error {
  constructor(error) {
    super(error?.message || 'the core reported an error without a message');
    this.name = 'VramError';
    this.code = error?.code || 'unknown';
  }
}

const handleOf = (model) => {
  const h = typeof model === 'number' ? model : model?.handle;
  if (!Number.isInteger(h)) throw new TypeError('expected a model returned by loadModel() (or its numeric handle)');
  return h;
};

// The core answers errors as {"ok":false,"error":{code,message}}; anything else is the result.
function unwrap(text) {
  const out = JSON.parse(text);
  if (out && out.ok === false) throw new VramError(out.error);
  return out;
}

export function createApi(createModule) {
  let modulePromise = null;
  /** The Emscripten module, created once (a failed start is retried on the next call). */
  function core() {
    if (!modulePromise) {
      modulePromise = createModule();
      modulePromise.catch(() => { modulePromise = null; });
    }
    return modulePromise;
  }

  /**
   * Reads a model's metadata from the Hub (config.json, shard indexes, safetensors/GGUF headers
   * through HTTP Range requests; no weights). Resolves to {handle, repo_id, revision, sha, gated,
   * stats}; rejects with a VramError (code and message from the core), or an AbortError.
   */
  async function loadModel(repo, { revision = 'main', token = '', endpoint = 'https://huggingface.co', variant = '', onProgress, signal } = {}) {
    if (typeof repo !== 'string' || repo.trim() === '') throw new TypeError('loadModel(repo): repo must be a model id such as "openai-community/gpt2"');
    signal?.throwIfAborted();
    const mod = await core();
    return new Promise((resolve, reject) => {
      let done = false;
      const session = mod.loadModel(endpoint, repo, revision || 'main', token || '', variant || '',
        (json) => { if (!done) onProgress?.(JSON.parse(json)); },
        (json) => {
          done = true;
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return reject(signal.reason);
          try { resolve(unwrap(json)); } catch (e) { reject(e); }
        });
      function onAbort() { if (!done) mod.cancel(session); }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The JSON report (the CLI's `--json` schema) of a loaded model for these options. */
  async function estimate(model, options = {}) {
    const mod = await core();
    return unwrap(mod.report(handleOf(model), JSON.stringify(options), 'json'));
  }

  /** The same report as text (the CLI's layout) or as Markdown for a model card. */
  async function report(model, options = {}, format = 'text') {
    if (format !== 'text' && format !== 'markdown') throw new TypeError('report(model, options, format): format is "text" or "markdown"; estimate() gives the JSON object');
    const mod = await core();
    const out = mod.report(handleOf(model), JSON.stringify(options), format);
    if (out.startsWith('{"ok":false')) unwrap(out);
    return out;
  }

  /** Frees the model's metadata in the core; the handle is invalid afterwards. */
  async function release(model) { (await core()).release(handleOf(model)); }

  /** The GPU catalog: [{id, name, segment, backend, memory_bytes, usable_bytes, multi_gpu}]. */
  async function gpus() { return JSON.parse((await core()).gpus()); }

  /**
   * Every list the options choose from, with defaults and limits: {profiles, precisions, kv_dtypes,
   * gpus, defaults, limits}, from the core's tables. A core without the `vocabularies` binding
   * answers the GPU list only ({gpus}).
   */
  async function vocabularies() {
    const mod = await core();
    if (typeof mod.vocabularies === 'function') return JSON.parse(mod.vocabularies());
    return { gpus: JSON.parse(mod.gpus()) };
  }

  /** The core's version (package.json "version" of the build it came from). */
  async function version() { return (await core()).version(); }

  return { loadModel, estimate, report, release, gpus, vocabularies, version };
}
