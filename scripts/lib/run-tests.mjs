// Runs every test suite — Catch2 under ctest (native core), node:test (the Hub imitation, the CLI
// against it, the wasm build), Playwright in Chromium (the page) — and ends with one line
// "N passed, N failed". Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const only = process.argv[2];  // optional: native | node | publish | e2e | e2e-published | fuzz

function run(name, cmd, args, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ name, code, out, seconds: (Date.now() - started) / 1000 }));
  });
}

function counts(r) {
  const summary = r.out.split('== fuzz summary')[1];
  if (summary) {
    const rows = [...summary.matchAll(/crashes (\d+)/g)].map((m) => Number(m[1]));
    return { passed: rows.filter((n) => n === 0).length, failed: rows.filter((n) => n > 0).length };
  }
  let m = r.out.match(/(\d+)% tests passed, (\d+) tests failed out of (\d+)/);
  if (m) return { passed: Number(m[3]) - Number(m[2]), failed: Number(m[2]) };
  const pass = r.out.match(/^# pass (\d+)/m), fail = r.out.match(/^# fail (\d+)/m);
  if (pass && fail) return { passed: Number(pass[1]), failed: Number(fail[1]) };
  m = [...r.out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  if (m) return { passed: Number(m[1]), failed: Number(m[2]) };
  return { passed: 0, failed: 1 };  // a suite that printed no count did not run properly
}

const suites = [];
if (!only || only === 'source')
  suites.push(['source (clang-format, file and function sizes in core/)', process.execPath, ['scripts/lib/check-source.mjs']]);
if (!only || only === 'native')
  suites.push(['native (Catch2)', 'ctest', ['--test-dir', 'build/native', '--output-on-failure', '-j2']]);
if (!only || only === 'node')
  suites.push(['node (hub imitation, CLI, wasm)', process.execPath,
    ['--test', '--test-reporter=tap', 'tests/hub/', 'tests/cli/', 'tests/node/'], { VRAM_WASM_DIR: path.join(root, 'build/wasm') }]);
// npm pack + the tarball installed in an empty folder, scripts/publish, the Pages workflow, scripts/check-live's comparison.
if (!only || only === 'publish')
  suites.push(['publish (npm package, release site, workflow)', process.execPath, ['--test', '--test-reporter=tap', 'tests/publish/']]);
if (!only || only === 'e2e')
  suites.push(['e2e (Chromium)', process.execPath, ['tests/e2e/run.mjs']]);
// The same scenarios on scripts/publish's output, served by the plain static server from a sub-path.
if (!only || only === 'e2e-published')
  suites.push(['e2e (Chromium), the published site from a sub-path', 'bash',
    ['-c', 'node scripts/lib/publish.mjs build/published >/dev/null && node tests/e2e/run.mjs'],
    { VRAM_E2E_SITE: 'build/published', VRAM_E2E_PREFIX: '/hf-vram-estimator/' }]);
if (!only || only === 'fuzz')
  suites.push(['fuzz smoke (libFuzzer, ASan + UBSan, 5 s per target)', path.join(root, 'scripts/fuzz'), ['--smoke']]);

let passed = 0, failed = 0;
const lines = [];
for (const [name, cmd, args, env] of suites) {
  const r = await run(name, cmd, args, env);
  const c = counts(r);
  if (r.code !== 0 && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  lines.push(`${name}: ${c.passed} passed, ${c.failed} failed (${r.seconds.toFixed(1)} s)`);
}
console.log('\n' + lines.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
