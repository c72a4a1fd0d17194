// How each vendored run is re-estimated and compared like with like: the CLI arguments that reproduce the run's
// settings, and for each measured quantity the part of the CLI's JSON report that is the same quantity — or the
// reason no part of the report is (then the row says "not modelled yet" and carries no number).

import { UNIT_BYTES } from './rows.mjs';

// Error targets of issue 18 ("Done when"), per profile: relative error allowed on a held-out row.
export const TARGETS = { 'llama.cpp': 0.05, transformers: 0.10, diffusers: 0.10, vllm: 0.05 };

// Quantities with their own target: llama.cpp's KV cache is exact (to the printed 0.01 MiB); vLLM weights within 1 %,
// its KV pool within 5 %.
const QUANTITY_TARGETS = { kv_cache_total: 0, vllm_weights: 0.01, vllm_kv_available: 0.05, vllm_kv_tokens: 0.05 };

export function targetFor(row, m) {
  return QUANTITY_TARGETS[m.quantity] ?? TARGETS[row.profile] ?? null;
}

// llama.cpp prints buffer sizes in MiB with two decimals: an estimate within half a unit of the last digit is exact.
const LLAMA_PRINT_HALF_STEP_BYTES = 0.005 * 1024 ** 2;

function cliKvType(t) {
  if (!t || t === 'f16') return null;
  return { q8_0: 'q8_0', q4_0: 'q4_0', bf16: 'bf16', f32: 'fp32' }[t] ?? `unsupported:${t}`;
}

// The CLI arguments for one row, or { skip } with the reason the row cannot be run.
export function cliArgs(row) {
  if (!row.fixture) return { skip: 'no fixture', detail: row.fixture_missing };
  const s = row.settings;
  const args = [row.fixture.repo];
  if (row.profile === 'llama.cpp') {
    if (!row.fixture.gguf_file) return { skip: 'settings incomplete', detail: 'fixture.gguf_file is not set' };
    if (!Number.isInteger(s.n_ctx)) return { skip: 'settings incomplete', detail: 'settings.n_ctx is not printed' };
    args.push('--profile', 'llama.cpp', '--gguf-file', row.fixture.gguf_file, '-c', String(s.n_ctx));
    if (Number.isInteger(s.n_ubatch)) args.push('--ubatch', String(s.n_ubatch));
    if (typeof s.flash_attn === 'boolean') args.push('--flash-attn', s.flash_attn ? 'on' : 'off');
    // A CPU-only run (n_gpu_layers 0) sizes the same graph on its one backend: it is estimated as a full offload and
    // its CPU buffers are compared with the profile's main-device figures (tests/validation/llama.cpp/README.md).
    if (Number.isInteger(s.n_gpu_layers) && s.n_gpu_layers > 0) args.push('-ngl', String(s.n_gpu_layers));
    const kt = cliKvType(s.type_k);
    if (kt?.startsWith('unsupported:')) return { skip: 'not modelled yet', detail: `cache type ${s.type_k} is not offered by the CLI` };
    if (kt) args.push('--kv-dtype', kt);
    if (s.type_v && s.type_v !== s.type_k) return { skip: 'not modelled yet', detail: `K cache ${s.type_k} and V cache ${s.type_v} differ; the CLI takes one KV type` };
    return { args };
  }
  if (row.profile === 'transformers') {
    if (!Number.isInteger(s.prompt_tokens) || !Number.isInteger(s.new_tokens)) return { skip: 'settings incomplete', detail: 'prompt or new token count not printed' };
    args.push('--profile', 'transformers', '-c', String(s.prompt_tokens + s.new_tokens), '-b', String(s.batch_size ?? 1));
    const q = s.quantization;
    if (!q) args.push('-q', s.dtype === 'bfloat16' ? 'bfloat16' : 'float16');
    else if (q.method === 'bitsandbytes') args.push('-q', q.bits === 8 ? 'int8' : 'int4');
    // A GPTQ checkpoint already stores its int4 weights: auto keeps them.
    return { args };
  }
  if (row.profile === 'diffusers') {
    // The diffusers profile at the run's call: image size, images per prompt, prompt tokens, placement.
    args.push('--profile', 'diffusers');
    if (Number.isInteger(s.height)) args.push('--height', String(s.height));
    if (Number.isInteger(s.width)) args.push('--width', String(s.width));
    if (Number.isInteger(s.batch_size)) args.push('-b', String(s.batch_size));
    if (Number.isInteger(s.max_sequence_length)) args.push('--text-tokens', String(s.max_sequence_length));
    if (/enable_model_cpu_offload/.test(String(s.placement ?? ''))) args.push('--model-cpu-offload', 'on');
    // The run's torch_dtype as the precision target (a repo that stores fp32 and an fp16 variant, like SDXL's, would
    // otherwise be counted as stored); quantized rows are not compared.
    const dtype = { float32: 'float32', float16: 'float16', bfloat16: 'bfloat16' }[s.torch_dtype];
    if (dtype && !s.quantized) args.push('-q', dtype);
    return { args };
  }
  if (row.profile === 'vllm') {
    if (!row.fixture.gpu) return { skip: 'settings incomplete', detail: 'fixture.gpu (the catalog id of the run\'s GPU) is not set' };
    if (!Number.isInteger(s.max_model_len)) return { skip: 'settings incomplete', detail: 'settings.max_model_len is not printed' };
    args.push('--profile', 'vllm', '--gpu', row.fixture.gpu, '-c', String(s.max_model_len), '--tp', String(s.tensor_parallel_size ?? 1));
    if (typeof s.gpu_memory_utilization === 'number') args.push('--gpu-memory-utilization', String(s.gpu_memory_utilization));
    if (Number.isInteger(s.max_num_batched_tokens)) args.push('--max-num-batched-tokens', String(s.max_num_batched_tokens));
    if (s.enforce_eager === true) args.push('--eager');
    return { args };
  }
  return { skip: 'not modelled yet', detail: `profile ${row.profile} has no comparison here` };
}

const sum = (...xs) => xs.reduce((a, b) => a + b, 0);

// The estimate of one measured quantity from the CLI report, in bytes, or { notModelled } with the reason.
export function estimateFor(row, m, report) {
  const g = report.per_gpu ?? {};
  if (row.profile === 'llama.cpp') {
    const sys = report.llama_cpp?.system_memory;
    if (!sys) return { notModelled: 'the report has no llama_cpp section' };
    switch (m.quantity) {
      case 'model_buffer_gpu': return { bytes: g.model_weights, what: 'per_gpu.model_weights' };
      case 'model_buffer_cpu': return { bytes: sys.model_weights, what: 'llama_cpp.system_memory.model_weights' };
      case 'model_buffer_all': return { bytes: sum(g.model_weights, sys.model_weights), what: 'per_gpu.model_weights + system_memory.model_weights' };
      case 'kv_cache_total': return { bytes: sum(g.kv_cache, sys.kv_cache), what: 'per_gpu.kv_cache + system_memory.kv_cache', exact: true };
      case 'compute_buffer_main': return { bytes: g.activation_overhead, what: 'per_gpu.activation_overhead (GPU compute buffer)' };
      case 'compute_buffer_host': return { bytes: sys.compute_buffer, what: 'llama_cpp.system_memory.compute_buffer' };
      case 'output_buffer': return { bytes: sys.output_buffer, what: 'llama_cpp.system_memory.output_buffer' };
      default: return { notModelled: `no part of the report is "${m.quantity}"` };
    }
  }
  if (row.profile === 'transformers') {
    switch (m.quantity) {
      case 'torch_max_memory_allocated':
        // Weights, KV cache and activations are the tensors torch allocates; the CUDA context is outside its allocator.
        return { bytes: sum(g.model_weights, g.kv_cache, g.activation_overhead), what: 'per_gpu weights + KV + activations' };
      case 'optimum_peak':
        // torch peak allocated + everything outside the allocator: the profile's parts plus its CUDA context.
        return { bytes: sum(g.model_weights, g.kv_cache, g.activation_overhead, report.overhead_parts?.cuda_context ?? 0, report.overhead_parts?.non_torch ?? 0), what: 'per_gpu weights + KV + activations + CUDA context' };
      case 'torch_max_memory_reserved':
        return { notModelled: 'the profile has no allocator-reserve term (reserved − allocated)' };
      case 'nvml_used':
        return { notModelled: 'the profile has no allocator-reserve term, which nvidia-smi "used" includes' };
      default:
        return { notModelled: `no part of the report is "${m.quantity}"` };
    }
  }
  if (row.profile === 'diffusers') {
    // Like with like: torch.cuda.max_memory_reserved excludes the CUDA context, so neither side counts it. After
    // loading with every component resident, the reserve holds the weights; at the peak, the weights plus the
    // largest phase's activations (engine_diffusers.cpp).
    const placement = String(row.settings?.placement ?? '');
    if (row.settings?.quantized) return { notModelled: 'per-component quantization (one backend on some components) is not expressible in the CLI' };
    if (!/pipe\.to\("cuda"\)|enable_model_cpu_offload/.test(placement)) return { notModelled: `placement "${placement}" is not modelled` };
    const options = row.settings?.memory_options ?? [];
    if (options.length) return { notModelled: `not expressible in the CLI: ${options.join('; ')}` };
    const offload = /enable_model_cpu_offload/.test(placement);
    if (m.quantity === 'torch_max_memory_reserved_after_load') {
      if (offload) return { notModelled: 'after enable_model_cpu_offload every component is on the CPU; the profile sizes the call' };
      return { bytes: g.model_weights, what: 'per_gpu.model_weights (every component resident)' };
    }
    if (m.quantity === 'torch_max_memory_reserved') return { bytes: sum(g.model_weights, g.activation_overhead), what: 'per_gpu.model_weights + activation_overhead (no CUDA context)' };
    // max_memory_allocated: the same phases with the VAE decode's live maps only, without the reserve fitted on the
    // FLUX reserved rows (engine_diffusers.cpp, JSON pipeline.allocated_bytes).
    if (m.quantity === 'torch_max_memory_allocated') {
      if (!report.pipeline) return { notModelled: 'the report has no pipeline section' };
      return { bytes: report.pipeline.allocated_bytes, what: 'pipeline.allocated_bytes (weights + live tensors, no reserve, no CUDA context)' };
    }
    return { notModelled: `no part of the report is "${m.quantity}"` };
  }
  if (row.profile === 'vllm') {
    const er = report.engine_reservation ?? {};
    // An enforce_eager run is estimated with --eager (cliArgs): no CUDA graphs in the total, the pool as sized before.
    switch (m.quantity) {
      case 'vllm_weights': return { bytes: g.model_weights, what: 'per_gpu.model_weights' };
      case 'vllm_kv_available':
        return { bytes: er.kv_pool_bytes, what: 'engine_reservation.kv_pool_bytes' };
      case 'vllm_kv_tokens':
        return { bytes: er.kv_pool_tokens, what: 'engine_reservation.kv_pool_tokens' };
      default: return { notModelled: `no part of the report is "${m.quantity}"` };
    }
  }
  return { notModelled: `profile ${row.profile}` };
}

// Measured bytes of one quantity, or null when the unit's basis is not established.
export function measuredBytes(m) {
  const per = UNIT_BYTES[m.unit];
  return per === undefined ? null : m.value * per;
}

// Signed relative error of an estimate against a measurement, with the exactness rule of llama.cpp's printing.
export function relError(row, m, estBytes, measBytes) {
  if (row.profile === 'llama.cpp' && m.unit === 'MiB' && Math.abs(estBytes - measBytes) <= LLAMA_PRINT_HALF_STEP_BYTES) return 0;
  if (measBytes === 0) return estBytes === 0 ? 0 : Infinity;
  return (estBytes - measBytes) / measBytes;
}
