// The fine-tuning estimate through the WebAssembly build, as the page and the embed ask for it: report(handle,
// options, format) with "train" and the training keys of the core's option table (the CLI's resolve_options), and
// vocabularies() exporting the training tables the page's controls are built from.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeCore, core, load, report, setupCore } from './wasm-core.mjs';

before(setupCore);
after(closeCore);

test('a QLoRA report of Llama-3.1-8B: 41,943,040 adapter parameters, the inference fields unchanged', async () => {
  const r = await load('meta-llama/Llama-3.1-8B', { token: 'hf_fixture_alice' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const plain = report(r.handle, { gpu: 'rtx-4090' });
  const train = report(r.handle, { gpu: 'rtx-4090', train: 'qlora', lora_rank: 16, seq_tokens: 2048, micro_batch: 1 });
  assert.equal(train.ok, undefined, JSON.stringify(train).slice(0, 300));
  const { training, ...rest } = train;
  assert.deepEqual(rest, plain);
  // 32 layers × 16 × 81,920 (q 8,192 + k 5,120 + v 5,120 + o 8,192 + 3 × 18,432) = 41,943,040.
  assert.equal(training.params.adapter_params, 41943040);
  assert.equal(training.quantized_tensors, 224);
  assert.equal(training.gpu.id, 'rtx-4090');
  assert.equal(typeof training.gpu.fits, 'boolean');
  const text = report(r.handle, { train: 'qlora' }, 'text');
  assert.match(text, /^Fine-tuning meta-llama\/Llama-3\.1-8B: qlora · rank 16/);
  const md = report(r.handle, { train: 'qlora' }, 'markdown');
  assert.match(md, /\| \*\*Total per GPU\*\* \|/);
});

test('the page\'s values: numbers, booleans, a list of targets, null for "not set"', async () => {
  const r = await load('meta-llama/Llama-3.1-8B', { token: 'hf_fixture_alice' });
  // q_proj, v_proj at r 8: 32 × 8 × (8,192 + 5,120) = 3,407,872.
  const t = report(r.handle, { train: 'lora', lora_rank: 8, lora_targets: ['q_proj', 'v_proj'], gradient_checkpointing: true, offload: null }).training;
  assert.equal(t.params.adapter_params, 3407872);
  assert.equal(t.matched_tensors.count, 64);
  assert.equal(t.options.gradient_checkpointing, true);
  // Same as the CLI's comma-separated text.
  assert.equal(report(r.handle, { train: 'lora', lora_rank: 8, lora_targets: 'q_proj,v_proj' }).training.params.adapter_params, 3407872);
  // train null (or "none") is inference.
  assert.equal(report(r.handle, { train: null }).training, undefined);
  assert.equal(report(r.handle, { train: 'none' }).training, undefined);
});

test('bad training input answers {ok:false} with the core\'s code and message', async () => {
  const r = await load('meta-llama/Llama-3.1-8B', { token: 'hf_fixture_alice' });
  const cases = [
    [{ train: 'lora', micro_batch: 0 }, 'invalid_option', /micro_batch \(--micro-batch\): must be a whole number from 1/],
    [{ train: 'lora', lora_targets: ['query'] }, 'lora_target_unmatched', /its matrices are named/],
    [{ optimizer: 'sgd' }, 'invalid_option', /add --train/],
    [{ train: 'full', offload: 'optimizer' }, 'training_option_invalid', /needs ZeRO or FSDP/],
  ];
  for (const [options, code, message] of cases) {
    const out = report(r.handle, options);
    assert.equal(out.ok, false, JSON.stringify(options));
    assert.equal(out.error.code, code);
    assert.match(out.error.message, message);
  }
  const gptq = await load('TheBloke/Genz-70b-GPTQ');
  assert.equal(report(gptq.handle, { train: 'qlora' }).error.code, 'quantized_base');
});

test('vocabularies() exports the training tables and the training rows of the option table', () => {
  const v = JSON.parse(core.vocabularies());
  assert.deepEqual(v.training.methods.map((m) => m.name), ['full', 'lora', 'qlora', 'freeze']);
  assert.ok(v.training.optimizers.some((o) => o.name === 'paged_adamw_8bit'));
  assert.ok(v.training.distributions.some((d) => d.name === 'zero3'));
  assert.ok(v.training.default_lora_targets.includes('q_proj'));
  assert.deepEqual(v.training.parts.map((p) => p.key), ['weights_bytes', 'adapter_bytes', 'gradient_bytes', 'optimizer_bytes', 'activation_bytes', 'logits_bytes', 'overhead_bytes']);
  const rows = Object.fromEntries(v.options.filter((o) => o.training).map((o) => [o.key, o]));
  for (const key of ['train', 'train_precision', 'optimizer', 'lora_rank', 'lora_targets', 'gradient_checkpointing', 'micro_batch', 'seq_tokens', 'n_gpus', 'zero', 'offload'])
    assert.ok(rows[key], key);
  assert.equal(rows.lora_rank.default, '16');
  assert.equal(rows.micro_batch.min, 1);
  assert.equal(rows.lora_targets.kind, 'list');
  assert.equal(rows.train.special, 'none');
  assert.equal(v.options.filter((o) => !o.training).length, 17);  // the inference rows: 12, the diffusers profile's 4, vLLM's enforce_eager
});
