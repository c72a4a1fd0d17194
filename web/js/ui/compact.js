// The compact result used by the iframe view (embed.html) and the <vram-estimate> element: sized
// for a docs page, the same numbers as the full page, with a link back to it.
import { el } from './dom.js';
import { formatBytes, formatCount } from '../common.js';
import { perGpuBytes, stackedBar } from './summary.js';

/** theme: "light" (default: the host page decides, not the reader's OS), "dark" or "auto". */
export const embedTheme = (t) => (['dark', 'auto'].includes(t) ? `theme-${t}` : 'theme-light');

// Fine-tuning parts (keys of the report's training.per_gpu, labels from the core's vocabularies().training.parts).
const TRAINING_COLORS = { weights_bytes: 'var(--w)', adapter_bytes: 'var(--adp)', gradient_bytes: 'var(--grad)',
  optimizer_bytes: 'var(--opt)', activation_bytes: 'var(--act)', logits_bytes: 'var(--lgt)', overhead_bytes: 'var(--ovh)' };

/** The compact fine-tuning result: per-GPU peak of one training step, its parts, the fit. `parts`: [{key, label}]. */
export function compactTrainingView(r, fullUrl, parts, theme) {
  const t = r.training, g = t.per_gpu, o = t.options;
  const colored = parts.map((p) => ({ ...p, color: TRAINING_COLORS[p.key] || 'var(--ovh)' }));
  const line = [o.method, o.method === 'lora' || o.method === 'qlora' ? `rank ${o.lora_rank}` : null, o.precision, o.optimizer,
    `micro-batch ${o.micro_batch} × ${formatCount(o.seq_tokens)} tokens`, o.gradient_checkpointing ? 'checkpointing' : null,
    o.n_gpus > 1 ? `${o.n_gpus} GPUs ${o.distribution}` : null].filter(Boolean).join(' · ');
  const verdict = t.gpu
    ? el('div', { class: `verdict ${t.gpu.fits ? 'fits' : 'nofit'}`, part: 'verdict', text: `${t.gpu.fits ? 'Fits' : 'Does not fit'} on ${o.n_gpus > 1 ? `${o.n_gpus}× ` : ''}${t.gpu.name}` })
    : null;
  return el('div', { class: `compact training ${embedTheme(theme)}`, part: 'root' },
    el('div', { class: 'model', part: 'model', text: `${r.model_id} · fine-tuning` }),
    el('div', { class: 'total', part: 'total', text: formatBytes(g.total_bytes) }),
    el('div', { class: 'settings', text: line }),
    ...stackedBar(g, colored, g.total_bytes),
    verdict,
    ...t.warnings.map((w) => el('div', { class: 'warning', text: w })),
    el('div', { class: 'params', text: `${formatCount(t.params.trainable_params)} of ${formatCount(t.params.total_params)} parameters trained · per GPU` }),
    fullUrl ? el('a', { class: 'full', href: fullUrl, target: '_blank', rel: 'noopener', text: 'Full estimate ↗' }) : null,
    el('div', { class: 'version', part: 'version', text: `hf-vram-estimator ${r.tool_version}` }));
}

export function compactView(r, fullUrl, theme) {
  const perGpu = perGpuBytes(r);
  const tp = perGpu.gpus;
  const verdict = r.gpu
    ? el('div', { class: `verdict ${r.gpu.fits ? 'fits' : 'nofit'}`, part: 'verdict', text: `${r.gpu.fits ? 'Fits' : 'Does not fit'} on ${tp > 1 ? `${tp}× ` : ''}${r.gpu.name}` })
    : el('div', { class: 'verdict', part: 'verdict', text: r.recommendation });
  const line = [
    r.quantization === 'auto' ? 'as stored' : r.quantization,
    r.kv_bytes_per_token ? `${formatCount(r.context_length)} tokens` : null,
    `batch ${r.batch_size}`, r.profile,
  ].filter(Boolean).join(' · ');
  return el('div', { class: `compact ${embedTheme(theme)}`, part: 'root' },
    el('div', { class: 'model', part: 'model', text: r.model_id }),
    el('div', { class: 'total nb', part: 'total', text: formatBytes(perGpu.total) }),
    tp > 1 ? el('div', { class: 'settings', part: 'per-gpu', text: `per GPU, tensor parallel ${tp} (${formatBytes(r.estimates_bytes.total)} in all)` }) : null,
    el('div', { class: 'settings', text: line }),
    ...stackedBar(perGpu),
    verdict,
    el('div', { class: 'params', text: `${formatCount(r.parameters)} parameters · ${formatCount(r.tensors)} tensors` }),
    fullUrl ? el('a', { class: 'full', href: fullUrl, target: '_blank', rel: 'noopener', text: 'Full estimate ↗' }) : null,
    el('div', { class: 'version', part: 'version', text: `hf-vram-estimator ${r.tool_version}` }));
}

export function compactError(error, fullUrl, theme) {
  return el('div', { class: `compact error ${embedTheme(theme)}`, part: 'root', role: 'alert' },
    el('div', { class: 'model', text: 'Could not estimate' }), el('p', { text: error.message }),
    fullUrl ? el('a', { class: 'full', href: fullUrl, target: '_blank', rel: 'noopener', text: 'Open the full page ↗' }) : null);
}

