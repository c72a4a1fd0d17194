// Browser (and worker) entry: loads vram.mjs — Emscripten's output with an ES export added by
// scripts/lib/pack.mjs — and fetches vram.wasm from beside this file. Requests go through the
// browser's XMLHttpRequest, so the Hub endpoint must allow this page's origin (huggingface.co does).
import createVramCore from './vram.mjs';
import { createApi } from './api.js';

export { VramError } from './api.js';

const api = createApi(() => createVramCore({
  // Spelled out so that bundlers see the asset: new URL('…', import.meta.url).
  locateFile: (file) => (file.endsWith('.wasm') ? new URL('./vram.wasm', import.meta.url).href : file),
}));

export const { loadModel, estimate, report, release, gpus, vocabularies, version } = api;
