// Every fixture repo read end to end through the CLI (--json) against the Hub imitation: exact
// bytes against each index's total_size, and the parameter counts the real repos' headers give.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/fixtures/hub');
const cli = path.join(root, 'build/native/vram-estimate');
let hub;
before(async () => { hub = await startHub({ fixtures }); });
after(async () => { await hub?.close(); });

function estimate(repo, extra = []) {
  return new Promise((resolve) => {
    const child = spawn(cli, [repo, '--json', ...extra], { env: { PATH: process.env.PATH, HOME: '/nonexistent', HF_ENDPOINT: hub.hubUrl, HF_TOKEN: 'hf_fixture_alice' } });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      if (code !== 0) resolve({ error: `${repo}: exit ${code}: ${err}` });
      else resolve(JSON.parse(out));
    });
  });
}

function repos() {
  const out = [];
  for (const org of fs.readdirSync(fixtures)) {
    if (org.startsWith('_') || org === 'fixture-crafted') continue;
    for (const name of fs.readdirSync(path.join(fixtures, org))) if (!name.includes('@')) out.push(`${org}/${name}`);
  }
  return out;
}

// Σ metadata.total_size of the indexes the layout reads (variants and skipped copies excluded).
function indexTotals(repo) {
  const dir = path.join(fixtures, repo);
  const totals = {};
  const walk = (sub) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) { if (!rel.startsWith('original')) walk(rel); continue; }
      if (!/\.safetensors\.index\.json$/.test(e.name)) continue;  // variant indexes (.index.fp16.json) do not match
      const total = JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')).metadata?.total_size;
      if (total !== undefined) totals[sub || 'root'] = Number(total);
    }
  };
  walk('');
  return totals;
}

test('every fixture with a shard index comes out at exactly its total_size, per component', async () => {
  let checked = 0;
  for (const repo of repos()) {
    const totals = indexTotals(repo);
    if (!Object.keys(totals).length) continue;
    const j = await estimate(repo);
    assert.ok(!j.error, j.error);
    for (const [component, total] of Object.entries(totals)) {
      const stored = j.components.filter((c) => c.name === component || (component === 'root' && ['root', 'vision_tower', 'projector'].includes(c.name)))
        .reduce((a, c) => a + c.stored_bytes, 0);
      assert.equal(stored, total, `${repo} ${component}`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} indexes checked`);
});

// Counts from the issue (real repos' headers, via huggingface.js) and from the fixtures' sources.
const PUBLISHED = {
  'google-bert/bert-base-uncased': 110106428,
  'openai/gpt-oss-20b': 20914757184,
  'openai-community/gpt2': 137022720,
  'Qwen/Qwen2.5-7B-Instruct': 7615616512,
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': 1100048384,
  'google/flan-t5-base': 247577856,
  'meta-llama/Llama-2-7b-hf': 6738415616 + 2048,
  'meta-llama/Llama-3.1-8B': 8030261248,
  'Qwen/Qwen3-Next-80B-A3B-Instruct': 81324862720,
  'Qwen/Qwen2.5-VL-7B-Instruct': 8292166656,
};
for (const [repo, params] of Object.entries(PUBLISHED)) {
  test(`${repo} holds exactly ${params.toLocaleString('en-US')} parameters`, async () => {
    const j = await estimate(repo);
    assert.ok(!j.error, j.error);
    assert.equal(j.parameters, params);
  });
}

const CRAFTED = {
  'quant-gptq-4bit': 8448, 'quant-awq-4bit': 8448, 'quant-compressed-tensors-w4a16': 8448,
  'quant-bnb-nf4': 8448, 'quant-mxfp4': 10496, 'quant-fp8-block': 39168,
};
for (const [name, params] of Object.entries(CRAFTED)) {
  test(`crafted ${name} unpacks to ${params} parameters and keeps its stored bytes`, async () => {
    const j = await estimate(`fixture-crafted/${name}`);
    assert.ok(!j.error, j.error);
    assert.equal(j.parameters, params);
    assert.equal(j.estimates_bytes.model_weights, j.estimates_bytes.model_weights_raw);
  });
}
