// The vendored measured runs (tests/validation/) and the generator's matching (tools/validate/lib): every row is
// complete and agrees with SPLIT.md, malformed rows are refused with a message naming the field, and the CLI
// reproduces the exact quantities of the llama.cpp runs (KV cache, model buffers of real files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';
import { loadRows, loadSplit, splitProblems, rowProblems, quotedCarriesValue, PROFILE_DIRS } from '../../tools/validate/lib/rows.mjs';
import { cliArgs, estimateFor, relError } from '../../tools/validate/lib/compare.mjs';
import { compareAll } from '../../tools/validate/lib/run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vdir = path.join(root, 'tests/validation');
const cli = path.join(root, 'build/native/vram-estimate');

const goodRow = () => ({
  id: 'r1', profile: 'llama.cpp', role: 'judge', family: 'fam', model_in_run: 'm.gguf',
  fixture: { repo: 'org/repo', gguf_file: 'm.gguf' },
  source: { repo: 'o/r', path: 'README.md', commit: 'a'.repeat(40) },
  source_url: `https://github.com/o/r/blob/${'a'.repeat(40)}/README.md`,
  settings: { n_ctx: 512 },
  measured: [{ quantity: 'kv_cache_total', value: 256, unit: 'MiB', quoted: 'KV self size  =  256.00 MiB' }],
  quoted: ['n_ctx = 512'],
});

test('every vendored run is complete, unique and on the side of the split SPLIT.md gives its family', () => {
  const { rows, errors } = loadRows(vdir);
  assert.deepEqual(errors, []);
  assert.ok(rows.length > 0);
  const { split, errors: splitErrors } = loadSplit(path.join(vdir, 'SPLIT.md'));
  assert.deepEqual(splitErrors, []);
  assert.deepEqual(splitProblems(rows, split), []);
});

test('SPLIT.md run counts match the vendored rows of each family', () => {
  const { rows } = loadRows(vdir);
  const text = fs.readFileSync(path.join(vdir, 'SPLIT.md'), 'utf8');
  for (const line of text.split('\n')) {
    const c = line.split('|').map((x) => x.trim());
    if (c.length < 6 || !['calibrate', 'judge'].includes(c[3])) continue;
    const n = rows.filter((r) => r.profile === c[1] && r.family === c[2]).length;
    assert.equal(n, Number(c[4]), `${c[1]} / ${c[2]}`);
  }
});

test('a quoted line must show the measured value, thousands separators and trailing zeros allowed', () => {
  assert.equal(quotedCarriesValue('compute buffer size =   164.01 MiB', 164.01), true);
  assert.equal(quotedCarriesValue('KV self size  = 1024.00 MiB', 1024), true);
  assert.equal(quotedCarriesValue('GPU KV cache size: 157,936 tokens', 157936), true);
  assert.equal(quotedCarriesValue('compute buffer size =  1164.01 MiB', 164.01), false);
  assert.equal(quotedCarriesValue('compute buffer size =   164.02 MiB', 164.01), false);
});

test('a malformed row is refused with a message that names the field', () => {
  assert.deepEqual(rowProblems(goodRow(), 'llama.cpp'), []);
  const cases = [
    [(r) => { r.role = 'fit'; }, /"role"/],
    [(r) => { r.source.commit = 'main'; }, /source\.commit/],
    [(r) => { r.source_url = 'http://example.com'; }, /source_url/],
    [(r) => { r.measured[0].quoted = 'KV self size  =  128.00 MiB'; }, /does not show the value 256/],
    [(r) => { r.measured[0].value = -1; }, /not a non-negative number/],
    [(r) => { r.fixture = null; }, /fixture_missing/],
    [(r) => { r.profile = 'vllm'; }, /expected "llama.cpp"/],
    [(r) => { r.measured = []; }, /"measured"/],
    [(r) => { r.measured[0].compare = false; }, /why_not/],
    [(r) => { r.id = 'a b'; }, /"id"/],
  ];
  for (const [mutate, re] of cases) {
    const r = goodRow();
    mutate(r);
    const p = rowProblems(r, 'llama.cpp');
    assert.ok(p.some((m) => re.test(m)), `${re} in ${JSON.stringify(p)}`);
  }
  assert.deepEqual(rowProblems([1, 2], 'llama.cpp'), ['the line is not a JSON object']);
});

test('a runs.jsonl line that is not JSON, or repeats an id, is reported with its file and line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-'));
  try {
    for (const d of PROFILE_DIRS) fs.mkdirSync(path.join(dir, d));
    for (const d of PROFILE_DIRS) fs.writeFileSync(path.join(dir, d, 'runs.jsonl'), '');
    fs.writeFileSync(path.join(dir, 'llama.cpp', 'runs.jsonl'), `${JSON.stringify(goodRow())}\n{not json\n${JSON.stringify(goodRow())}\n`);
    const { rows, errors } = loadRows(dir);
    assert.equal(rows.length, 1);
    assert.ok(errors.some((e) => /llama\.cpp\/runs\.jsonl line 2: not JSON/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /line 3: id "r1" already used/.test(e)), errors.join('\n'));
    fs.rmSync(path.join(dir, 'diffusers', 'runs.jsonl'));
    assert.ok(loadRows(dir).errors.some((e) => /diffusers\/runs\.jsonl: missing/.test(e)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a row without a fixture is not run and says why; a quantity the report lacks is "not modelled yet"', () => {
  const r = goodRow();
  r.fixture = null;
  r.fixture_missing = 'no data';
  assert.deepEqual(cliArgs(r), { skip: 'no fixture', detail: 'no data' });
  const t = { ...goodRow(), profile: 'transformers' };
  assert.match(estimateFor(t, { quantity: 'torch_max_memory_reserved' }, { per_gpu: {} }).notModelled, /allocator-reserve/);
  const d = { ...goodRow(), profile: 'diffusers', settings: { placement: 'pipe.to("cuda")', quantized: { transformer: 'bnb' } } };
  assert.match(estimateFor(d, { quantity: 'torch_max_memory_reserved' }, { per_gpu: {} }).notModelled, /per-component quantization/);
});

test('diffusers rows: the run\'s call as CLI options, reserved compared with weights (+ activations), never the CUDA context', () => {
  const settings = { height: 768, width: 1024, batch_size: 2, max_sequence_length: 256, placement: 'pipe.to("cuda")' };
  const d = { ...goodRow(), profile: 'diffusers', fixture: { repo: 'org/pipe' }, settings };
  assert.deepEqual(cliArgs(d).args, ['org/pipe', '--profile', 'diffusers', '--height', '768', '--width', '1024', '-b', '2', '--text-tokens', '256']);
  const report = { per_gpu: { model_weights: 10, activation_overhead: 3 }, overhead_parts: { cuda_context: 100 } };
  assert.equal(estimateFor(d, { quantity: 'torch_max_memory_reserved_after_load' }, report).bytes, 10);
  assert.equal(estimateFor(d, { quantity: 'torch_max_memory_reserved' }, report).bytes, 13);
  const off = { ...d, settings: { ...settings, placement: 'pipe.enable_model_cpu_offload()' } };
  assert.deepEqual(cliArgs(off).args.slice(-2), ['--model-cpu-offload', 'on']);
  assert.match(estimateFor(off, { quantity: 'torch_max_memory_reserved_after_load' }, report).notModelled, /on the CPU/);
  assert.equal(estimateFor(off, { quantity: 'torch_max_memory_reserved' }, report).bytes, 13);
  const group = { ...d, settings: { ...settings, placement: 'transformer group offload' } };
  assert.match(estimateFor(group, { quantity: 'torch_max_memory_reserved' }, report).notModelled, /not modelled/);
});

test('diffusers rows: torch_dtype as the precision target, allocated compared with pipeline.allocated_bytes, a call the CLI cannot express not modelled', () => {
  const settings = { height: 1024, width: 1024, batch_size: 4, torch_dtype: 'float16', placement: 'pipe.to("cuda")', quantized: null };
  const d = { ...goodRow(), profile: 'diffusers', fixture: { repo: 'org/sdxl' }, settings };
  assert.deepEqual(cliArgs(d).args.slice(-2), ['-q', 'float16']);
  assert.ok(!cliArgs({ ...d, settings: { ...settings, quantized: { transformer: 'bnb' } } }).args.includes('-q'));
  const report = { per_gpu: { model_weights: 10, activation_overhead: 9 }, pipeline: { allocated_bytes: 13, reserved_bytes: 19 } };
  const m = { quantity: 'torch_max_memory_allocated' };
  assert.equal(estimateFor(d, m, report).bytes, 13);
  assert.equal(estimateFor(d, { quantity: 'torch_max_memory_reserved' }, report).bytes, 19);
  assert.match(estimateFor(d, m, { per_gpu: {} }).notModelled, /no pipeline section/);
  const sliced = { ...d, settings: { ...settings, memory_options: ['pipe.enable_vae_slicing()'] } };
  assert.match(estimateFor(sliced, m, report).notModelled, /not expressible in the CLI: pipe\.enable_vae_slicing\(\)/);
});

test('llama.cpp sizes printed to 0.01 MiB count as exact within half a unit of the last digit', () => {
  const r = goodRow();
  const m = r.measured[0];
  const MiB = 1024 ** 2;
  assert.equal(relError(r, m, 256 * MiB + 0.004 * MiB, 256 * MiB), 0);
  assert.ok(relError(r, m, 256 * MiB + 0.02 * MiB, 256 * MiB) > 0);
  assert.equal(estimateFor(r, m, { per_gpu: { kv_cache: 3 }, llama_cpp: { system_memory: { kv_cache: 4 } } }).bytes, 7);
});

let hub;
before(async () => { hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') }); });
after(async () => { await hub?.close(); });

test('the CLI reproduces every vendored llama.cpp KV cache exactly, and the model buffers of real GGUF files', { skip: !fs.existsSync(cli) && 'build/native/vram-estimate not built' }, async () => {
  const rows = loadRows(vdir).rows.filter((r) => r.profile === 'llama.cpp' && r.fixture);
  assert.ok(rows.length >= 5);
  const results = await compareAll(rows, cli, hub.hubUrl);
  const kv = results.filter((r) => r.m.quantity === 'kv_cache_total');
  assert.equal(kv.length, rows.length);
  for (const r of kv) assert.equal(r.err, 0, `${r.row.id}: ${r.status} ${r.detail ?? ''}`);
  // TheBloke's files are served at their real sizes, so their GPU/CPU model buffers must match to the printed digit.
  const real = results.filter((r) => r.row.fixture.repo === 'TheBloke/Llama-2-7B-Chat-GGUF' && /^model_buffer/.test(r.m.quantity));
  assert.ok(real.length >= 5);
  for (const r of real) assert.ok(r.status === 'compared' && Math.abs(r.err) < 1e-5, `${r.row.id} ${r.m.quantity}: ${r.err}`);
});
