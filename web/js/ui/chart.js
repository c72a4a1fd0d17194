// Memory against context for the chosen settings, with the chosen GPU's capacity as a line.
// Points are computed by the core (pure, no request); the x axis is logarithmic.
import { el, svg } from './dom.js';
import { GiB, formatTokens, gib } from '../common.js';

const W = 640, H = 240, L = 56, R = 12, T = 12, B = 30;

export class ChartView {
  constructor(root) { this.root = root; }

  /** points: [{context, bytes}] ascending; capacity: bytes or 0; current: context. */
  update({ points, capacity, current, gpuName }) {
    if (!points?.length) { this.root.replaceChildren(); return; }
    const xs = points.map((p) => Math.log2(p.context));
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const yMax = Math.max(...points.map((p) => p.bytes), capacity || 0) * 1.08;
    const X = (c) => L + ((Math.log2(c) - x0) / Math.max(1e-9, x1 - x0)) * (W - L - R);
    const Y = (b) => T + (1 - b / yMax) * (H - T - B);
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
    g.append(svg('title', { id: 'chart-title' }, 'Memory against context length'));
    g.append(svg('desc', { id: 'chart-desc' }, points.map((p) => `${formatTokens(p.context)}: ${gib(p.bytes)}`).join('; ')));
    g.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    for (let i = 0; i <= 4; i++) {
      const b = (yMax / 4) * i;
      g.append(svg('line', { class: 'axis', x1: L, y1: Y(b), x2: W - R, y2: Y(b), 'stroke-opacity': '0.4' }));
      const t = svg('text', { x: L - 6, y: Y(b) + 4, 'text-anchor': 'end' });
      t.textContent = `${(b / GiB).toFixed(b / GiB < 10 ? 1 : 0)}`;
      g.append(t);
    }
    const yl = svg('text', { x: 12, y: T + 8 });
    yl.textContent = 'GiB';
    g.append(yl);
    for (const p of points) {
      if (Math.log2(p.context) % 2 !== 1 && p !== points[points.length - 1] && p !== points[0]) continue;
      const t = svg('text', { x: X(p.context), y: H - 10, 'text-anchor': 'middle' });
      t.textContent = formatTokens(p.context);
      g.append(t);
    }
    g.append(svg('polyline', { class: 'line', points: points.map((p) => `${X(p.context)},${Y(p.bytes)}`).join(' ') }));
    if (capacity) {
      g.append(svg('line', { class: 'cap', x1: L, y1: Y(capacity), x2: W - R, y2: Y(capacity) }));
      const t = svg('text', { x: W - R - 4, y: Y(capacity) - 5, 'text-anchor': 'end' });
      t.textContent = `${gpuName}: ${gib(capacity)}`;
      g.append(t);
    }
    const now = points.reduce((a, p) => (Math.abs(Math.log2(p.context / current)) < Math.abs(Math.log2(a.context / current)) ? p : a), points[0]);
    if (current) g.append(svg('circle', { class: 'now', cx: X(current), cy: Y(now.bytes), r: 4.5 }));
    this.root.replaceChildren(el('section', { class: 'card chart', id: 'chart' },
      el('h2', { text: 'Memory against context' }),
      el('p', { class: 'help', text: capacity ? `Per GPU at these settings; the dashed line is what the ${gpuName} can hold.` : 'Per GPU at these settings. Choose a GPU to see its capacity.' }),
      g));
  }
}
