// Runs the CLI once per vendored row against a Hub endpoint and matches every measured quantity with its part of the
// report (lib/compare.mjs): the comparison behind docs/validation.md, shared with the tests.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { cliArgs, estimateFor, measuredBytes, relError } from './compare.mjs';

const run = promisify(execFile);
// The imitation's token for its gated fixtures (tests/fixtures/hub/_hub.json); it is sent to the local imitation only.
const FIXTURE_TOKEN = 'hf_fixture_alice';
// One CLI call answers in well under a second against the local imitation; a minute means something hangs.
const CLI_TIMEOUT_MS = 60_000;

export async function estimate(cli, hubUrl, args) {
  try {
    const { stdout } = await run(cli, [...args, '--endpoint', hubUrl, '--json'], {
      env: { ...process.env, HF_TOKEN: FIXTURE_TOKEN, HF_ENDPOINT: hubUrl }, timeout: CLI_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
    });
    return { report: JSON.parse(stdout) };
  } catch (e) {
    const first = String(e.stderr ?? e.message).split('\n').find((l) => l.trim()) ?? 'no message';
    return { error: `CLI ${e.killed ? 'timed out' : `exit ${e.code}`}: ${first}` };
  }
}

// One result line per measured quantity of every row.
export async function compareAll(rows, cli, hubUrl) {
  const out = [];
  for (const row of rows) {
    const plan = cliArgs(row);
    let report = null;
    let runError = null;
    if (plan.args) {
      const r = await estimate(cli, hubUrl, plan.args);
      report = r.report ?? null;
      runError = r.error ?? null;
    }
    for (const m of row.measured) {
      const base = { row, m, args: plan.args ?? null };
      const meas = measuredBytes(m);
      if (m.compare === false) out.push({ ...base, status: 'not compared', detail: m.why_not });
      else if (plan.skip) out.push({ ...base, status: plan.skip, detail: plan.detail });
      else if (runError) out.push({ ...base, status: 'CLI error', detail: runError });
      else if (meas === null) out.push({ ...base, status: 'unit unknown', detail: `the basis of "${m.unit}" is not established` });
      else {
        const e = estimateFor(row, m, report);
        if (e.notModelled) out.push({ ...base, status: 'not modelled yet', detail: e.notModelled });
        else if (typeof e.bytes !== 'number' || !Number.isFinite(e.bytes)) out.push({ ...base, status: 'CLI error', detail: `the report lacks ${e.what}` });
        else out.push({ ...base, status: 'compared', est: e.bytes, meas, err: relError(row, m, e.bytes, meas), what: e.what });
      }
    }
  }
  return out;
}

