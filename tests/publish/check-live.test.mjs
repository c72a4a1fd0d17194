// scripts/check-live cannot reach huggingface.co here: its comparison is tested against a second
// imitation standing in for the Hub — the same answers (no difference), and answers changed by a
// proxy the way drift would change them (a header gone, a size changed): each reported, exit 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/lib/check-live.mjs');
let live, proxy, proxyUrl;

// Runs check-live as a maintainer would (node, its own process); resolves to {code, stdout}.
async function checkLive(args) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script, ...args], { timeout: 300000 });
    return { code: 0, stdout };
  } catch (e) {
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

before(async () => {
  live = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') });
  // "Drift": the Hub stops sending X-Repo-Commit, and the tree reports gpt2's weights one byte longer.
  proxy = http.createServer((req, res) => {
    const up = http.request(`${live.hubUrl}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      const headers = { ...r.headers };
      delete headers['x-repo-commit'];
      if (!/\/tree\//.test(req.url) || r.statusCode !== 200) {
        res.writeHead(r.statusCode, headers);
        r.pipe(res);
        return;
      }
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        const entries = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const e of entries) if (e.path === 'model.safetensors') { e.size += 1; if (e.lfs) e.lfs.size += 1; }
        const body = Buffer.from(JSON.stringify(entries));
        headers['content-length'] = String(body.length);
        res.writeHead(200, headers);
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
});
after(async () => {
  proxy?.close();
  await live?.close();
});

test('an unreachable Hub is one line and exit 0', async () => {
  const r = await checkLive(['--endpoint', 'http://127.0.0.1:9', '--no-page']);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  assert.match(r.stdout, /^check-live: http:\/\/127\.0\.0\.1:9 is unreachable \(\w+\); nothing compared\n$/);
});

test('a Hub that answers as the imitation does: every check the same, CLI and page included, exit 0', async () => {
  const r = await checkLive(['--endpoint', live.hubUrl, '--models', 'openai-community/gpt2']);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /openai-community\/gpt2: \d+ checks, the same/);
  assert.match(r.stdout, /^1 models, (\d+) checks, 0 differences$/m);
});

test('drift is reported check by check: a header the client reads is gone, a file size changed; exit 1', async () => {
  const r = await checkLive(['--endpoint', proxyUrl, '--models', 'openai-community/gpt2,mistralai/Mistral-7B-v0.1', '--no-page']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /^ {2}config\.json X-Repo-Commit: imitation "the commit", hub null$/m);
  assert.match(r.stdout, /^ {2}size of model\.safetensors: imitation 548105171, hub 548105172$/m);
  assert.match(r.stdout, /^ {2}CDN Content-Range total = tree size: imitation true, hub false$/m);
  // Mistral's shards are unchanged: only the header is gone there.
  const mistral = r.stdout.split('\n').findIndex((l) => l.startsWith('mistralai/Mistral-7B-v0.1:'));
  assert.match(r.stdout.split('\n')[mistral], /1 difference$/);
});

test('bad arguments are a usage error (exit 2) with a message', async () => {
  const r = await checkLive(['--endpoint', 'ftp://x']);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /--endpoint must be an http\(s\) URL/);
  const m = await checkLive(['--endpoint', live.hubUrl, '--models', 'fixture-crafted/tiny-ok', '--no-page']);
  assert.equal(m.code, 2);
  assert.match(m.stdout, /not a real model of the fixture tree: fixture-crafted\/tiny-ok/);
});
