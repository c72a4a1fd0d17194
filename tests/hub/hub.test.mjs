// Tests of the Hub imitation (tests/hub/hub.mjs). Each run builds a small fixture tree in a temp
// folder, in the format of tests/fixtures/FORMAT.md, and talks to the imitation with fetch.
// Run: node --test tests/hub/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startHub, mismatchedContentRange } from './hub.mjs';

const ALICE = 'hf_fixture_alice';
const BOB = 'hf_fixture_bob';
const SHA = {
  gpt2: '607a30d783dfa663caf39e06633721c8d4cfcd7e',
  // dev and pr1 share their first 8 hex digits, so that prefix is ambiguous.
  gpt2Dev: 'abcdef12aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  gpt2Pr1: 'abcdef12bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  sharded: '1111111111111111111111111111111111111111',
  gated: '2222222222222222222222222222222222222222',
  private: '3333333333333333333333333333333333333333',
  huge: '4444444444444444444444444444444444444444',
  vocab: '5555555555555555555555555555555555555555',
};
const PAGE_SIZE = 3;
const PAGE_ORIGIN = 'http://page.test:8001';
// 200 GB: far more than could ever be allocated, so serving it proves the body is streamed.
const HUGE_DATA_BYTES = 200_000_000_000;
const GGUF_SERVED_BYTES = 4_000_000_000;
const EXPOSED = 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,' +
  'Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';
const SCRIPT = fileURLToPath(new URL('../../scripts/hub', import.meta.url));

// ------------------------------------------------------------------------------------------------
// The fixture tree.

// The stored prefix of a safetensors file: 8-byte little-endian N, then N bytes of JSON padded with spaces.
function safetensorsPrefix(tensors) {
  let json = JSON.stringify(tensors);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json)]);
}

const GPT2_WEIGHTS = safetensorsPrefix({
  __metadata__: { format: 'pt' },
  wte: { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] },
  'ln_f.weight': { dtype: 'F32', shape: [4], data_offsets: [64, 80] },
});
const GPT2_WEIGHTS_SERVED = GPT2_WEIGHTS.length + 80;
const SHARD_1 = safetensorsPrefix({ a: { dtype: 'F16', shape: [24], data_offsets: [0, 48] } });
const SHARD_2 = safetensorsPrefix({ b: { dtype: 'F16', shape: [16], data_offsets: [0, 32] } });
const HUGE_WEIGHTS = safetensorsPrefix({ w: { dtype: 'BF16', shape: [HUGE_DATA_BYTES / 2], data_offsets: [0, HUGE_DATA_BYTES] } });
const GGUF_PREFIX = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16, 7)]);
const GPT2_CONFIG = JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 12 });
// A regular file over CloudFront's 1,000-byte floor for compression.
const VOCAB_JSON = JSON.stringify(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`token_${i}`, i])));

async function put(root, rel, content) {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
}

async function makeFixtures() {
  const root = await mkdtemp(path.join(tmpdir(), 'hub-fixtures-'));
  const repo = (id, files, meta) => Promise.all([
    put(root, `${id}/.hub.json`, meta),
    ...Object.entries(files).map(([rel, content]) => put(root, `${id}/${rel}`, content)),
  ]);
  await put(root, '_hub.json', {
    aliases: { gpt2: 'openai-community/gpt2' },
    tokens: { [ALICE]: 'alice', [BOB]: 'bob' },
  });
  await repo('openai-community/gpt2', {
    'config.json': GPT2_CONFIG, 'model.safetensors': GPT2_WEIGHTS, 'README.md': '# gpt2\n', 'SOURCE.md': 'test fixture\n',
  }, { sha: SHA.gpt2, gated: false, private: false, tokens: [], library_name: 'transformers', pipeline_tag: 'text-generation', tags: ['safetensors', 'gpt2'],
    downloads: 5000, likes: 12, createdAt: '2022-03-02T23:29:04.000Z' });
  await repo('openai-community/gpt2@dev', {
    'config.json': JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 6 }),
  }, { sha: SHA.gpt2Dev });
  await repo(`openai-community/gpt2@${encodeURIComponent('refs/pr/1')}`, { 'config.json': GPT2_CONFIG }, { sha: SHA.gpt2Pr1 });
  await repo('acme/sharded', {
    'config.json': { model_type: 'llama', architectures: ['LlamaForCausalLM'], quantization_config: { quant_method: 'gptq', bits: 4 }, hidden_size: 64 },
    'model.safetensors.index.json': { metadata: { total_size: 80 }, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } },
    'model-00001-of-00002.safetensors': SHARD_1,
    'model-00002-of-00002.safetensors': SHARD_2,
    'tokenizer/tokenizer.json': '{}',
    'tokenizer/special_tokens_map.json': '{}',
    'README.md': '# sharded\n',
  }, { sha: SHA.sharded, downloads: 70 });
  await repo('acme/gated', { 'config.json': GPT2_CONFIG, 'model-q4_k_m.gguf': GGUF_PREFIX },
    { sha: SHA.gated, gated: 'manual', tokens: [ALICE], sizes: { 'model-q4_k_m.gguf': GGUF_SERVED_BYTES }, downloads: 300 });
  await repo('acme/private', { 'config.json': GPT2_CONFIG }, { sha: SHA.private, private: true, tokens: [ALICE], downloads: 9999 });
  await repo('acme/huge', { 'model.safetensors': HUGE_WEIGHTS }, { sha: SHA.huge });
  // Private, so that the model search and listings of the other tests do not see it.
  await repo('acme/vocab', { 'vocab.json': VOCAB_JSON }, { sha: SHA.vocab, private: true, tokens: [ALICE] });
  return root;
}

// ------------------------------------------------------------------------------------------------
// Helpers.

let fixtures;
let hub;
const logLines = [];

before(async () => {
  fixtures = await makeFixtures();
  hub = await startHub({ fixtures, pageSize: PAGE_SIZE, log: (line) => logLines.push(line) });
});

after(async () => {
  await hub?.close();
  await rm(fixtures, { recursive: true, force: true });
});

function get(url, { token, origin, range, method = 'GET', redirect = 'manual', headers = {}, signal } = {}) {
  const all = { ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  if (origin) all.Origin = origin;
  if (range) all.Range = range;
  const absolute = url.startsWith('http') ? url : `${hub.hubUrl}${url}`;
  return fetch(absolute, { method, redirect, headers: all, signal });
}

async function bytesOf(res) {
  return Buffer.from(await res.arrayBuffer());
}

// A request with the path sent as written (fetch would normalise `..` and `%2E%2E` away). Also
// tells whether the body came whole (`complete`) and how many bytes came (`received`), for bodies
// the server cuts short.
function rawRequest(base, rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ hostname, port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks = [];
      const done = () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: body.toString(), received: body.length, complete: res.complete });
      };
      res.on('data', (c) => chunks.push(c));
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
    });
    req.on('error', reject);
    req.end();
  });
}

// Every tree entry, following `Link: rel="next"` until it is absent.
async function listTree(url, options) {
  const entries = [];
  let pages = 0;
  for (let next = url; next; pages += 1) {
    const res = await get(next, options);
    assert.equal(res.status, 200);
    entries.push(...(await res.json()));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return { entries, pages };
}

async function cdnLocation(repoPath, options) {
  const res = await get(repoPath, options);
  assert.equal(res.status, 302);
  return res.headers.get('location');
}

// Runs `body` with the faults cleared, putting them back after.
async function withoutFaults(body) {
  const saved = hub.faults;
  hub.setFaults(Object.fromEntries(Object.keys(saved).map((k) => [k, null])));
  try {
    return await body();
  } finally {
    hub.setFaults(saved);
  }
}

async function withFaults(faults, body) {
  hub.setFaults(faults);
  try {
    await body();
  } finally {
    hub.setFaults(Object.fromEntries(Object.keys(faults).map((k) => [k, null])));
  }
}

// ------------------------------------------------------------------------------------------------
// Model info (API).

test('model info lists every file but .hub.json, with the branch sha, gating and a config subset', async () => {
  const res = await get('/api/models/openai-community/gpt2');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  const info = await res.json();
  assert.equal(info.id, 'openai-community/gpt2');
  assert.equal(info.modelId, 'openai-community/gpt2');
  assert.equal(info.author, 'openai-community');
  assert.match(info._id, /^[0-9a-f]{24}$/);
  assert.equal(info.sha, SHA.gpt2);
  assert.equal(info.private, false);
  assert.equal(info.gated, false);
  assert.equal(info.disabled, false);
  assert.equal(info.library_name, 'transformers');
  assert.equal(info.pipeline_tag, 'text-generation');
  assert.deepEqual(info.tags, ['safetensors', 'gpt2']);
  assert.equal(typeof info.lastModified, 'string');
  assert.deepEqual(info.config, { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' });
  assert.deepEqual(info.siblings, [
    { rfilename: 'README.md' }, { rfilename: 'SOURCE.md' }, { rfilename: 'config.json' }, { rfilename: 'model.safetensors' },
  ]);
  assert.equal(info.safetensors, undefined);
});

test('model info carries quantization_config when config.json has one', async () => {
  const info = await (await get('/api/models/acme/sharded/revision/main')).json();
  assert.deepEqual(info.config, {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', quantization_config: { quant_method: 'gptq', bits: 4 },
  });
});

test('model info with blobs=true gives every sibling its served size and weight files an lfs block', async () => {
  const info = await (await get('/api/models/openai-community/gpt2?blobs=true')).json();
  const byName = Object.fromEntries(info.siblings.map((s) => [s.rfilename, s]));
  assert.equal(byName['config.json'].size, Buffer.byteLength(GPT2_CONFIG));
  assert.equal(byName['config.json'].lfs, undefined);
  const weights = byName['model.safetensors'];
  assert.equal(weights.size, GPT2_WEIGHTS_SERVED);
  assert.match(weights.lfs.sha256, /^[0-9a-f]{64}$/);
  assert.equal(weights.lfs.size, GPT2_WEIGHTS_SERVED);
  // The pointer file is "version …\noid sha256:…\nsize N\n": 125 bytes plus the digits of N.
  assert.equal(weights.lfs.pointerSize, 125 + String(GPT2_WEIGHTS_SERVED).length);
});

test('expand returns only the listed properties besides _id and id, in plain and bracket form', async () => {
  for (const query of ['expand=sha&expand=gated', 'expand[]=sha&expand[]=gated']) {
    const info = await (await get(`/api/models/openai-community/gpt2?${query}`)).json();
    assert.deepEqual(Object.keys(info).sort(), ['_id', 'gated', 'id', 'sha']);
    assert.equal(info.sha, SHA.gpt2);
  }
});

test('expand together with blobs is refused with 400 and an error body', async () => {
  const res = await get('/api/models/openai-community/gpt2?expand=sha&blobs=true');
  assert.equal(res.status, 400);
  assert.equal(typeof (await res.json()).error, 'string');
});

test('an unknown expand property is refused with 400', async () => {
  assert.equal((await get('/api/models/openai-community/gpt2?expand=nonsense')).status, 400);
});

// ------------------------------------------------------------------------------------------------
// Model search (API).

const PUBLIC_IDS_BY_DOWNLOADS = ['openai-community/gpt2', 'acme/gated', 'acme/sharded', 'acme/huge'];

test('model search lists the public repos whose id contains the query, most downloaded first', async () => {
  const res = await get('/api/models?search=a&sort=downloads&direction=-1&limit=10', { origin: PAGE_ORIGIN });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
  assert.equal(res.headers.get('access-control-expose-headers'), EXPOSED);
  const models = await res.json();
  // acme/private (9,999 downloads) is left out; branch folders (gpt2@dev) are not repos.
  assert.deepEqual(models.map((m) => m.id), PUBLIC_IDS_BY_DOWNLOADS);
  assert.deepEqual(models.map((m) => m.downloads), [5000, 300, 70, 0]);
  const [gpt2] = models;
  assert.deepEqual(Object.keys(gpt2).sort(),
    ['_id', 'createdAt', 'downloads', 'id', 'library_name', 'likes', 'modelId', 'pipeline_tag', 'private', 'tags']);
  assert.match(gpt2._id, /^[0-9a-f]{24}$/);
  assert.equal(gpt2._id, (await (await get('/api/models/openai-community/gpt2')).json())._id);
  assert.deepEqual({ ...gpt2, _id: undefined }, {
    _id: undefined, id: 'openai-community/gpt2', modelId: 'openai-community/gpt2', likes: 12, private: false, downloads: 5000,
    tags: ['safetensors', 'gpt2'], pipeline_tag: 'text-generation', library_name: 'transformers', createdAt: '2022-03-02T23:29:04.000Z',
  });
  // Fields a fixture does not give: 0 likes, the fixed date, no tags; absent pipeline_tag/library_name are left out.
  const huge = models.at(-1);
  assert.deepEqual({ ...huge, _id: undefined }, {
    _id: undefined, id: 'acme/huge', modelId: 'acme/huge', likes: 0, private: false, downloads: 0, tags: [], createdAt: '2024-01-01T00:00:00.000Z',
  });
});

test('model search matches any case, anywhere in org/name, and an empty query lists every public repo', async () => {
  const ids = async (query) => (await (await get(`/api/models?${query}`)).json()).map((m) => m.id);
  assert.deepEqual(await ids('search=GPT'), ['openai-community/gpt2']);
  assert.deepEqual(await ids('search=AI-COMM'), ['openai-community/gpt2']);
  assert.deepEqual(await ids('search=ACME%2FSh'), ['acme/sharded']);
  assert.deepEqual(await ids('search=nothing-like-this'), []);
  assert.deepEqual(await ids('search=private'), []);
  assert.deepEqual(await ids(''), PUBLIC_IDS_BY_DOWNLOADS);
  assert.deepEqual(await ids('search='), PUBLIC_IDS_BY_DOWNLOADS);
  assert.equal((await get('/api/models/?search=gpt')).status, 200);
});

test('model search takes author, limit (20 by default, at most 1000), sort and direction', async () => {
  const ids = async (query) => (await (await get(`/api/models?${query}`)).json()).map((m) => m.id);
  assert.deepEqual(await ids('author=acme'), ['acme/gated', 'acme/sharded', 'acme/huge']);
  assert.deepEqual(await ids('author=ACME&search=sh'), ['acme/sharded']);
  assert.deepEqual(await ids('author=acm'), []);
  assert.deepEqual(await ids('limit=2'), PUBLIC_IDS_BY_DOWNLOADS.slice(0, 2));
  assert.deepEqual(await ids('limit=1000000'), PUBLIC_IDS_BY_DOWNLOADS);
  assert.deepEqual(await ids('sort=downloads&direction=1'), [...PUBLIC_IDS_BY_DOWNLOADS].reverse());
  // Equal counts keep a fixed order: by id.
  assert.deepEqual(await ids('sort=likes&direction=-1'), ['openai-community/gpt2', 'acme/gated', 'acme/huge', 'acme/sharded']);
  for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'sort=nonsense', 'direction=2']) {
    const res = await get(`/api/models?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(typeof (await res.json()).error, 'string');
  }
  assert.equal((await get('/api/models?search=gpt', { token: 'hf_not_a_token' })).status, 401);
  assert.equal((await get('/api/models?search=gpt', { token: BOB })).status, 200);
});

test('model search caps limit at 1000 and defaults to 20', async () => {
  const big = await mkdtemp(path.join(tmpdir(), 'hub-search-'));
  try {
    // Empty repo folders (no .hub.json: 0 downloads each, so ordered by id); one with downloads.
    for (let i = 0; i < 1005; i += 1) mkdirSync(path.join(big, 'many', `m${String(i).padStart(4, '0')}`), { recursive: true });
    await put(big, 'many/m0500/.hub.json', { downloads: 1 });
    const many = await startHub({ fixtures: big });
    try {
      const at = async (query) => (await fetch(`${many.hubUrl}/api/models?${query}`)).json();
      const first = await at('search=many');
      assert.equal(first.length, 20);
      assert.deepEqual(first.slice(0, 3).map((m) => m.id), ['many/m0500', 'many/m0000', 'many/m0001']);
      assert.equal((await at('search=many&limit=5000')).length, 1000);
    } finally {
      await many.close();
    }
  } finally {
    await rm(big, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------------------------------------
// Revisions.

test('a revision is a branch name, a full sha, a unique short sha, HEAD or an encoded refs/pr branch', async () => {
  const shaAt = async (rev) => (await (await get(`/api/models/openai-community/gpt2/revision/${rev}?expand=sha`)).json()).sha;
  assert.equal(await shaAt('main'), SHA.gpt2);
  assert.equal(await shaAt('HEAD'), SHA.gpt2);
  assert.equal(await shaAt('dev'), SHA.gpt2Dev);
  assert.equal(await shaAt(SHA.gpt2Dev), SHA.gpt2Dev);
  assert.equal(await shaAt(SHA.gpt2.slice(0, 7)), SHA.gpt2);
  assert.equal(await shaAt(SHA.gpt2Dev.slice(0, 9)), SHA.gpt2Dev);
  assert.equal(await shaAt('refs%2Fpr%2F1'), SHA.gpt2Pr1);
});

test('a branch serves its own files, tree and config', async () => {
  const res = await get('/openai-community/gpt2/resolve/dev/config.json', { redirect: 'follow' });
  assert.equal(JSON.parse(await res.text()).n_layer, 6);
  assert.equal(res.headers.get('x-repo-commit'), SHA.gpt2Dev);
  const { entries } = await listTree('/api/models/openai-community/gpt2/tree/dev');
  assert.deepEqual(entries.map((e) => e.path), ['config.json']);
});

test('an unknown, too short or ambiguous revision answers 404 RevisionNotFound', async () => {
  for (const rev of ['badrev', SHA.gpt2.slice(0, 6), SHA.gpt2Dev.slice(0, 8), 'f'.repeat(40)]) {
    const res = await get(`/api/models/openai-community/gpt2/revision/${rev}`);
    assert.equal(res.status, 404, rev);
    assert.equal(res.headers.get('x-error-code'), 'RevisionNotFound');
    assert.deepEqual(await res.json(), { error: `Invalid rev id: ${rev}` });
  }
  const file = await get('/openai-community/gpt2/resolve/badrev/config.json');
  assert.equal(file.status, 404);
  assert.equal(file.headers.get('x-error-code'), 'RevisionNotFound');
});

// ------------------------------------------------------------------------------------------------
// Tree.

test('the recursive tree lists files and folders sorted by path, with served sizes and lfs blocks', async () => {
  const { entries } = await listTree('/api/models/acme/sharded/tree/main?recursive=true');
  assert.deepEqual(entries.map((e) => `${e.type}:${e.path}`), [
    'file:README.md', 'file:config.json', 'file:model-00001-of-00002.safetensors', 'file:model-00002-of-00002.safetensors',
    'file:model.safetensors.index.json', 'directory:tokenizer', 'file:tokenizer/special_tokens_map.json',
    'file:tokenizer/tokenizer.json',
  ]);
  const shard = entries.find((e) => e.path === 'model-00001-of-00002.safetensors');
  assert.equal(shard.size, SHARD_1.length + 48);
  assert.match(shard.oid, /^[0-9a-f]{40}$/);
  assert.deepEqual(Object.keys(shard.lfs), ['oid', 'size', 'pointerSize']);
  assert.equal(shard.lfs.size, SHARD_1.length + 48);
  const folder = entries.find((e) => e.type === 'directory');
  assert.equal(folder.size, 0);
  assert.match(folder.oid, /^[0-9a-f]{40}$/);
  assert.equal(entries.find((e) => e.path === 'README.md').lfs, undefined);
});

test('tree pages hold at most pageSize entries and Link leads to every entry exactly once', async () => {
  const first = await get('/api/models/acme/sharded/tree/main?recursive=true');
  assert.equal((await first.json()).length, PAGE_SIZE);
  const link = first.headers.get('link');
  assert.match(link, new RegExp(`^<${hub.hubUrl}/api/models/acme/sharded/tree/main\\?recursive=true&cursor=[^>]+>; rel="next"$`));
  const { entries, pages } = await listTree('/api/models/acme/sharded/tree/main?recursive=true');
  assert.equal(pages, 3);
  assert.equal(entries.length, 8);
  assert.equal(new Set(entries.map((e) => e.path)).size, 8);
  const last = await get('/api/models/openai-community/gpt2/tree/dev');
  assert.equal(last.headers.get('link'), null);
});

test('a non-recursive tree lists one level, and a folder path lists its children', async () => {
  const top = await listTree('/api/models/acme/sharded/tree/main');
  assert.deepEqual(top.entries.map((e) => e.path), [
    'README.md', 'config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors',
    'model.safetensors.index.json', 'tokenizer',
  ]);
  const sub = await listTree('/api/models/acme/sharded/tree/main/tokenizer');
  assert.deepEqual(sub.entries.map((e) => e.path), ['tokenizer/special_tokens_map.json', 'tokenizer/tokenizer.json']);
});

test('a tree path that is a file or missing answers 404 EntryNotFound', async () => {
  for (const sub of ['config.json', 'nope']) {
    const res = await get(`/api/models/acme/sharded/tree/main/${sub}`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-error-code'), 'EntryNotFound');
  }
});

test('a malformed tree cursor answers 400', async () => {
  assert.equal((await get('/api/models/acme/sharded/tree/main?cursor=!!!')).status, 400);
});

// ------------------------------------------------------------------------------------------------
// Resolve, resolve-cache, raw.

test('resolve answers 307 with a relative Location for a small file, and that URL serves it', async () => {
  const res = await get('/openai-community/gpt2/resolve/main/config.json');
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`);
  assert.equal(res.headers.get('x-repo-commit'), SHA.gpt2);
  const file = await get(res.headers.get('location'));
  assert.equal(file.status, 200);
  assert.equal(await file.text(), GPT2_CONFIG);
  assert.equal(file.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(file.headers.get('accept-ranges'), 'bytes');
  assert.equal(file.headers.get('x-repo-commit'), SHA.gpt2);
  assert.match(file.headers.get('etag'), /^"[0-9a-f]{40}"$/);
});

test('a small file is served by resolve in follow mode and honours Range with 206', async () => {
  const res = await get('/openai-community/gpt2/resolve/main/config.json', { redirect: 'follow', range: 'bytes=2-11' });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes 2-11/${Buffer.byteLength(GPT2_CONFIG)}`);
  assert.equal(await res.text(), GPT2_CONFIG.slice(2, 12));
});

test('resolve answers 302 to the CDN for a weight file, with size, commit, etag and CORS headers', async () => {
  const res = await get('/openai-community/gpt2/resolve/main/model.safetensors', { origin: PAGE_ORIGIN });
  assert.equal(res.status, 302);
  const location = res.headers.get('location');
  assert.ok(location.startsWith(`${hub.cdnUrl}/`), location);
  assert.match(location, /[?&]X-Amz-Expires=3600(&|$)/);
  assert.equal(res.headers.get('x-repo-commit'), SHA.gpt2);
  assert.equal(res.headers.get('x-linked-size'), String(GPT2_WEIGHTS_SERVED));
  assert.match(res.headers.get('x-linked-etag'), /^"[0-9a-f]{64}"$/);
  assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
  assert.equal(res.headers.get('access-control-expose-headers'), EXPOSED);
  assert.equal(res.headers.get('vary'), 'Origin');
});

test('the CDN serves 8 + N + max end bytes: the stored prefix, then zeros', async () => {
  const res = await get(await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), String(GPT2_WEIGHTS_SERVED));
  const body = await bytesOf(res);
  assert.equal(body.length, GPT2_WEIGHTS_SERVED);
  assert.deepEqual(body.subarray(0, GPT2_WEIGHTS.length), GPT2_WEIGHTS);
  assert.ok(body.subarray(GPT2_WEIGHTS.length).every((b) => b === 0));
});

test('the CDN answers a range with 206, an open range to the end, a suffix range, and a range past the end with 416', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  const total = GPT2_WEIGHTS_SERVED;
  const head = await get(url, { range: 'bytes=0-7' });
  assert.equal(head.status, 206);
  assert.equal(head.headers.get('content-range'), `bytes 0-7/${total}`);
  assert.deepEqual(await bytesOf(head), GPT2_WEIGHTS.subarray(0, 8));
  const open = await get(url, { range: `bytes=${total - 10}-` });
  assert.equal(open.status, 206);
  assert.equal(open.headers.get('content-range'), `bytes ${total - 10}-${total - 1}/${total}`);
  assert.deepEqual(await bytesOf(open), Buffer.alloc(10));
  const suffix = await get(url, { range: 'bytes=-4' });
  assert.equal(suffix.headers.get('content-range'), `bytes ${total - 4}-${total - 1}/${total}`);
  await suffix.arrayBuffer();
  const clamped = await get(url, { range: `bytes=${total - 2}-${total + 100}` });
  assert.equal(clamped.headers.get('content-range'), `bytes ${total - 2}-${total - 1}/${total}`);
  await clamped.arrayBuffer();
  const past = await get(url, { range: `bytes=${total}-` });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), `bytes */${total}`);
});

test('a 200 GB file is served by range and streamed whole without being allocated', async () => {
  const url = await cdnLocation('/acme/huge/resolve/main/model.safetensors');
  const total = HUGE_WEIGHTS.length + HUGE_DATA_BYTES;
  const tail = await get(url, { range: `bytes=${total - 16}-${total - 1}` });
  assert.equal(tail.headers.get('content-range'), `bytes ${total - 16}-${total - 1}/${total}`);
  assert.deepEqual(await bytesOf(tail), Buffer.alloc(16));
  const whole = await get(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-length'), String(total));
  const reader = whole.body.getReader();
  let read = 0;
  while (read < 1024 * 1024) read += (await reader.read()).value.length;
  await reader.cancel();
});

test('a GGUF file is served at the length given in .hub.json sizes', async () => {
  const url = await cdnLocation('/acme/gated/resolve/main/model-q4_k_m.gguf', { token: ALICE });
  const res = await get(url, { range: 'bytes=0-3', method: 'GET' });
  assert.equal(res.headers.get('content-range'), `bytes 0-3/${GGUF_SERVED_BYTES}`);
  assert.equal(await res.text(), 'GGUF');
});

test('the CDN answers every origin, exposes the range headers, ignores Authorization and logs it', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  const res = await get(url, { origin: 'null', token: ALICE, range: 'bytes=0-7' });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const exposed = res.headers.get('access-control-expose-headers').split(',').map((h) => h.trim());
  for (const name of ['*', 'Content-Range', 'Accept-Ranges', 'ETag', 'Content-Length']) assert.ok(exposed.includes(name), name);
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.match(res.headers.get('etag'), /^"[0-9a-f]{64}"$/);
  await res.arrayBuffer();
  const entry = hub.requests.findLast((r) => r.origin === 'cdn');
  assert.equal(entry.auth, true);
  assert.equal(entry.originHeader, 'null');
  assert.equal(entry.range, 'bytes=0-7');
});

test('the CDN refuses preflights with 403 and URLs with a wrong signature with 403', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  assert.equal((await get(url, { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'GET' } })).status, 403);
  assert.equal((await get(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00'))).status, 403);
});

test('following the redirect to the CDN keeps Range, drops the token, and reads Content-Range', async () => {
  hub.requests.length = 0;
  const res = await get('/openai-community/gpt2/resolve/main/model.safetensors', { redirect: 'follow', token: ALICE, range: 'bytes=0-7' });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), `bytes 0-7/${GPT2_WEIGHTS_SERVED}`);
  assert.deepEqual(await bytesOf(res), GPT2_WEIGHTS.subarray(0, 8));
  assert.deepEqual(hub.requests.map((r) => [r.origin, r.status, r.auth, r.range]), [
    ['hub', 302, true, 'bytes=0-7'], ['cdn', 206, false, 'bytes=0-7'],
  ]);
});

test('raw serves a small file without redirect and a weight file as its LFS pointer', async () => {
  const small = await get('/openai-community/gpt2/raw/main/config.json');
  assert.equal(small.status, 200);
  assert.equal(await small.text(), GPT2_CONFIG);
  const pointer = await get('/openai-community/gpt2/raw/main/model.safetensors');
  assert.equal(pointer.status, 200);
  assert.match(await pointer.text(), new RegExp(`^version https://git-lfs.github.com/spec/v1\noid sha256:[0-9a-f]{64}\nsize ${GPT2_WEIGHTS_SERVED}\n$`));
  const missing = await get('/openai-community/gpt2/raw/main/nope.json', { method: 'HEAD' });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
});

// A GET with the raw bytes of the answer (node's fetch would inflate a gzip body).
function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(`${hub.hubUrl}${url}`, { headers: { Authorization: `Bearer ${ALICE}`, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('a regular file of 1,000 bytes or more comes gzip-compressed, as CloudFront sends it, to a client that accepts gzip', async () => {
  const url = `/api/resolve-cache/models/acme/vocab/${SHA.vocab}/vocab.json`;
  assert.ok(Buffer.byteLength(VOCAB_JSON) >= 1000);
  const gz = await rawGet(url, { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-length'], undefined);
  assert.equal(gz.headers['accept-ranges'], undefined);
  assert.match(gz.headers.etag, /^W\/"[0-9a-f]{40}"$/);
  assert.equal(gz.headers.vary, 'Origin,accept-encoding');
  assert.equal(zlib.gunzipSync(gz.body).toString(), VOCAB_JSON);
  assert.ok(gz.body.length < Buffer.byteLength(VOCAB_JSON) / 2, `${gz.body.length} bytes`);
  // Not compressed: without Accept-Encoding, with gzip refused (q=0), for a Range, and below 1,000 bytes.
  for (const [what, path, headers] of [
    ['no Accept-Encoding', url, {}],
    ['gzip;q=0', url, { 'Accept-Encoding': 'gzip;q=0, identity' }],
    ['a Range', url, { 'Accept-Encoding': 'gzip', Range: 'bytes=0-99' }],
    ['a small file', `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`, { 'Accept-Encoding': 'gzip' }],
  ]) {
    const res = await rawGet(path, headers);
    assert.equal(res.headers['content-encoding'], undefined, what);
    assert.equal(res.headers['content-length'], String(res.body.length), what);
  }
});

test('HEAD on resolve-cache gives the headers and length without a body', async () => {
  const res = await get(`/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(GPT2_CONFIG)));
  assert.equal(await res.text(), '');
});

// ------------------------------------------------------------------------------------------------
// CORS.

test('hub responses echo the Origin with Vary and expose the Hub headers, errors and 307 included', async () => {
  for (const url of ['/api/models/openai-community/gpt2', '/openai-community/gpt2/resolve/main/config.json',
    '/openai-community/gpt2/resolve/main/nope', '/acme/gated/resolve/main/config.json']) {
    const res = await get(url, { origin: PAGE_ORIGIN });
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN, url);
    assert.equal(res.headers.get('vary'), 'Origin', url);
    assert.equal(res.headers.get('access-control-expose-headers'), EXPOSED, url);
    await res.arrayBuffer();
  }
});

test('without an Origin the hub allows https://huggingface.co', async () => {
  const res = await get('/api/models/openai-community/gpt2');
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://huggingface.co');
});

test('a preflight answers 204 allowing the methods and the requested headers for a day', async () => {
  const res = await get('/openai-community/gpt2/resolve/main/model.safetensors', {
    method: 'OPTIONS',
    origin: PAGE_ORIGIN,
    headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,x-custom' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
  assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, OPTIONS');
  const allowed = res.headers.get('access-control-allow-headers').split(', ');
  for (const name of ['authorization', 'range', 'content-type', 'accept', 'x-custom']) assert.ok(allowed.includes(name), name);
  assert.equal(res.headers.get('access-control-max-age'), '86400');
});

// ------------------------------------------------------------------------------------------------
// Access rules.

test('a gated repo keeps its API and tree public', async () => {
  const info = await get('/api/models/acme/gated');
  assert.equal(info.status, 200);
  assert.equal((await info.json()).gated, 'manual');
  assert.equal((await get('/api/models/acme/gated/tree/main')).status, 200);
});

test('a gated repo file answers 401 GatedRepo without a token and 403 GatedRepo to an unlisted token', async () => {
  const anonymous = await get('/acme/gated/resolve/main/config.json');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('x-error-code'), 'GatedRepo');
  assert.equal(anonymous.headers.get('x-error-message'),
    'Access to model acme/gated is restricted. You must have access to it and be authenticated to access it. Please log in.');
  const bob = await get('/acme/gated/resolve/main/config.json', { token: BOB });
  assert.equal(bob.status, 403);
  assert.equal(bob.headers.get('x-error-code'), 'GatedRepo');
  assert.equal(bob.headers.get('x-error-message'),
    'Access to model acme/gated is restricted and you are not in the authorized list. Visit https://huggingface.co/acme/gated to ask for access.');
  assert.equal((await get('/acme/gated/raw/main/config.json')).status, 401);
});

test('a gated repo file is served to a listed token', async () => {
  assert.equal((await get('/acme/gated/resolve/main/config.json', { token: ALICE })).status, 307);
  const res = await get('/acme/gated/resolve/main/config.json', { token: ALICE, redirect: 'follow' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), GPT2_CONFIG);
});

test('a private or missing repo answers 401 without a token and no X-Error-Code, JSON on /api and text on /resolve', async () => {
  for (const id of ['acme/private', 'acme/missing']) {
    const api = await get(`/api/models/${id}`);
    assert.equal(api.status, 401, id);
    assert.equal(api.headers.get('x-error-code'), null);
    assert.equal(api.headers.get('x-error-message'), 'Invalid username or password.');
    assert.deepEqual(await api.json(), { error: 'Invalid username or password.' });
    const file = await get(`/${id}/resolve/main/config.json`);
    assert.equal(file.status, 401);
    assert.equal(file.headers.get('x-error-code'), null);
    assert.match(file.headers.get('content-type'), /^text\/plain/);
    assert.equal(await file.text(), 'Invalid username or password.');
  }
});

test('a private or missing repo answers 404 RepoNotFound to a valid token without access', async () => {
  for (const [id, token] of [['acme/private', BOB], ['acme/missing', ALICE]]) {
    const api = await get(`/api/models/${id}`, { token });
    assert.equal(api.status, 404, id);
    assert.equal(api.headers.get('x-error-code'), 'RepoNotFound');
    assert.deepEqual(await api.json(), { error: 'Repository not found' });
    const file = await get(`/${id}/resolve/main/config.json`, { token });
    assert.equal(file.status, 404);
    assert.equal(file.headers.get('x-error-code'), 'RepoNotFound');
    await file.arrayBuffer();
  }
});

test('a private repo is served to a listed token', async () => {
  const info = await get('/api/models/acme/private', { token: ALICE });
  assert.equal(info.status, 200);
  assert.equal((await info.json()).private, true);
  assert.equal((await get('/acme/private/resolve/main/config.json', { token: ALICE, redirect: 'follow' })).status, 200);
});

test('an invalid token answers 401 Invalid credentials, even on a public repo', async () => {
  const res = await get('/api/models/openai-community/gpt2', { token: 'hf_not_a_token' });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('x-error-message'), 'Invalid credentials in Authorization header');
  assert.deepEqual(await res.json(), { error: 'Invalid credentials in Authorization header' });
  assert.equal((await get('/openai-community/gpt2/resolve/main/config.json', { headers: { Authorization: 'Basic abc' } })).status, 401);
});

test('a missing file answers 404 EntryNotFound with the commit, and .hub.json is never served', async () => {
  for (const file of ['nope.json', '.hub.json', 'sub/dir/x.bin']) {
    const res = await get(`/openai-community/gpt2/resolve/main/${file}`);
    assert.equal(res.status, 404, file);
    assert.equal(res.headers.get('x-error-code'), 'EntryNotFound');
    assert.equal(res.headers.get('x-error-message'), 'Entry not found');
    assert.equal(res.headers.get('x-repo-commit'), SHA.gpt2);
    await res.arrayBuffer();
  }
});

test('a legacy id without an org resolves through the aliases to the canonical id', async () => {
  const info = await (await get('/api/models/gpt2')).json();
  assert.equal(info.id, 'openai-community/gpt2');
  assert.equal((await (await get('/api/models/gpt2/revision/dev')).json()).sha, SHA.gpt2Dev);
  const res = await get('/gpt2/resolve/main/config.json');
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`);
  const { entries } = await listTree('/api/models/gpt2/tree/main');
  assert.equal(entries.length, 4);
  assert.equal((await get('/api/models/nosuchalias')).status, 401);
});

// ------------------------------------------------------------------------------------------------
// Log and latency.

test('every request is logged with origin, method, path, range, auth and status, and never the token', async () => {
  hub.requests.length = 0;
  logLines.length = 0;
  await (await get('/api/models/openai-community/gpt2', { origin: PAGE_ORIGIN })).arrayBuffer();
  await (await get(`/acme/gated/resolve/main/config.json?leak=${ALICE}`, { token: ALICE, redirect: 'follow', range: 'bytes=0-1' })).arrayBuffer();
  await (await get('/api/models/openai-community/gpt2', { token: 'hf_wrong_token' })).arrayBuffer();
  assert.deepEqual(Object.keys(hub.requests[0]), ['t', 'origin', 'method', 'path', 'range', 'auth', 'originHeader', 'status']);
  assert.equal(logLines[0], `hub GET /api/models/openai-community/gpt2 range=- auth=no origin=${PAGE_ORIGIN} 200`);
  assert.equal(hub.requests[1].status, 307);
  assert.equal(hub.requests[1].auth, true);
  assert.equal(hub.requests[1].range, 'bytes=0-1');
  assert.equal(hub.requests[2].status, 206);
  const everything = JSON.stringify(hub.requests) + logLines.join('\n');
  for (const secret of [ALICE, 'hf_wrong_token']) assert.ok(!everything.includes(secret), secret);
});

test('latency delays every answer, preflights and the CDN included', async () => {
  const LATENCY_MS = 120;
  const slow = await startHub({ fixtures, latencyMs: LATENCY_MS });
  try {
    const timed = async (url, init) => {
      const start = performance.now();
      await (await fetch(url, { redirect: 'manual', ...init })).arrayBuffer();
      return performance.now() - start;
    };
    const location = (await fetch(`${slow.hubUrl}/openai-community/gpt2/resolve/main/model.safetensors`, { redirect: 'manual' })).headers.get('location');
    // The timer may fire a millisecond early, hence the margin.
    assert.ok(await timed(`${slow.hubUrl}/api/models/acme/sharded`) >= LATENCY_MS - 2);
    assert.ok(await timed(`${slow.hubUrl}/api/models/acme/sharded`, { method: 'OPTIONS' }) >= LATENCY_MS - 2);
    assert.ok(await timed(location, { headers: { Range: 'bytes=0-0' } }) >= LATENCY_MS - 2);
  } finally {
    await slow.close();
  }
});

// ------------------------------------------------------------------------------------------------
// Faults.

test('status5xx answers the next N hub requests with that status, then normal answers resume', async () => {
  await withFaults({ status5xx: { count: 2, status: 502 } }, async () => {
    assert.equal((await get('/api/models/openai-community/gpt2')).status, 502);
    const second = await get('/openai-community/gpt2/resolve/main/config.json', { origin: PAGE_ORIGIN });
    assert.equal(second.status, 502);
    assert.equal(second.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
    assert.equal((await get('/api/models/openai-community/gpt2')).status, 200);
    assert.deepEqual(hub.faults, {});
  });
});

test('rateLimit answers 429 with Retry-After when given', async () => {
  await withFaults({ rateLimit: { count: 1, retryAfter: 7 } }, async () => {
    const res = await get('/api/models/openai-community/gpt2');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal((await get('/api/models/openai-community/gpt2')).status, 200);
  });
  await withFaults({ rateLimit: { count: 1, retryAfter: null } }, async () => {
    const res = await get('/api/models/openai-community/gpt2');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), null);
  });
});

test('redirectLoop makes resolve answer 302 to itself', async () => {
  await withFaults({ redirectLoop: true }, async () => {
    const url = '/openai-community/gpt2/resolve/main/config.json';
    const res = await get(url);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), url);
    await assert.rejects(get(url, { redirect: 'follow' }));
  });
});

test('htmlErrors makes the API answer 500 with an HTML page', async () => {
  await withFaults({ htmlErrors: true }, async () => {
    const res = await get('/api/models/openai-community/gpt2');
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(await res.text(), /^<!DOCTYPE html>/);
  });
});

test('faults can be set, read and cleared over HTTP through /_control/faults', async () => {
  const set = await fetch(`${hub.hubUrl}/_control/faults`, { method: 'POST', body: JSON.stringify({ status5xx: { count: 1 } }) });
  assert.deepEqual(await set.json(), { status5xx: { count: 1, status: 503 } });
  assert.deepEqual(await (await fetch(`${hub.hubUrl}/_control/faults`)).json(), { status5xx: { count: 1, status: 503 } });
  assert.equal((await get('/api/models/openai-community/gpt2')).status, 503);
  await fetch(`${hub.hubUrl}/_control/faults`, { method: 'POST', body: JSON.stringify({ htmlErrors: true }) });
  await fetch(`${hub.hubUrl}/_control/faults`, { method: 'DELETE' });
  assert.deepEqual(hub.faults, {});
  assert.equal((await fetch(`${hub.hubUrl}/_control/faults`, { method: 'POST', body: '{"nope": 1}' })).status, 400);
  assert.equal((await fetch(`${hub.hubUrl}/_control/faults`, { method: 'POST', body: 'not json' })).status, 400);
});

test('unknown faults and malformed fault values are refused', () => {
  assert.throws(() => hub.setFaults({ nope: true }), /unknown fault/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, status: 404 } }));
  assert.throws(() => hub.setFaults({ stallAfterBytes: -1 }));
  assert.deepEqual(hub.faults, {});
});

test('stallAfterBytes stops a CDN body after N bytes until the client gives up', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  await withFaults({ stallAfterBytes: 10 }, async () => {
    const res = await get(url, { signal: AbortSignal.timeout(300) });
    assert.equal(res.headers.get('content-length'), String(GPT2_WEIGHTS_SERVED));
    const reader = res.body.getReader();
    let received = 0;
    await assert.rejects(async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value.length;
      }
    });
    assert.equal(received, 10);
    // A body no longer than the limit is sent whole.
    const short = await get(url, { range: 'bytes=0-9', signal: AbortSignal.timeout(1000) });
    assert.equal((await bytesOf(short)).length, 10);
  });
  assert.equal((await get(url, { range: 'bytes=0-7' })).status, 206);
});

test('close() returns within a second while a stalled response is open', async () => {
  const stalled = await startHub({ fixtures, faults: { stallAfterBytes: 4 } });
  const location = (await fetch(`${stalled.hubUrl}/openai-community/gpt2/resolve/main/model.safetensors`, { redirect: 'manual' })).headers.get('location');
  const res = await fetch(location);
  const reader = res.body.getReader();
  assert.equal((await reader.read()).value.length, 4);
  const pending = reader.read().catch(() => 'closed');
  const start = performance.now();
  await stalled.close();
  assert.ok(performance.now() - start < 1000);
  assert.equal(await pending, 'closed');
});

test('status5xx answers a burst from a list of statuses in turn', async () => {
  await withFaults({ status5xx: { count: 4, statuses: [500, 502, 503] } }, async () => {
    assert.deepEqual(hub.faults, { status5xx: { count: 4, statuses: [500, 502, 503] } });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await get('/api/models/openai-community/gpt2')).status);
    assert.deepEqual(statuses, [500, 502, 503, 500, 200]);
  });
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, statuses: [] } }), /statuses/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, statuses: [503, 429] } }), /statuses/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, status: 503, statuses: [503] } }), /not both/);
});

test('match limits a counted fault to URLs containing a substring, and only those use it up', async () => {
  await withFaults({ status5xx: { count: 2, statuses: [503], match: '/resolve/' } }, async () => {
    assert.deepEqual(hub.faults.status5xx.match, { path: '/resolve/' });
    assert.equal((await get('/api/models/openai-community/gpt2')).status, 200);
    assert.equal((await get('/api/models/openai-community/gpt2/tree/main')).status, 200);
    assert.equal(hub.faults.status5xx.count, 2);
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json')).status, 503);
    const url = await withoutFaults(() => cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors'));
    assert.equal((await get(url, { range: 'bytes=0-7' })).status, 206); // the CDN is not the fault's origin
    assert.equal((await get('/openai-community/gpt2/resolve/main/model.safetensors')).status, 503);
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json')).status, 307);
  });
});

test('match with origin "cdn" moves a Hub fault to the CDN, which answers in its own XML', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  await withFaults({ status5xx: { count: 1, status: 502, match: { origin: 'cdn' } } }, async () => {
    assert.equal((await get('/api/models/openai-community/gpt2')).status, 200);
    const res = await get(url, { range: 'bytes=0-7' });
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(await res.text(), /<Code>ServiceUnavailable<\/Code>/);
    assert.equal((await get(url, { range: 'bytes=0-7' })).status, 206);
  });
  await withFaults({ rateLimit: { count: 1, retryAfter: 2, match: { origin: 'any', path: 'model.safetensors' } } }, async () => {
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json')).status, 307);
    const res = await get(url, { range: 'bytes=0-7' });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2');
    await res.arrayBuffer();
  });
});

test('a malformed match or an unknown field in a fault is refused', () => {
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, match: { origin: 'edge' } } }), /origin/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, match: { path: 3 } } }), /path/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, match: { host: 'x' } } }), /unknown field/);
  assert.throws(() => hub.setFaults({ status5xx: { count: 1, statusses: [500] } }), /unknown field "statusses"/);
  assert.throws(() => hub.setFaults({ ignoreRange: 'yes' }));
  assert.throws(() => hub.setFaults({ truncateBody: { bytes: -1 } }));
  assert.throws(() => hub.setFaults({ redirectToScheme: 'ft p' }));
  assert.throws(() => hub.setFaults({ redirectToScheme: {} }));
  assert.deepEqual(hub.faults, {});
});

test('rateLimit without retryAfter sends no Retry-After, only the RateLimit window', async () => {
  await withFaults({ rateLimit: { count: 1 } }, async () => {
    assert.deepEqual(hub.faults, { rateLimit: { count: 1, retryAfter: null } });
    const res = await get('/api/models/openai-community/gpt2');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), null);
    assert.equal(res.headers.get('ratelimit'), '"api";r=0;t=300');
  });
  await withFaults({ rateLimit: { count: 1, retryAfter: 1 } }, async () => {
    const res = await get('/api/models/openai-community/gpt2');
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('ratelimit'), '"api";r=0;t=1');
  });
});

test('contentRangeMismatch answers 206 with a Content-Range that disagrees with the body length', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  const total = GPT2_WEIGHTS_SERVED;
  await withFaults({ contentRangeMismatch: true }, async () => {
    const head = await get(url, { range: 'bytes=0-7' });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get('content-length'), '8');
    assert.equal(head.headers.get('content-range'), `bytes 0-15/${total}`);
    assert.deepEqual(await bytesOf(head), GPT2_WEIGHTS.subarray(0, 8));
    const whole = await get(url, { range: `bytes=0-${total - 1}` });
    assert.equal(whole.headers.get('content-range'), `bytes 0-${Math.floor(total / 2) - 1}/${total}`);
    assert.equal((await bytesOf(whole)).length, total);
    // Without a Range there is no Content-Range to get wrong.
    const plain = await get(url);
    assert.equal(plain.status, 200);
    await plain.arrayBuffer();
  });
  assert.equal(mismatchedContentRange(9, 9, 10), 'bytes 9-10/11');
});

test('ignoreRange answers 200 with the whole file, and copes with a client that stops reading a 200 GB body', async () => {
  const small = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  const huge = await cdnLocation('/acme/huge/resolve/main/model.safetensors');
  const total = HUGE_WEIGHTS.length + HUGE_DATA_BYTES;
  await withFaults({ ignoreRange: true }, async () => {
    const res = await get(small, { range: 'bytes=0-7' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-range'), null);
    assert.equal((await bytesOf(res)).length, GPT2_WEIGHTS_SERVED);
    for (let i = 0; i < 3; i += 1) {
      const big = await get(huge, { range: 'bytes=0-7' });
      assert.equal(big.status, 200);
      assert.equal(big.headers.get('content-length'), String(total));
      const reader = big.body.getReader();
      let read = 0;
      while (read < 256 * 1024) read += (await reader.read()).value.length;
      await reader.cancel();
    }
    // The hub answers on; Hub routes are not the fault's home.
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json', { redirect: 'follow', range: 'bytes=0-0' })).status, 206);
  });
  const after = await get(huge, { range: 'bytes=0-7' });
  assert.equal(after.status, 206);
  assert.deepEqual(await bytesOf(after), HUGE_WEIGHTS.subarray(0, 8));
});

test('truncateBody announces the whole range, sends N bytes and ends the connection', async () => {
  const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
  await withFaults({ truncateBody: 5 }, async () => {
    const res = await rawRequest(url, new URL(url).pathname + new URL(url).search, { Range: 'bytes=0-99' });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-length'], '100');
    assert.equal(res.received, 5);
    assert.equal(res.complete, false);
    // A body no longer than N is sent whole.
    const short = await get(url, { range: 'bytes=0-4' });
    assert.deepEqual(await bytesOf(short), GPT2_WEIGHTS.subarray(0, 5));
  });
  await withFaults({ truncateBody: { bytes: 3, match: { origin: 'hub', path: 'config.json' } } }, async () => {
    const res = await rawRequest(hub.hubUrl, `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(GPT2_CONFIG)));
    assert.equal(res.received, 3);
    assert.equal(res.complete, false);
    assert.equal((await get(url, { range: 'bytes=0-99' })).status, 206);
  });
});

test('redirectToScheme points the resolve redirects to another scheme, or only the matching ones', async () => {
  await withFaults({ redirectToScheme: 'ftp' }, async () => {
    const weights = await get('/openai-community/gpt2/resolve/main/model.safetensors');
    assert.equal(weights.status, 302);
    assert.match(weights.headers.get('location'), new RegExp(`^ftp://${new URL(hub.cdnUrl).host}/repos/openai-community/gpt2/${SHA.gpt2}/model\\.safetensors\\?X-Amz-`));
    const config = await get('/openai-community/gpt2/resolve/main/config.json');
    assert.equal(config.status, 307);
    assert.equal(config.headers.get('location'),
      `ftp://${new URL(hub.hubUrl).host}/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`);
  });
  await withFaults({ redirectToScheme: { scheme: 'ftp', match: '.safetensors' } }, async () => {
    assert.match((await get('/openai-community/gpt2/resolve/main/model.safetensors')).headers.get('location'), /^ftp:\/\//);
    assert.match((await get('/openai-community/gpt2/resolve/main/config.json')).headers.get('location'), /^\/api\/resolve-cache\//);
  });
});

test('htmlOk answers /api routes with 200 and an HTML page, as a captive portal does', async () => {
  await withFaults({ htmlOk: true }, async () => {
    for (const url of ['/api/models/openai-community/gpt2', '/api/models/openai-community/gpt2/tree/main', '/api/models?search=gpt',
      `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`]) {
      const res = await get(url, { origin: PAGE_ORIGIN });
      assert.equal(res.status, 200, url);
      assert.match(res.headers.get('content-type'), /^text\/html/);
      assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
      assert.match(await res.text(), /^<!DOCTYPE html>/);
    }
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json')).status, 307);
  });
});

test('endlessTree gives every tree page a next link, to a new page each time', async () => {
  const all = (await listTree('/api/models/acme/sharded/tree/main?recursive=true')).entries.map((e) => e.path);
  await withFaults({ endlessTree: true }, async () => {
    const seen = new Set();
    const paths = [];
    let next = '/api/models/acme/sharded/tree/main?recursive=true';
    for (let page = 0; page < 40; page += 1) {
      const res = await get(next);
      assert.equal(res.status, 200);
      paths.push(...(await res.json()).map((e) => e.path));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      assert.ok(next, `page ${page} has a next link`);
      assert.ok(!seen.has(next), `page ${page} links to a new URL`);
      seen.add(next);
    }
    assert.deepEqual(paths, all);
  });
  assert.deepEqual((await listTree('/api/models/acme/sharded/tree/main?recursive=true')).entries.map((e) => e.path), all);
});

test('body faults scoped to the Hub stall or cut its JSON answers too, never the control endpoint', async () => {
  const whole = Buffer.byteLength(JSON.stringify(await (await get('/api/models/openai-community/gpt2')).json()));
  await withFaults({ truncateBody: { bytes: 7, match: { origin: 'any' } } }, async () => {
    const res = await rawRequest(hub.hubUrl, '/api/models/openai-community/gpt2');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(whole));
    assert.equal(res.received, 7);
    assert.equal(res.complete, false);
    assert.equal((await rawRequest(hub.hubUrl, '/_control/faults')).complete, true);
  });
  await withFaults({ stallAfterBytes: { bytes: 3, match: { origin: 'hub', path: '/api/models/' } } }, async () => {
    const res = await get('/api/models/openai-community/gpt2', { signal: AbortSignal.timeout(300) });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    const control = await fetch(`${hub.hubUrl}/_control/faults`, { signal: AbortSignal.timeout(1000) });
    assert.equal((await control.json()).stallAfterBytes.bytes, 3);
  });
});

test('scalar switches take {bytes, match} and flags take {match}, with the same scoping', async () => {
  await withFaults({ stallAfterBytes: { bytes: 2, match: 'config.json' }, redirectLoop: { match: 'README' } }, async () => {
    assert.deepEqual(hub.faults, {
      stallAfterBytes: { bytes: 2, match: { path: 'config.json' } }, redirectLoop: { match: { path: 'README' } },
    });
    const url = await cdnLocation('/openai-community/gpt2/resolve/main/model.safetensors');
    assert.equal((await bytesOf(await get(url, { range: 'bytes=0-9', signal: AbortSignal.timeout(2000) }))).length, 10);
    assert.equal((await get('/openai-community/gpt2/resolve/main/README.md')).status, 302);
    assert.equal((await get('/openai-community/gpt2/resolve/main/config.json')).status, 307);
  });
});

// ------------------------------------------------------------------------------------------------
// Robustness.

test('malformed percent-encoding answers 400 and the hub keeps answering', async () => {
  for (const url of ['/api/models/openai-community/gpt2/revision/%E0%A4%A', '/openai-community/gpt2/resolve/main/%ZZ']) {
    assert.equal((await rawRequest(hub.hubUrl, url)).status, 400, url);
  }
  assert.equal((await get('/api/models/openai-community/gpt2')).status, 200);
});

test('dot-dot paths answer 400 and never reach outside the repo', async () => {
  for (const url of [
    '/openai-community/gpt2/resolve/main/../../../_hub.json',
    '/openai-community/gpt2/resolve/main/%2E%2E/%2E%2E/_hub.json',
    '/openai-community/gpt2/resolve/main/..%2F..%2F_hub.json',
    '/api/models/openai-community/gpt2/tree/main/..%2F..',
  ]) {
    const res = await rawRequest(hub.hubUrl, url);
    assert.equal(res.status, 400, url);
    assert.ok(!res.body.includes(ALICE), url);
  }
  const repoEscape = await rawRequest(hub.hubUrl, '/api/models/%2E%2E/openai-community');
  assert.equal(repoEscape.status, 401);
});

test('an unknown /api path answers 404 JSON and an unsupported method 405', async () => {
  const res = await get('/api/nothing/here');
  assert.equal(res.status, 404);
  assert.equal(typeof (await res.json()).error, 'string');
  assert.equal((await get('/api/models/openai-community/gpt2', { method: 'PUT' })).status, 405);
});

// ------------------------------------------------------------------------------------------------
// scripts/hub.

test('scripts/hub prints the two URLs, logs each request and exits cleanly on SIGTERM', async () => {
  const child = spawn(SCRIPT, ['--port', '0', '--cdn-port', '0', '--fixtures', fixtures], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  child.stdout.setEncoding('utf8');
  const lines = (n) => new Promise((resolve, reject) => {
    const check = () => { if (out.split('\n').length > n) resolve(out.split('\n').slice(0, n)); };
    child.stdout.on('data', (d) => { out += d; check(); });
    child.on('exit', () => reject(new Error(`scripts/hub exited early: ${out}`)));
    check();
  });
  try {
    const [hubLine, cdnLine] = await lines(2);
    assert.match(hubLine, /^Hub: http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(cdnLine, /^CDN: http:\/\/127\.0\.0\.1:\d+$/);
    const hubUrl = hubLine.slice('Hub: '.length);
    assert.equal((await fetch(`${hubUrl}/api/models/gpt2`)).status, 200);
    const [, , logLine] = await lines(3);
    assert.equal(logLine, 'hub GET /api/models/gpt2 range=- auth=no origin=- 200');
  } finally {
    child.kill('SIGTERM');
  }
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('scripts/hub --help prints the usage and exits 0', async () => {
  const child = spawn(SCRIPT, ['--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.match(out, /^Usage: scripts\/hub /);
});

// ------------------------------------------------------------------------------------------------
// HTTP/2 over TLS (protocol 'h2'), as huggingface.co and its CDN speak.

// One GET over an HTTP/2 session to `origin` trusting the imitation's certificate: {status, headers, body, alpn}.
function h2Get(origin, pathAndQuery, { ca, headers = {} }) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca });
    session.on('error', reject);
    const stream = session.request({ ':path': pathAndQuery, ...headers });
    const chunks = [];
    let head = null;
    stream.on('response', (h) => { head = h; });
    stream.on('data', (c) => chunks.push(c));
    stream.on('close', () => {
      const alpn = session.alpnProtocol;
      session.close();
      if (!head) return reject(new Error(`stream closed without an answer (code ${stream.rstCode})`));
      resolve({ status: head[':status'], headers: head, body: Buffer.concat(chunks), alpn, rstCode: stream.rstCode });
    });
    stream.end();
  });
}

test('with protocol h2 both origins answer HTTP/2 over TLS with a certificate for 127.0.0.1, and redirect to the https CDN', async () => {
  const h2hub = await startHub({ fixtures, protocol: 'h2' });
  try {
    assert.match(h2hub.hubUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(h2hub.cdnUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(h2hub.protocol, 'h2');
    const { cert, spkiSha256 } = h2hub.certificate;
    assert.match(spkiSha256, /^[A-Za-z0-9+/]{43}=$/);
    const res = await h2Get(h2hub.hubUrl, '/openai-community/gpt2/resolve/main/model.safetensors', { ca: cert, headers: { range: 'bytes=0-7' } });
    assert.equal(res.alpn, 'h2');
    assert.equal(res.status, 302);
    const location = new URL(res.headers.location);
    assert.equal(location.origin, h2hub.cdnUrl);
    const cdn = await h2Get(h2hub.cdnUrl, location.pathname + location.search, { ca: cert, headers: { range: 'bytes=0-7' } });
    assert.equal(cdn.alpn, 'h2');
    assert.equal(cdn.status, 206);
    assert.equal(cdn.headers['content-range'], `bytes 0-7/${GPT2_WEIGHTS_SERVED}`);
    assert.deepEqual(cdn.body, GPT2_WEIGHTS.subarray(0, 8));
    // The tree's Link names the scheme the client came in on.
    const tree = await h2Get(h2hub.hubUrl, '/api/models/openai-community/gpt2/tree/main', { ca: cert });
    assert.equal(tree.status, 200);
    assert.deepEqual(h2hub.requests.map((r) => `${r.origin} ${r.status}`), ['hub 302', 'cdn 206', 'hub 200']);
  } finally {
    await h2hub.close();
  }
});

test('with protocol h2 a client without HTTP/2 is answered over HTTP/1.1 with TLS', async () => {
  const h2hub = await startHub({ fixtures, protocol: 'h2' });
  try {
    const body = await new Promise((resolve, reject) => {
      https.get(`${h2hub.hubUrl}/api/models/openai-community/gpt2`, { ca: h2hub.certificate.cert }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, version: res.httpVersion, text: Buffer.concat(chunks).toString() }));
      }).on('error', reject);
    });
    assert.equal(body.version, '1.1');
    assert.equal(body.status, 200);
    assert.equal(JSON.parse(body.text).sha, SHA.gpt2);
  } finally {
    await h2hub.close();
  }
});

test('with protocol h2 truncateBody resets the stream after N bytes, and close ends open sessions', async () => {
  const h2hub = await startHub({ fixtures, protocol: 'h2', faults: { truncateBody: { bytes: 3, match: { origin: 'hub', path: 'config.json' } } } });
  try {
    const res = await h2Get(h2hub.hubUrl, `/api/resolve-cache/models/openai-community/gpt2/${SHA.gpt2}/config.json`, { ca: h2hub.certificate.cert });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 3);
    assert.notEqual(res.rstCode, 0);
    const session = http2.connect(h2hub.hubUrl, { ca: h2hub.certificate.cert });
    await new Promise((resolve) => session.once('connect', resolve));
    const closed = new Promise((resolve) => session.once('close', resolve));
    await h2hub.close();
    await closed;
  } finally {
    await h2hub.close();
  }
});

test('an unknown protocol is refused at start', async () => {
  await assert.rejects(startHub({ fixtures, protocol: 'h3' }), /protocol must be one of http1, h2/);
});
