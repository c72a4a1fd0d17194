// Precision × context: for a safetensors repo, the per-GPU total at each weight precision (and each narrower KV
// dtype the engine offers) and at 4k, 8k, 32k, 128k and the model's max — each cell whether it fits the chosen GPU.
// Computed by the core in the same call as the report (view()), no request; a click applies the cell's settings.
import { el, morph } from './dom.js';
import { formatBytes, formatTokens } from '../common.js';

const COLUMNS = [4096, 8192, 32768, 131072];

// 16-bit weights are one row (bfloat16); float32 and float16 add nothing a reader compares here.
const SAME_AS_A_ROW = ['float32', 'float16'];

/**
 * The matrix's rows and columns for a profile (vocab row) and a model: what view() is asked for. The precision rows
 * are the core's precision table (`precisions`: vocabularies().precisions, with their labels) as the profile takes
 * them.
 */
export function matrixRequest(profile, { maxContext, hasKv, gguf }, precisions) {
  if (gguf) return null;  // a GGUF repo has its quantization table instead
  const rows = precisions.filter((p) => profile.precisions.includes(p.name) && !SAME_AS_A_ROW.includes(p.name))
    .map((p) => ({ label: p.label, set: { precision: p.name } }));
  if (hasKv) {
    for (const kv of profile.kv_dtypes.filter((d) => ['fp8', 'int8'].includes(d)))
      rows.push({ label: `As stored, ${kv} KV cache`, set: { precision: 'auto', kv_dtype: kv } });
  }
  const contexts = hasKv && maxContext ? [...COLUMNS.filter((c) => c < maxContext), maxContext] : [];
  return { rows, contexts };
}

export class MatrixView {
  constructor(root, onApply) { this.root = root; this.onApply = onApply; }

  /** `request`: matrixRequest(); `answer`: view()'s matrix; `current`: the options in use. */
  update(request, answer, current, gpuName) {
    if (!request || !answer?.length || !request.contexts.length) { this.root.replaceChildren(); return; }
    const head = el('tr', {}, el('th', { text: 'Weights' }),
      ...request.contexts.map((c, i) => el('th', { class: 'num', text: i === request.contexts.length - 1 ? `max (${formatTokens(c)})` : formatTokens(c) })));
    const body = el('tbody');
    request.rows.forEach((row, i) => {
      const line = answer[i];
      const tr = el('tr', {}, el('th', { scope: 'row', text: row.label }));
      if (line?.error) {
        tr.append(el('td', { colspan: String(request.contexts.length), class: 'help', text: line.error.message }));
      } else {
        line.cells.forEach((cell, j) => {
          const ctx = request.contexts[j];
          const chosen = (current.precision || 'auto') === row.set.precision && (current.kv_dtype || 'auto') === (row.set.kv_dtype || 'auto') &&
            Number(current.context_tokens || request.contexts[request.contexts.length - 1]) === ctx;
          const fit = cell.fits === true ? 'fits' : cell.fits === false ? 'too large' : '';
          tr.append(el('td', { class: `num cell ${cell.fits === true ? 'yes' : cell.fits === false ? 'no' : ''}${chosen ? ' chosen' : ''}` },
            el('button', { type: 'button', class: 'cellbtn', 'aria-pressed': String(chosen),
              'aria-label': `${row.label}, ${formatTokens(ctx)} tokens: ${formatBytes(cell.total)}${fit ? `, ${fit}` : ''}. Apply these settings.`,
              onclick: () => this.onApply({ ...row.set, kv_dtype: row.set.kv_dtype || 'auto', context_tokens: j === request.contexts.length - 1 ? 'max' : String(ctx) }) },
            el('span', { class: 'nb', text: formatBytes(cell.total) }),
            fit ? el('span', { class: 'mark', 'aria-hidden': 'true', text: cell.fits ? ' ✓' : ' ✗' }) : null)));
        });
      }
      body.append(tr);
    });
    morph(this.root, el('section', { class: 'card', id: 'matrix' },
      el('h2', { text: 'Precision × context' }),
      el('p', { class: 'help', text: `Per GPU with the other settings as chosen${gpuName ? `; ✓ fits the ${gpuName}, ✗ does not` : '; pick a GPU to mark what fits'}. Click a cell to use it.` }),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Precision by context table' }, el('table', { class: 'matrix' }, el('thead', {}, head), body))));
  }
}
