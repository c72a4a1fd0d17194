// The fine-tuning estimate on the command line (--train and the other training rows of the core's option table),
// against the Hub imitation: the command line, the JSON that keeps every inference field and adds
// "training", Markdown, and each bad input with its message and exit code 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'build/native/vram-estimate');
const LLAMA = 'meta-llama/Llama-3.1-8B';
const ALICE = { HF_TOKEN: 'hf_fixture_alice' };
let hub;

before(async () => { hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') }); });
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

test('the issue\'s command line: Llama-3.1-8B QLoRA r16, 2,048 tokens, micro-batch 1 on an RTX 4090', async () => {
  const r = await run([LLAMA, '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090'], ALICE);
  assert.equal(r.code, 0, r.stderr);
  // 32 layers × 16 × (q 8,192 + k 5,120 + v 5,120 + o 8,192 + gate, up, down 3 × 18,432) = 41,943,040.
  assert.match(r.stdout, /Parameters: 8,030,261,248 total, 41,943,040 trainable \(0\.52 %\)\n/);
  assert.match(r.stdout, /NF4 base: 224 tensors quantized\n/);
  for (const part of ['Weights', 'Adapters', 'Gradients', 'Optimizer states', 'Activations', 'Logits', 'Overhead', 'Total'])
    assert.match(r.stdout, new RegExp(`\\n  ${part} +\\d+\\.\\d\\d GiB\\n`), part);
  assert.match(r.stdout, /Fits NVIDIA GeForce RTX 4090 \(24\.00 GiB usable\): (yes|no)\n/);
  assert.match(r.stdout, /Assumptions:\n  - method qlora: /);
});

test('--json keeps the inference report byte for byte and adds "training"', async () => {
  const plain = await run([LLAMA, '--json'], ALICE);
  const train = await run([LLAMA, '--json', '--train', 'lora', '--lora-rank', '8'], ALICE);
  assert.equal(train.code, 0, train.stderr);
  const a = JSON.parse(plain.stdout), b = JSON.parse(train.stdout);
  const { training, ...rest } = b;
  assert.deepEqual(rest, a);
  // r 8: half of r 16's 41,943,040 = 20,971,520 adapter parameters, fp32 (PEFT) → 83,886,080 bytes.
  assert.equal(training.params.adapter_params, 20971520);
  assert.equal(training.model.adapter_bytes, 83886080);
  assert.equal(training.options.method, 'lora');
  const sum = ['weights_bytes', 'adapter_bytes', 'gradient_bytes', 'optimizer_bytes', 'activation_bytes', 'logits_bytes', 'overhead_bytes']
    .reduce((s, k) => s + training.per_gpu[k], 0);
  assert.equal(training.per_gpu.total_bytes, sum);
});

test('without --train the output is the inference report, unchanged', async () => {
  const r = await run([LLAMA], ALICE);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /Fine-tuning/);
  assert.match(r.stdout, /TOTAL REQUIRED/);
});

test('--markdown gives the training table', async () => {
  const r = await run([LLAMA, '--markdown', '--train', 'full', '--optimizer', 'adamw_8bit', '--grad-checkpointing'], ALICE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\| meta-llama\/Llama-3\.1-8B fine-tuning \| full · bf16-mixed · adamw_8bit · micro-batch 1 × 2,048 tokens · checkpointing · 1 GPU \|\n/);
  assert.match(r.stdout, /\| \*\*Total per GPU\*\* \| \*\*\d+\.\d\d GiB\*\* \|/);
});

test('--zero 3 on one GPU says it is a no-op', async () => {
  const r = await run([LLAMA, '--train', 'full', '--zero', '3'], ALICE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Warning: ZeRO-3 on one GPU shards nothing: a no-op here/);
});

test('bad training input exits 2 with its message and nothing on stdout', async () => {
  const cases = [
    [[LLAMA, '--train', 'lora', '--lora-targets', 'query,attn'], /LoRA targets \[query, attn\] match no weight matrix of meta-llama\/Llama-3\.1-8B; its matrices are named .*q_proj/],
    [[LLAMA, '--train', 'lora', '--micro-batch', '0'], /micro_batch \(--micro-batch\): must be a whole number from 1 to 65536, got "0"/],
    [['TheBloke/Genz-70b-GPTQ', '--train', 'qlora'], /already gptq 4-bit, group 128 and cannot be re-quantized/],
    [[LLAMA, '--optimizer', 'sgd'], /a fine-tuning option; add --train full, lora, qlora, freeze/],
    [[LLAMA, '--train', 'full', '--offload', 'optimizer'], /offload optimizer needs ZeRO or FSDP/],
    [[LLAMA, '--train', 'dpo'], /"dpo" is not one of: full, lora, qlora, freeze, none/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args, ALICE);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
  }
});

test('--help lists the fine-tuning options from the table', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Fine-tuning options \(with --train/);
  for (const o of ['--train M', '--optimizer O', '--lora-rank R', '--lora-targets', '--grad-checkpointing', '--micro-batch N', '--seq-len N', '--zero N', '--gpus N', '--offload W', '--train-precision', '--attention', '--chunked-loss', '--double-quant', '--distribution'])
    assert.ok(r.stdout.includes(o), o);
});
