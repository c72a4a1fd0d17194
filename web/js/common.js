// What every part of the site shares: the default endpoint, the units and formatters, the report's parts,
// the options a link carries, and the one builder of page links (share links, the address bar, the embed's
// "full estimate" link). No copy of any of these lives elsewhere in web/.
import { vocabularies as builtVocabularies } from './vocab.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

// Units: the core reports bytes. GiB = 2^30 bytes; GPU capacities are binary (a "24 GB" card holds 24 GiB).
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const KiB = 2 ** 10;

/**
 * The page's one unit policy: binary units, named as such (GiB = 2^30 bytes). The CLI's classic text report keeps the
 * original tool's "GB" labels for the same 2^30 bytes, and says so in its assumptions.
 */
export function formatBytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(2)} MiB`;
  if (n >= KiB) return `${(n / KiB).toFixed(2)} KiB`;
  return `${n} B`;
}
export const gib = (n) => `${(n / GiB).toFixed(2)} GiB`;
// One formatter for every count: Number#toLocaleString builds a new one on each call (~80 µs in Chromium, 100× the
// cached formatter's cost), and a DeepSeek-R1 view formats hundreds of counts per change.
const COUNT_FORMAT = new Intl.NumberFormat('en-US');
export const formatCount = (n) => COUNT_FORMAT.format(Number(n));
/** 7,241,732,096 → "7.24 B" (compact counts for narrow screens; the exact figure goes in a title). */
export function formatCompact(n) {
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(2)} ${u}`;
  return formatCount(n);
}
export function formatTokens(n) {
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}k`;
  return formatCount(n);
}

// The parts of a total, as the JSON report names them, in the order every view stacks them.
export const REPORT_PARTS = [
  { key: 'model_weights', label: 'Weights', color: 'var(--w)' },
  { key: 'kv_cache', label: 'KV cache', color: 'var(--kv)' },
  { key: 'activation_overhead', label: 'Activations', color: 'var(--act)' },
  { key: 'cuda_overhead', label: 'Runtime overhead', color: 'var(--ovh)' },
];

// A flag's words as the core reads them (options.cpp): on, true, 1 and off, false, 0; a link may write them in any case.
export const FLAG_ON = ['on', 'true', '1'];
export const FLAG_OFF = ['off', 'false', '0'];
/** Whether a flag's value (a word, or true from a report's options) is on. */
export const flagOn = (v) => v === true || FLAG_ON.includes(String(v).toLowerCase());

// The estimate options a link carries: every inference row of the core's option table (js/vocab.js, the build's copy of
// vocabularies()), so a setting the CLI takes is one a link takes, and the GGUF file a repo's quantization names.
export const LINK_OPTION_KEYS = [...builtVocabularies.options.filter((o) => !o.training).map((o) => o.key), 'gguf_file'];

/**
 * A model id from what a person pastes: "org/name", "https://huggingface.co/org/name", "hf.co/org/name/tree/REV".
 * Returns {repo, revision} (revision '' when the text names none) or null when it is not a model reference.
 */
export function parseModelInput(text) {
  const t = String(text || '').trim();
  const m = t.match(/^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co)\/(.+)$/i);
  if (!m) return t ? { repo: t, revision: '' } : null;
  const parts = m[1].split(/[?#]/)[0].split('/').filter(Boolean);
  if (parts[0] === 'models') parts.shift();
  if (['datasets', 'spaces'].includes(parts[0]) || parts.length < 1) return null;
  const repo = parts.length >= 2 ? `${parts[0]}/${parts[1]}` : parts[0];
  const revision = (parts[2] === 'tree' || parts[2] === 'blob' || parts[2] === 'resolve') && parts[3] ? decodeURIComponent(parts[3]) : '';
  return { repo, revision };
}

/**
 * Estimate options from query parameters or element attributes (`get(name)` → string | null). Both spellings
 * are read: `context` and `context_tokens`, `kv-dtype` and `kv_dtype`. Values stay text: the core parses and
 * checks them, so a bad value gets the core's message.
 */
export function optionsFrom(get) {
  const o = {};
  for (const key of LINK_OPTION_KEYS) {
    const alias = key === 'context_tokens' ? 'context' : key.replace(/_/g, '-');
    const v = get(key) ?? get(alias);
    if (v !== null && v !== undefined && v !== '') o[key] = v;
  }
  return o;
}

/** The page's URL for a model and settings (relative to `base`, the site root); never a token. */
export function pageUrl(base, { model, revision, endpoint }, options = {}, extra = []) {
  const u = new URL('index.html', base);
  if (model) u.searchParams.set('model', model);
  if (revision && revision !== 'main') u.searchParams.set('revision', revision);
  if (endpoint && endpoint !== DEFAULT_ENDPOINT) u.searchParams.set('endpoint', endpoint);
  for (const k of LINK_OPTION_KEYS) {
    const v = options[k];
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  }
  for (const [k, v] of extra) u.searchParams.append(k, v);  // page state beside the options (pinned results)
  return u.href;
}

/** Exposes a value to the browser tests, only when they ask for it (they set globalThis.__VRAM_TEST_HOOKS__). */
export function testHook(name, value) {
  if (globalThis.__VRAM_TEST_HOOKS__) globalThis[name] = value;
}
