// The npm package as a user gets it: `npm pack` (scripts/lib/pack.mjs), the tarball installed in an
// empty folder outside the repository, and a script there that imports "hf-vram-estimator" and
// estimates fixture models through the Hub imitation — in a separate node process, so nothing of
// this repository (its node_modules, tests/node/xhr.mjs) is on hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHub } from '../hub/hub.mjs';
import { startStatic } from '../../scripts/lib/static-server.mjs';
import { packagePackage } from '../../scripts/lib/pack.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
let hub, dir, packed;

before(async () => {
  packed = packagePackage();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vram-npm-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // No registry is needed: the package has no dependencies.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', packed.tarball], { cwd: dir, stdio: 'pipe' });
  hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') });
});
after(async () => {
  await hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Runs `code` as an ES module in the consumer folder, in a child process (asynchronously: the hub
// in this process keeps answering), and returns what it printed, parsed as JSON.
async function runInConsumer(code) {
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, code);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 60000, env: { ...process.env, NODE_PATH: '' } });
    return JSON.parse(stdout);
  } catch (e) {
    assert.fail(`consumer script failed: ${String(e.stderr || e.message).slice(-2000)}`);
  }
}

test('npm pack produces the tarball with the ES module, its types, the glue and the wasm, at package.json\'s version', () => {
  assert.equal(packed.version, version);
  assert.equal(path.basename(packed.tarball), `hf-vram-estimator-${version}.tgz`);
  for (const f of ['package.json', 'index.js', 'node.js', 'api.js', 'xhr.js', 'index.d.ts', 'vram.cjs', 'vram.mjs', 'vram.wasm', 'README.md'])
    assert.ok(packed.files.includes(f), `${f} in ${packed.files.join(', ')}`);
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/hf-vram-estimator/package.json'), 'utf8'));
  assert.equal(installed.type, 'module');
  assert.equal(installed.exports['.'].types, './index.d.ts');
  assert.ok(!('dependencies' in installed), 'no dependencies');
});

test('installed in an empty folder, the package estimates gpt2 through the imitation to the byte', async () => {
  const out = await runInConsumer(`
import { loadModel, estimate, report, release, version } from 'hf-vram-estimator';
const model = await loadModel('gpt2', { endpoint: ${JSON.stringify(hub.hubUrl)} });
const r = await estimate(model, { context_tokens: 1024 });
const text = await report(model, { context_tokens: 1024 }, 'markdown');
await release(model);
console.log(JSON.stringify({ model, r, text, version: await version(), xhr: typeof XMLHttpRequest }));
`);
  assert.equal(out.model.repo_id, 'openai-community/gpt2');
  assert.match(out.model.sha, /^[0-9a-f]{40}$/);
  assert.equal(out.r.tensors, 160);
  assert.equal(out.r.parameters, 137022720);
  assert.equal(out.r.estimates_bytes.model_weights_raw, 548090880);
  assert.equal(out.r.tool_version, version);
  assert.equal(out.version, version);
  assert.ok(out.text.includes('openai-community/gpt2'), out.text);
  assert.equal(out.xhr, 'function', 'the node entry installed its XMLHttpRequest');
});

test('a sharded repo, the GPU catalog and the vocabularies through the package', async () => {
  const out = await runInConsumer(`
import { loadModel, estimate, gpus, vocabularies } from 'hf-vram-estimator';
const model = await loadModel('mistralai/Mistral-7B-v0.1', { endpoint: ${JSON.stringify(hub.hubUrl)} });
const r = await estimate(model, { precision: 'int4', context_tokens: 8192, profile: 'vllm', gpu: 'rtx-4090' });
console.log(JSON.stringify({ r, gpus: await gpus(), vocab: await vocabularies() }));
`);
  assert.equal(out.r.tensors, 291);
  assert.equal(out.r.estimates_bytes.model_weights_raw, 14483464192);
  assert.equal(out.r.quantization, 'int4');
  assert.equal(out.r.profile, 'vllm');
  assert.equal(out.r.gpu.id, 'rtx-4090');
  assert.ok(out.gpus.length > 5 && out.gpus.every((g) => g.id && g.memory_bytes > 0), 'the catalog');
  assert.deepEqual(out.vocab.gpus, out.gpus, 'vocabularies() lists the same GPUs');
});

test('errors reject with a VramError that carries the core\'s code; bad arguments are TypeErrors', async () => {
  const out = await runInConsumer(`
import { loadModel, estimate, VramError } from 'hf-vram-estimator';
const endpoint = ${JSON.stringify(hub.hubUrl)};
const caught = async (p) => { try { await p; return null; } catch (e) { return { name: e.name, code: e.code, message: e.message, isVram: e instanceof VramError }; } };
const model = await loadModel('gpt2', { endpoint });
console.log(JSON.stringify({
  missing: await caught(loadModel('fixture-org/does-not-exist', { endpoint })),
  gated: await caught(loadModel('meta-llama/Llama-3.1-8B', { endpoint })),
  badToken: await caught(loadModel('gpt2', { endpoint, token: 'hf_not_a_token' })),
  unreachable: await caught(loadModel('gpt2', { endpoint: 'http://127.0.0.1:9' })),
  badPrecision: await caught(estimate(model, { precision: 'int3' })),
  noRepo: await caught(loadModel('')),
  noHandle: await caught(estimate({})),
}));
`);
  assert.deepEqual([out.missing.code, out.missing.isVram], ['repo_not_found', true], JSON.stringify(out.missing));
  assert.equal(out.gated.code, 'gated', JSON.stringify(out.gated));
  assert.equal(out.badToken.code, 'invalid_token', JSON.stringify(out.badToken));
  assert.equal(out.unreachable.code, 'network', JSON.stringify(out.unreachable));
  assert.equal(out.badPrecision.code, 'invalid_option', JSON.stringify(out.badPrecision));
  assert.match(out.badPrecision.message, /int3/);
  assert.equal(out.noRepo.name, 'TypeError');
  assert.equal(out.noHandle.name, 'TypeError');
});

test('an aborted load rejects with the signal\'s reason', async () => {
  const out = await runInConsumer(`
import { loadModel } from 'hf-vram-estimator';
const c = new AbortController();
const p = loadModel('deepseek-ai/DeepSeek-R1', { endpoint: ${JSON.stringify(hub.hubUrl)}, signal: c.signal });
setTimeout(() => c.abort(new Error('stop')), 20);
try { await p; console.log(JSON.stringify({ resolved: true })); } catch (e) { console.log(JSON.stringify({ message: e.message })); }
`);
  assert.equal(out.message, 'stop');
});

test('the TypeScript declarations type a real use and reject a wrong one (tsc --strict on the installed package)', async () => {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
  fs.writeFileSync(path.join(dir, 'use.ts'), `
import { loadModel, estimate, report, gpus, vocabularies, version, release, VramError, type Report } from 'hf-vram-estimator';
const model = await loadModel('gpt2', { revision: 'main', token: '', endpoint: 'http://127.0.0.1:1', onProgress: (p) => p.files_done, signal: new AbortController().signal });
const r: Report = await estimate(model, { precision: 'int4', context_tokens: 8192, profile: 'vllm', gpu: 'rtx-4090' });
const total: number = r.estimates_bytes.total;
const md: string = await report(model.handle, {}, 'markdown');
const memory: number = (await gpus())[0].memory_bytes;
const n: number = (await vocabularies()).gpus.length;
const v: string = await version();
await release(model);
try { await loadModel(''); } catch (e) { if (e instanceof VramError) { const code: string = e.code; console.log(code); } }
console.log(total, md, memory, n, v);
`);
  fs.writeFileSync(path.join(dir, 'wrong.ts'), `
import { estimate } from 'hf-vram-estimator';
await estimate('gpt2');
await estimate(1, { context_tokens: '8k' });
`);
  const run = promisify(execFile);
  await run(process.execPath, [tsc, ...args, 'use.ts'], { cwd: dir }).catch((e) => assert.fail(`tsc on use.ts: ${e.stdout}${e.stderr}`));
  const wrong = await run(process.execPath, [tsc, ...args, 'wrong.ts'], { cwd: dir }).then(() => null, (e) => e.stdout);
  assert.match(wrong ?? '', /wrong\.ts\(3,16\): error TS2345/);
  assert.match(wrong, /wrong\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
});

test('in Chromium, the installed package (the browser entry, vram.mjs and vram.wasm) estimates gpt2 through the imitation', async () => {
  // The consumer folder served as a web app; the Hub imitation is another origin (CORS as the Hub's).
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>consumer</title>');
  const web = await startStatic({ root: dir });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${web.url}/index.html`);
    const out = await page.evaluate(async (endpoint) => {
      const pkg = await import('/node_modules/hf-vram-estimator/index.js');
      const model = await pkg.loadModel('gpt2', { endpoint });
      const r = await pkg.estimate(model, { context_tokens: 1024 });
      let missing = null;
      try { await pkg.loadModel('fixture-org/does-not-exist', { endpoint }); } catch (e) { missing = { name: e.name, code: e.code }; }
      return { parameters: r.parameters, total: r.estimates_bytes.total, tool_version: r.tool_version, gpus: (await pkg.gpus()).length, missing };
    }, hub.hubUrl);
    assert.deepEqual(errors, []);
    assert.equal(out.parameters, 137022720);
    assert.equal(out.tool_version, version);
    assert.ok(out.gpus > 5);
    assert.deepEqual(out.missing, { name: 'VramError', code: 'repo_not_found' });
    // The README's gpt2 total at 1024 tokens (the page shows it as 1.08 GB).
    assert.equal((out.total / 2 ** 30).toFixed(2), '1.08');
  } finally {
    await browser.close();
    await web.close();
  }
});
