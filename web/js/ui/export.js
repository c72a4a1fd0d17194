// Export: the report as JSON (the CLI's schema), Markdown for a model card, and a share link that
// carries every setting but never the token.
import { el } from './dom.js';

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    status.textContent = 'Copy was blocked by the browser: the text is selected below, press Ctrl+C.';
    const area = el('textarea', { rows: '6', 'aria-label': 'Text to copy', readonly: true });
    area.value = text;
    status.after(area);
    area.select();
  }
}

function download(name, text, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export class ExportView {
  constructor(root, { json, markdown, link, modelCard, badge }) {
    this.root = root;
    const status = el('span', { id: 'export-status', role: 'status', class: 'help' });
    root.replaceChildren(el('section', { class: 'card', id: 'export' }, el('h2', { text: 'Export' }),
      el('div', { class: 'export' },
        el('button', { type: 'button', class: 'ghost', id: 'export-json', text: 'Download JSON', onclick: () => {
          const { name, text } = json();
          download(name, text, 'application/json');
          status.textContent = `Saved ${name}.`;
        } }),
        el('button', { type: 'button', class: 'ghost', id: 'export-markdown', text: 'Copy Markdown', onclick: async () => copy(await markdown(), status) }),
        el('button', { type: 'button', class: 'ghost', id: 'export-link', text: 'Copy share link', onclick: () => copy(link(), status) }),
        el('button', { type: 'button', class: 'ghost', id: 'export-card', text: 'Copy for model card', onclick: async () => copy(await modelCard(), status) }),
        el('button', { type: 'button', class: 'ghost', id: 'export-badge', text: 'Download badge', onclick: () => {
          const { name, text } = badge();
          download(name, text, 'image/svg+xml');
          status.textContent = `Saved ${name}: upload it beside your model card and reference it as an image.`;
        } }),
        status),
      el('p', { class: 'help', text: 'Model cards render Markdown and images but no scripts: “Copy for model card” gives a table with a link back here; the badge is an SVG image. To embed a live estimate in documentation, see the embed instructions in the README.' })));
  }
}
