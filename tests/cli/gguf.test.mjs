// GGUF repos through the native command line against the Hub imitation: TheBloke's 12 real quantizations of
// Llama 2 7B Chat (exact sizes, the huggingface.js facts of its Q2_K file), the crafted repos built from real
// configs (multi-quant, split, sliding-window MoE, vision projector), the llama.cpp profile, and every malformed
// GGUF with its own message and exit code 7.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'build/native/vram-estimate');
const fixtures = path.join(root, 'tests/fixtures/hub');
let hub;

before(async () => { hub = await startHub({ fixtures }); });
after(async () => { await hub?.close(); });

function run(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cli, args, {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', HF_ENDPOINT: hub.hubUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json(args) {
  const r = await run([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Real LFS sizes of TheBloke/Llama-2-7B-Chat-GGUF (the Git-LFS pointers of its Hub repo),
// as the fixture's .hub.json serves them.
const THEBLOKE = 'TheBloke/Llama-2-7B-Chat-GGUF';
const theBlokeSizes = JSON.parse(fs.readFileSync(path.join(fixtures, THEBLOKE, '.hub.json'), 'utf8')).sizes;
const TENSOR_DATA_OFFSET = 741_056;  // huggingface.js gguf.spec.ts, the Q2_K file

test('a GGUF repo of 12 quantizations is one table, and the default estimate uses its Q4_K_M', async () => {
  const r = await run([THEBLOKE]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Fetching metadata for: TheBloke\/Llama-2-7B-Chat-GGUF \.\.\.\nFound 12 GGUF file\(s\), 12 quantization\(s\); using llama-2-7b-chat\.Q4_K_M\.gguf\n/);
  assert.match(r.stdout, /Model Architecture \(llama\):\n  - Layers:          32\n  - Hidden Size:     4096\n  - Attention Heads: 32\n  - KV Heads \(GQA\):  32\n  - Head Dimension:  128\n  - Max Context:     4,096 tokens\n/);
  assert.match(r.stdout, /  - F32: 65 tensors\n  - Q4_K: 193 tensors\n  - Q6_K: 33 tensors\n/);
  assert.match(r.stdout, /GGUF Files \(12, profile classic, 4,096 tokens × batch 1; \* = used above, --gguf-file to choose\):\n/);
  const rows = r.stdout.split('GGUF Files')[1].trim().split('\n').slice(2);
  assert.equal(rows.length, 12);
  assert.match(rows.find((l) => l.startsWith('  *')), /llama-2-7b-chat\.Q4_K_M\.gguf  Q4_K_M    Q4_K/);
});

test('the quantization table in JSON carries every file with its real size, type, bits per weight and total', async () => {
  const j = await json([THEBLOKE, '--gpu', 'rtx-3060-12gb']);
  assert.equal(j.layout, 'gguf');
  assert.equal(j.gguf_file, 'llama-2-7b-chat.Q4_K_M.gguf');
  assert.equal(j.gguf_files.length, 12);
  const byType = Object.fromEntries(j.gguf_files.map((f) => [f.file_type, f]));
  for (const f of j.gguf_files) {
    assert.equal(f.file_bytes, theBlokeSizes[f.file], f.file);
    assert.equal(f.weights_bytes, f.file_bytes - TENSOR_DATA_OFFSET, `${f.file}: tensor data = file − header`);
    assert.equal(f.parameters, 6_738_415_616);
    assert.equal(f.tensors, 291);
    assert.equal(f.kv_cache_bytes, j.estimates_bytes.kv_cache);
    assert.equal(typeof f.fits, 'boolean');
  }
  assert.deepEqual(Object.keys(byType).sort(), ['Q2_K', 'Q3_K_L', 'Q3_K_M', 'Q3_K_S', 'Q4_0', 'Q4_K_M', 'Q4_K_S', 'Q5_0', 'Q5_K_M', 'Q5_K_S', 'Q6_K', 'Q8_0']);
  assert.equal(byType.Q4_K_M.selected, true);
  assert.equal(byType.Q4_K_M.total_bytes, j.estimates_bytes.total);
  assert.equal(byType.Q8_0.dominant_type, 'Q8_0');
  assert.equal(byType.Q8_0.bits_per_weight, 8.5);
  assert.equal(byType.Q6_K.bits_per_weight, 6.56);
  assert.equal(byType.Q2_K.dominant_type, 'Q3_K');  // llama.cpp's Q2_K file keeps its FFN in Q3_K
});

test('the Q2_K file gives huggingface.js\'s 6,738,415,616 parameters and its 741,056-byte header exactly', async () => {
  const j = await json([THEBLOKE, '--gguf-file', 'llama-2-7b-chat.Q2_K.gguf']);
  assert.equal(j.gguf_file, 'llama-2-7b-chat.Q2_K.gguf');
  assert.equal(j.parameters, 6_738_415_616);
  assert.equal(j.tensors, 291);
  assert.equal(j.estimates_bytes.model_weights_raw, 2_825_940_672 - TENSOR_DATA_OFFSET);
  assert.deepEqual(j.dtypes.F32, { tensors: 65, elements: 266_240, bytes: 1_064_960 });
  // By file type too, case-insensitive.
  assert.equal((await json([THEBLOKE, '--gguf-file', 'q2_k'])).gguf_file, 'llama-2-7b-chat.Q2_K.gguf');
});

test('the llama.cpp profile charges Llama 2 7B 524,288 bytes of f16 KV per token and splits GPU and system memory', async () => {
  const j = await json([THEBLOKE, '--profile', 'llama.cpp', '-c', '4096']);
  assert.equal(j.kv_bytes_per_token, 524_288);  // 32 layers × 32 heads × 128 × (K + V) × 2 B
  assert.equal(j.estimates_bytes.kv_cache, 524_288 * 4096);
  assert.equal(j.llama_cpp.context_cells, 4096);
  assert.equal(j.llama_cpp.n_gpu_layers, 33);
  // token_embd (Q4_K, 4096 × 32000 → 73,728,000 B) stays in system memory.
  assert.equal(j.llama_cpp.system_memory.model_weights, 73_728_000);
  assert.equal(j.estimates_bytes.model_weights, j.estimates_bytes.model_weights_raw - 73_728_000);
  assert.equal(j.llama_cpp.system_memory.output_buffer, 32_000 * 4);
  const q8 = await json([THEBLOKE, '--profile', 'llama.cpp', '-c', '4096', '--kv-dtype', 'q8_0']);
  assert.equal(q8.kv_bytes_per_token, 32 * 2 * (4096 / 32) * 34);
  // Partial offload: 10 of 33 = the output layer and blk.23 … blk.31; their KV on the GPU, the rest in system memory.
  const part = await json([THEBLOKE, '--profile', 'llama.cpp', '-c', '4096', '-ngl', '10']);
  assert.equal(part.llama_cpp.n_gpu_layers, 10);
  assert.equal(part.estimates_bytes.kv_cache, 9 * 16_384 * 4096);
  assert.equal(part.llama_cpp.system_memory.kv_cache, 23 * 16_384 * 4096);
});

test('a quantized V cache without flash attention is refused as llama.cpp refuses it (exit 2)', async () => {
  const r = await run([THEBLOKE, '--profile', 'llama.cpp', '--kv-dtype', 'q4_0', '--flash-attn', 'off']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /V cache quantization requires flash_attn/);
});

test('an unknown --gguf-file names the files the repo has (exit 2)', async () => {
  const r = await run([THEBLOKE, '--gguf-file', 'IQ2_XS']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no GGUF file or quantization "IQ2_XS" in TheBloke\/Llama-2-7B-Chat-GGUF; it has: llama-2-7b-chat\.Q2_K\.gguf \(Q2_K\)/);
  assert.equal(r.stdout, '');
});

test('the llama.cpp profile on a safetensors repo says it needs a GGUF repo (exit 2)', async () => {
  const r = await run(['mistralai/Mistral-7B-v0.1', '--profile', 'llama.cpp']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /profile llama\.cpp needs a GGUF repo: mistralai\/Mistral-7B-v0\.1 has layout sharded \(safetensors\)/);
});

test('a crafted repo of three Mistral quantizations tabulates them and their parameters match the safetensors', async () => {
  const j = await json(['fixture-crafted/Mistral-7B-v0.1-GGUF', '--profile', 'llama.cpp', '-c', '8192']);
  assert.deepEqual(j.gguf_files.map((f) => f.file_type), ['Q2_K', 'Q4_K_M', 'Q8_0']);
  assert.equal(j.gguf_file, 'mistral-7b-v0.1.Q4_K_M.gguf');
  for (const f of j.gguf_files) assert.equal(f.parameters, 14_483_464_192 / 2);
  assert.equal(j.kv_bytes_per_token, 131_072);  // 32 layers × 8 KV heads × 128 × 2 × 2 B: Mistral has Llama-3-8B's attention
  assert.ok(j.gguf_files[0].total_bytes < j.gguf_files[1].total_bytes && j.gguf_files[1].total_bytes < j.gguf_files[2].total_bytes);
});

test('a split GGUF is one model read from both parts, its metadata past the first 2 MiB', async () => {
  const r = await run(['fixture-crafted/Qwen2.5-7B-Instruct-GGUF']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Found 2 GGUF file\(s\), 1 quantization\(s\); using Qwen2\.5-7B-Instruct-Q4_K_M-00001-of-00002\.gguf\n/);
  const j = await json(['fixture-crafted/Qwen2.5-7B-Instruct-GGUF', '--profile', 'llama.cpp', '-c', '32768']);
  assert.equal(j.parameters, 7_615_616_512);  // the HF API's BF16 count of Qwen2.5-7B-Instruct
  assert.equal(j.weight_files, 2);
  assert.equal(j.gguf_files[0].files.length, 2);
  assert.equal(j.architecture.num_layers, 28);
  assert.equal(j.kv_bytes_per_token, 28 * 4 * 128 * 2 * 2);
});

test('gpt-oss in GGUF: sliding-window layers hold window + ubatch cells under llama.cpp, full layers the context', async () => {
  const j = await json(['fixture-crafted/gpt-oss-20b-GGUF', '--profile', 'llama.cpp', '-c', '8192']);
  assert.equal(j.gguf_files[0].file_type, 'MXFP4_MOE');
  assert.equal(j.gguf_files[0].dominant_type, 'MXFP4');
  const sliding = j.kv_cache_per_layer.find((g) => g.kind === 'sliding');
  const full = j.kv_cache_per_layer.find((g) => g.kind === 'full');
  assert.equal(sliding.layers, 12);
  assert.equal(sliding.window_tokens, 128);
  assert.equal(sliding.tokens_per_sequence, 768);  // pad(128 + 512, 256)
  assert.equal(full.tokens_per_sequence, 8192);
  assert.equal(sliding.bytes_per_token, 2048);  // 8 KV heads × 64 × (K + V) × 2 B
  assert.equal(j.estimates_bytes.kv_cache, 12 * 2048 * 768 + 12 * 2048 * 8192);
});

test('an mmproj file is counted as the projector component beside the language model', async () => {
  const j = await json(['fixture-crafted/Qwen2.5-VL-7B-Instruct-GGUF']);
  assert.equal(j.gguf_projector, 'mmproj-Qwen2.5-VL-7B-Instruct-f16.gguf');
  assert.deepEqual(j.components.map((c) => c.name), ['root', 'projector']);
  assert.equal(j.parameters, 16_584_333_312 / 2);  // language model + vision = the real BF16 checkpoint's parameters
  assert.equal(j.gguf_files.length, 1);
});

// Every malformed GGUF repo: exit 7 and a message naming what is wrong.
const MALFORMED = {
  'gguf-bad-magic': /does not start with "GGUF"/,
  'gguf-bad-version': /GGUF version 1 in model\.gguf/,
  'gguf-too-many-kv': /metadata_kv_count 100001 exceeds the limit of 100,000/,
  'gguf-too-many-tensors': /tensor_count 10000001 exceeds the limit of 10,000,000/,
  'gguf-string-too-long': /length 10000001 exceeds the 10 MB limit/,
  'gguf-array-too-long': /has 1000001 elements, more than the limit of 1,000,000/,
  'gguf-array-too-deep': /nest deeper than 4 levels/,
  'gguf-bad-value-type': /value type 13 of "general\.name" is not a GGUF type/,
  'gguf-duplicate-key': /metadata key "general\.architecture" appears twice/,
  'gguf-bad-alignment': /general\.alignment must be a UINT32 power of two, got UINT32 48/,
  'gguf-too-many-dims': /has 9 dimensions, more than 8/,
  'gguf-dim-invalid': /dimensions of tensor "a" overflow 63 bits/,
  'gguf-bad-tensor-type': /ggml type 4 \(Q4_2\), which was removed from the format/,
  'gguf-dim-not-block-multiple': /of type Q4_K has ne\[0\] = 100, not a multiple of its block of 256/,
  'gguf-offset-invalid': /tensor "b" has data offset 64, expected 256/,
  'gguf-truncated': /ends after 60 bytes, inside its header/,
  'gguf-prefix-too-large': /need more than the 64 MiB read limit/,
  'gguf-metadata-invalid': /general\.architecture is missing or not a string in model\.gguf/,
};

test('every malformed GGUF gives its own error and exit code 7', async () => {
  const results = await Promise.all(Object.keys(MALFORMED).map((name) => run([`fixture-crafted/${name}`])));
  Object.entries(MALFORMED).forEach(([name, message], k) => {
    const r = results[k];
    assert.equal(r.code, 7, `${name}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(r.stdout, '', name);
  });
  const ok = await run(['fixture-crafted/gguf-tiny-ok']);
  assert.equal(ok.code, 0, ok.stderr);
});
