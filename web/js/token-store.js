// Remembered access tokens, one per Hub endpoint origin. A token is kept only when the user ticks
// "remember on this device", and it is handed back only to the endpoint it was given for: a link
// that points the page at another endpoint starts with an empty token field, so the remembered
// token is never sent there (issue 16 item 5).

import { DEFAULT_ENDPOINT } from './common.js';

const PREFIX = 'vram.token@';          // + the endpoint's origin, e.g. vram.token@https://huggingface.co
const LEGACY_KEY = 'vram.token';       // one token for every endpoint (before per-origin storage)

const keyOf = (origin) => PREFIX + new URL(origin).origin;

// The single token of earlier versions was given for the default Hub (a mirror's own token was
// never asked for separately), so it moves there; it no longer goes to every endpoint.
function migrate() {
  const legacy = localStorage.getItem(LEGACY_KEY);
  if (legacy === null) return;
  if (localStorage.getItem(keyOf(DEFAULT_ENDPOINT)) === null) localStorage.setItem(keyOf(DEFAULT_ENDPOINT), legacy);
  localStorage.removeItem(LEGACY_KEY);
}

/** The token remembered for this endpoint (any URL; its origin counts), or ''. */
export function rememberedToken(endpoint) {
  try {
    migrate();
    return localStorage.getItem(keyOf(endpoint)) || '';
  } catch {
    return '';  // storage refused (private mode, quota): nothing remembered
  }
}

/** Remembers `token` for this endpoint's origin; an empty token forgets it. */
export function rememberToken(endpoint, token) {
  try {
    if (token) localStorage.setItem(keyOf(endpoint), token);
    else localStorage.removeItem(keyOf(endpoint));
  } catch { /* storage refused: the token stays in memory only */ }
}
