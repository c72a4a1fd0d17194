// Memory against context for the chosen settings: the per-GPU total stacked by part (weights, KV cache, activations,
// runtime overhead) with the chosen GPU's capacity as a line. Every point, the current one included, is computed by
// the core at its own context (view()'s series); the x axis is logarithmic, ticks are round and never overlap, and
// the drawing is sized to its container in CSS pixels so that it stays legible on a phone.
import { el, morph, svg } from './dom.js';
import { GiB, REPORT_PARTS, formatCount, formatTokens, gib } from '../common.js';

const T = 24, B = 30, R = 14;

/** Round tick step for a range: 1, 2 or 5 × 10^k, about `target` ticks. */
export function niceStep(max, target = 4) {
  const raw = max / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

export class ChartView {
  constructor(root) {
    this.root = root;
    this.last = null;
    // The container's width as the ResizeObserver last measured it: reading clientWidth while drawing would force a
    // layout of the whole page in the middle of an update (~7 ms on DeepSeek-R1), before the numbers can paint.
    this.width = 0;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((entries) => {
        const w = Math.round(entries[entries.length - 1].contentRect.width);
        if (w && w !== this.width) { this.width = w; if (this.last) this.draw(this.last); }
      }).observe(root);
    }
  }

  /** points: view()'s series (ascending contexts, the current one among them); capacity: usable bytes or 0. */
  update(args) {
    this.last = args;
    // Not measured yet (the chart was hidden until this update): its ResizeObserver reports the width after the
    // browser's own layout of this frame, before the paint, and draws then. Reading clientWidth here instead forced a
    // layout of the whole page in the middle of the first answer's update (~15 ms after a load).
    if (!this.width && typeof ResizeObserver === 'function' && args.points?.length) return;
    this.draw(args);
  }

  draw({ points, capacity, current, gpuName }) {
    if (!points?.length) { this.root.replaceChildren(); return; }
    const W = Math.max(300, Math.min(900, Math.round(this.width || this.root.clientWidth || 640) - 40));
    const H = W < 480 ? 220 : 260;
    const L = 46;
    const xs = points.map((p) => Math.log2(p.context_tokens));
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const top = Math.max(...points.map((p) => p.total), capacity || 0);
    const stepBytes = niceStep(top / GiB) * GiB;
    const yMax = Math.ceil((top * 1.04) / stepBytes) * stepBytes;
    const X = (c) => L + ((Math.log2(c) - x0) / Math.max(1e-9, x1 - x0)) * (W - L - R);
    const Y = (b) => T + (1 - b / yMax) * (H - T - B);
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
    g.append(svg('title', { id: 'chart-title' }, 'Memory against context length, per GPU'));
    g.append(svg('desc', { id: 'chart-desc' }, points.map((p) => `${formatCount(p.context_tokens)} tokens: ${gib(p.total)}`).join('; ')));
    // y: round GiB steps
    for (let b = 0; b <= yMax + 1; b += stepBytes) {
      g.append(svg('line', { class: 'grid', x1: L, y1: Y(b), x2: W - R, y2: Y(b) }));
      const t = svg('text', { x: L - 6, y: Y(b) + 4, 'text-anchor': 'end' });
      t.textContent = `${Number((b / GiB).toFixed(2))}`;
      g.append(t);
    }
    const yl = svg('text', { x: 4, y: 12 });
    yl.textContent = 'GiB';
    g.append(yl);
    // x: powers of two, every k-th so that labels keep ≥ 44 px apart; the last point labelled when it has room
    const minGap = 44;
    const pow = [];
    for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) pow.push(2 ** e);
    const per = Math.max(1, Math.ceil(minGap / Math.max(1, (W - L - R) / Math.max(1, x1 - x0))));
    const ticks = pow.filter((_, i) => i % per === 0);
    const lastCtx = points[points.length - 1].context_tokens;
    if (!ticks.includes(lastCtx) && X(lastCtx) - X(ticks[ticks.length - 1] || 0) >= minGap) ticks.push(lastCtx);
    while (ticks.length > 1 && X(lastCtx) - X(ticks[ticks.length - 1]) < 0) ticks.pop();
    for (const c of ticks) {
      g.append(svg('line', { class: 'grid', x1: X(c), y1: H - B, x2: X(c), y2: H - B + 4 }));
      const t = svg('text', { x: X(c), y: H - B + 17, 'text-anchor': 'middle' });
      t.textContent = formatTokens(c);
      g.append(t);
    }
    // stacked areas, bottom to top in REPORT_PARTS order
    const below = points.map(() => 0);
    for (const part of REPORT_PARTS) {
      if (!points.some((p) => p[part.key])) continue;
      const upper = points.map((p, i) => below[i] + (p[part.key] || 0));
      const d = [...points.map((p, i) => `${X(p.context_tokens)},${Y(upper[i])}`), ...points.map((p, i) => `${X(p.context_tokens)},${Y(below[i])}`).reverse()].join(' ');
      g.append(svg('polygon', { points: d, fill: part.color, class: 'area' }, svg('title', {}, part.label)));
      upper.forEach((v, i) => { below[i] = v; });
    }
    g.append(svg('polyline', { class: 'line', points: points.map((p) => `${X(p.context_tokens)},${Y(p.total)}`).join(' ') }));
    g.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    if (capacity) {
      g.append(svg('line', { class: 'cap', x1: L, y1: Y(capacity), x2: W - R, y2: Y(capacity) }));
      const t = svg('text', { x: W - R - 4, y: Y(capacity) - 5, 'text-anchor': 'end', class: 'cap-label' });
      t.textContent = `${gpuName}: ${gib(capacity)}`;
      g.append(t);
    }
    const now = points.find((p) => p.context_tokens === current);
    if (now) g.append(svg('circle', { class: 'now', cx: X(now.context_tokens), cy: Y(now.total), r: 5, 'data-context': String(now.context_tokens), 'data-total': String(now.total) },
      svg('title', {}, `now: ${formatCount(now.context_tokens)} tokens, ${gib(now.total)}`)));
    const legend = el('div', { class: 'legend' }, ...REPORT_PARTS.filter((part) => points.some((p) => p[part.key]))
      .map((part) => el('span', {}, el('i', { style: { background: part.color } }), part.label)),
    capacity ? el('span', {}, el('i', { class: 'cap-swatch' }), `${gpuName} capacity`) : null,
    now ? el('span', {}, el('i', { class: 'now-swatch' }), 'these settings') : null);
    morph(this.root, el('section', { class: 'card chart', id: 'chart' },
      el('h2', { text: 'Memory against context' }),
      el('p', { class: 'help', text: 'Per GPU at these settings, stacked by part, against the context in tokens (log scale); every point is computed by the core at its own context.' }),
      el('div', { class: 'chart-box' }, g), legend));
  }
}
