// The measured fine-tuning runs the training estimator is judged against
// (tests/validation/training/runs.jsonl, described in its README.md): every row complete, pinned to
// its source, its bytes consistent with the printed figure, the held-out split kept by family, and
// every fixture twin present in the Hub imitation's tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'tests/validation/training');

function readJsonl(file) {
  return fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l, i) => {
      try { return JSON.parse(l); } catch (e) { throw new Error(`${file} line ${i + 1}: ${e.message}`); }
    });
}

const runs = readJsonl('runs.jsonl');
const rejected = readJsonl('rejected.jsonl');

// Bytes per printed unit; the README's schema names exactly these three.
const UNIT_BYTES = { 'GB (1e9 B)': 1e9, GB: 1e9, GiB: 2 ** 30, bytes: 1 };
const REQUIRED = ['id', 'source', 'source_url', 'settings_urls', 'quote', 'settings_source', 'framework', 'model',
  'family', 'architecture', 'method', 'precision', 'optimizer', 'gradient_checkpointing', 'attention', 'loss',
  'micro_batch', 'seq_len', 'seq_len_kind', 'n_gpus', 'distribution', 'gpu', 'outcome', 'unit', 'quantity', 'split'];
// A GitHub blob pinned to a full commit, or a pull request / issue thread (immutable by number).
const PINNED = /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(blob\/[0-9a-f]{40}\/.+|pull\/\d+|issues\/\d+)$/;

test('every run has every field the schema names, with a unique id', () => {
  const ids = new Set();
  for (const r of runs) {
    for (const k of REQUIRED) assert.ok(r[k] !== undefined && r[k] !== '', `${r.id ?? '?'}: missing ${k}`);
    assert.ok(!ids.has(r.id), `duplicate id ${r.id}`);
    ids.add(r.id);
    assert.ok(['full', 'lora', 'qlora'].includes(r.method), `${r.id}: method ${r.method}`);
    assert.ok(['ok', 'oom'].includes(r.outcome), `${r.id}: outcome ${r.outcome}`);
    assert.ok(['calibrate', 'judge'].includes(r.split), `${r.id}: split ${r.split}`);
    assert.ok(Number.isInteger(r.micro_batch) && r.micro_batch > 0, `${r.id}: micro_batch ${r.micro_batch}`);
    assert.ok(Number.isInteger(r.seq_len) && r.seq_len > 0, `${r.id}: seq_len ${r.seq_len}`);
    assert.ok(Number.isInteger(r.n_gpus) && r.n_gpus > 0, `${r.id}: n_gpus ${r.n_gpus}`);
    assert.ok(/^(fixed|max):/.test(r.seq_len_kind) || /^stated/.test(r.seq_len_kind), `${r.id}: seq_len_kind`);
  }
  assert.ok(runs.length >= 100, `only ${runs.length} runs`);
});

test('every figure and every setting points at a pinned public source', () => {
  for (const r of runs) {
    assert.match(r.source_url, PINNED, `${r.id}: source_url not pinned: ${r.source_url}`);
    assert.ok(Array.isArray(r.settings_urls) && r.settings_urls.length > 0, `${r.id}: no settings_urls`);
    for (const u of r.settings_urls) assert.match(u, PINNED, `${r.id}: settings url not pinned: ${u}`);
    assert.ok(r.quote.length >= 20, `${r.id}: quote too short to be a quote`);
  }
  for (const r of rejected) {
    assert.ok(r.source_url && r.quote && r.why && r.why.length >= 20, `rejected entry incomplete: ${JSON.stringify(r)}`);
  }
});

test('measured_bytes is the printed figure times its unit, and OOM rows carry no figure', () => {
  for (const r of runs) {
    if (r.outcome === 'oom') {
      assert.equal(r.measured, null, `${r.id}: OOM row with a figure`);
      assert.equal(r.measured_bytes, null, `${r.id}: OOM row with bytes`);
      continue;
    }
    const per = UNIT_BYTES[r.unit];
    assert.ok(per, `${r.id}: unknown unit ${r.unit}`);
    assert.equal(r.measured_bytes, Math.round(r.measured * per), `${r.id}: ${r.measured} ${r.unit} ≠ ${r.measured_bytes} B`);
    // The figure must appear in the quoted line (bytes as printed, or the decimal figure).
    const printed = r.unit === 'bytes' ? String(r.measured) : String(r.measured).replace(/\.0$/, '');
    assert.ok(r.quote.includes(printed), `${r.id}: ${printed} not in its quote`);
    // A fine-tuning peak below 1 GB or above 200 GB per GPU is a unit mistake, not a measurement.
    assert.ok(r.measured_bytes > 1e9 && r.measured_bytes < 200e9, `${r.id}: ${r.measured_bytes} B per GPU`);
  }
});

test('LoRA and QLoRA rows name their rank and targets; QLoRA rows name the 4-bit format', () => {
  for (const r of runs) {
    if (r.method === 'full') {
      assert.equal(r.lora, null, `${r.id}: full fine-tune with LoRA settings`);
      continue;
    }
    assert.ok(Number.isInteger(r.lora?.rank) && r.lora.rank > 0, `${r.id}: LoRA rank`);
    assert.ok(Array.isArray(r.lora.targets) && r.lora.targets.length > 0, `${r.id}: LoRA targets`);
    if (r.method === 'qlora') {
      assert.equal(r.quantization?.type, 'nf4', `${r.id}: QLoRA without nf4`);
      assert.equal(typeof r.quantization.double_quant, 'boolean', `${r.id}: double_quant unknown`);
    } else {
      assert.equal(r.quantization, null, `${r.id}: LoRA row with quantization`);
    }
  }
});

test('the split holds out whole families: no family calibrates and judges', () => {
  const sides = new Map();
  for (const r of runs) {
    if (!sides.has(r.family)) sides.set(r.family, new Set());
    sides.get(r.family).add(r.split);
  }
  for (const [family, s] of sides) assert.equal(s.size, 1, `family ${family} is on both sides of the split`);
  const judged = runs.filter((r) => r.split === 'judge' && r.outcome === 'ok');
  const families = new Set(judged.map((r) => r.family));
  assert.ok(judged.length >= 12, `${judged.length} held-out measured rows (issue 15 asks for 12)`);
  assert.ok(families.size >= 5, `${families.size} held-out families (issue 15 asks for 5)`);
});

test('every fixture twin a run names exists in the Hub imitation, with a config.json', () => {
  const hub = path.join(root, 'tests/fixtures/hub');
  for (const r of runs) {
    if (r.fixture_repo === null) continue;
    assert.ok(fs.existsSync(path.join(hub, r.fixture_repo, 'config.json')), `${r.id}: no fixture ${r.fixture_repo}`);
  }
  // The held-out table the issue asks for can run: ≥ 12 measured held-out rows over ≥ 5 families have a fixture.
  const runnable = runs.filter((r) => r.split === 'judge' && r.outcome === 'ok' && r.fixture_repo !== null);
  const families = new Set(runnable.map((r) => r.family));
  assert.ok(runnable.length >= 12 && families.size >= 5,
    `held-out measured rows with a fixture: ${runnable.length} across ${families.size} families (issue 15 asks for 12 across 5)`);
});

// The real size of every checkpoint a run is estimated from, with its source. The fixture on disk must hold
// exactly this: the sum of its safetensors headers' tensor bytes (and, where the source is a parameter count,
// their element count), and its index's total_size. A fixture edited or rebuilt into another total fails here.
const BYTES = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, I8: 1 };
const FIXTURE_TOTALS = {
  // index metadata.total_size of the real repos (../shared/data/real/<org>__<name>/model.safetensors.index.json)
  'mistralai/Mistral-7B-v0.1': { bytes: 14483464192, source: 'real index (jasonfr6/AI7 @ 26bca36)' },
  'meta-llama/Llama-2-7b-hf': { bytes: 13476839424, source: 'real index (HamZil/Llama-2-7b-hf @ 8cca527)' },
  'meta-llama/Llama-2-70b-chat-hf': { bytes: 137953316864, source: 'real index (MdSagorMunshi/LLAMA @ 90cffa7)' },
  'mistralai/Mixtral-8x7B-v0.1': { bytes: 93405585408, source: 'real index (yangulei/Mixtral-8x7B @ 5830144)' },
  // HF API safetensors parameter counts (hf_api_model.json in the data)
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': { params: 1100048384, source: 'HF API BF16 count' },
  'meta-llama/Llama-3.1-8B': { params: 8030261248, source: 'HF API BF16 count of the -Instruct twin' },
  // held-out families (tests/fixtures/build/configs/SOURCES.md): the real index's total_size, proven by its sha256
  // in the dinoml manifest, or a published parameter count
  'google/gemma-2b': { bytes: 5012344832, params: 2506172416, source: 'alpindale/gemma-2b-it index (sha256) + keras-hub gemma_2b_en params' },
  'google/gemma-7b': { bytes: 17075361792, params: 8537680896, source: 'milandean/gemma-7b index (sha256) + keras-hub gemma_7b_en params' },
  'google/gemma-2-2b': { params: 2614341888, source: 'keras-hub gemma2_2b_en params' },
  'google/gemma-2-9b': { params: 9241705984, source: 'keras-hub gemma2_9b_en params' },
  'microsoft/phi-2': { bytes: 5559367680, source: 'microsoft/phi-2 index @ 810d367 (sha256); quoted in neobundy/Deep-Dive-Into-AI-With-MLX-PyTorch' },
  'microsoft/Phi-3-mini-4k-instruct': { bytes: 7642159104, params: 3821079552, source: 'index @ f39ac1d (sha256) + HF API total (maruel/huggingface)' },
  'tiiuae/falcon-7b': { bytes: 14434379520, source: 'safetensors index @ ec89142 (sha256) = tt-buda pytorch_model.bin.index.json total_size' },
};

function fixtureTotals(dir) {
  let bytes = 0;
  let params = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.safetensors'))) {
    const buf = fs.readFileSync(path.join(dir, f));
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const count = t.shape.reduce((a, d) => a * d, 1);
      assert.equal(t.data_offsets[1] - t.data_offsets[0], count * BYTES[t.dtype], `${dir}/${f}: ${name} span ≠ shape × dtype`);
      bytes += t.data_offsets[1] - t.data_offsets[0];
      params += count;
    }
  }
  return { bytes, params };
}

test('every fixture a run is estimated from holds its cited real total (bytes or parameters)', () => {
  const hub = path.join(root, 'tests/fixtures/hub');
  const used = new Set(runs.map((r) => r.fixture_repo).filter((x) => x !== null));
  for (const repo of used) {
    const cited = FIXTURE_TOTALS[repo];
    assert.ok(cited, `${repo}: a run is estimated from it but no real total is cited for it here`);
    const dir = path.join(hub, repo);
    const got = fixtureTotals(dir);
    if (cited.bytes !== undefined) assert.equal(got.bytes, cited.bytes, `${repo}: tensor bytes ≠ ${cited.source}`);
    if (cited.params !== undefined) assert.equal(got.params, cited.params, `${repo}: parameters ≠ ${cited.source}`);
    const index = path.join(dir, 'model.safetensors.index.json');
    if (fs.existsSync(index)) {
      assert.equal(JSON.parse(fs.readFileSync(index, 'utf8')).metadata.total_size, got.bytes, `${repo}: index total_size ≠ its shards`);
    }
  }
});

// tests/validation/training/reasons.jsonl: why a held-out row misses 10 % (validate_training --check, under ctest,
// checks that every such row has one). Here: each names a measured held-out row that has a fixture, says which kind
// of reason it is, and cites pinned sources only.
const REASON_KINDS = new Set(['explained', 'partly explained', 'QLoRA, not modelled', 'figure inconsistent with its settings', 'unexplained']);

test('every written reason names a measured held-out row, has a known kind and pinned sources', () => {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const seen = new Set();
  for (const x of readJsonl('reasons.jsonl')) {
    const r = byId.get(x.id);
    assert.ok(r, `reasons.jsonl names ${x.id}, which is not a run`);
    assert.ok(!seen.has(x.id), `two reasons for ${x.id}`);
    seen.add(x.id);
    assert.equal(r.split, 'judge', `${x.id}: reasons are written for held-out rows only (calibration rows may be fitted)`);
    assert.equal(r.outcome, 'ok', `${x.id}: an OOM row has no figure to miss`);
    assert.ok(r.fixture_repo, `${x.id}: no fixture, so no estimate to explain`);
    assert.ok(REASON_KINDS.has(x.kind), `${x.id}: kind ${x.kind}`);
    assert.ok(typeof x.reason === 'string' && x.reason.length >= 80, `${x.id}: reason too short to say why`);
    assert.ok(Array.isArray(x.sources), `${x.id}: sources must be a list`);
    for (const u of x.sources) assert.match(u, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/blob\/[0-9a-f]{40}\/.+$/, `${x.id}: source not pinned: ${u}`);
  }
});
