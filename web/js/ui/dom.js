// Tiny DOM helpers. Every value that came from the network goes in through textContent (el's
// `text` prop or a string child, which append() inserts as a text node) — never innerHTML.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') Object.assign(node.style, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children.flat()) if (c) node.append(c);
  return node;
};

const GiB = 2 ** 30, MiB = 2 ** 20, KiB = 2 ** 10;
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
