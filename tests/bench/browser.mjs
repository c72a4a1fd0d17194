// The page (build/site) in Debian's Chromium, as tests/e2e/run.mjs drives it: a model load timed
// from the click on Estimate to body[data-state="done"], and the figures only the page has —
// recompute time, header-parse throughput of the WASM core, first-load transfer and WASM heap.
// The page's core runs in its Web Worker, reached through the page's own engine.js (same URL, so the same module
// instance: its callTimes and heapBytes); figures that need the module itself use core-api.js on the page's thread.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { now } from './reqlog.mjs';

const ENGINE = 'js/engine.js';
// The core's calls as the page's worker runs them (web/js/core-api.js), imported on the page's own thread: a second
// instance of the same module and wasm, for the figures that need the module itself (a load's statistics, parse
// throughput); the page's own instance lives in its worker.
const CORE = 'js/core-api.js';

// The page's epoch clock (timeOrigin + now) minus this process's, from the exchange with the
// shortest round trip: the two can differ by tens of milliseconds (each fixes its origin once).
async function clockOffset(page) {
  let best = null;
  for (let i = 0; i < 5; i++) {
    const t1 = now();
    const p = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t2 = now();
    if (!best || t2 - t1 < best.rtt) best = { rtt: t2 - t1, offset: p - (t1 + t2) / 2 };
  }
  return best.offset;
}

/**
 * Chromium; `spkiSha256` (the Hub imitation's certificate under HTTPS) is accepted by its public key
 * (--ignore-certificate-errors-spki-list): nothing in the page changes for it.
 */
export async function openBrowser({ spkiSha256 = null } = {}) {
  const args = spkiSha256 ? [`--ignore-certificate-errors-spki-list=${spkiSha256}`] : [];
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args });
}

async function freshPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript(() => { globalThis.__VRAM_TEST_HOOKS__ = true; });
  // The bench's user has chosen the imitation as their endpoint (the page asks before a link moves
  // it to another one: web/js/endpoint-gate.js).
  await context.addInitScript(() => {
    const endpoint = new URLSearchParams(location.search).get('endpoint');
    try { if (endpoint) localStorage.setItem('vram.endpoint', endpoint); } catch { /* an opaque origin */ }
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

function pageUrl(siteUrl, hubUrl) {
  return `${siteUrl}/?endpoint=${encodeURIComponent(hubUrl)}`;
}

/**
 * One timed load. `beforeClick(page)` runs just before the click, `after(page)` after the load,
 * before the page closes (recompute, heap…). Resolves {wallMs, prepareMs, span, before, statusRequests,
 * parameters, tensors, extra}: prepareMs is the time from the model field focused to the core loaded and warmed up,
 * before the click; span is {start, end} on this process's epoch clock (reqlog's), to split the wall time.
 */
export async function pageLoad(browser, { siteUrl, hubUrl, repo, token, beforeClick, after }) {
  const { context, page, problems } = await freshPage(browser);
  try {
    await page.goto(pageUrl(siteUrl, hubUrl));
    await page.waitForSelector('body[data-ready="true"]');
    // A visitor's first step is the model field: focusing it loads the core (the page fills its form without it, and
    // loads it on a first sign of use: web/js/app.js, engine.js prepareCore). The load is timed from the click, once
    // the core is up, as a visitor who types a model id meets it.
    await page.focus('#model');
    // Timed in the page, not counted in the load: the worker, the wasm and the warm-up on its made-up model
    // (web/js/warm-up.js), the part of a visitor's typing time the core uses.
    const prepareMs = await page.evaluate(async (engine) => {
      const t = performance.now();
      await (await import(new URL(engine, location.href).href)).prepareCore();
      return performance.now() - t;
    }, ENGINE);
    // Set without input events: typing would start the Hub search suggestions, whose request
    // would land in the measured window.
    await page.evaluate(({ repo, token }) => {
      document.getElementById('model').value = repo;
      document.getElementById('token').value = token || '';
    }, { repo, token });
    // Timestamps taken in the page: the click's, and the moment body[data-state] becomes "done". The core runs in
    // the page's worker; engine.js's callTimes (time from each call to its answer, the last answer's and the last
    // progress report's moments) tell where the time after the last answer goes.
    await page.evaluate(async (engine) => {
      const { callTimes } = await import(new URL(engine, location.href).href);
      for (const k of Object.keys(callTimes)) delete callTimes[k];
      const B = window.__bench = { click: null, done: null, longTasks: [], callTimes };
      // Main-thread tasks over 50 ms (the Long Tasks API's threshold), kept from the click on.
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (B.click !== null) B.longTasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
      document.getElementById('go').addEventListener('click', () => { B.click = performance.now(); }, { capture: true, once: true });
      new MutationObserver((_, obs) => {
        const s = document.body.dataset.state;
        if (B.click !== null && (s === 'done' || s === 'error')) {
          B.done = { t: performance.now(), state: s };
          obs.disconnect();
        }
      }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    }, ENGINE);
    const before = beforeClick ? await beforeClick(page) : null;
    const offset = await clockOffset(page);
    await page.click('#go');
    // Polled every 100 ms, not every frame (Playwright's default): the times are the page's own (above), and a check in
    // every frame would add main-thread work to the load it measures.
    await page.waitForFunction(() => window.__bench.done !== null, null, { timeout: 60000, polling: 100 });
    await page.waitForTimeout(50);  // the observer's last entries are delivered asynchronously
    const r = await page.evaluate(async (engine) => {
      const B = window.__bench;
      const { where } = await import(new URL(engine, location.href).href);
      const load = B.callTimes.loadModel || {};
      const reportCalls = ['engines', 'report', 'view'];  // after the load: which engines refuse it, the answer
      const reportMs = reportCalls.reduce((n, c) => n + (B.callTimes[c]?.ms || 0), 0);
      const reports = reportCalls.reduce((n, c) => n + (B.callTimes[c]?.calls || 0), 0);
      const during = B.longTasks.filter((t) => t.start >= B.click && t.start <= B.done.t);
      return {
        wallMs: B.done.t - B.click,
        span: { start: performance.timeOrigin + B.click, end: performance.timeOrigin + B.done.t },
        // After the last answer: the core's last planning and analysis (every header parsed, the
        // layout), then the page: the offline snapshot, the core's reports, its own JS and DOM.
        // The offline snapshot is taken by the worker after the answer is on screen (web/js/app.js), so none here.
        phases: load.lastEnd == null ? null : {
          coreFinishMs: load.lastProgress == null ? null : load.lastEnd - load.lastProgress,
          snapshotMs: 0, reportMs, reports,
          pageMs: B.done.t - load.lastEnd - reportMs,
          where: await where(),
        },
        heap: { atCoreDone: null, afterSnapshot: null },
        longTasks: { count: during.length, maxMs: during.reduce((m, t) => Math.max(m, t.ms), 0), totalMs: during.reduce((n, t) => n + t.ms, 0) },
        state: B.done.state,
        status: document.getElementById('status').textContent,
        error: document.getElementById('error').textContent.trim().slice(0, 300),
        parameters: window.__lastReport?.parameters,
        tensors: window.__lastReport?.tensors,
      };
    }, ENGINE);
    if (r.state !== 'done') throw new Error(`page: ${repo} ended in state ${r.state}: ${r.error}`);
    const m = /with (\d+) requests/.exec(r.status);
    const extra = after ? await after(page) : null;
    if (problems.length) throw new Error(`page: ${problems.join('; ')}`);
    return { wallMs: r.wallMs, prepareMs, span: { start: r.span.start - offset, end: r.span.end - offset }, phases: r.phases, heap: r.heap, longTasks: r.longTasks, before, statusRequests: m ? Number(m[1]) : null, parameters: r.parameters, tensors: r.tensors, extra };
  } finally {
    await context.close();
  }
}

/**
 * The core's own statistics of a load ({requests, bytes, chain}), through the module the page uses;
 * with `timeReports`, also the median time of one core report call (json, markdown) on that model,
 * the unit a recompute is made of.
 */
export function coreStats(page, { hubUrl, repo, token, timeReports = false }) {
  return page.evaluate(async ({ engine, hubUrl, repo, token, timeReports }) => {
    const { core } = await import(new URL(engine, location.href).href);
    const mod = await core();  // core-api.js's module, on this thread
    let lastProgress = null;
    const r = await new Promise((resolve) => mod.loadModel(hubUrl, repo, 'main', token || '', '',
      () => { lastProgress = performance.now(); }, (json) => resolve({ ...JSON.parse(json), doneAt: performance.now() })));
    if (!r.ok) return { error: r.error };
    // From the last answer's progress call to the done call: parsing every header and the layout.
    const out = { ...r.stats, analyze_ms: lastProgress === null ? null : r.doneAt - lastProgress };
    if (timeReports) {
      // Chromium's clock is coarse (0.1 ms): time batches of calls.
      const batch = (fn, n) => { const t = performance.now(); for (let i = 0; i < n; i++) fn(i); return (performance.now() - t) / n; };
      for (const format of ['json', 'markdown']) {
        out[`report_${format}_ms`] = batch((i) => mod.report(r.handle, JSON.stringify({ profile: 'classic', precision: ['auto', 'int8', 'float16'][i % 3], context_tokens: 4096 }), format), 30);
      }
      out.snapshot_ms = batch(() => mod.snapshot(r.handle), 1);
      out.snapshot_bytes = JSON.stringify(mod.snapshot(r.handle)).length;
    }
    mod.release(r.handle);
    return out;
  }, { engine: CORE, hubUrl, repo, token, timeReports });
}

/** WASM memory of the page's core module (in its worker) now (it only grows, so this is the peak so far). */
export function wasmHeapBytes(page) {
  return page.evaluate(async (engine) => (await import(new URL(engine, location.href).href)).heapBytes(), ENGINE);
}

/**
 * A control change, `samples` times (a select alternating between values), each measured three ways:
 * - paint: from the input event (its timeStamp) to the frame with the new numbers in view painted (app.js's
 *   __paintedAt: a frame callback, then the first task after it; the views out of sight are updated in a later task);
 * - page: `window.__recomputeMs`, recompute() from its call to the DOM in view updated;
 * - core: the core calls' own time where the core runs (engine.js callTimes coreMs: in the worker, without the
 *   messages), and through the worker (ms), with the number of core calls.
 * The change is made in the page, as Playwright's selectOption makes it (the value set, then `input` and `change`
 * dispatched), by one evaluate that resolves when the hook fires: nothing from the driver reaches the page between the
 * input and the painted frame. selectOption followed by waitForFunction did: traced, each change's span held 1-2 of
 * the driver's DevTools messages (0.7-2.7 ms each on the page's thread, ahead of the core's answer) and their polling in
 * every frame, which a visitor's browser does not have. Before each change, outside the span: the previous one has
 * settled (body[data-address] cleared), then a pause of 30-60 ms at random, so that the input falls anywhere in the
 * display's frame interval.
 */
export async function recomputeTimes(page, { samples = 15, select = '#precision', values = ['int8', 'float16', 'int4', 'auto'] } = {}) {
  await page.evaluate(async (engine) => {
    const { callTimes } = await import(new URL(engine, location.href).href);
    const sum = (k) => ['report', 'view'].reduce((n, c) => n + (callTimes[c]?.[k] || 0), 0);
    const now = () => ({ ms: sum('ms'), coreMs: sum('coreMs'), calls: sum('calls') });
    window.__benchCore = { mark() { this.at = now(); }, read() { const n = now(); return { ms: n.ms - this.at.ms, coreMs: n.coreMs - this.at.coreMs, calls: n.calls - this.at.calls }; } };
    for (const type of ['input', 'change']) document.addEventListener(type, (e) => { window.__inputAt ??= e.timeStamp; }, true);
  }, ENGINE);
  const times = [], paintMs = [], coreMs = [], roundTripMs = [], calls = [];
  try {
    for (let i = 0; i < samples; i++) {
      await page.waitForFunction(() => !document.body.dataset.address, null, { timeout: 10000, polling: 20 });
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 30));
      const r = await page.evaluate(async ({ select, value }) => {
        window.__recomputeMs = undefined; window.__inputAt = undefined; window.__benchCore.mark();
        let at, timer;
        const painted = new Promise((resolve, reject) => {
          Object.defineProperty(window, '__paintedAt', { configurable: true, get: () => at, set: (t) => { at = t; resolve(); } });
          timer = setTimeout(() => reject(new Error(`no painted frame within 10 s of setting ${select} to ${value}`)), 10000);
        });
        const s = document.querySelector(select);
        s.value = value;
        if (s.value !== value) throw new Error(`${select} has no option ${value}`);
        s.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        s.dispatchEvent(new Event('change', { bubbles: true }));
        try { await painted; } finally { clearTimeout(timer); delete window.__paintedAt; }
        const c = window.__benchCore.read();
        return { ms: window.__recomputeMs, paint: at - window.__inputAt, coreMs: c.coreMs, roundTrip: c.ms, calls: c.calls };
      }, { select, value: values[i % values.length] });
      times.push(r.ms); paintMs.push(r.paint); coreMs.push(r.coreMs); roundTripMs.push(r.roundTrip); calls.push(r.calls);
    }
  } finally {
    await page.evaluate(() => { delete window.__benchCore; });
  }
  return { times, paintMs, coreMs, roundTripMs, calls };
}

/**
 * Header parse throughput on the page's real path: the header's bytes as they come from a response
 * (a Uint8Array) copied into the WASM heap with HEAPU8.set, as emscripten_fetch does with a response
 * body, and parsed there (parseHeaderStatsAt: parse, validate, tensor count out), against the
 * browser's own — TextDecoder, JSON.parse and a loop counting the tensor entries — on the same bytes,
 * alternating, `reps` times each.
 */
export async function parseThroughput(browser, { siteUrl, hubUrl, headers, reps = 7 }) {
  const { context, page, problems } = await freshPage(browser);
  try {
    await page.goto(pageUrl(siteUrl, hubUrl));
    await page.waitForSelector('body[data-ready="true"]');
    const r = await page.evaluate(async ({ engine, headers, reps }) => {
      const { core } = await import(new URL(engine, location.href).href);
      const mod = await core();
      if (typeof mod.parseHeaderStatsAt !== 'function' || typeof mod._malloc !== 'function') return { error: 'the wasm build has no parseHeaderStatsAt or _malloc (rebuild: ./scripts/build)' };
      const encoder = new TextEncoder();
      const buffers = headers.map((h) => encoder.encode(h));
      const bytes = buffers.reduce((n, b) => n + b.length, 0);
      // One heap buffer as large as the largest header, as the core keeps one per response.
      const at = mod._malloc(Math.max(...buffers.map((b) => b.length)));
      const parseAt = (b) => { mod.HEAPU8.set(b, at); return mod.parseHeaderStatsAt(at, b.length); };
      const wasm = () => { let n = 0; for (const b of buffers) n += parseAt(b); return n; };
      const decoder = new TextDecoder();
      const js = () => {
        let n = 0;
        for (const b of buffers) {
          const o = JSON.parse(decoder.decode(b));
          for (const k in o) if (k !== '__metadata__') n++;
        }
        return n;
      };
      // The same bytes with their first byte spoiled: the parser fails on it at once, so this
      // times the call and the copy of the bytes into the heap alone.
      const spoiled = buffers.map((b) => { const c = b.slice(); c[0] = 0x21; return c; });
      const copy = () => { let n = 0; for (const b of spoiled) n += parseAt(b); return n; };
      const counts = { wasm: wasm(), js: js(), copy: copy() };  // warm-up, and wasm and js must agree
      const times = { wasm: [], js: [], copy: [] };
      for (let i = 0; i < reps; i++) {
        for (const [name, fn] of [['wasm', wasm], ['js', js], ['copy', copy]]) {
          const t = performance.now();
          fn();
          times[name].push(performance.now() - t);
        }
      }
      const heapBytes = mod.HEAPU8.buffer.byteLength;
      mod._free(at);
      return { bytes, counts, times, heapBytes };
    }, { engine: CORE, headers, reps });
    if (r.error) throw new Error(r.error);
    if (problems.length) throw new Error(`page: ${problems.join('; ')}`);
    return r;
  } finally {
    await context.close();
  }
}

/**
 * First load: the files the page fetches from the site origin until it is ready (and a second
 * more), each compressed with gzip -9 and Brotli 11 (node's zlib), counted by kind; then, apart
 * (`toEstimate`), what it fetches for a visitor's first estimate of `repo` (the core: glue and wasm).
 */
export async function firstLoad(browser, { siteUrl, hubUrl, siteRoot, repo = 'openai-community/gpt2' }) {
  const { context, page, problems } = await freshPage(browser);
  let seen = new Set();
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.origin === siteUrl) seen.add(u.pathname);
  });
  let shellSeen;
  try {
    await page.goto(pageUrl(siteUrl, hubUrl));
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForTimeout(1000);
    if (problems.length) throw new Error(`page: ${problems.join('; ')}`);
    // Then the first estimate, as a visitor gets it: the model field focused (the core starts loading), a model typed
    // in, Estimate; what the page fetches from the site for it is counted apart (the core: its glue and wasm).
    shellSeen = seen;
    seen = new Set();
    await page.focus('#model');
    await page.fill('#model', repo);
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
    if (problems.length) throw new Error(`page: ${problems.join('; ')}`);
  } finally {
    await context.close();
  }
  const measure = (paths) => {
    const out = [];
    for (const p of [...paths].sort()) {
      const rel = p.endsWith('/') ? `${p}index.html` : p;
      const file = path.join(siteRoot, rel);
      if (!fs.existsSync(file)) continue;
      const buf = fs.readFileSync(file);
      const ext = path.extname(file).slice(1);
      const kind = { html: 'HTML', js: 'JS', mjs: 'JS', css: 'CSS', wasm: 'WASM' }[ext] || 'other';
      out.push({ path: rel.replace(/^\//, ''), kind, bytes: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length,
        brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length });
    }
    return out;
  };
  const estimateFiles = measure([...seen].filter((p) => !shellSeen.has(p))).filter((f) => f.kind !== 'other');
  const files = measure(shellSeen);
  const toEstimate = {
    repo,
    files: estimateFiles,
    gzipBytes: estimateFiles.reduce((s, f) => s + f.gzip, 0),
    brotliBytes: estimateFiles.reduce((s, f) => s + f.brotli, 0),
  };
  const counted = files.filter((f) => f.kind !== 'other');
  const byKind = {};
  for (const f of counted) byKind[f.kind] = (byKind[f.kind] || 0) + f.gzip;
  // What the service worker then caches in the background: every file of the site.
  let shellGzip = 0, shellFiles = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else { shellFiles++; shellGzip += zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length; }
    }
  };
  walk(siteRoot);
  return {
    files,
    gzipBytes: counted.reduce((s, f) => s + f.gzip, 0),
    brotliBytes: counted.reduce((s, f) => s + f.brotli, 0),
    rawBytes: counted.reduce((s, f) => s + f.bytes, 0),
    byKind,
    otherGzipBytes: files.filter((f) => f.kind === 'other').reduce((s, f) => s + f.gzip, 0),
    shell: { files: shellFiles, gzipBytes: shellGzip },
    toEstimate,
  };
}
