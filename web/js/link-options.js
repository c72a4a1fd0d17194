// Settings from a link, checked against the core's option table (vocabularies().options) before the page uses them:
// a value the table does not accept is named in a notice and left out, so the engine's default applies — a link
// never leaves the page in "loading" or shows a number for settings it did not take.
import { FLAG_OFF, FLAG_ON } from './common.js';

const FLAG_WORDS = [...FLAG_ON, ...FLAG_OFF];

/** options: text values by key (optionsFrom). Returns {options, problems: [sentence]}. */
export function checkLinkOptions(options, vocab) {
  const out = {};
  const problems = [];
  for (const [key, value] of Object.entries(options)) {
    const spec = vocab.options.find((o) => o.key === key);
    const v = String(value).trim();
    if (!spec) { out[key] = v; continue; }  // gguf_file: a file name the core checks against the repo
    let ok;
    if (spec.kind === 'choice') {
      ok = spec.choices.split(', ').includes(v) || (key === 'kv_dtype' && vocab.kv_dtypes.some((d) => d.name === v));
      if (!ok) problems.push(`The link's ${key} “${v}” is not one of: ${spec.choices}`);
    } else if (spec.kind === 'count') {
      const n = Number(v);
      ok = (spec.special && v === spec.special) || (key === 'n_gpu_layers' && v === '-1') ||
        (/^\d+$/.test(v) && n >= spec.min && n <= spec.max);
      if (!ok) problems.push(`The link's ${key} “${v}” is not a whole number from ${spec.min.toLocaleString('en-US')} to ${spec.max.toLocaleString('en-US')}${spec.special ? ` or “${spec.special}”` : ''}`);
    } else if (spec.kind === 'flag') {
      ok = FLAG_WORDS.includes(v.toLowerCase());
      if (!ok) problems.push(`The link's ${key} “${v}” is not on or off`);
    } else if (spec.kind === 'probability') {
      const n = Number(v);
      ok = v !== '' && n >= 0 && n < 1;
      if (!ok) problems.push(`The link's ${key} “${v}” is not a number in [0, 1)`);
    } else {
      const n = Number(v);
      ok = n > 0 && n <= 1;
      if (!ok) problems.push(`The link's ${key} “${v}” is not a fraction in (0, 1]`);
    }
    if (ok) out[key] = key === 'n_gpu_layers' && v === '-1' ? 'all' : v;
  }
  return { options: out, problems };
}
