#!/usr/bin/env node
// Builds the fuzz seed corpora and dictionaries from tests/fixtures/hub (never committed: they are
// derived, and large). Usage: node tests/fuzz/make-seeds.mjs [OUT_DIR]   (default build/fuzz)
//   OUT_DIR/corpus/<target>/  one file per seed (content-addressed names, so reruns are idempotent;
//                             libFuzzer adds what it finds to the same folder)
//   OUT_DIR/dicts/<target>.dict   tests/fuzz/dicts/<target>.dict + string literals of the core sources
// Input formats per target: tests/fuzz/README.md. Fixture weight files hold only their safetensors
// prefix (8-byte length + header JSON); their served size is .hub.json `sizes`, else 8 + N + data.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.join(root, 'tests/fixtures/hub');
const out = path.resolve(process.argv[2] || path.join(root, 'build/fuzz'));
const RS = '\x1e';
const SHA = '0123456789abcdef0123456789abcdef01234567';

// Seeds above these sizes are left out (or shrunk): libFuzzer mutates small inputs far faster.
// Small on purpose (issue #16): under ASan + UBSan + coverage, nlohmann's lexer reads ~3.5 MB/s, so one
// 200 KB index cost ~60 ms an execution and the whole-repo targets ran at 30–300 exec/s. Structure, not
// size, is what the mutations need; the size limits themselves have unit tests.
const MAX_BUNDLE_BYTES = 64 << 10;    // pipeline, hub_client, repo: whole repos (scripts/fuzz -max_len 64 KiB)
const SLIM_ABOVE_BYTES = 16 << 10;    // pipeline, hub_client, repo: bigger repos get slim headers and indexes
const SLIM_TENSORS = 120;             // tensors kept over all headers of a slim repo (2–24 per header, the first by offset)
const MAX_INDEX_BYTES = 6 << 10;      // shard_index, layout: bigger indexes are shrunk (-max_len 8 and 16 KiB)
const MAX_SHARDS_PER_REPO = 2;        // safetensors: near-identical shards add nothing
const MAX_PREFIX_BYTES = 128 << 10;   // safetensors: larger prefixes only slow the mutations down

const targets = ['safetensors', 'gguf', 'architecture', 'shard_index', 'layout', 'hub_client', 'pipeline', 'repo', 'json_check'];
const counts = Object.fromEntries(targets.map((t) => [t, 0]));

function seed(target, content, hint = '') {
  const dir = path.join(out, 'corpus', target);
  fs.mkdirSync(dir, { recursive: true });
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const sha1 = createHash('sha1').update(buf).digest('hex');
  const name = (hint ? hint.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) + '-' : '') + sha1.slice(0, 16);
  const file = path.join(dir, name);
  // libFuzzer names what it keeps by the content's sha1 (after a merge, seeds too): no second copy.
  if (!fs.existsSync(file) && !fs.existsSync(path.join(dir, sha1))) {
    fs.writeFileSync(file, buf);
    counts[target]++;
  }
}

function walk(dir, rel = '') {
  const files = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) files.push(...walk(path.join(dir, e.name), r));
    else if (e.isFile() && e.name !== '.hub.json') files.push(r);
  }
  return files;
}

// 8-byte little-endian N, then the header JSON; null when the prefix does not hold one.
function header_of(bytes) {
  if (bytes.length < 8) return null;
  const n = bytes.readBigUInt64LE(0);
  if (n === 0n || n > BigInt(bytes.length - 8)) return null;
  return bytes.subarray(8, 8 + Number(n));
}

function served_size(rel, bytes, meta) {
  if (meta.sizes && Number.isInteger(meta.sizes[rel])) return meta.sizes[rel];
  if (rel.endsWith('.safetensors')) {
    const h = header_of(bytes);
    if (h) {
      try {
        let end = 0;
        for (const [k, v] of Object.entries(JSON.parse(h.toString('utf8'))))
          if (k !== '__metadata__' && Array.isArray(v?.data_offsets)) end = Math.max(end, Number(v.data_offsets[1]));
        return 8 + h.length + end;
      } catch {}
    }
  }
  return bytes.length;
}

// An index cut down to one weight_map entry per shard (plus a few more): same shards, small text.
function shrink_index(text, extras = 8) {
  try {
    const j = JSON.parse(text);
    if (!j || typeof j.weight_map !== 'object') return null;
    const seen = new Set();
    const map = {};
    let extra = 0;
    for (const [k, v] of Object.entries(j.weight_map)) {
      if (!seen.has(v) || extra++ < extras) map[k] = v;
      seen.add(v);
    }
    return JSON.stringify({ ...j, weight_map: map });
  } catch {
    return null;
  }
}

// A weight prefix cut down to its first tensors by offset (still contiguous from 0), with the
// file size that matches it; null when the header is not one JSON can read (crafted broken ones).
function shrink_prefix(bytes, keep) {
  const h = header_of(bytes);
  if (!h) return null;
  try {
    const j = JSON.parse(h.toString('utf8'));
    const kept = Object.entries(j)
      .filter(([k, v]) => k !== '__metadata__' && Array.isArray(v?.data_offsets))
      .sort((a, b) => Number(a[1].data_offsets[0]) - Number(b[1].data_offsets[0]))
      .slice(0, keep);
    const text = Buffer.from(JSON.stringify(Object.fromEntries([...(j.__metadata__ ? [['__metadata__', j.__metadata__]] : []), ...kept])));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    const end = kept.length ? Number(kept[kept.length - 1][1].data_offsets[1]) : 0;
    return { bytes: Buffer.concat([len, text]), size: 8 + text.length + end };
  } catch {
    return null;
  }
}

const is_text = (rel) => rel.endsWith('.json');
const is_index = (rel) => /\.safetensors\.index(\.[^/]*)?\.json$/.test(rel);
// Records joined by RS; strings are UTF-8, Buffers (binary safetensors prefixes) go in as they are.
const bundle = (records) => Buffer.concat(records.flatMap((r, i) => [...(i ? [Buffer.from(RS)] : []), Buffer.isBuffer(r) ? r : Buffer.from(r, 'utf8')]));

const option_sets = [
  'O profile=vllm gpu=h100-80gb tp=2 kv=fp8 context=32768 batch=4',
  'O profile=sglang gpu=a100-80gb precision=int4 util=0.8',
  'O profile=transformers precision=bfloat16 context=4096 batch=8 gpu=rtx-4090',
  'O profile=classic precision=int8 context=2048 gpu=apple-m3-max-128gb',
];

const repos = [];
for (const org of fs.readdirSync(fixtures, { withFileTypes: true })) {
  if (!org.isDirectory()) continue;
  for (const name of fs.readdirSync(path.join(fixtures, org.name), { withFileTypes: true })) {
    const dir = path.join(fixtures, org.name, name.name);
    if (!name.isDirectory() || !fs.existsSync(path.join(dir, '.hub.json'))) continue;
    repos.push({ id: `${org.name}/${name.name.split('@')[0]}`, label: `${org.name}__${name.name}`, dir });
  }
}
repos.sort((a, b) => a.label.localeCompare(b.label));

for (const repo of repos) {
  const meta = JSON.parse(fs.readFileSync(path.join(repo.dir, '.hub.json'), 'utf8'));
  const rels = walk(repo.dir);
  const files = rels.map((rel) => {
    const bytes = fs.readFileSync(path.join(repo.dir, rel));
    return { rel, bytes, size: served_size(rel, bytes, meta) };
  });
  const texts = files.filter((f) => is_text(f.rel));
  const weights = files.filter((f) => f.rel.endsWith('.safetensors') && f.bytes.length > 0);
  const variants = [...new Set(weights.map((f) => f.rel.match(/\.([A-Za-z0-9]{1,8})\.safetensors$/)?.[1]).filter(Boolean))];
  const listing = 'F\n' + files.map((f) => `${f.size} ${f.rel}`).join('\n');

  // safetensors: the stored prefixes, a couple per repo.
  for (const f of [...weights].filter((x) => x.bytes.length <= MAX_PREFIX_BYTES).sort((a, b) => a.bytes.length - b.bytes.length).slice(0, MAX_SHARDS_PER_REPO))
    seed('safetensors', f.bytes, `${repo.label}__${f.rel}`);
  if (weights.length === 0)  // the crafted broken prefixes (header-not-json …) have no data past the prefix
    for (const f of files.filter((x) => x.rel.endsWith('.safetensors'))) seed('safetensors', f.bytes, `${repo.label}__${f.rel}`);

  // architecture: every config.json (root and component folders).
  for (const f of texts.filter((x) => path.basename(x.rel) === 'config.json')) seed('architecture', f.bytes, `${repo.label}__${f.rel}`);

  // shard_index: every index, shrunk when large.
  const small_text = (f) => {
    if (!is_index(f.rel) || f.bytes.length <= MAX_INDEX_BYTES) return f.bytes.toString('utf8');
    return shrink_index(f.bytes.toString('utf8')) ?? f.bytes.subarray(0, MAX_INDEX_BYTES).toString('utf8');
  };
  for (const f of texts.filter((x) => is_index(x.rel))) seed('shard_index', small_text(f), `${repo.label}__${f.rel}`);

  // layout: the listing and the manifests/indexes/configs the planner reads, per variant.
  const layout_texts = texts
    .filter((x) => is_index(x.rel) || ['model_index.json', 'modules.json'].includes(x.rel) || path.basename(x.rel) === 'config.json')
    .map((f) => `T ${f.rel}\n${small_text(f)}`);
  for (const v of ['', ...variants]) seed('layout', bundle([listing, ...layout_texts, ...(v ? [`V ${v}`] : [])]), `${repo.label}${v ? '__' + v : ''}`);
  seed('layout', listing, `${repo.label}__listing-only`);

  // pipeline and hub_client read whole repos. A big repo is slimmed so the fuzzer stays fast: each
  // header keeps its first tensors (sizes in the listing follow), each index one entry per shard
  // (analyze reads only the shard list from it).
  const full_bytes = files.reduce((n, f) => n + (is_text(f.rel) || f.rel.endsWith('.safetensors') ? f.bytes.length : 0), 0);
  let sfiles = files;
  if (full_bytes > SLIM_ABOVE_BYTES) {
    const per_header = Math.max(2, Math.min(24, Math.floor(SLIM_TENSORS / Math.max(1, weights.length))));
    sfiles = files.map((f) => {
      if (f.rel.endsWith('.safetensors') && f.bytes.length > 0) {
        const slim = shrink_prefix(f.bytes, per_header);
        return slim ? { ...f, ...slim } : f;
      }
      if (is_index(f.rel)) {
        const slim = shrink_index(f.bytes.toString('utf8'), 8);
        return slim ? { ...f, bytes: Buffer.from(slim), size: Buffer.byteLength(slim) } : f;
      }
      return f;
    });
  }
  const stexts = sfiles.filter((f) => is_text(f.rel));
  const sweights = sfiles.filter((f) => f.rel.endsWith('.safetensors') && f.bytes.length > 0);
  const slisting = 'F\n' + sfiles.map((f) => `${f.size} ${f.rel}`).join('\n');
  const all_texts = stexts.map((f) => `T ${f.rel}\n${f.bytes.toString('utf8')}`);
  const headers = sweights.map((f) => header_of(f.bytes)).map((h, i) => (h ? Buffer.concat([Buffer.from(`H ${sweights[i].rel}\n`), h]) : null)).filter(Boolean);
  const snap = bundle([slisting, ...all_texts, ...headers]);
  if (snap.length <= MAX_BUNDLE_BYTES) {
    seed('pipeline', snap, repo.label);
    seed('repo', snap, repo.label);  // the same bundle, served file by file to the Hub client
    seed('pipeline', bundle([snap, ...option_sets]), `${repo.label}__options`);
    for (const v of variants) seed('pipeline', bundle([snap, `V ${v}`]), `${repo.label}__${v}`);
    if (snap.length < 64 << 10) {
      // The stored-snapshot form (snapshot_to_json), as the page keeps it for offline use.
      const j = {
        schema: 1, repo_id: repo.id, revision: 'main', sha: meta.sha || SHA, gated: String(meta.gated ?? false),
        library_name: meta.library_name || '', pipeline_tag: meta.pipeline_tag || '', variant: '',
        files: sfiles.map((f) => ({ path: f.rel, size: f.size })),
        texts: Object.fromEntries(stexts.map((f) => [f.rel, f.bytes.toString('utf8')])),
        headers: Object.fromEntries(sweights.map((f) => [f.rel, header_of(f.bytes)?.toString('utf8') ?? ''])),
      };
      seed('pipeline', JSON.stringify(j), `${repo.label}__stored`);
    }
  }

  // hub_client: a scripted Hub answering the whole load (info, paged tree, files, header ranges).
  const sha = /^[0-9a-f]{40}$/.test(meta.sha || '') ? meta.sha : SHA;
  const tree = sfiles.map((f) => ({ type: 'file', oid: createHash('sha1').update(f.rel).digest('hex'), size: f.size, path: f.rel }));
  const folders = [...new Set(sfiles.map((f) => path.dirname(f.rel)).filter((d) => d !== '.'))].map((d) => ({ type: 'directory', oid: SHA, size: 0, path: d }));
  const entries = [...tree, ...folders];
  const half = Math.ceil(entries.length / 2);
  const next = `<https://hub.test/api/models/${repo.id}/tree/main?recursive=true&cursor=${Buffer.from('p2').toString('base64')}>; rel="next"`;
  const hub = [
    `!repo=${repo.id}${meta.private ? '\ntoken=hf_fixture_alice' : ''}`,
    `info 200\ncontent-type: application/json\n\n` +
      JSON.stringify({ id: repo.id, sha, gated: meta.gated ?? false, library_name: meta.library_name, pipeline_tag: meta.pipeline_tag }),
    entries.length > 8
      ? `tree 200\nlink: ${next}\n\n${JSON.stringify(entries.slice(0, half))}${RS}tree 200\n\n${JSON.stringify(entries.slice(half))}`
      : `tree 200\n\n${JSON.stringify(entries)}`,
    ...stexts.map((f) => `${f.rel} 200\n\n${f.bytes.toString('utf8')}`),
    ...sweights.map((f) => Buffer.concat([Buffer.from(`${f.rel} 206\ncontent-range: bytes 0-${f.bytes.length - 1}/${f.size}\n\n`), f.bytes])),
  ];
  const hub_bytes = bundle(hub);
  if (hub_bytes.length <= MAX_BUNDLE_BYTES) {
    seed('hub_client', hub_bytes, repo.label);
    for (const v of variants) seed('hub_client', bundle([`${hub[0]}\nvariant=${v}`, ...hub.slice(1)]), `${repo.label}__${v}`);
  }
  // The long-header path: the first range ends inside the header, a second request reads the rest.
  if (sweights.length === 1 && sweights[0].bytes.length > 4096 && hub_bytes.length <= MAX_BUNDLE_BYTES) {
    const w = sweights[0];
    const split_at = 4096;
    const head = hub.slice(0, 3 + stexts.length);
    const two = head.concat([
      Buffer.concat([Buffer.from(`${w.rel} 206\ncontent-range: bytes 0-${split_at - 1}/${w.size}\n\n`), w.bytes.subarray(0, split_at)]),
      Buffer.concat([Buffer.from(`${w.rel} 206\ncontent-range: bytes ${split_at}-${w.bytes.length - 1}/${w.size}\n\n`), w.bytes.subarray(split_at)]),
    ]);
    seed('hub_client', bundle(two), `${repo.label}__two-ranges`);
    // A server that ignores Range: 200 with more than was asked (cut=0: the transport passes it on).
    const ignore = [`${hub[0]}\ncut=0`, ...head.slice(1), Buffer.concat([Buffer.from(`${w.rel} 200\n\n`), w.bytes, Buffer.alloc(64)])];
    seed('hub_client', bundle(ignore), `${repo.label}__ignores-range`);
  }
}

// hub_client: the Hub's failure answers (hub-protocol error headers) and transport failures.
const failures = {
  gated: 'info 401\nx-error-code: GatedRepo\nx-error-message: Access to model acme/model is restricted.\n\n{"error":"gated"}',
  'not-found': 'info 404\nx-error-code: RepoNotFound\n\n{"error":"Repository not found"}',
  'bad-token': 'info 401\nx-error-message: Invalid credentials in Authorization header\n\n{"error":"Invalid credentials in Authorization header"}',
  revision: 'info 404\nx-error-code: RevisionNotFound\n\n{"error":"Invalid rev id: nope"}',
  'rate-limited': 'tree 429\nretry-after: 30\n\n',
  timeout: 'info 0\n:timed_out\n\n',
  network: 'tree 0\n:error Could not resolve host\n\n',
  html: 'info 200\ncontent-type: text/html\n\n<!doctype html><html></html>',
  'entry-not-found': `info 200\n\n{"id":"acme/model","sha":"${SHA}"}${RS}tree 200\n\n[{"type":"file","path":"model.safetensors","size":100}]${RS}model.safetensors 404\nx-error-code: EntryNotFound\n\nEntry not found`,
  'bad-range': `info 200\n\n{"id":"acme/model","sha":"${SHA}"}${RS}tree 200\n\n[{"type":"file","path":"model.safetensors","size":100}]${RS}model.safetensors 206\ncontent-range: bytes 5-2/100\n\nxx`,
  'cross-origin-page': `!token=hf_x\n${RS}info 200\n\n{"id":"acme/model","sha":"${SHA}"}${RS}tree 200\nlink: <https://evil.test/api/models/acme/model/tree/main?cursor=x>; rel="next"\n\n[]`,
};
for (const [name, text] of Object.entries(failures)) seed('hub_client', text, `failure__${name}`);
seed('hub_client', `!order=lifo\ncancel=2${RS}* 200\n\n{}`, 'cancel');
seed('hub_client', `!order=alt\ndestroy=1${RS}* 200\n\n{}`, 'destroy');

// gguf: no .gguf fixtures yet, so small GGUF v3 prefixes are written here (layout: core/estimator/gguf.hpp).
function gguf(kvs, tensors, { big_endian = false, alignment = 32 } = {}) {
  const parts = [];
  const int = (v, n) => {
    const b = Buffer.alloc(n);
    let x = BigInt(v);
    for (let k = 0; k < n; k++) b[big_endian ? n - 1 - k : k] = Number((x >> BigInt(8 * k)) & 0xffn);
    parts.push(b);
  };
  const str = (t) => { const b = Buffer.from(t, 'utf8'); int(b.length, 8); parts.push(b); };
  const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10 };
  const value = (type, v) => {
    if (type === 'string') str(v);
    else if (type === 'u32' || type === 'i32') int(v, 4);
    else if (type === 'u64') int(v, 8);
    else if (type === 'bool') int(v ? 1 : 0, 1);
    else if (type === 'f32') { const b = Buffer.alloc(4); big_endian ? b.writeFloatBE(v) : b.writeFloatLE(v); parts.push(b); }
  };
  parts.push(Buffer.from('GGUF'));
  int(3, 4);
  int(tensors.length, 8);
  int(kvs.length, 8);
  for (const [key, type, v] of kvs) {
    str(key);
    if (type.startsWith('array:')) {
      const et = type.slice(6);
      int(T.array, 4); int(T[et], 4); int(v.length, 8);
      for (const e of v) value(et, e);
    } else {
      int(T[type], 4);
      value(type, v);
    }
  }
  // ggml types: F32 0 (4 B/elem), F16 1 (2 B/elem), Q8_0 8 (34 B per 32 elems)
  const bytes = (t, n) => (t === 0 ? 4 * n : t === 1 ? 2 * n : (n / 32) * 34);
  let offset = 0;
  for (const [name, ne, type] of tensors) {
    str(name); int(ne.length, 4); for (const d of ne) int(d, 8); int(type, 4); int(offset, 8);
    offset += bytes(type, ne.reduce((a, b) => a * b, 1));
    offset = Math.ceil(offset / alignment) * alignment;
  }
  return Buffer.concat(parts);
}
const llama_kv = [
  ['general.architecture', 'string', 'llama'], ['general.name', 'string', 'tiny'], ['general.file_type', 'u32', 7],
  ['general.alignment', 'u32', 32], ['llama.block_count', 'u32', 2], ['llama.context_length', 'u32', 4096],
  ['llama.embedding_length', 'u32', 64], ['llama.feed_forward_length', 'u32', 128], ['llama.attention.head_count', 'u32', 4],
  ['llama.attention.head_count_kv', 'u32', 2], ['llama.rope.dimension_count', 'u32', 16],
  ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5], ['tokenizer.ggml.model', 'string', 'llama'],
  ['tokenizer.ggml.tokens', 'array:string', ['<s>', '</s>', 'a', 'b', 'ab']], ['tokenizer.ggml.merges', 'array:string', ['a b']],
  ['tokenizer.ggml.add_bos_token', 'bool', true],
];
const llama_tensors = [
  ['token_embd.weight', [64, 32], 1], ['blk.0.attn_q.weight', [64, 64], 8], ['blk.0.attn_k.weight', [64, 32], 8],
  ['blk.1.attn_q.weight', [64, 64], 8], ['output_norm.weight', [64], 0],
];
const tiny = gguf(llama_kv, llama_tensors);
seed('gguf', tiny, 'llama-tiny');
seed('gguf', gguf(llama_kv, llama_tensors, { big_endian: true }), 'llama-tiny-big-endian');
seed('gguf', tiny.subarray(0, 120), 'llama-tiny-cut');
seed('gguf', gguf(llama_kv.map(([k, t, v]) => (k === 'llama.attention.head_count_kv' ? [k, 'array:u32', [2, 0]] : [k, t, v])), llama_tensors), 'per-layer-kv-heads');
seed('gguf', gguf([
  ['general.architecture', 'string', 'deepseek2'], ['deepseek2.block_count', 'u32', 1], ['deepseek2.context_length', 'u32', 163840],
  ['deepseek2.embedding_length', 'u32', 128], ['deepseek2.attention.head_count', 'u32', 4], ['deepseek2.attention.head_count_kv', 'u32', 1],
  ['deepseek2.attention.kv_lora_rank', 'u32', 512], ['deepseek2.attention.key_length', 'u32', 576], ['deepseek2.attention.value_length', 'u32', 512],
  ['deepseek2.attention.key_length_mla', 'u32', 192], ['deepseek2.attention.value_length_mla', 'u32', 128], ['deepseek2.rope.dimension_count', 'u32', 64],
  ['deepseek2.expert_count', 'u32', 8], ['deepseek2.expert_used_count', 'u32', 2],
], [['token_embd.weight', [128, 16], 1]]), 'deepseek2-mla');
seed('gguf', gguf([
  ['general.architecture', 'string', 'gemma3'], ['gemma3.block_count', 'u32', 6], ['gemma3.context_length', 'u32', 131072],
  ['gemma3.embedding_length', 'u32', 64], ['gemma3.attention.head_count', 'u32', 4], ['gemma3.attention.head_count_kv', 'u32', 1],
  ['gemma3.attention.key_length', 'u32', 256], ['gemma3.attention.value_length', 'u32', 256], ['gemma3.attention.sliding_window', 'u32', 1024],
], [['token_embd.weight', [64, 8], 0]], { alignment: 64 }), 'gemma3-sliding');

// json_check: JSON texts that reach each of JsonCheck's rules (objects, escapes, surrogates, UTF-8, numbers).
for (const [text, hint] of [
  ['{"a":[1,-0.5e+3,true,false,null,{}],"b":"x\\u00e9\\ud83d\\ude00\\n","c":[]}', 'all-kinds'],
  ['\ufeff [ "\u00e9\u4e2d\u{1f600}" ] ', 'bom-utf8'],
  ['[1e999]', 'double-overflow'],
  ['["\\ud800"]', 'lone-surrogate'],
  ['123456789012345678901234567890', 'long-integer'],
]) seed('json_check', text, hint);

// Dictionaries: the hand-written tokens + every short string literal of the sources a target reads.
const dict_sources = {
  safetensors: ['core/estimator/safetensors.cpp', 'core/estimator/dtype.cpp'],
  gguf: ['core/estimator/gguf.cpp', 'core/estimator/architecture.cpp'],
  architecture: ['core/estimator/architecture.cpp', 'core/estimator/quantization.cpp'],
  shard_index: ['core/estimator/repo_layout.cpp'],
  layout: ['core/estimator/repo_layout.cpp'],
  hub_client: ['core/hub/hub_client.cpp', 'core/estimator/repo_layout.cpp'],
  pipeline: ['core/estimator/*.cpp'],
  repo: ['core/hub/hub_client.cpp', 'core/estimator/repo_layout.cpp', 'core/estimator/safetensors.cpp'],
  json_check: [],
};
fs.mkdirSync(path.join(out, 'dicts'), { recursive: true });
for (const t of targets) {
  const lines = [];
  const own = path.join(here, 'dicts', `${t}.dict`);
  if (fs.existsSync(own)) lines.push(fs.readFileSync(own, 'utf8').trimEnd());
  const json_dict = path.join(here, 'dicts', 'json.dict');
  if (fs.existsSync(json_dict)) lines.push(fs.readFileSync(json_dict, 'utf8').trimEnd());
  const words = new Set();
  for (const pattern of dict_sources[t]) {
    const dir = path.join(root, path.dirname(pattern));
    const base = path.basename(pattern);
    const names = base.includes('*') ? fs.readdirSync(dir).filter((n) => n.endsWith('.cpp')) : [base];
    for (const n of names) {
      const src = fs.readFileSync(path.join(dir, n), 'utf8');
      for (const m of src.matchAll(/"([A-Za-z0-9_.:\/ -]{2,40})"/g)) words.add(m[1]);
    }
  }
  lines.push(...[...words].sort().map((w) => `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`));
  fs.writeFileSync(path.join(out, 'dicts', `${t}.dict`), lines.join('\n') + '\n');
}

console.log(Object.entries(counts).map(([t, n]) => `${t}: ${n} new seeds`).join(', '));
