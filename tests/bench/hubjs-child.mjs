// The @huggingface/hub client of the bench, in a child process of its own (forked by clients.mjs):
// its JSON parsing does not hold up the imitation's event loop, and its TLS trusts the imitation's
// self-signed certificate through NODE_EXTRA_CA_CERTS, which node reads only at process start.
// Messages: {id, modulePath, params} → {id, ok, wallMs, span, parameters, counted, tensors, files};
// {id, ping} → {id, ok, now} (this process's epoch clock, for the offset).
import { performance } from 'node:perf_hooks';

let lib = null;
process.on('message', async ({ id, modulePath, params, ping }) => {
  if (ping) return process.send({ id, ok: true, now: performance.timeOrigin + performance.now() });
  try {
    lib ??= await import(modulePath);
    const started = performance.now();
    const r = await lib.parseSafetensorsMetadata(params);
    const wallMs = performance.now() - started;
    const counted = Object.values(r.parameterCount || {}).reduce((a, b) => a + b, 0);
    const headers = r.sharded ? Object.values(r.headers) : [r.header];
    const tensors = headers.reduce((n, h) => n + Object.keys(h).filter((k) => k !== '__metadata__').length, 0);
    const span = { start: performance.timeOrigin + started, end: performance.timeOrigin + started + wallMs };
    process.send({ id, ok: true, wallMs, span, parameters: r.parameterTotal ?? counted, counted, tensors, files: r.filepaths.length });
  } catch (e) {
    process.send({ id, ok: false, error: String((e && e.stack) || e) });
  }
});
process.on('disconnect', () => process.exit(0));
