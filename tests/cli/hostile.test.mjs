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
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
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

// Runs the CLI against `hub`; a run past the budget is killed, so a hang fails the test instead of
// stalling the suite.
function run(hub, args, { budgetMs = BUDGET_MS } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cli, args, {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', HF_ENDPOINT: hub.hubUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const killer = setTimeout(() => child.kill('SIGKILL'), budgetMs);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, budgetMs });
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
