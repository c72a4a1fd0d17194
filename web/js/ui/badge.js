// An SVG badge for a model card (model cards render images, not scripts), made in the browser
// from the estimate: e.g. "int4 · 8k ctx · 5.07 GiB · fits RTX 4090".
import { GiB, formatTokens } from '../common.js';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
// DejaVu Sans / Verdana-like average advance at 11 px; badges are sized from the text length.
const charWidth = (text) => Math.ceil(text.length * 6.6) + 12;

export function badgeText(r) {
  const perGpu = r.per_gpu || { gpus: 1, total: r.estimates_bytes.total };
  const gibTotal = `${(perGpu.total / GiB).toFixed(2)} GiB${perGpu.gpus > 1 ? ` ×${perGpu.gpus}` : ''}`;
  const parts = [r.quantization === 'auto' ? 'as stored' : r.quantization];
  if (r.kv_bytes_per_token) parts.push(`${formatTokens(r.context_length)} ctx`);
  parts.push(gibTotal);
  if (r.gpu) parts.push(`${r.gpu.fits ? 'fits' : 'exceeds'} ${r.gpu.name.replace(/^(NVIDIA|AMD) (GeForce )?/, '')}`);
  return { label: 'VRAM', message: parts.join(' · '), fits: r.gpu ? r.gpu.fits : null };
}

export function badgeSvg(r) {
  const { label, message, fits } = badgeText(r);
  const lw = charWidth(label), mw = charWidth(message), w = lw + mw;
  const color = fits === null ? '#1f4fc2' : fits ? '#116a46' : '#9b1c1c';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${esc(`${label}: ${message}`)}">` +
    `<title>${esc(`${label}: ${message}`)}</title>` +
    `<rect width="${lw}" height="20" rx="3" fill="#555"/><rect x="${lw}" width="${mw}" height="20" rx="3" fill="${color}"/>` +
    `<rect x="${lw}" width="4" height="20" fill="${color}"/>` +
    `<g fill="#fff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14" text-anchor="middle">${esc(label)}</text>` +
    `<text x="${lw + mw / 2}" y="14" text-anchor="middle">${esc(message)}</text></g></svg>`;
}
