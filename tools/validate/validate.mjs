#!/usr/bin/env node
// Regenerates docs/validation.md: every vendored measured run (tests/validation/<profile>/runs.jsonl) re-estimated
// by the native CLI against the Hub imitation (tests/hub/hub.mjs, started in this process on the fixture tree),
// compared like with like, one table per profile with the calibration and held-out rows apart; and the vLLM H100
// campaign through tools/validate/validate_vllm (its own comparisons), embedded as the vLLM section.
//
//   node tools/validate/validate.mjs [--out FILE] [--cli PATH] [--validate-vllm PATH] [--vllm-data DIR] [--check]
//
//   --out FILE            where to write (default docs/validation.md)
//   --cli PATH            the native CLI (default build/native/vram-estimate)
//   --validate-vllm PATH  the vLLM campaign tool (default build/native/validate_vllm)
//   --vllm-data DIR       the folder validate_vllm reads (default: tests/validation/vllm when it holds the campaign,
//                         else ../shared/data/real beside the repository)
//   --check               write nothing; exit 1 when FILE differs from what would be written
//
// Exit codes: 0 written (or up to date with --check), 1 --check found a difference, 2 bad vendored data or usage,
// 3 a tool is missing or failed. `scripts/validate` builds the tools first. Node 20, standard library only.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startHub } from '../../tests/hub/hub.mjs';
import { TARGETS, targetFor } from './lib/compare.mjs';
import { compareAll } from './lib/run.mjs';
import { loadRows, loadSplit, splitProblems } from './lib/rows.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VLLM_CSV = '_measured/llm-d-planner__vllm-v0.19.0__H100-80GB/results_raw.csv';

function usage(msg) {
  if (msg) console.error(`validate: ${msg}`);
  console.error('usage: node tools/validate/validate.mjs [--out FILE] [--cli PATH] [--validate-vllm PATH] [--vllm-data DIR] [--check]');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    out: path.join(root, 'docs/validation.md'),
    cli: path.join(root, 'build/native/vram-estimate'),
    validateVllm: path.join(root, 'build/native/validate_vllm'),
    vllmData: null,
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return path.resolve(argv[++i]);
    };
    if (a === '--out') o.out = next();
    else if (a === '--cli') o.cli = next();
    else if (a === '--validate-vllm') o.validateVllm = next();
    else if (a === '--vllm-data') o.vllmData = next();
    else if (a === '--check') o.check = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node tools/validate/validate.mjs [--out FILE] [--cli PATH] [--validate-vllm PATH] [--vllm-data DIR] [--check]');
      process.exit(0);
    } else usage(`unknown argument "${a}"`);
  }
  if (!o.vllmData) {
    const inRepo = path.join(root, 'tests/validation/vllm');
    o.vllmData = fs.existsSync(path.join(inRepo, VLLM_CSV)) ? inRepo : path.resolve(root, '../shared/data/real');
  }
  return o;
}

const rel = (p) => path.relative(root, p) || '.';
const pct = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fmtValue(bytes, unit, per) {
  if (unit === 'tokens') return `${Math.round(bytes).toLocaleString('en-US')} tokens`;
  const v = bytes / per;
  return `${v.toFixed(unit === 'MiB' || unit === 'MB' ? 2 : 3)} ${unit}`;
}

function settingsSummary(row) {
  const s = row.settings;
  if (row.profile === 'llama.cpp') {
    const ngl = s.n_gpu_layers === 0 ? 'CPU only' : `ngl ${s.n_gpu_layers}`;
    return `${row.engine?.backend ?? ''}, ctx ${s.n_ctx}, ub ${s.n_ubatch ?? '?'}, FA ${s.flash_attn ? 'on' : 'off'}, ${ngl}`;
  }
  if (row.profile === 'transformers') {
    const qm = s.quantization?.method;
    const q = !s.quantization ? s.dtype : qm === 'gptq' ? `GPTQ ${s.quantization.kernel}` : qm === 'fp8' ? 'FP8 checkpoint' : `bnb ${s.quantization.bits}-bit`;
    return `${q}, batch ${s.batch_size}, prompt ${s.prompt_tokens ?? '?'} + new ${s.new_tokens}`;
  }
  if (row.profile === 'vllm') {
    return `${row.engine?.device ?? ''}, tp ${s.tensor_parallel_size ?? 1}, ${s.max_model_len}, util ${s.gpu_memory_utilization}${s.enforce_eager ? ', eager' : ''}`;
  }
  if (row.profile === 'diffusers') {
    const q = s.quantized ? Object.entries(s.quantized).map(([k, v]) => `${k}: ${v}`).join('; ') : (s.torch_dtype ?? '');
    const res = s.height ? `${s.width}×${s.height}, ${s.num_inference_steps} steps, ` : '';
    const extra = [/^eager/.test(s.attention ?? '') ? 'eager attention' : '', /torch\.compile/.test(s.attention ?? '') ? 'torch.compile' : '', ...(s.memory_options ?? [])].filter(Boolean);
    return `${res}batch ${s.batch_size}, ${q}${s.placement && !/pipe\.to/.test(s.placement) ? `, ${s.placement}` : ''}${extra.length ? `, ${extra.join(', ')}` : ''}`;
  }
  return '';
}

function stats(results) {
  const errs = results.filter((r) => r.status === 'compared').map((r) => Math.abs(r.err));
  if (!errs.length) return null;
  return { n: errs.length, mean: errs.reduce((a, b) => a + b, 0) / errs.length, max: Math.max(...errs) };
}

const UNIT_PER = { MiB: 1024 ** 2, GiB: 1024 ** 3, MB: 1e6, GB: 1e9, tokens: 1 };

function table(results) {
  const lines = ['| run | model (fixture) | settings | quantity | measured | estimated | error | status |', '|---|---|---|---|---:|---:|---:|---|'];
  for (const r of results) {
    const { row, m } = r;
    const fx = row.fixture ? `\`${row.fixture.repo}\`${row.fixture.gguf_file ? ` ${row.fixture.gguf_file}` : ''}${row.fixture.stand_in ? ' ¹' : ''}` : '—';
    const measured = `${m.value} ${m.unit_printed && m.unit_printed !== m.unit ? `${m.unit_printed} (${m.unit})` : m.unit}`;
    let est = '—';
    let err = '—';
    let status = `${r.status}${r.detail ? `: ${r.detail}` : ''}`;
    if (r.status === 'compared') {
      const per = UNIT_PER[m.unit] ?? 1;
      est = fmtValue(r.est, m.unit, per);
      const t = targetFor(row, m);
      const ok = t === null || Math.abs(r.err) <= t;
      err = r.err === 0 ? '0 (exact)' : pct(r.err);
      status = `${ok ? '✓' : '✗'} vs ${r.what}`;
      // A miss the row explains (measured[].miss_reason): why this build's figure is not the profile's.
      if (!ok && m.miss_reason) status += ` — why: ${m.miss_reason}`;
    }
    lines.push(`| [\`${row.id}\`](${row.source_url}) | ${cell(row.model_in_run)} — ${fx} | ${cell(settingsSummary(row))} | ${cell(m.quantity)}${m.buffer ? ` (${cell(m.buffer)})` : ''} | ${cell(measured)} | ${est} | ${err} | ${cell(status)} |`);
  }
  return lines.join('\n');
}

function profileSection(profile, results, rowsOfProfile) {
  const target = TARGETS[profile] ?? null;
  const parts = [];
  const title = profile === 'vllm' ? 'vLLM on GPUs other than the H100' : profile;
  parts.push(`## ${title}`);
  parts.push('');
  parts.push(`Runs: ${rowsOfProfile.length} (tests/validation/${profile === 'vllm' ? 'vllm-other' : profile}/runs.jsonl). Target on held-out rows: ${target === null ? 'none set' : `within ${Math.round(target * 100)} %`}${profile === 'llama.cpp' ? ' (KV cache: exact)' : profile === 'vllm' ? ' (weights: 1 %)' : ''}.`);
  parts.push('');
  if (!rowsOfProfile.length) {
    parts.push('No runs vendored yet.');
    parts.push('');
    return parts.join('\n');
  }
  for (const [role, heading] of [['calibrate', 'Calibration rows (constants may be fitted on these)'], ['judge', 'Held-out rows (judge only; never fitted on)']]) {
    const rs = results.filter((r) => r.row.role === role);
    parts.push(`### ${heading}`);
    parts.push('');
    if (!rs.length) {
      parts.push('None.');
      parts.push('');
      continue;
    }
    const st = stats(rs);
    const statuses = {};
    for (const r of rs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    parts.push(`Quantities: ${rs.length} (${Object.entries(statuses).map(([k, v]) => `${v} ${k}`).join(', ')}). ${st ? `|error| over the ${st.n} compared: mean ${(st.mean * 100).toFixed(1)} %, max ${(st.max * 100).toFixed(1)} %.` : 'No quantity compared yet.'}`);
    parts.push('');
    parts.push(table(rs));
    parts.push('');
  }
  const standIns = rowsOfProfile.filter((r) => r.fixture?.stand_in);
  if (standIns.length) {
    parts.push('¹ The fixture stands in for the run\'s model:');
    parts.push('');
    for (const r of standIns) parts.push(`- \`${r.id}\`: ${r.fixture.stand_in}.`);
    parts.push('');
  }
  return parts.join('\n');
}

async function vllmSection(o) {
  if (!fs.existsSync(o.validateVllm)) throw new Error(`${rel(o.validateVllm)} not found: build it (scripts/validate does, or cmake --build build/native --target validate_vllm)`);
  if (!fs.existsSync(path.join(o.vllmData, VLLM_CSV))) throw new Error(`the vLLM H100 campaign is not at ${path.join(o.vllmData, VLLM_CSV)}: pass --vllm-data DIR`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-vllm-'));
  try {
    const md = path.join(tmp, 'vllm.md');
    await run(o.validateVllm, [o.vllmData, md], { timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    const text = fs.readFileSync(md, 'utf8');
    // One level down: its "# Validation …" title becomes this page's "## vLLM …" section.
    return text.replace(/^(#+) /gm, (_, h) => `#${h} `).trimEnd();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function summary(profiles, resultsBy, rowsBy) {
  const lines = ['| profile | runs | calibration: compared / mean / max | held-out: compared / mean / max | target on held-out |', '|---|---:|---|---|---|'];
  for (const p of profiles) {
    const rs = resultsBy[p];
    const f = (role) => {
      const st = stats(rs.filter((r) => r.row.role === role));
      return st ? `${st.n} / ${(st.mean * 100).toFixed(1)} % / ${(st.max * 100).toFixed(1)} %` : '0 compared';
    };
    const t = TARGETS[p];
    lines.push(`| ${p === 'vllm' ? 'vllm (other GPUs)' : p} | ${rowsBy[p].length} | ${f('calibrate')} | ${f('judge')} | ${t === null || t === undefined ? '—' : `${Math.round(t * 100)} %`} |`);
  }
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const vdir = path.join(root, 'tests/validation');
  const { rows, errors } = loadRows(vdir);
  const { split, errors: splitErrors } = loadSplit(path.join(vdir, 'SPLIT.md'));
  const all = [...errors, ...splitErrors, ...(splitErrors.length ? [] : splitProblems(rows, split))];
  if (all.length) {
    for (const e of all) console.error(`validate: ${e}`);
    process.exit(2);
  }
  if (!fs.existsSync(o.cli)) {
    console.error(`validate: ${rel(o.cli)} not found: build it first (scripts/validate does)`);
    process.exit(3);
  }

  let vllm;
  try {
    vllm = await vllmSection(o);
  } catch (e) {
    console.error(`validate: vLLM section: ${e.message}`);
    process.exit(3);
  }

  const hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub'), log: null });
  let results;
  try {
    results = await compareAll(rows, o.cli, hub.hubUrl);
  } finally {
    await hub.close();
  }

  const profiles = ['llama.cpp', 'transformers', 'diffusers', 'vllm'];
  const resultsBy = Object.fromEntries(profiles.map((p) => [p, results.filter((r) => r.row.profile === p)]));
  const rowsBy = Object.fromEntries(profiles.map((p) => [p, rows.filter((r) => r.profile === p)]));

  const md = [
    '# Validation: every profile against measured runs',
    '',
    'Generated by `scripts/validate` (tools/validate/validate.mjs) from the vendored measurements in `tests/validation/` — one row per public run, its source and commit, the exact lines quoted — and the fixture tree `tests/fixtures/hub/`, re-estimated by `build/native/vram-estimate --json` against the Hub imitation. Do not edit by hand: change the estimator, the data or the generator, and regenerate.',
    '',
    'How each measured quantity is matched to a part of the CLI report, and why some are not: `tests/validation/README.md` and each profile folder\'s README. Which runs calibrate and which only judge, decided before any fitting: `tests/validation/SPLIT.md`. A row without a number says why: *no fixture* (the run\'s model is not in the fixture tree yet), *not modelled yet* (the CLI reports no like quantity), *not compared* (the measured buffer has no counterpart, reason given). A ✗ row the data can explain says why after *why:* (`miss_reason`: a note, never used to pass a row).',
    '',
    summary(profiles, resultsBy, rowsBy),
    '',
    'The vLLM profile\'s H100 campaign (tests/validation/vllm/, compared by tools/validate/validate_vllm) has its own section below, before the vLLM runs on other GPUs.',
    '',
    ...profiles.filter((p) => p !== 'vllm').map((p) => profileSection(p, resultsBy[p], rowsBy[p])),
    vllm,
    '',
    profileSection('vllm', resultsBy.vllm, rowsBy.vllm),
  ].join('\n');

  if (o.check) {
    const cur = fs.existsSync(o.out) ? fs.readFileSync(o.out, 'utf8') : '';
    if (cur !== md) {
      console.error(`validate: ${rel(o.out)} is not what the data and the estimator give now; run scripts/validate`);
      process.exit(1);
    }
    console.log(`validate: ${rel(o.out)} is up to date`);
    return;
  }
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, md);
  const counts = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  console.log(`validate: ${rows.length} runs, ${results.length} quantities (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}) -> ${rel(o.out)}`);
}

main().catch((e) => {
  console.error(`validate: ${e.stack ?? e.message}`);
  process.exit(3);
});
