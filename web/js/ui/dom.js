// Tiny DOM helpers. Every value that came from the network goes in through textContent (el's
// `text` prop or a string child, which append() inserts as a text node) — never innerHTML.

// The listeners el() attached, per node, so that morph() can move them onto the node it keeps.
const listeners = new WeakMap();

// The children el() and morph() take: nested arrays flattened, null, undefined and false left out.
const present = (children) => children.flat().filter((c) => c !== null && c !== undefined && c !== false);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') Object.assign(node.style, v);
    else if (k.startsWith('on')) {
      node.addEventListener(k.slice(2), v);
      if (!listeners.has(node)) listeners.set(node, {});
      listeners.get(node)[k.slice(2)] = v;
    }
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...present(children));
  return node;
}

export const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children.flat()) if (c) node.append(c);
  return node;
};

// Writes that skip a value already there: even an unchanged textContent replaces its text node, and the browser then
// restyles and lays out what holds it — on a change, in a frame drawn while the core is computing the answer, which
// the answer then waits behind.
export function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
export function setProp(node, key, value) { if (node[key] !== value) node[key] = value; }
export function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }

/**
 * Makes `parent`'s children look like `children` (fresh nodes from el()/svg(), not in the document), keeping every
 * node that is already there in the same place with the same tag: its attributes, text and el() listeners are
 * updated, its children likewise; only what differs is replaced. A view that rebuilds its tree on every change thus
 * touches the few text nodes and attributes that changed, and the browser restyles, lays out and paints only those
 * (replaceChildren made it redo the whole page: ~475 of ~700 layout objects per change on DeepSeek-R1); focus and
 * scroll positions inside stay. The new nodes' listeners must not hold the new nodes themselves (they are dropped
 * where an old node is kept): a view that needs a node in a listener looks it up from its root when it runs.
 */
export function morph(parent, ...children) {
  const next = present(children).map((c) => (typeof c === 'string' ? document.createTextNode(c) : c));
  let old = parent.firstChild;
  for (let i = 0; i < next.length; i++) {
    if (!old) { parent.append(...next.slice(i)); return; }
    const following = old.nextSibling;
    if (!patch(old, next[i])) old.replaceWith(next[i]);
    old = following;
  }
  while (old) { const following = old.nextSibling; old.remove(); old = following; }
}

// Turns `old` into `neu` in place; false when they are not the same kind of node (the caller replaces `old`).
function patch(old, neu) {
  if (old.nodeType !== neu.nodeType) return false;
  if (old.nodeType === Node.TEXT_NODE) {
    if (old.data !== neu.data) old.data = neu.data;
    return true;
  }
  if (old.nodeType !== Node.ELEMENT_NODE || old.namespaceURI !== neu.namespaceURI || old.localName !== neu.localName) return false;
  // By name (getAttributeNames): reading `attributes[k]` makes an Attr node for each, several times slower.
  for (const n of old.getAttributeNames()) if (!neu.hasAttribute(n)) old.removeAttribute(n);
  for (const n of neu.getAttributeNames()) {
    const v = neu.getAttribute(n);
    if (old.getAttribute(n) !== v) old.setAttribute(n, v);
  }
  const was = listeners.get(old), now = listeners.get(neu);
  if (was || now) {
    for (const [type, fn] of Object.entries(was || {})) if (now?.[type] !== fn) old.removeEventListener(type, fn);
    for (const [type, fn] of Object.entries(now || {})) if (was?.[type] !== fn) old.addEventListener(type, fn);
    if (now) listeners.set(old, now); else listeners.delete(old);
  }
  if (old.firstChild || neu.firstChild) morph(old, [...neu.childNodes]);
  return true;
}

// Formatters live in ../common.js; re-exported for the views that import them with the DOM helpers.
export { formatBytes, gib, formatCount, formatTokens } from '../common.js';
