// Every script module parses (node --check): the benchmark and the live check run only when somebody runs them, so
// a syntax error there stays hidden from the other tests until then (a quote inside a quoted string in
// tests/bench/report.mjs did, 2026-12-08).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIRS = ['scripts/lib', 'tests/bench', 'tests/hub', 'tests/e2e', 'tests/fuzz', 'tests/node'];

test('every .mjs of scripts/lib and the test harnesses parses', () => {
  const modules = DIRS.flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.mjs')).map((f) => path.join(d, f)));
  assert.ok(modules.length >= 30, `${modules.length} modules found`);
  const broken = [];
  for (const m of modules) {
    const r = spawnSync(process.execPath, ['--check', path.join(root, m)], { encoding: 'utf8' });
    if (r.status !== 0) broken.push(`${m}: ${(r.stderr.match(/\w*Error: .*/) || [r.stderr.trim()])[0]}`);
  }
  assert.deepEqual(broken, []);
});
