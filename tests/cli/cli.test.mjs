// The native command line against the Hub imitation: the original README's examples with the same
// command lines, and every failure with its own exit code. stdout carries the report only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'build/native/vram-estimate');
let hub;

before(async () => { hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') }); });
after(async () => { await hub?.close(); });

function run(args, env = {}, endpoint = hub.hubUrl) {
  return new Promise((resolve) => {
    const child = spawn(cli, args, {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', HF_ENDPOINT: endpoint, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('README example 1: Mistral-7B prints the original report to the digit', async () => {
  const r = await run(['mistralai/Mistral-7B-v0.1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Fetching metadata for: mistralai\/Mistral-7B-v0\.1 \.\.\.\nFound 2 safetensors file\(s\)\n/);
  assert.match(r.stdout, /  - root: 13\.49 GB\n/);
  assert.match(r.stdout, /Model Architecture \(mistral\):\n  - Layers:          32\n  - Hidden Size:     4096\n  - Attention Heads: 32\n  - KV Heads \(GQA\):  8\n  - Head Dimension:  128\n  - Max Context:     32,768 tokens\n/);
  assert.match(r.stdout, /  - BF16: 291 tensors\n/);
  assert.match(r.stdout, /  Model Weights:           13\.49 GB\n  KV Cache:                 4\.00 GB\n  Activations \(est\):        1\.35 GB\n  CUDA Overhead:          500\.00 MB\n-{60}\n  TOTAL REQUIRED:          19\.33 GB\n/);
  assert.match(r.stdout, /GPU Recommendations:\n  - RTX 3090\/4090 \(24GB\) or better\n$/);
});

// README example 2 (`Qwen/Qwen2-7B --quantization int4`) prints a 32.00 GB KV cache, which the
// documented formula cannot give from Qwen2-7B's config (28 layers × 4 KV heads × 128 × 2 × 2 bytes
// = 57,344 B/token × 131,072 tokens = 7.00 GB). We follow the formula, as example 3 does.
test('README example 3: Qwen2-7B at 8,192 tokens in int4 prints 3.55 GB, 448 MB, 363.14 MB, 4.83 GB', async () => {
  const r = await run(['Qwen/Qwen2-7B', '--context_length', '8192', '--quantization', 'int4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /  Model Weights:            3\.55 GB\n  KV Cache:               448\.00 MB\n  Activations \(est\):      363\.14 MB\n  CUDA Overhead:          500\.00 MB\n-{60}\n  TOTAL REQUIRED:           4\.83 GB\n/);
  assert.match(r.stdout, /  - RTX 3070\/4070 \(8GB\) or better\n$/);
});

// README example 4 is Qwen/Qwen-Image-Edit-2511, whose files are not in the fixture tree;
// Qwen/Qwen-Image has the same components at the same sizes (its 14 files are sharded differently
// from Edit-2511's 10), and prints every other figure of the example to the digit.
test('README example 4: a diffusers pipeline reports its three components and no KV cache', async () => {
  const r = await run(['Qwen/Qwen-Image']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Model Components:\n  - text_encoder: 15\.45 GB\n  - transformer: 38\.05 GB\n  - vae: 242\.03 MB\n/);
  assert.match(r.stdout, /Model Type: QwenImageTransformer2DModel\n  \(Non-transformer or diffusion model - KV cache N\/A\)\n/);
  assert.match(r.stdout, /  - BF16: 2856 tensors\n/);
  assert.match(r.stdout, /  Model Weights:           53\.74 GB\n  Activations \(est\):        5\.37 GB\n  CUDA Overhead:          500\.00 MB\n-{60}\n  TOTAL REQUIRED:          59\.60 GB\n/);
  assert.match(r.stdout, /  - A100 \(80GB\) or multi-GPU setup\n$/);
});

// Profile diffusers (engine_diffusers.cpp). FLUX.1-schnell at its defaults, 1024² px, batch 1, 512 T5 tokens:
// weights 31.405 GiB (the components as stored); the VAE decode is the largest phase: 9 maps × 256 channels ×
// 1024² px × 2 bytes = 4.5 GiB (the denoiser's 14 × 3072 × 4608 tokens × 2 bytes = 0.369 GiB is smaller).
// FLUX.1-schnell is gated in the fixture tree (.hub.json): the imitation's fixture token reads it.
const FLUX_TOKEN = { HF_TOKEN: 'hf_fixture_alice' };
test('profile diffusers: FLUX.1-schnell at 1024² resident and with model CPU offload; options refused elsewhere', async () => {
  const r = await run(['black-forest-labs/FLUX.1-schnell', '--profile', 'diffusers', '--json'], FLUX_TOKEN);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.per_gpu.activation_overhead, 9 * 256 * 1024 * 1024 * 2);
  assert.equal(j.per_gpu.model_weights, j.estimates_bytes.model_weights);
  assert.ok(j.assumptions.some((a) => /4096 image tokens/.test(a)), j.assumptions.join('\n'));
  // Half the side: a quarter of the decoder map; the denoiser's 1024 + 512 tokens stay below it.
  const small = JSON.parse((await run(['black-forest-labs/FLUX.1-schnell', '--profile', 'diffusers', '--height', '512', '--width', '512', '--json'], FLUX_TOKEN)).stdout);
  assert.equal(small.per_gpu.activation_overhead, 9 * 256 * 512 * 512 * 2);
  // Offload: the transformer alone (the largest component) plus the denoiser's 14 × 3072 × 4608 × 2 bytes.
  const off = JSON.parse((await run(['black-forest-labs/FLUX.1-schnell', '--profile', 'diffusers', '--model-cpu-offload', 'on', '--json'], FLUX_TOKEN)).stdout);
  assert.equal(off.per_gpu.activation_overhead, 14 * 3072 * 4608 * 2);
  assert.ok(off.per_gpu.model_weights < j.per_gpu.model_weights * 0.75);
  // The text report names the engine but no KV dtype: a pipeline keeps no KV cache.
  const text = (await run(['black-forest-labs/FLUX.1-schnell', '--profile', 'diffusers'], FLUX_TOKEN)).stdout;
  assert.match(text, /Engine Profile: diffusers/);
  assert.doesNotMatch(text, /KV dtype/);
  const refused = await run(['black-forest-labs/FLUX.1-schnell', '--height', '512'], FLUX_TOKEN);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /diffusers profile only/);
  const llm = await run(['TinyLlama/TinyLlama-1.1B-Chat-v1.0', '--profile', 'diffusers']);
  assert.notEqual(llm.code, 0);
  assert.match(llm.stderr, /profile diffusers estimates diffusers pipelines.*layout single-file/);
});

test('README example 5: gpt2 --json gives the original estimates_bytes exactly', async () => {
  const r = await run(['gpt2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.estimates_bytes, {
    model_weights: 548090880, model_weights_raw: 548090880, kv_cache: 37748736,
    activation_overhead: 54809088, cuda_overhead: 524288000, total: 1164936704,
  });
  assert.equal(j.model_id, 'openai-community/gpt2');
  assert.deepEqual(j.architecture, { num_layers: 12, hidden_size: 768, num_attention_heads: 12, num_kv_heads: 12, head_dim: 64, max_context: 1024, model_type: 'gpt2' });
  assert.deepEqual(j.dtype_distribution, { F32: 160 });
  // The README prints "522.81 MB", "52.28 MB" and "1.09 GB" beside these very byte counts, which
  // are 522.70 MiB, 52.27 MiB and 1.08 GiB: its strings disagree with its own estimates_bytes. The
  // issue pins estimates_bytes; our strings are computed from those bytes.
  assert.deepEqual(j.component_sizes, { root: '522.70 MB' });
  assert.equal(j.estimates.activation_overhead, '52.27 MB');
  assert.equal(j.estimates.total, '1.08 GB');
  assert.equal(j.schema_version, 1);
});

test('README example 6: batch and context scale the KV cache', async () => {
  const r = await run(['mistralai/Mistral-7B-v0.1', '--batch_size', '8', '--context_length', '4096', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).estimates_bytes.kv_cache, 131072 * 4096 * 8);
});

test('README example 7: a gated model with HF_TOKEN and int8', async () => {
  const r = await run(['meta-llama/Llama-2-70b-chat-hf', '--quantization', 'int8', '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).estimates_bytes.model_weights_raw, 137953316864);
});

test('usage errors exit 2 with nothing on stdout', async () => {
  for (const args of [[], ['gpt2', '-q', 'int3'], ['gpt2', '-c', '0'], ['gpt2', '--bogus'], ['a', 'b']]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('--help documents every option and exits 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  for (const o of ['--context_length', '--batch_size', '--quantization', '--json', '--markdown', '--revision', '--profile', '--endpoint', '--timeout', 'HF_TOKEN', 'HF_ENDPOINT'])
    assert.ok(r.stdout.includes(o), o);
});

test('a missing repo, a missing revision exit 3', async () => {
  assert.equal((await run(['nobody/nothing-here'])).code, 3);
  const rev = await run(['gpt2', '--revision', 'no-such-branch']);
  assert.equal(rev.code, 3);
  assert.match(rev.stderr, /revision not found/);
});

test('a gated repo exits 4: no token (with the HF_TOKEN hint), a token without access, an invalid token', async () => {
  const none = await run(['meta-llama/Llama-2-7b-hf']);
  assert.equal(none.code, 4);
  assert.match(none.stderr, /HF_TOKEN/);
  assert.match(none.stderr, /https:\/\/huggingface\.co\/meta-llama\/Llama-2-7b-hf/);
  assert.equal(none.stdout, '');
  assert.equal((await run(['meta-llama/Llama-2-7b-hf'], { HF_TOKEN: 'hf_fixture_bob' })).code, 4);
  assert.equal((await run(['meta-llama/Llama-2-7b-hf'], { HF_TOKEN: 'hf_not_a_token' })).code, 4);
  const ok = await run(['meta-llama/Llama-2-7b-hf', '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  assert.equal(ok.code, 0, ok.stderr);
});

test('the token goes to the Hub only, never to the CDN and never into a URL', async () => {
  const before = hub.requests.length;
  await run(['meta-llama/Llama-2-7b-hf', '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  const reqs = hub.requests.slice(before);
  assert.ok(reqs.some((q) => q.origin === 'hub' && q.auth));
  assert.ok(reqs.filter((q) => q.origin === 'cdn').length > 0);
  assert.ok(reqs.filter((q) => q.origin === 'cdn').every((q) => !q.auth));
  assert.ok(reqs.every((q) => !q.path.includes('hf_fixture_alice')));
});

test('an unreachable endpoint exits 5', async () => {
  const r = await run(['gpt2', '--timeout', '2'], {}, 'http://127.0.0.1:9');
  assert.equal(r.code, 5);
  assert.equal(r.stdout, '');
});

test('a Hub slower than --timeout exits 5 with a timeout message', async () => {
  const slow = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub'), latencyMs: 2500 });
  try {
    const r = await run(['gpt2', '--timeout', '1'], {}, slow.hubUrl);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /timed out/);
  } finally {
    await slow.close();
  }
});

test('503s and 429s are retried with backoff and the estimate still completes', async () => {
  hub.setFaults({ status5xx: { count: 2, status: 503 } });
  const a = await run(['gpt2', '--json']);
  assert.equal(a.code, 0, a.stderr);
  hub.setFaults({ rateLimit: { count: 1, retryAfter: 1 } });
  const b = await run(['gpt2', '--json']);
  assert.equal(b.code, 0, b.stderr);
  hub.setFaults({ status5xx: null, rateLimit: null });
});

test('a repo without safetensors exits 6 and names what it has', async () => {
  const r = await run(['fixture-crafted/bin-only']);
  assert.equal(r.code, 6);
  assert.match(r.stderr, /\.bin/);
});

test('every malformed header exits 7 with a message naming the file', async () => {
  for (const name of ['header-length-2p63', 'header-not-json', 'header-overlap', 'header-hole', 'header-shape-mismatch', 'header-shape-overflow']) {
    const r = await run([`fixture-crafted/${name}`, '--json']);
    assert.equal(r.code, 7, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /model\.safetensors/);
    assert.equal(r.stdout, '');
  }
});

test('engine profiles, tensor parallelism and a GPU are reachable from the command line', async () => {
  const r = await run(['meta-llama/Llama-3.1-8B', '--profile', 'vllm', '--gpu', 'h100-80gb', '-c', '8192', '--tp', '2', '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.profile, 'vllm');
  assert.equal(j.kv_bytes_per_token, 65536);  // 32 layers × (8 / 2) KV heads × 128 × 2 (K, V) × 2 bytes per rank
  assert.ok(j.max_context_tokens_fit > 0);
});

test('--eager as a bare switch takes the CUDA graphs out of the vLLM total and leaves the KV pool; other profiles refuse it', async () => {
  const base = ['meta-llama/Llama-3.1-8B', '--profile', 'vllm', '--gpu', 'h100-80gb', '-c', '8192'];
  const graphs = await run([...base, '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  const eager = await run([...base, '--eager', '--json'], { HF_TOKEN: 'hf_fixture_alice' });
  assert.equal(eager.code, 0, eager.stderr);
  const g = JSON.parse(graphs.stdout);
  const e = JSON.parse(eager.stdout);
  assert.equal(e.overhead_parts.cuda_graphs, 0);
  assert.ok(g.overhead_parts.cuda_graphs > 0);
  assert.equal(g.per_gpu.total - e.per_gpu.total, g.overhead_parts.cuda_graphs);
  assert.equal(e.engine_reservation.kv_pool_bytes, g.engine_reservation.kv_pool_bytes);
  const refused = await run(['meta-llama/Llama-3.1-8B', '--profile', 'sglang', '--eager'], { HF_TOKEN: 'hf_fixture_alice' });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /enforce_eager \(--eager\) is read by the vllm profile only/);
});

test('a KV dtype the engine does not offer, an unknown profile and an unknown GPU exit 2', async () => {
  for (const args of [['--profile', 'classic', '--kv-dtype', 'q4_0'], ['--profile', 'nope'], ['--gpu', 'nope']]) {
    const r = await run(['gpt2', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('--list-gpus prints the catalog', async () => {
  const r = await run(['--list-gpus']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /h100-80gb/);
  assert.match(r.stdout, /mi300x/);
});
