// The bench's view of the Hub imitation's request log: each record of `hub.requests` gains the time
// its request arrived (`start`), the time its answer was done (`end`), the body bytes sent and the
// redirect target, from hooks on the imitation's answers in this process (the imitation runs here).
// From those, one definition for every client (the page, the CLI, @huggingface/hub):
//
//   hop       one record of the log: one HTTP exchange, preflights and redirects included
//   request   a logical request: a hop plus the redirect hops it causes (Hub 302 → CDN, 307 →
//             resolve-cache) and the CORS preflight that precedes it
//   chain     the longest path of dependent requests, where a request depends on every request
//             that was done before it arrived (so on the latest one, and on what that one
//             depended on); a request with nothing done before it has depth 1
//   round trips  the same longest path over hops
//
// Nothing here knows which client made the requests: the chain is what the server saw. A client
// that holds back requests it could send (a connection limit, a concurrency pool) shows a longer
// chain than its data dependencies: that is the point of counting it the same way for everyone.
import { performance } from 'node:perf_hooks';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Times are epoch milliseconds with sub-millisecond precision, so that they compare with times
// taken in the page, the worker or at a child's spawn (each converts its own clock the same way).
export const now = () => performance.timeOrigin + performance.now();

/** Hooks the imitation's answers (hub.observe, either protocol); returns {mark(), window(from), restore()} over `hub.requests`. */
export function instrument(hub) {
  const bases = { hub: hub.hubUrl, cdn: hub.cdnUrl };
  const extra = [];  // index-aligned with hub.requests

  const count = (b, chunk, encoding) => {
    if (chunk == null || typeof chunk === 'function') return;
    b.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk.length;
  };
  // Each answer's own writeHead, write and end are wrapped (node:http's and node:http2's
  // compatibility objects alike); nothing global is patched.
  const stop = hub.observe((origin, req, res) => {
    const b = { start: now(), end: null, bytes: 0, idx: -1, location: null, base: bases[origin] };
    res.once('close', () => {
      b.end = now();
      if (b.idx >= 0) extra[b.idx] = b;
    });
    const { writeHead, write, end } = res;
    res.writeHead = function (status, ...rest) {
      // The imitation logs every answer right after writeHead (tests/hub/hub.mjs writeHead → record),
      // synchronously: this answer's record is the next one pushed.
      b.idx = hub.requests.length;
      const headers = rest.find((h) => h && typeof h === 'object') || {};
      for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'location') b.location = String(v);
      return writeHead.call(this, status, ...rest);
    };
    res.write = function (chunk, encoding, cb) {
      count(b, chunk, encoding);
      return write.call(this, chunk, encoding, cb);
    };
    res.end = function (chunk, encoding, cb) {
      count(b, chunk, encoding);
      return end.call(this, chunk, encoding, cb);
    };
  });

  return {
    mark: () => hub.requests.length,
    /** The records from index `from` to `to` (default: all), once each is done (waits up to 2 s). */
    async window(from, to = null) {
      const end = () => (to ?? hub.requests.length);
      for (let i = 0; i < 200; i++) {
        const recs = hub.requests.slice(from, end());
        if (recs.every((_, k) => extra[from + k]?.end != null)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      return hub.requests.slice(from, end()).map((r, k) => {
        const b = extra[from + k] || {};
        return { ...r, start: b.start ?? null, end: b.end ?? null, bytes: b.bytes ?? 0, location: b.location ?? null, url: (b.base || '') + r.path };
      });
    },
    restore: stop,
  };
}

/** Groups hops into logical requests: redirect targets and preflights join the request they serve. */
export function logicalRequests(hops) {
  const sorted = hops.filter((h) => h.start != null && h.end != null).sort((a, b) => a.start - b.start);
  const hrefs = sorted.map((h) => new URL(h.url).href);
  const taken = new Set();
  const groups = [];
  for (let i = 0; i < sorted.length; i++) {
    if (taken.has(i)) continue;
    const group = [sorted[i]];
    taken.add(i);
    let cur = sorted[i], curIdx = i;
    for (;;) {
      let nextIdx = -1;
      if (cur.method === 'OPTIONS') {
        // The request a preflight was for: same URL, arrived after the preflight was answered.
        nextIdx = sorted.findIndex((h, k) => !taken.has(k) && h.method !== 'OPTIONS' && hrefs[k] === hrefs[curIdx] && h.start >= cur.end - 1);
      } else if (REDIRECTS.has(cur.status) && cur.location) {
        const target = new URL(cur.location, cur.url).href;
        nextIdx = sorted.findIndex((h, k) => !taken.has(k) && h.start >= cur.end - 1 && hrefs[k] === target);
      }
      if (nextIdx < 0) break;
      taken.add(nextIdx);
      curIdx = nextIdx;
      cur = sorted[nextIdx];
      group.push(cur);
    }
    groups.push({ start: group[0].start, end: group[group.length - 1].end, hops: group });
  }
  return groups;
}

/** Longest path where an item depends on every item that was done before it started. */
export function longestChain(items) {
  const sorted = [...items].sort((a, b) => a.start - b.start);
  const depth = new Array(sorted.length).fill(1);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = 0; j < i; j++) if (sorted[j].end <= sorted[i].start && depth[j] + 1 > depth[i]) depth[i] = depth[j] + 1;
    best = Math.max(best, depth[i]);
  }
  return best;
}

/** The figures of one run from its hops; `span` {start, end} (epoch ms) splits its wall time. */
export function summarize(hops, span = null) {
  const requests = logicalRequests(hops);
  const timed = hops.filter((h) => h.start != null && h.end != null);
  const first = Math.min(...timed.map((h) => h.start)), last = Math.max(...timed.map((h) => h.end));
  // Time inside the network span with no request in flight: the client computing between rounds.
  let idleMs = 0, reach = -Infinity;
  for (const h of [...timed].sort((a, b) => a.start - b.start)) {
    if (reach > -Infinity && h.start > reach) idleMs += h.start - reach;
    reach = Math.max(reach, h.end);
  }
  return {
    split: span && timed.length ? { beforeMs: first - span.start, networkMs: last - first, idleMs, afterMs: span.end - last } : null,
    chain: longestChain(requests),
    roundTrips: longestChain(hops.filter((h) => h.start != null && h.end != null)),
    requests: requests.length,
    hops: hops.length,
    preflights: hops.filter((h) => h.method === 'OPTIONS').length,
    redirects: hops.filter((h) => REDIRECTS.has(h.status)).length,
    bytes: hops.reduce((s, h) => s + h.bytes, 0),
    cdnBytes: hops.filter((h) => h.origin === 'cdn').reduce((s, h) => s + h.bytes, 0),
    errors: hops.filter((h) => h.status >= 400).map((h) => `${h.status} ${h.method} ${h.path.slice(0, 80)}`),
  };
}
