// scripts/check-live: asks the real Hub what the tests ask the imitation (tests/hub/hub.mjs) and
// reports where the answers differ, so that drift between the two is found the day it happens.
//
// For every real model of the fixture tree (tests/fixtures/hub; crafted fixtures are skipped) it
// asks both hubs the same requests the core makes — the model info, the recursive tree, config.json,
// a Range read of a weight file through its redirect to the CDN, the CORS preflight a token causes —
// and compares what the client relies on: status codes, the headers it reads (X-Repo-Commit,
// Content-Range, Accept-Ranges, Location, Link), CORS (Allow-Origin, Allow-Headers, Expose-Headers),
// the weight files and their sizes, the commit. Then it runs the CLI (build/native/vram-estimate
// --json) and the page (build/site in headless Chromium) against both and compares their answers:
// exit code or error, parameters, tensors, files, total.
//
//   scripts/check-live [--endpoint URL] [--models a/b,c/d] [--no-page] [--timeout S]
//
// --endpoint defaults to $HF_ENDPOINT, else https://huggingface.co; pointing it at another running
// imitation is how its comparison is tested (tests/publish/check-live.test.mjs). HF_TOKEN, when
// set, is sent to the endpoint (gated models), and a fixture token with access to the imitation.
// Where the endpoint is unreachable it says so in one line and exits 0; otherwise it exits 1 when
// anything differs. scripts/test does not call it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startHub } from '../../tests/hub/hub.mjs';
import { startStatic } from './static-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/fixtures/hub');
// The page's origin as the Hub sees it in CORS requests (any origin: the page may be hosted anywhere).
const PAGE_ORIGIN = 'https://example.org';

function parseArgs(argv) {
  const o = { endpoint: process.env.HF_ENDPOINT || 'https://huggingface.co', models: null, page: true, timeoutS: 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--endpoint') o.endpoint = value().replace(/\/+$/, '');
    else if (a === '--models') o.models = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--no-page') o.page = false;
    else if (a === '--timeout') o.timeoutS = Number(value());
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!/^https?:\/\/[^/]+/.test(o.endpoint)) throw new Error(`--endpoint must be an http(s) URL, got "${o.endpoint}"`);
  if (!(o.timeoutS > 0)) throw new Error('--timeout must be a positive number of seconds');
  return o;
}

/** The fixture tree's real models: org/name folders whose SOURCE.md does not say "crafted". */
export function realModels() {
  const out = [];
  for (const org of fs.readdirSync(fixtures, { withFileTypes: true })) {
    if (!org.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(fixtures, org.name), { withFileTypes: true })) {
      if (!name.isDirectory() || name.name.includes('@')) continue;
      const dir = path.join(fixtures, org.name, name.name);
      const source = path.join(dir, 'SOURCE.md');
      if (!fs.existsSync(source) || /crafted/i.test(fs.readFileSync(source, 'utf8'))) continue;
      const meta = JSON.parse(fs.readFileSync(path.join(dir, '.hub.json'), 'utf8'));
      out.push({ repo: `${org.name}/${name.name}`, meta });
    }
  }
  return out.sort((a, b) => a.repo.localeCompare(b.repo));
}

async function request(url, { timeoutS, token, method = 'GET', headers = {} }) {
  const h = { Origin: PAGE_ORIGIN, ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  try {
    const res = await fetch(url, { method, headers: h, redirect: 'manual', signal: AbortSignal.timeout(timeoutS * 1000) });
    const body = method === 'GET' && res.status < 300 ? await res.arrayBuffer() : (await res.body?.cancel(), null);
    return { status: res.status, headers: res.headers, body: body && Buffer.from(body) };
  } catch (e) {
    return { status: 0, error: e.cause?.code || e.name, headers: new Headers() };
  }
}

const has = (headers, name) => headers.get(name) !== null;
const lists = (headers, name, item) => (headers.get(name) || '').toLowerCase().split(',').map((s) => s.trim()).some((s) => s === '*' || s === item.toLowerCase());
const json = (r) => { try { return JSON.parse(r.body.toString('utf8')); } catch { return null; } };

/** What one hub answers to the requests the core makes for `repo`: facts to compare, keyed by name. */
async function observe(endpoint, repo, { timeoutS, token }) {
  const facts = {};
  const api = `${endpoint}/api/models/${repo}`;
  const info = await request(`${api}/revision/main?expand=sha&expand=gated&expand=library_name&expand=pipeline_tag`, { timeoutS, token });
  const body = info.status === 200 ? json(info) : null;
  facts['info status'] = info.status;
  facts['info CORS allow-origin'] = has(info.headers, 'access-control-allow-origin');
  const sha = body?.sha;
  facts['info commit'] = sha || null;
  facts['info gated'] = body ? String(body.gated ?? false) : null;
  facts['info library_name'] = body?.library_name ?? null;
  if (!sha) return { facts, sha: null };

  // Every page of the tree, through the Link header, as the core walks it.
  const files = {};
  let url = `${api}/tree/${sha}?recursive=true`;
  let pages = 0, treeStatus = 0;
  while (url && pages < 100) {
    const r = await request(url, { timeoutS, token });
    treeStatus = r.status;
    pages++;
    if (r.status !== 200) break;
    for (const e of json(r) || []) if (e.type === 'file') files[e.path] = e.lfs?.size ?? e.size;
    const next = (r.headers.get('link') || '').match(/<([^>]+)>;\s*rel="next"/);
    url = next ? new URL(next[1], url).href : null;
  }
  facts['tree status'] = treeStatus;
  const weights = Object.keys(files).filter((f) => /\.(safetensors|gguf)$/.test(f)).sort();
  facts['weight files'] = weights.join(', ') || '(none)';
  for (const f of weights) facts[`size of ${f}`] = files[f];
  facts['config.json in tree'] = 'config.json' in files;

  if ('config.json' in files) {
    const c = await request(`${endpoint}/${repo}/resolve/${sha}/config.json`, { timeoutS, token });
    facts['config.json status'] = c.status;
    facts['config.json X-Repo-Commit'] = c.headers.get('x-repo-commit') === sha ? 'the commit' : c.headers.get('x-repo-commit');
    facts['config.json CORS allow-origin'] = has(c.headers, 'access-control-allow-origin');
  }
  const weight = weights.find((f) => f.endsWith('.safetensors')) || weights[0];
  if (weight) {
    const w = await request(`${endpoint}/${repo}/resolve/${sha}/${weight}`, { timeoutS, token, headers: { Range: 'bytes=0-7' } });
    facts['weight status'] = w.status;
    facts['weight redirect CORS allow-origin'] = has(w.headers, 'access-control-allow-origin');
    const location = w.headers.get('location');
    facts['weight redirect to another origin'] = location ? new URL(location, endpoint).origin !== new URL(endpoint).origin : null;
    if (location && w.status >= 300 && w.status < 400) {
      // The CDN: no token (the browser drops it on the cross-origin hop; the core never sends it there).
      const cdn = await request(new URL(location, endpoint).href, { timeoutS, headers: { Range: 'bytes=0-7' } });
      facts['CDN status'] = cdn.status;
      facts['CDN Content-Range total'] = Number((cdn.headers.get('content-range') || '').split('/')[1]) || null;
      facts['CDN Content-Range total = tree size'] = facts['CDN Content-Range total'] === files[weight];
      facts['CDN Accept-Ranges'] = cdn.headers.get('accept-ranges');
      facts['CDN CORS allow-origin'] = cdn.headers.get('access-control-allow-origin');
      facts['CDN exposes Content-Range'] = lists(cdn.headers, 'access-control-expose-headers', 'content-range');
      facts['CDN body bytes'] = cdn.body?.length ?? 0;
    }
  }
  // The preflight a token causes (Authorization is not a CORS-safelisted header).
  const pre = await request(`${api}/revision/main`, {
    timeoutS, method: 'OPTIONS',
    headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,range' },
  });
  facts['preflight ok'] = pre.status >= 200 && pre.status < 300;
  facts['preflight allows Authorization'] = lists(pre.headers, 'access-control-allow-headers', 'authorization');
  facts['preflight allows Range'] = lists(pre.headers, 'access-control-allow-headers', 'range');
  return { facts, sha };
}

async function cli(endpoint, repo, { timeoutS, token }) {
  const bin = path.join(root, 'build/native/vram-estimate');
  const env = { ...process.env, HF_ENDPOINT: endpoint, HF_TOKEN: token || '', HF_HOME: '/nonexistent' };
  try {
    const { stdout } = await promisify(execFile)(bin, [repo, '--json', '--timeout', String(timeoutS)], { env, maxBuffer: 64 << 20, timeout: timeoutS * 20000 });
    const r = JSON.parse(stdout);
    return { 'CLI exit': 0, 'CLI parameters': r.parameters, 'CLI tensors': r.tensors, 'CLI weight files': r.weight_files, 'CLI total bytes': r.estimates_bytes.total };
  } catch (e) {
    return { 'CLI exit': e.code ?? 'killed', 'CLI error': String(e.stderr || e.message).split('\n')[0].replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'N s') };
  }
}

async function pageRun(browser, siteUrl, endpoint, repo, { timeoutS, token }) {
  const context = await browser.newContext();
  // The maintainer has chosen this endpoint (as the page's endpoint setting does), so the page loads from it
  // without asking (web/js/endpoint-gate.js); its last report is exposed to this script (web/js/common.js).
  await context.addInitScript((url) => {
    globalThis.__VRAM_TEST_HOOKS__ = true;
    try { localStorage.setItem('vram.endpoint', url); } catch { /* an opaque origin */ }
  }, endpoint);
  const page = await context.newPage();
  try {
    await page.goto(`${siteUrl}/?endpoint=${encodeURIComponent(endpoint)}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: timeoutS * 1000 });
    await page.fill('#model', repo);
    if (token) await page.fill('#token', token);
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: timeoutS * 10000 });
    if (await page.evaluate(() => document.body.dataset.state) === 'error')
      return { 'page result': 'error', 'page error': (await page.textContent('#error h2')).trim() };
    const r = await page.evaluate(() => window.__lastReport);
    return { 'page result': 'done', 'page parameters': r.parameters, 'page tensors': r.tensors, 'page total bytes': r.estimates_bytes.total };
  } catch (e) {
    return { 'page result': `no answer (${e.name})` };
  } finally {
    await context.close();
  }
}

const show = (v) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

export async function checkLive(options, log = console.log) {
  const o = options;
  // One line and exit 0 when the Hub cannot be reached: the machine is offline, nothing to compare.
  const probe = await request(`${o.endpoint}/api/models/openai-community/gpt2`, { timeoutS: Math.min(o.timeoutS, 10) });
  if (probe.status === 0) {
    log(`check-live: ${o.endpoint} is unreachable (${probe.error}); nothing compared`);
    return { unreachable: true, differences: 0 };
  }
  let models = realModels();
  if (o.models) {
    const unknown = o.models.filter((m) => !models.some((x) => x.repo === m));
    if (unknown.length) throw new Error(`not a real model of the fixture tree: ${unknown.join(', ')}`);
    models = models.filter((m) => o.models.includes(m.repo));
  }
  const hub = await startHub({ fixtures });
  // The shipped page may connect to the Hub and its CDN only; served here it may also reach the imitation.
  const site = o.page
    ? await startStatic({ root: path.join(root, 'build/site'), connectSrc: ['http://127.0.0.1:*', 'http://localhost:*'] })
    : null;
  let browser = null;
  if (o.page) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });
  }
  const token = process.env.HF_TOKEN || '';
  log(`check-live: ${o.endpoint} against the imitation (tests/fixtures/hub), ${models.length} real models${o.page ? '' : ', without the page'}`);
  let checks = 0, differences = 0;
  const rows = [];
  try {
    for (const { repo, meta } of models) {
      // The imitation answers the fixture's own tokens: one with access stands for HF_TOKEN.
      const fixtureToken = token ? Object.entries(JSON.parse(fs.readFileSync(path.join(fixtures, '_hub.json'), 'utf8')).tokens || {})
        .find(([, user]) => (meta.tokens || []).includes(user))?.[0] || '' : '';
      const sides = {};
      for (const [side, endpoint, tok] of [['imitation', hub.hubUrl, fixtureToken], ['hub', o.endpoint, token]]) {
        const { facts } = await observe(endpoint, repo, { timeoutS: o.timeoutS, token: tok });
        Object.assign(facts, await cli(endpoint, repo, { timeoutS: o.timeoutS, token: tok }));
        if (browser) Object.assign(facts, await pageRun(browser, site.url, endpoint, repo, { timeoutS: o.timeoutS, token: tok }));
        sides[side] = facts;
      }
      const keys = [...new Set([...Object.keys(sides.imitation), ...Object.keys(sides.hub)])];
      const diff = keys.filter((k) => show(sides.imitation[k]) !== show(sides.hub[k]));
      checks += keys.length;
      differences += diff.length;
      log(`${repo}: ${keys.length} checks, ${diff.length ? `${diff.length} difference${diff.length > 1 ? 's' : ''}` : 'the same'}`);
      for (const k of diff) log(`  ${k}: imitation ${show(sides.imitation[k])}, hub ${show(sides.hub[k])}`);
      rows.push({ repo, imitation: sides.imitation, hub: sides.hub, differences: diff });
    }
  } finally {
    await browser?.close();
    await site?.close();
    await hub.close();
  }
  log(`${models.length} models, ${checks} checks, ${differences} difference${differences === 1 ? '' : 's'}`);
  return { unreachable: false, checks, differences, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`check-live: ${e.message}`);
    process.exit(2);
  }
  if (o.help) {
    console.log('usage: scripts/check-live [--endpoint URL] [--models org/a,org/b] [--no-page] [--timeout S]');
    process.exit(0);
  }
  try {
    const r = await checkLive(o);
    process.exit(r.differences ? 1 : 0);
  } catch (e) {
    console.error(`check-live: ${e.message}`);
    process.exit(2);
  }
}
