// The native command line against a hostile Hub (issue #9 §2): every fault switch of the Hub
// imitation (tests/hub/README.md, "Fault switches") and every hostile crafted repo
// (tests/fixtures/crafted/build.mjs). For each: the CLI ends within a time budget, exits with the
// code of the case, prints nothing on stdout when it fails, and names the problem on stderr; where
// the fault is short-lived (a 5xx burst, a 429 with Retry-After) it retries and gives the same
// estimate as an undisturbed Hub.
//
// Each test starts its own imitation with its faults, so the tests run concurrently and no fault
// leaks into another test. The CLI is spawned asynchronously: spawnSync would block the imitation,
// which lives in this process.
// Run: node --test tests/cli/hostile.test.mjs (needs build/native/vram-estimate).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHub } from '../hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'build/native/vram-estimate');
const fixtures = path.join(root, 'tests/fixtures/hub');

// Exit codes of vram-estimate (core/cli/main.cpp).
const EXIT = { ok: 0, usage: 2, notFound: 3, denied: 4, network: 5, noWeights: 6, malformed: 7 };
// No scenario may take longer; the worst legitimate one is four retries with backoff
// (0.5 + 1 + 2 + 4 s) under the load of the concurrent tests.
const BUDGET_MS = 20_000;
// --timeout (seconds) passed wherever a stall is involved, and how long such a run may take.
const STALL_TIMEOUT_S = 2;
const STALL_BUDGET_MS = 8_000;
// A 429 whose Retry-After the CLI will not wait for must fail at once, not after the wait.
const NO_WAIT_BUDGET_MS = 5_000;
const TINY = 'fixture-crafted/tiny-ok';
const SCRIPT_TAG = '<script>alert(1)</script>';
const IMG_TAG = '<img src=x onerror=alert(1)>';
// The status-0 message of the core, right for a refused connection and wrong once the server answered.
const NO_ANSWER_WORDING = /offline|unreachable|cross-origin/i;

// The CLI's peak RSS must stay under this in every scenario (issue #16), measured with GNU time
// where it is installed (/usr/bin/time -f %M, kilobytes).
const MAX_RSS_KB = 512 * 1024;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vram-hostile-'));
const peaks = [];
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  if (peaks.length) {
    peaks.sort((a, b) => b.rssKb - a.rssKb);
    console.log(`# peak RSS of the CLI, highest first (MiB): ${peaks.slice(0, 12).map((p) => `${(p.rssKb / 1024).toFixed(0)} ${p.args}`).join('; ')}`);
  }
});

// Runs the CLI against `hub`; a run past the budget is killed, so a hang fails the test instead of
// stalling the suite. `rssKb` is its peak resident set (null without GNU time).
let runs = 0;
function run(hub, args, { budgetMs = BUDGET_MS } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const timeFile = path.join(scratch, `time-${++runs}.txt`);
    const [command, argv] = TIME ? [TIME, ['-o', timeFile, '-f', '%M', cli, ...args]] : [cli, args];
    const child = spawn(command, argv, {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', HF_ENDPOINT: hub.hubUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: the killer below ends GNU time and the CLI under it
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const killer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, budgetMs);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      let rssKb = null;
      if (TIME && fs.existsSync(timeFile)) {
        // GNU time: "Command terminated by signal N" / "Command exited with non-zero status N", then %M.
        const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        const m = /^Command terminated by signal (\d+)/.exec(lines[0]);
        if (m) signal = `signal ${m[1]}`;
        rssKb = Number(lines.at(-1));
        peaks.push({ rssKb, args: args.join(' ') });
      }
      resolve({ code, signal, stdout, stderr, rssKb, ms: performance.now() - started, budgetMs });
    });
  });
}

// A fresh imitation with `faults` on, closed after `body`.
async function withHub(faults, body) {
  const hub = await startHub({ fixtures, faults });
  try {
    return await body(hub);
  } finally {
    await hub.close();
  }
}

// One CLI run against a fresh imitation with `faults` on.
function runWith(faults, args, options) {
  return withHub(faults, (hub) => run(hub, args, options));
}

function assertInTime(r) {
  assert.equal(r.signal, null, `the CLI was ended by ${r.signal} (a crash, or killed after ${r.budgetMs} ms)\n${r.stderr}`);
  assert.ok(r.ms < r.budgetMs, `took ${Math.round(r.ms)} ms, budget ${r.budgetMs} ms`);
  if (r.rssKb !== null) assert.ok(r.rssKb < MAX_RSS_KB, `peak RSS ${Math.round(r.rssKb / 1024)} MiB, limit 512 MiB`);
}

function assertFails(r, code, problem) {
  assertInTime(r);
  assert.equal(r.code, code, `exit code ${r.code}, expected ${code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout on failure');
  assert.match(r.stderr, problem);
}

function assertSucceeds(r) {
  assertInTime(r);
  assert.equal(r.code, EXIT.ok, r.stderr);
}

// The estimate of a repo from an undisturbed imitation.
const baselines = new Map();
async function baseline(repo) {
  if (!baselines.has(repo)) {
    const r = await runWith({}, [repo, '--json']);
    assertSucceeds(r);
    baselines.set(repo, JSON.parse(r.stdout));
  }
  return baselines.get(repo);
}

async function assertSameEstimate(r, repo) {
  assertSucceeds(r);
  const got = JSON.parse(r.stdout);
  const want = await baseline(repo);
  assert.deepEqual(got.estimates_bytes, want.estimates_bytes);
  assert.equal(got.parameters, want.parameters);
  assert.equal(got.tensors, want.tensors);
}

describe('the CLI against a hostile Hub', { concurrency: true }, () => {
  // --------------------------------------------------------------------------------------------
  // Short-lived faults: retried, same estimate.

  test('a burst of 500, 502 and 503 is retried and gives the undisturbed estimate', async () => {
    await withHub({ status5xx: { count: 3, statuses: [500, 502, 503] } }, async (hub) => {
      const r = await run(hub, [TINY, '--json']);
      await assertSameEstimate(r, TINY);
      assert.deepEqual(hub.requests.filter((q) => q.status >= 500).map((q) => q.status), [500, 502, 503]);
    });
  });

  test('a 503 burst on /resolve/ only is retried', async () => {
    await withHub({ status5xx: { count: 2, statuses: [503], match: '/resolve/' } }, async (hub) => {
      await assertSameEstimate(await run(hub, [TINY, '--json']), TINY);
      assert.equal(hub.requests.filter((q) => q.status === 503 && q.path.includes('/resolve/')).length, 2);
    });
  });

  test('a 503 burst on the CDN only is retried', async () => {
    await withHub({ status5xx: { count: 2, match: { origin: 'cdn' } } }, async (hub) => {
      await assertSameEstimate(await run(hub, [TINY, '--json']), TINY);
      assert.equal(hub.requests.filter((q) => q.status === 503 && q.origin === 'cdn').length, 2);
    });
  });

  test('a 429 with Retry-After 1 is waited for, then retried', async () => {
    await withHub({ rateLimit: { count: 1, retryAfter: 1 } }, async (hub) => {
      await assertSameEstimate(await run(hub, [TINY, '--json']), TINY);
      const limited = hub.requests.find((q) => q.status === 429);
      const retried = hub.requests.find((q) => q.t > limited.t && q.path === limited.path);
      assert.ok(retried, 'the rate-limited request was sent again');
      assert.ok(retried.t - limited.t >= 950, `retried after ${retried.t - limited.t} ms, Retry-After said 1 s`);
    });
  });

  test('a 429 without Retry-After is retried with backoff', async () => {
    await withHub({ rateLimit: { count: 1, retryAfter: null } }, async (hub) => {
      await assertSameEstimate(await run(hub, [TINY, '--json']), TINY);
      assert.equal(hub.requests.filter((q) => q.status === 429).length, 1);
    });
  });

  test('a CDN that ignores Range: the read of a 548 MB file is capped and the estimate is unchanged', async () => {
    await withHub({ ignoreRange: true }, async (hub) => {
      await assertSameEstimate(await run(hub, ['gpt2', '--json']), 'gpt2');
      const cdn = hub.requests.filter((q) => q.origin === 'cdn');
      assert.ok(cdn.length > 0 && cdn.every((q) => q.status === 200 && q.range !== null));
      // The imitation copes with the client closing mid-body and answers on.
      assert.equal((await fetch(`${hub.hubUrl}/api/models/openai-community/gpt2`)).status, 200);
    });
  });

  test('a CDN that ignores Range still gives the estimate of a header longer than the first read', async () => {
    await baseline('fixture-crafted/header-over-first-read');
    await assertSameEstimate(await runWith({ ignoreRange: true }, ['fixture-crafted/header-over-first-read', '--json']),
      'fixture-crafted/header-over-first-read');
  });

  // --------------------------------------------------------------------------------------------
  // Faults that last: a bounded failure with its own exit code and message.

  test('5xx answers that do not end exit 5 naming the status, after the retries', async () => {
    const r = await runWith({ status5xx: { count: 1000, statuses: [502] } }, [TINY]);
    assertFails(r, EXIT.network, /HTTP 502/);
  });

  test('a rate limit that does not end exits 5 saying it was rate limited', async () => {
    const r = await runWith({ rateLimit: { count: 1000, retryAfter: null } }, [TINY]);
    assertFails(r, EXIT.network, /rate limit/i);
  });

  test('a Retry-After longer than the CLI waits exits 5 at once', async () => {
    const r = await runWith({ rateLimit: { count: 1000, retryAfter: 3600 } }, [TINY], { budgetMs: NO_WAIT_BUDGET_MS });
    assertFails(r, EXIT.network, /rate limit/i);
  });

  test('a Retry-After the CLI will not wait for is named in the message', async () => {
    const r = await runWith({ rateLimit: { count: 1000, retryAfter: 3600 } }, [TINY], { budgetMs: NO_WAIT_BUDGET_MS });
    assertFails(r, EXIT.network, /rate limit/i);
    assert.match(r.stderr, /3600|3,600|an hour|1 hour|60 minutes/);
  });

  test('a CDN body that stalls ends at --timeout, exit 5 saying it timed out', async () => {
    const r = await runWith({ stallAfterBytes: 4 }, [TINY, '--timeout', String(STALL_TIMEOUT_S)], { budgetMs: STALL_BUDGET_MS });
    assertFails(r, EXIT.network, /timed out.*model\.safetensors/);
    assert.ok(r.ms >= STALL_TIMEOUT_S * 1000 - 100, `gave up after ${Math.round(r.ms)} ms, before --timeout`);
  });

  test('a Hub API body that stalls ends at --timeout too', async () => {
    const faults = { stallAfterBytes: { bytes: 10, match: { origin: 'hub', path: '/api/models/' } } };
    const r = await runWith(faults, [TINY, '--timeout', String(STALL_TIMEOUT_S)], { budgetMs: STALL_BUDGET_MS });
    assertFails(r, EXIT.network, /timed out/);
  });

  test('a body cut short of its Content-Length exits 5 naming the partial transfer', async () => {
    const r = await runWith({ truncateBody: 4 }, [TINY]);
    assertFails(r, EXIT.network, /partial|truncated|cut short|closed/i);
    assert.match(r.stderr, /model\.safetensors/);
  });

  test('a 206 whose Content-Range disagrees with the body exits 7 naming Content-Range', async () => {
    const r = await runWith({ contentRangeMismatch: true }, [TINY]);
    assertFails(r, EXIT.malformed, /Content-Range.*model\.safetensors|model\.safetensors.*Content-Range/);
  });

  test('a resolve redirect to ftp:// is refused, exit 5 naming the scheme', async () => {
    assertFails(await runWith({ redirectToScheme: 'ftp' }, [TINY]), EXIT.network, /ftp/);
    const weights = await runWith({ redirectToScheme: { scheme: 'ftp', match: '.safetensors' } }, [TINY]);
    assertFails(weights, EXIT.network, /ftp/);
    assert.match(weights.stderr, /model\.safetensors/);
  });

  test('a redirect loop exits 5 naming the redirects', async () => {
    assertFails(await runWith({ redirectLoop: true }, [TINY]), EXIT.network, /redirect/i);
  });

  test('an HTML 500 where JSON is expected exits 5 with the HTTP status', async () => {
    assertFails(await runWith({ htmlErrors: true }, [TINY]), EXIT.network, /HTTP 500/);
  });

  test('a captive portal (200 with an HTML page) exits 7 saying the answer is not JSON', async () => {
    assertFails(await runWith({ htmlOk: true }, [TINY]), EXIT.malformed, /not (a )?(valid )?JSON/i);
    const config = await runWith({ htmlOk: { match: '/resolve-cache/' } }, [TINY]);
    assertFails(config, EXIT.malformed, /config\.json.*JSON/);
  });

  test('an endless tree listing stops, exit 7 naming the listing', async () => {
    assertFails(await runWith({ endlessTree: true }, [TINY]), EXIT.malformed, /listing/);
  });

  test('a failure after the server answered is not reported as "offline or unreachable"', async () => {
    for (const faults of [{ truncateBody: 4 }, { redirectLoop: true }, { redirectToScheme: 'ftp' }]) {
      const r = await runWith(faults, [TINY]);
      assertFails(r, EXIT.network, /./);
      assert.doesNotMatch(r.stderr, NO_ANSWER_WORDING, JSON.stringify(faults));
    }
  });

  // --------------------------------------------------------------------------------------------
  // Hostile repos.

  test('a length prefix longer than the served file exits 7 naming the file', async () => {
    const r = await runWith({}, ['fixture-crafted/header-longer-than-file']);
    assertFails(r, EXIT.malformed, /model\.safetensors/);
    assert.match(r.stderr, /100000|100,000/);
  });

  test('an index naming a shard the repo lacks exits 3 naming the shard, never a partial estimate', async () => {
    for (const format of [[], ['--json']]) {
      const r = await runWith({}, ['fixture-crafted/index-missing-shard', ...format]);
      assertFails(r, EXIT.notFound, /model-00002-of-00002\.safetensors/);
    }
  });

  test('an absurd config neither crashes nor hangs, and no figure is computed from its numbers', async () => {
    for (const extra of [[], ['-c', '4096', '-b', '8'], ['--profile', 'vllm'], ['--profile', 'transformers']]) {
      const text = await runWith({}, ['fixture-crafted/absurd-config', ...extra]);
      assertInTime(text);
      assert.ok([EXIT.ok, EXIT.malformed].includes(text.code), `exit ${text.code}: ${text.stderr}`);
      const json = await runWith({}, ['fixture-crafted/absurd-config', '--json', ...extra]);
      assertInTime(json);
      assert.equal(json.code, text.code);
      if (json.code !== EXIT.ok) {
        assert.equal(json.stdout, '');
        assert.match(json.stderr, /config\.json|num_hidden_layers|num_attention_heads|max_position_embeddings/);
        continue;
      }
      const j = JSON.parse(json.stdout);
      for (const [key, value] of Object.entries(j.estimates_bytes)) {
        assert.ok(Number.isSafeInteger(value) && value >= 0, `estimates_bytes.${key} = ${value}`);
      }
      // 10^12 layers or 2^40 tokens in any KV figure would be petabytes.
      assert.equal(j.estimates_bytes.kv_cache ?? 0, 0, 'no KV cache from 10^12 layers and -8 heads');
      assert.ok(j.estimates_bytes.total < 2 ** 40, `total ${j.estimates_bytes.total} bytes`);
      assert.doesNotMatch(text.stdout, /-8\b|1,?000,?000,?000,?000|1e\+?12|1099511627776|1,099,511,627,776/);
    }
  });

  test('an absurd config is refused or flagged, not reported as a model without KV cache', async () => {
    const r = await runWith({}, ['fixture-crafted/absurd-config', '--json']);
    assertInTime(r);
    if (r.code === EXIT.malformed) {
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /num_attention_heads|num_hidden_layers|max_position_embeddings/);
      return;
    }
    assert.equal(r.code, EXIT.ok, r.stderr);
    const j = JSON.parse(r.stdout);
    const said = [...(j.warnings ?? []), ...(j.notes ?? []), r.stderr].join('\n');
    assert.match(said, /num_attention_heads|num_hidden_layers|max_position_embeddings/);
    const text = await runWith({}, ['fixture-crafted/absurd-config']);
    assert.doesNotMatch(text.stdout, /Non-transformer or diffusion model/);
  });

  test('markup in config, tensor names and metadata is kept as data and counted like any tensor', async () => {
    await withHub({}, async (hub) => {
      const json = await run(hub, ['fixture-crafted/markup-strings', '--json']);
      assertSucceeds(json);
      const j = JSON.parse(json.stdout);
      assert.equal(j.architecture.model_type, SCRIPT_TAG);
      assert.equal(j.components[0].class_name, IMG_TAG);
      assert.equal(j.parameters, 12800);
      assert.equal(j.tensors, 2);
      // The same tensors and numbers as tiny-ok: the names change nothing.
      assert.deepEqual(j.estimates_bytes, (await baseline(TINY)).estimates_bytes);
      const text = await run(hub, ['fixture-crafted/markup-strings']);
      assertSucceeds(text);
      assert.ok(text.stdout.includes(SCRIPT_TAG), 'the text report shows the model type as it is');
      // The Markdown is pasted into model cards: no raw markup from the repo goes into it.
      const md = await run(hub, ['fixture-crafted/markup-strings', '--markdown']);
      assertSucceeds(md);
      assert.ok(!md.stdout.includes('<script') && !md.stdout.includes('<img'), md.stdout);
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Hardening II (issue #16): what adds up across requests, huge-but-legal repos, silent totals, and
// terminal output. Crafted repos are written into a scratch fixture tree served by its own imitation.

const ESC = '\u001b';
// A model type that would set the terminal title and clear the screen if printed raw.
const TERMINAL_ATTACK = `llama${ESC}]0;pwned\u0007${ESC}[2J\u202e`;

// A fixture tree of crafted repos: {'org/name': {file: Buffer|string|object}} (objects as JSON).
function writeRepos(repos) {
  const dir = fs.mkdtempSync(path.join(scratch, 'fixtures-'));
  for (const [id, files] of Object.entries(repos)) {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, id, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content, null, 1));
    }
  }
  return dir;
}

// A safetensors prefix: u64 length, then the JSON header padded with spaces to `padTo` bytes.
function safetensorsPrefix(headerText, padTo = 0) {
  const header = Buffer.from(headerText.padEnd(Math.max(padTo, headerText.length), ' '));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([prefix, header]);
}

const TINY_CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 64, intermediate_size: 128,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256, vocab_size: 100,
};

async function runCrafted(repos, args, faults = {}) {
  const hub = await startHub({ fixtures: writeRepos(repos), faults });
  try {
    return { r: await run(hub, args), hub };
  } finally {
    await hub.close();
  }
}

describe('the CLI against what adds up across requests (issue #16)', { concurrency: true }, () => {
  test('an endless model-info body stops at the 16 MiB cap: exit 7, RSS bounded', async () => {
    // Scoped to the model info: the listing is read at the same time, and an endless listing would race it.
    const r = await runWith({ endlessBody: { match: '/revision/' } }, [TINY]);
    assertFails(r, EXIT.malformed, /model info.*16 MiB/);
  });

  test('an endless tree page stops at the cap too', async () => {
    const r = await runWith({ endlessBody: { match: '/tree/' } }, [TINY]);
    assertFails(r, EXIT.malformed, /file listing.*16 MiB/);
  });

  test('a 4 GiB gzip bomb as the model info or the listing stops at 16 MiB inflated, never bad_alloc', async () => {
    assertFails(await runWith({ gzipBomb: { match: '/revision/' } }, [TINY]), EXIT.malformed, /model info.*16 MiB/);
    assertFails(await runWith({ gzipBomb: { match: '/tree/' } }, [TINY]), EXIT.malformed, /file listing.*16 MiB/);
  });

  test('a config.json that inflates past its limit is refused, not held', async () => {
    const r = await runWith({ gzipBomb: { inflatedBytes: 200 * 1024 * 1024, match: '/resolve-cache/' } }, [TINY]);
    assertFails(r, EXIT.malformed, /config\.json.*128 MB/);
  });

  test('an index listing 100k names for one shard does not size its first read past 4 MiB', async () => {
    const header = '{"model.embed_tokens.weight":{"dtype":"BF16","shape":[100,64],"data_offsets":[0,12800]}}';
    const weightMap = { 'model.embed_tokens.weight': 'model-00001-of-00001.safetensors' };
    for (let i = 0; i < 100_000; ++i) weightMap[`padding.${i}.weight`] = 'model-00001-of-00001.safetensors';
    const { r, hub } = await runCrafted({
      'crafted/huge-index': {
        'config.json': TINY_CONFIG,
        'model.safetensors.index.json': { metadata: { total_size: 12800 }, weight_map: weightMap },
        'model-00001-of-00001.safetensors': safetensorsPrefix(header),
      },
    }, ['crafted/huge-index', '--json']);
    assertInTime(r);
    const ranges = hub.requests.filter((q) => q.origin === 'cdn').map((q) => Number(/bytes=\d+-(\d+)/.exec(q.range)?.[1] ?? -1));
    assert.ok(ranges.length > 0 && ranges.every((end) => end < 4 * 1024 * 1024), `CDN ranges end at ${ranges}`);
  });

  test('41 legal shards with 95 MB headers end at the 256 MiB budget: exit 7, RSS under 512 MiB', async () => {
    const r = await runWith({ paddedHeader: 95_000_000 }, ['Qwen/Qwen3-Next-80B-A3B-Instruct'], { budgetMs: 60_000 });
    assertFails(r, EXIT.malformed, /256 MiB per estimate/);
  });

  test('headers padded below the budget still give the undisturbed estimate', async () => {
    await baseline(TINY);
    await assertSameEstimate(await runWith({ paddedHeader: 1_000_000 }, [TINY, '--json']), TINY);
  });

  test('a listing that answers one page per 500 ms without end stops at --deadline, exit 5', async () => {
    const faults = { endlessTree: true, delayMs: { ms: 500, match: '/tree/' } };
    const r = await runWith(faults, [TINY, '--deadline', '3'], { budgetMs: 8_000 });
    assertFails(r, EXIT.network, /deadline of 3 s/);
    assert.ok(r.ms >= 2_900, `gave up after ${Math.round(r.ms)} ms, before the deadline`);
  });

  test('--deadline must be a whole number of seconds', async () => {
    await withHub({}, async (hub) => {
      for (const bad of ['0', '-1', 'x', '1.5', '86401']) assertFails(await run(hub, [TINY, '--deadline', bad]), EXIT.usage, /deadline/);
      assertSucceeds(await run(hub, [TINY, '--deadline=60']));
    });
  });
});

describe('no silent wrong totals (issue #16)', { concurrency: true }, () => {
  test('a llama config without a usable num_hidden_layers and no layer tensors fails naming the key', async () => {
    for (const [set, unset, shown] of [
      [{ num_hidden_layers: null }, [], /num_hidden_layers is null/],
      [{ num_hidden_layers: '2' }, [], /num_hidden_layers is the string "2"/],
      [{ num_hidden_layers: true }, [], /num_hidden_layers is the boolean true/],
      [{}, ['num_hidden_layers'], /num_hidden_layers is missing/],
    ]) {
      for (const format of [[], ['--json']]) {
        const r = await runWith({ configPatch: { set, unset } }, [TINY, ...format]);
        assertFails(r, EXIT.malformed, shown);
      }
    }
  });

  test('a llama config without num_hidden_layers counts the layers from the tensor names and says so', async () => {
    const repo = 'TinyLlama/TinyLlama-1.1B-Chat-v1.0';
    const want = await baseline(repo);
    const r = await runWith({ configPatch: { set: { num_hidden_layers: null } } }, [repo, '--json']);
    assertSucceeds(r);
    const j = JSON.parse(r.stdout);
    assert.equal(j.architecture.num_layers, 22);
    assert.deepEqual(j.estimates_bytes, want.estimates_bytes);
    assert.ok(j.warnings.some((w) => /22 layers counted from the tensor names/.test(w)), JSON.stringify(j.warnings));
  });

  test('9 shards of 2.3 × 10^18 bytes each are refused as an overflow, never a small total', async () => {
    const files = { 'config.json': TINY_CONFIG };
    const weightMap = {};
    const sizes = {};
    for (let k = 1; k <= 9; ++k) {
      const name = `model-0000${k}-of-00009.safetensors`;
      // 8 + 504 header bytes + data = 2.3 × 10^18, a size JSON.stringify writes exactly (2^61 it would
      // round to 2305843009213694000); 9 of them pass 2^64 ≈ 1.8 × 10^19.
      const data = (2_300_000_000_000_000_000n - 512n).toString();
      files[name] = safetensorsPrefix(`{"w${k}":{"dtype":"U8","shape":[${data}],"data_offsets":[0,${data}]}}`, 504);
      weightMap[`w${k}`] = name;
      sizes[name] = 2.3e18;
    }
    files['model.safetensors.index.json'] = { metadata: {}, weight_map: weightMap };
    files['.hub.json'] = { sizes };
    for (const format of [[], ['--json']]) {
      const { r } = await runCrafted({ 'crafted/overflow': files }, ['crafted/overflow', ...format]);
      assertFails(r, EXIT.malformed, /more than 2\^64/);
    }
  });

  test('a tensor name given twice in one header is malformed, exit 7 naming it', async () => {
    const header = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const { r } = await runCrafted({ 'crafted/duplicate': { 'config.json': TINY_CONFIG, 'model.safetensors': safetensorsPrefix(header) } },
      ['crafted/duplicate']);
    assertFails(r, EXIT.malformed, /"a" is given twice/);
  });
});

describe('terminal output is inert (issue #16)', { concurrency: true }, () => {
  test('escape sequences in the model type are printed escaped in every format', async () => {
    await withHub({ configPatch: { set: { model_type: TERMINAL_ATTACK } } }, async (hub) => {
      for (const format of [[], ['--markdown'], ['--json']]) {
        const r = await run(hub, [TINY, ...format]);
        assertSucceeds(r);
        assert.ok(!r.stdout.includes(ESC) && !r.stdout.includes('\u0007') && !r.stdout.includes('\u202e'), JSON.stringify(r.stdout.slice(0, 400)));
        if (format[0] === '--json') assert.equal(JSON.parse(r.stdout).architecture.model_type, TERMINAL_ATTACK);
        else if (format.length === 0) assert.match(r.stdout, /\\x1b\]0;pwned\\x07\\x1b\[2J\\u202e/);
      }
    });
  });

  test('a tensor name with control characters is escaped in the error that names it', async () => {
    const header = `{"evil\\u001b[31m":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"evil\\u001b[31m":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`;
    const { r } = await runCrafted({ 'crafted/evil-name': { 'config.json': TINY_CONFIG, 'model.safetensors': safetensorsPrefix(header) } },
      ['crafted/evil-name']);
    assertFails(r, EXIT.malformed, /evil\\x1b\[31m/);
    assert.ok(!r.stderr.includes(ESC));
  });
});
