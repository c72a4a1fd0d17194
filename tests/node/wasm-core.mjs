// The WebAssembly build under node, for the node tests: the core the page loads, talking through emscripten_fetch
// (XMLHttpRequest, polyfilled with ./xhr.mjs) to the Hub imitation. `core` and `hub` are live bindings, set by
// setupCore() (call it from before()) and ended by closeCore() (from after()).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';
import { NodeXMLHttpRequest } from './xhr.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = process.env.VRAM_WASM_DIR || path.join(root, 'build/wasm');

export let hub, core;

export async function setupCore() {
  globalThis.XMLHttpRequest = NodeXMLHttpRequest;
  hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') });
  const createVramCore = require(path.join(wasmDir, 'vram.js'));
  // Node 20 has a global fetch that the 3.1.6 loader would misuse for the .wasm path: pass the bytes.
  core = await createVramCore({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'vram.wasm')) });
}
export async function closeCore() { await hub?.close(); }

/** Loads a model through the core's Hub client: the on_done JSON ({ok, handle, …} or {ok:false, error}). */
export function load(repo, { token = '', revision = 'main', variant = '' } = {}) {
  return new Promise((resolve) => core.loadModel(hub.hubUrl, repo, revision, token, variant, () => {}, (j) => resolve(JSON.parse(j))));
}
/** The core's report: an object for "json", text for "text" and "markdown". */
export const report = (handle, options = {}, format = 'json') => {
  const out = core.report(handle, JSON.stringify(options), format);
  return format === 'json' ? JSON.parse(out) : out;
};
