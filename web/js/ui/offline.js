// Models kept for offline use: the list, open one, forget one or all.
import { el, formatBytes } from './dom.js';

export class OfflineView {
  constructor(root, { list, remove, clear, open }) {
    Object.assign(this, { root, list, remove, clear, open });
  }
  async refresh() {
    const rows = await this.list().catch(() => []);
    if (!rows.length) { this.root.replaceChildren(); this.root.hidden = true; return; }
    const items = rows.map((r) => el('li', {},
      el('button', { type: 'button', class: 'ghost small', text: `${r.repo}`, 'aria-label': `Open ${r.repo} at ${r.sha.slice(0, 7)}`,
        onclick: () => this.open(r) }),
      el('span', { class: 'help', text: ` ${r.revision} · ${r.sha.slice(0, 7)} · ${formatBytes(r.bytes)} · saved ${r.savedAt.slice(0, 10)} ` }),
      el('button', { type: 'button', class: 'ghost small', text: 'Forget', 'aria-label': `Forget ${r.repo}`,
        onclick: async () => { await this.remove(r.key); this.refresh(); } })));
    this.root.replaceChildren(el('details', { id: 'saved' },
      el('summary', { text: `Saved for offline use (${rows.length})` }),
      el('p', { class: 'help', text: 'The metadata of every model you look up stays on this device (never your token), so it can be estimated offline.' }),
      el('ul', { class: 'saved-list' }, ...items),
      el('button', { type: 'button', class: 'ghost small', id: 'clear-saved', text: 'Forget all', onclick: async () => { await this.clear(); this.refresh(); } })));
    this.root.hidden = false;
  }
}
