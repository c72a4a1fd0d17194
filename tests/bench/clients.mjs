// The two clients that are not the page: our CLI (a child process, spawned asynchronously: the Hub
// imitation answers from this process's event loop) and @huggingface/hub's parseSafetensorsMetadata
// (in a child process, so that its JSON parsing does not hold up the imitation's event loop, as the
// page's and the CLI's parsing do not: they run in other processes too).
import { spawn, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { now } from './reqlog.mjs';

/** Runs build/native/vram-estimate once; resolves {wallMs, parameters, tensors} or throws. */
export function runCli({ root, hubUrl, repo, token, caFile = null }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vram-bench-hf-'));  // no $HF_HOME/token of the machine
  const env = { ...process.env, HF_HOME: home };
  delete env.HF_TOKEN; delete env.HUGGING_FACE_HUB_TOKEN; delete env.HF_ENDPOINT;
  if (token) env.HF_TOKEN = token;
  delete env.CURL_CA_BUNDLE;
  if (caFile) env.CURL_CA_BUNDLE = caFile;  // the imitation's self-signed certificate under HTTPS
  const bin = path.join(root, 'build/native/vram-estimate');
  return new Promise((resolve, reject) => {
    const startEpoch = now();
    const started = performance.now();
    const child = spawn(bin, [repo, '--endpoint', hubUrl, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const span = { start: startEpoch, end: startEpoch + wallMs };
      fs.rmSync(home, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`vram-estimate ${repo} exited ${code}: ${err.trim()}`));
      try {
        const r = JSON.parse(out);
        resolve({ wallMs, span, parameters: r.parameters, tensors: r.tensors });
      } catch (e) {
        reject(new Error(`vram-estimate ${repo}: output is not JSON (${e.message})`));
      }
    });
  });
}

/**
 * A child process (hubjs-child.mjs) that runs parseSafetensorsMetadata on request; `caFile` (the
 * imitation's certificate under HTTPS) is given to it as NODE_EXTRA_CA_CERTS. `close()` ends it.
 */
export function hubJsClient(root, { caFile = null } = {}) {
  const modulePath = new URL(`file://${path.join(root, 'node_modules/@huggingface/hub/dist/index.mjs')}`).href;
  const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@huggingface/hub/package.json'), 'utf8')).version;
  const env = { ...process.env };
  if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
  const child = fork(path.join(root, 'tests/bench/hubjs-child.mjs'), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  const failAll = (e) => { for (const done of pending.values()) done({ ok: false, error: String(e) }); pending.clear(); };
  child.on('message', (m) => { pending.get(m.id)?.(m); pending.delete(m.id); });
  child.on('error', failAll);
  child.on('exit', (code) => failAll(`@huggingface/hub child exited ${code}`));
  const call = (msg) => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (m) => (m.ok ? resolve(m) : reject(new Error(`@huggingface/hub ${msg.params?.repo?.name}: ${m.error}`))));
      child.send({ id, modulePath, ...msg });
    });
  };
  // The child's epoch clock minus this process's (each fixes its own time origin).
  const clockOffset = async () => {
    let best = null;
    for (let i = 0; i < 5; i++) {
      const t1 = now();
      const { now: w } = await call({ ping: true });
      const t2 = now();
      if (!best || t2 - t1 < best.rtt) best = { rtt: t2 - t1, offset: w - (t1 + t2) / 2 };
    }
    return best.offset;
  };
  return {
    version,
    /** {wallMs, span, parameters, tensors, files}; `library: "diffusers"` reads the denoiser only. */
    async run({ hubUrl, repo, token, library }) {
      const params = { repo: { type: 'model', name: repo }, hubUrl, computeParametersCount: true };
      if (token) params.accessToken = token;
      if (library) params.library = library;
      const offset = await clockOffset();
      const r = await call({ params });
      return { ...r, span: { start: r.span.start - offset, end: r.span.end - offset } };
    },
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.disconnect();
    }),
  };
}
