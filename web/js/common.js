// What every part of the site shares: the default endpoint, the units and formatters, the report's parts,
// the options a link carries, and the one builder of page links (share links, the address bar, the embed's
// "full estimate" link). No copy of any of these lives elsewhere in web/.

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

// Units: the core reports bytes. GiB = 2^30 bytes; GPU capacities are binary (a "24 GB" card holds 24 GiB).
export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const KiB = 2 ** 10;

/** The core's units: "GB" = 2^30 bytes, as the original tool prints them. */
export function formatBytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GB`;
  if (n >= MiB) return `${(n / MiB).toFixed(2)} MB`;
  if (n >= KiB) return `${(n / KiB).toFixed(2)} KB`;
  return `${n} B`;
}
export const gib = (n) => `${(n / GiB).toFixed(2)} GiB`;
export const formatCount = (n) => Number(n).toLocaleString('en-US');
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

// The estimate options a link carries (the core's option keys) and the page-only ones.
export const LINK_OPTION_KEYS = ['precision', 'kv_dtype', 'context_tokens', 'batch', 'profile', 'tp', 'gpu', 'gguf_file',
  'n_gpu_layers', 'flash_attention'];

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
export function pageUrl(base, { model, revision, endpoint }, options = {}) {
  const u = new URL('index.html', base);
  if (model) u.searchParams.set('model', model);
  if (revision && revision !== 'main') u.searchParams.set('revision', revision);
  if (endpoint && endpoint !== DEFAULT_ENDPOINT) u.searchParams.set('endpoint', endpoint);
  for (const k of LINK_OPTION_KEYS) {
    const v = options[k];
    if (v !== undefined && v !== null && v !== '' && v !== 0) u.searchParams.set(k, String(v));
  }
  return u.href;
}

/** Exposes a value to the browser tests, only when they ask for it (they set globalThis.__VRAM_TEST_HOOKS__). */
export function testHook(name, value) {
  if (globalThis.__VRAM_TEST_HOOKS__) globalThis[name] = value;
}
