// core-worker.js — the Web Worker the core runs in (engine.js starts it): fetching, parsing and estimating never
// block the page's thread. Messages in: {id, call, args}; out: {id, progress} for a load's progress, then
// {id, value, ms} or {id, failure: {name, message}} once per call.
import { calls } from './core-api.js';

self.onmessage = async ({ data: { id, call, args } }) => {
  try {
    const fn = Object.hasOwn(calls, call) ? calls[call] : null;
    if (!fn) throw new Error(`unknown call ${call}`);
    const started = performance.now();
    const value = await fn(args || {}, { id, progress: (json) => self.postMessage({ id, progress: json }) });
    // ms: the call's own time in the worker (the core's part of a change, without the messages to and fro).
    self.postMessage({ id, value, ms: performance.now() - started });
  } catch (e) {
    self.postMessage({ id, failure: { name: e?.name || 'Error', message: String(e?.message || e) } });
  }
};
