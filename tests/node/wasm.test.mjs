// The WebAssembly build under node: the same core and Hub client as the page, talking through
// emscripten_fetch (XMLHttpRequest, polyfilled here with xhr2) to the Hub imitation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';
import { closeCore, core, hub, load, report, setupCore } from './wasm-core.mjs';
import { NodeXMLHttpRequest } from './xhr.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

before(setupCore);
after(closeCore);

test('gpt2 loads through the redirect to the CDN and counts 160 F32 tensors exactly', async () => {
  const r = await load('gpt2');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.repo_id, 'openai-community/gpt2');
  const rep = report(r.handle);
  assert.equal(rep.tensors, 160);
  assert.equal(rep.parameters, 137022720);
  assert.equal(rep.estimates_bytes.model_weights_raw, 548090880);
  assert.deepEqual(rep.dtype_distribution, { F32: 160 });
});

test('the classic gpt2 estimate matches the original README to the byte', async () => {
  const r = await load('gpt2');
  const rep = report(r.handle);
  assert.deepEqual(rep.estimates_bytes, {
    model_weights: 548090880, model_weights_raw: 548090880, kv_cache: 37748736,
    activation_overhead: 54809088, cuda_overhead: 524288000, total: 1164936704,
  });
});

test('a sharded repo sums both shards of Mistral-7B once', async () => {
  const r = await load('mistralai/Mistral-7B-v0.1');
  assert.equal(r.ok, true, JSON.stringify(r));
  const rep = report(r.handle);
  assert.equal(rep.tensors, 291);
  assert.equal(rep.estimates_bytes.model_weights_raw, 14483464192);
  assert.equal(rep.weight_files, 2);
  assert.ok(r.stats.chain <= 3, `dependent chain ${r.stats.chain}`);
});

test('changing the options recomputes from the loaded metadata without a request', async () => {
  const r = await load('mistralai/Mistral-7B-v0.1');
  const before = hub.requests.length;
  const int4 = report(r.handle, { precision: 'int4', context_tokens: 8192 });
  assert.equal(hub.requests.length, before);
  assert.equal(int4.estimates_bytes.model_weights, 7241732096 / 2);
  assert.equal(int4.estimates_bytes.kv_cache, 131072 * 8192);
});

test('the text report keeps the original layout', async () => {
  const r = await load('mistralai/Mistral-7B-v0.1');
  const text = report(r.handle, {}, 'text');
  assert.match(text, /  Model Weights:           13\.49 GB\n  KV Cache:                 4\.00 GB\n/);
  assert.match(text, /  TOTAL REQUIRED:          19\.33 GB/);
});

test('a snapshot round-trips: the stored metadata gives the same report offline', async () => {
  const r = await load('gpt2');
  const stored = JSON.stringify(core.snapshot(r.handle));
  const again = JSON.parse(core.loadSnapshot(stored));
  assert.equal(again.ok, true);
  assert.deepEqual(report(again.handle).estimates_bytes, report(r.handle).estimates_bytes);
});

test('the snapshot holds each header as the file has it, and taking it does not grow the heap', async () => {
  // DeepSeek-R1's 163 headers (11.9 MB): copied into the heap on their way to JS, they grew it 46 → 67 MiB.
  const r = await load('deepseek-ai/DeepSeek-R1');
  assert.equal(r.ok, true);
  const heap = core.HEAPU8.length;
  const snap = core.snapshot(r.handle);
  assert.equal(core.HEAPU8.length, heap, `the heap grew from ${heap} to ${core.HEAPU8.length} bytes`);
  const dir = path.join(root, 'tests/fixtures/hub/deepseek-ai/DeepSeek-R1');
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
  assert.equal(Object.keys(snap.headers).length, names.length);
  for (const f of names) {
    const file = fs.readFileSync(path.join(dir, f));
    assert.equal(snap.headers[f], file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8'), f);
  }
  core.release(r.handle);
});

test('engines(): each engine that refuses the model with its reason, as report() refuses it, in one call', async () => {
  for (const repo of ['openai-community/gpt2', 'Qwen/Qwen-Image', 'TheBloke/Llama-2-7B-Chat-GGUF']) {
    const r = await load(repo);
    assert.equal(r.ok, true, repo);
    const answer = JSON.parse(core.engines(r.handle));
    assert.equal(answer.ok, true);
    const profiles = JSON.parse(core.vocabularies()).profiles.map((p) => p.name);
    let first = null;
    for (const name of profiles) {
      const full = report(r.handle, { profile: name });
      if (full.ok === false) assert.equal(answer.refused[name], full.error.message, `${repo} ${name}`);
      else {
        assert.equal(answer.refused[name], undefined, `${repo} ${name}: ${answer.refused[name]}`);
        first ??= full;
      }
    }
    if (!repo.endsWith('GGUF')) assert.ok(Object.keys(answer.refused).length > 0, `${repo}: some engine refuses it`);
    for (const k of ['layout', 'gguf_file', 'architecture', 'kv_bytes_per_token', 'weight_files', 'variants', 'variant'])
      assert.deepEqual(answer.first[k], first[k], `${repo} first.${k}`);
  }
  assert.equal(JSON.parse(core.engines(987654)).error.code, 'invalid_argument');
});

test('a gated repo without a token fails with code gated, and with the right token loads', async () => {
  const denied = await load('meta-llama/Llama-2-7b-hf');
  assert.equal(denied.ok, false);
  assert.equal(denied.error.code, 'gated');
  const ok = await load('meta-llama/Llama-2-7b-hf', { token: 'hf_fixture_alice' });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(report(ok.handle).estimates_bytes.model_weights_raw, 13476839424);
});

test('a missing repo and a malformed id get their own codes', async () => {
  assert.equal((await load('nobody/nothing-here')).error.code, 'repo_not_found');
  assert.equal((await load('not a model id')).error.code, 'invalid_argument');
});

test('the token never reaches the CDN', async () => {
  await load('meta-llama/Llama-2-7b-hf', { token: 'hf_fixture_alice' });
  const cdn = hub.requests.filter((q) => q.origin === 'cdn');
  assert.ok(cdn.length > 0);
  assert.ok(cdn.every((q) => q.auth === false));
});

// ------------------------------------------------------------------------------------------------
// Issue #16: the page's transport caps every body. Each case gets its own imitation with the fault on;
// NodeXMLHttpRequest.maxReceived is the most bytes one request took in, as a tab would hold them.

// One chunk of slack over a cap: the imitation and node stream 64 KiB pieces.
const CHUNK_SLACK = 64 * 1024;

async function loadWith(faults, repo) {
  const faulty = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub'), faults });
  NodeXMLHttpRequest.maxReceived = 0;
  try {
    const r = await new Promise((resolve) => core.loadModel(faulty.hubUrl, repo, 'main', '', '', () => {}, (j) => resolve(JSON.parse(j))));
    return { r, received: NodeXMLHttpRequest.maxReceived, hub: faulty };
  } finally {
    await faulty.close();
  }
}

test('a CDN that ignores Range: the 548 MB gpt2 read stops at its cap and fails cleanly', async (t) => {
  const { r, received } = await loadWith({ ignoreRange: true }, 'gpt2');
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'bad_response');
  assert.match(r.error.message, /ignored the Range request/);
  t.diagnostic(`the largest read took in ${received} bytes`);
  assert.ok(received <= 256 * 1024 + CHUNK_SLACK, `a request took in ${received} bytes`);
});

test('an endless model-info body stops at 16 MiB plus one chunk', async (t) => {
  const { r, received } = await loadWith({ endlessBody: true }, 'fixture-crafted/tiny-ok');
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'bad_response');
  assert.match(r.error.message, /16 MiB/);
  t.diagnostic(`the largest read took in ${received} bytes`);
  assert.ok(received <= 16 * 1024 * 1024 + CHUNK_SLACK, `a request took in ${received} bytes`);
});

test('a 4 GiB gzip bomb stops at 16 MiB inflated', async (t) => {
  const { r, received } = await loadWith({ gzipBomb: { match: '/tree/' } }, 'fixture-crafted/tiny-ok');
  assert.equal(r.ok, false);
  assert.match(r.error.message, /file listing.*16 MiB/);
  t.diagnostic(`the largest read took in ${received} bytes`);
  assert.ok(received <= 16 * 1024 * 1024 + CHUNK_SLACK, `a request took in ${received} bytes`);
});

test('41 legal shards with 95 MB headers end at the 256 MiB budget with an error, not a stuck page', async () => {
  const { r } = await loadWith({ paddedHeader: 95_000_000 }, 'Qwen/Qwen3-Next-80B-A3B-Instruct');
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'budget_exceeded');
  assert.match(r.error.message, /256 MiB per estimate/);
});

test('view answers the report, the chart points and the matrix of the same options in one call', async () => {
  const r = await load('gpt2');
  assert.equal(r.ok, true, JSON.stringify(r));
  const options = { precision: 'float16', context_tokens: 1024, gpu: 'rtx-3070' };
  const both = JSON.parse(core.view(r.handle, JSON.stringify(options), JSON.stringify({ contexts: [512, 1024], matrix: { rows: [{ precision: 'int4' }, { kv_dtype: 'fp8' }], contexts: [512] } })));
  assert.equal(both.ok, true);
  assert.deepEqual({ ...both.report }, report(r.handle, options));
  // The point at the report's own context is the report's per-GPU total, part by part.
  const at = both.series[1];
  assert.equal(at.context_tokens, 1024);
  assert.equal(at.total, both.report.per_gpu.total);
  assert.equal(at.model_weights + at.kv_cache + at.activation_overhead + at.cuda_overhead, at.total);
  assert.equal(at.fits, both.report.gpu.fits);
  assert.equal(both.series[0].kv_cache * 2, at.kv_cache, 'classic KV is linear in the context');
  // int4 row: each cell is the report at that precision; the classic profile refuses fp8 KV, said per row.
  const int4 = report(r.handle, { ...options, precision: 'int4', context_tokens: 512 });
  assert.equal(both.matrix[0].cells[0].total, int4.estimates_bytes.total);
  assert.equal(both.matrix[1].error.code, 'invalid_argument');
  // Rows take the view's options with their values on top (api.cpp row_on_top), or the whole resolution for a row that
  // names the profile or a fine-tuning option: each cell or error equals report() of the same options put together.
  const rows = [{ precision: 'int3' }, { profile: 'vllm' }, { lora_rank: 8 }, { batch: 4, precision: 'int8' }, { nonsense: 1 }];
  const more = JSON.parse(core.view(r.handle, JSON.stringify(options), JSON.stringify({ contexts: [], matrix: { rows, contexts: [512] } })));
  rows.forEach((row, i) => {
    const alone = JSON.parse(core.report(r.handle, JSON.stringify({ ...options, ...row, context_tokens: 512 }), 'json'));
    if (alone.ok === false) assert.deepEqual(more.matrix[i].error, alone.error, JSON.stringify(row));
    else assert.equal(more.matrix[i].cells[0].total, alone.estimates_bytes.total, JSON.stringify(row));
  });
  assert.deepEqual(more.matrix.map((m) => (m.error ? m.error.code : 'ok')), ['invalid_option', 'ok', 'invalid_option', 'ok', 'invalid_option']);
  const bad = JSON.parse(core.view(r.handle, JSON.stringify(options), '{"contexts":[-1]}'));
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid_option');
  core.release(r.handle);
});

// The page fills its form from js/vocab.js before the core loads (web/js/engine.js): the build writes it from the
// same build's core (scripts/lib/vocab-module.mjs). The site's copy must be the core's answers, verbatim — a stale or
// hand-edited copy would make the page offer what the core refuses.
test('the site\'s js/vocab.js holds this core\'s vocabularies() and version() verbatim', async () => {
  const site = path.join(root, 'build/site');
  const file = path.join(site, 'js/vocab.js');
  assert.ok(fs.existsSync(file), `${file} is missing: scripts/build writes it`);
  const built = await import(`${new URL(`file://${file}`).href}?t=${Date.now()}`);
  assert.equal(built.version, core.version());
  assert.deepEqual(built.vocabularies, JSON.parse(core.vocabularies()));
  const { vocabModule } = await import('../../scripts/lib/vocab-module.mjs');
  assert.equal(fs.readFileSync(file, 'utf8'), vocabModule(core.vocabularies(), core.version()), 'the file is the generator\'s output for these answers');
  assert.throws(() => vocabModule('{"ok":false,"error":{"code":"x","message":"y"}}', '1'), /not a table set/);
});

// The page's worker runs the core once on a made-up model before the visitor's first load (web/js/warm-up.js), so
// that V8 has optimised the code a large repo runs. It is only worth its time if the core reads all of it: every
// tensor of both shards through the index, as a mixture of experts, with nothing refused or skipped.
test('the page\'s warm-up model is a sharded MoE that the core reads whole, tensor by tensor', async () => {
  const { WARM_UP, warmUpSnapshot } = await import('../../web/js/warm-up.js');
  const loaded = JSON.parse(core.loadSnapshot(warmUpSnapshot()));
  assert.equal(loaded.ok, true, JSON.stringify(loaded));
  try {
    const rep = report(loaded.handle, { profile: 'vllm' });
    // embed, norm, lm_head; per layer 2 norms, q/k/v/o, q/k norms, the router, and 3 matrices per expert
    const tensors = 3 + WARM_UP.layers * (9 + 3 * WARM_UP.experts);
    assert.equal(rep.tensors, tensors);
    // Its size is the point (warm-up.js): V8 optimises a function only after it has run enough code.
    assert.ok(tensors >= 2500, `${tensors} tensors: too few for the per-tensor code to be optimised`);
    assert.equal(rep.layout, 'sharded');
    assert.equal(rep.weight_files, WARM_UP.shards);
    assert.equal(rep.architecture.model_type, 'qwen3_moe');
    assert.equal(rep.architecture.num_layers, WARM_UP.layers);
    assert.deepEqual(rep.warnings, []);
    assert.deepEqual(rep.dtype_distribution, { BF16: tensors });
  } finally {
    core.release(loaded.handle);
  }
});

test('progress reaches the page at most every 50 ms within a stage, and the last header is always reported', async () => {
  // core/wasm/api.cpp ProgressGate: a 163-shard load sends a handful of reports, not one per header.
  const reports = [];
  const r = await new Promise((resolve) => core.loadModel(hub.hubUrl, 'deepseek-ai/DeepSeek-R1', 'main', '', '',
    (json) => reports.push({ at: performance.now(), ...JSON.parse(json) }), (json) => resolve(JSON.parse(json))));
  assert.equal(r.ok, true, JSON.stringify(r));
  core.release(r.handle);
  const headers = reports.filter((p) => p.stage === 'headers');
  const last = headers[headers.length - 1];
  assert.equal(last.files_total, 163);
  assert.equal(last.files_done, 163, 'the last header is reported');
  assert.ok(headers.length < 163, `${headers.length} progress reports for 163 headers`);
  // The one report the gate lets through early is the last header's (the first at files_done = files_total); a later
  // report of the same stage (the plan's, after it) is held to the 50 ms like the rest.
  const lastHeader = reports.findIndex((p) => p.stage === 'headers' && p.files_total && p.files_done === p.files_total);
  assert.ok(lastHeader > 0, 'the last header has its report');
  for (let i = 1; i < reports.length; i++) {
    if (reports[i].stage !== reports[i - 1].stage || i === lastHeader) continue;
    assert.ok(reports[i].at - reports[i - 1].at >= 49, `reports ${i - 1} and ${i} of stage ${reports[i].stage} came ${(reports[i].at - reports[i - 1].at).toFixed(1)} ms apart`);
  }
});
