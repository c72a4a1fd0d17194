// The gate in front of every load from a Hub endpoint (issue 16 item 5).
// - A link may name another endpoint (?endpoint=…). Before the page sends anything there — a
//   model lookup, a search suggestion — it asks, unless that endpoint is the default Hub or the
//   one the user chose in the settings. The remembered token belongs to the endpoint it was given
//   for (token-store.js), so a linked endpoint never receives it either way.
// - The shipped Content-Security-Policy lets the page connect to the Hub and its CDN only (the demo
//   and the tests widen it when they serve the page; scripts/build --connect-src for a mirror). An
//   endpoint the policy refuses gets a message saying so, instead of a load that fails as "network".
import { el } from './ui/dom.js';

const DEFAULT_PORTS = { 'http:': '80', 'https:': '443' };

// One CSP source expression against a URL: 'self', or scheme://host with an optional *. prefix
// and :port or :* (the forms the shipped and widened policies use; anything else does not match).
function sourceMatches(source, url) {
  if (source === "'self'") return url.origin === location.origin;
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+)(?::(\d+|\*))?$/i.exec(source);
  if (!m || url.protocol !== `${m[1].toLowerCase()}:`) return false;
  const host = url.hostname.toLowerCase(), want = m[3].toLowerCase();
  if (m[2] ? !host.endsWith(`.${want}`) : host !== want) return false;
  const port = m[4] || DEFAULT_PORTS[url.protocol];
  return port === '*' || port === (url.port || DEFAULT_PORTS[url.protocol]);
}

/** Whether every meta Content-Security-Policy of the page lets it fetch from url's origin. */
export function connectAllowed(url, doc = document) {
  const target = new URL(url);
  for (const meta of doc.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')) {
    const directives = new Map(meta.content.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources]));
    const sources = directives.get('connect-src') || directives.get('default-src');
    if (sources && !sources.some((s) => sourceMatches(s, target))) return false;
  }
  return true;
}

export class EndpointGate {
  /**
   * endpoint: the one this page view uses; own: the user's choice (settings) or the default;
   * fallback: the default Hub. onAccept(): the user agreed to load from the linked endpoint;
   * onDecline(back): go back to their own endpoint (or the default Hub when theirs is refused).
   */
  constructor(root, { endpoint, own, fallback, onAccept, onDecline }) {
    this.root = root;
    this.endpoint = endpoint;
    this.own = own;
    this.onAccept = onAccept;
    this.onDecline = onDecline;
    this.back = own === endpoint ? fallback : own;  // where "decline" goes
    this.blocked = !connectAllowed(endpoint);
    this.asking = !this.blocked && endpoint !== own && endpoint !== fallback;
    this.root.hidden = true;
  }

  /** True when the page may send requests to the endpoint. */
  get open() { return !this.blocked && !this.asking; }

  /** Shows why nothing is loaded yet (the question, or the policy's refusal) and focuses it. */
  show() {
    const host = (u) => new URL(u).host;
    if (this.blocked) {
      this.root.replaceChildren(
        el('h2', { text: `This page cannot connect to ${this.endpoint}` }),
        el('p', { text: 'Its Content-Security-Policy allows only the Hugging Face Hub and its CDN. A mirror needs a copy of the page built for it (scripts/build --connect-src "ORIGIN …").' }),
        el('div', { class: 'actions' },
          el('button', { id: 'endpoint-decline', type: 'button', text: `Use ${host(this.back)}`, onclick: () => this.onDecline(this.back) })));
    } else if (this.asking) {
      this.root.replaceChildren(
        el('h2', { text: 'This link points the page at another Hub' }),
        el('p', {}, 'It asks to read models from ', el('strong', { text: this.endpoint }), ` instead of ${this.own}. That server will see which models you look up. `,
          `A token you remembered for ${host(this.own)} is not sent there.`),
        el('div', { class: 'actions' },
          el('button', { id: 'endpoint-accept', type: 'button', text: `Load from ${host(this.endpoint)}`, onclick: () => this.accept() }),
          el('button', { id: 'endpoint-decline', type: 'button', class: 'ghost', text: `Stay on ${host(this.own)}`, onclick: () => this.onDecline(this.back) })));
    } else {
      return;
    }
    this.root.hidden = false;
    this.root.focus();
  }

  accept() {
    this.asking = false;
    this.root.hidden = true;
    this.root.replaceChildren();
    this.onAccept();
  }
}
