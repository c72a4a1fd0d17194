// node ≥ 20 entry. The core asks the Hub through Emscripten's fetch, which is XMLHttpRequest-based;
// node has none, so a small one over node's fetch (xhr.js) is installed as globalThis.XMLHttpRequest
// when the process has none. The .wasm is read from disk and handed over: the 3.1.6 loader would
// otherwise pass a file path to node's fetch.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { createApi } from './api.js';
import { NodeXMLHttpRequest } from './xhr.js';

export { VramError } from './api.js';

const require = createRequire(import.meta.url);

const api = createApi(async () => {
  if (typeof globalThis.XMLHttpRequest === 'undefined') globalThis.XMLHttpRequest = NodeXMLHttpRequest;
  const createVramCore = require('./vram.cjs');
  return createVramCore({ wasmBinary: await readFile(new URL('./vram.wasm', import.meta.url)) });
});

export const { loadModel, estimate, report, release, gpus, vocabularies, version } = api;
