// Tiny DOM helpers. Every value that came from the network goes in through textContent.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

const GiB = 2 ** 30, MiB = 2 ** 20, KiB = 2 ** 10;
/** The core's units: GB = 2^30 bytes, as the original tool prints them. */
export function formatBytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GB`;
  if (n >= MiB) return `${(n / MiB).toFixed(2)} MB`;
  if (n >= KiB) return `${(n / KiB).toFixed(2)} KB`;
  return `${n} B`;
}
export const formatCount = (n) => Number(n).toLocaleString('en-US');
