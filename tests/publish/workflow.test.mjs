// The GitHub Pages workflow cannot run here: it is linted (yamllint, strict) and read — the official
// Pages actions, in the order Pages needs, and every command it runs is one the README gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workflowPath = path.join(root, '.github/workflows/pages.yml');

// YAML through the python3-yaml that yamllint brings (scripts/setup installs yamllint).
function loadYaml(file) {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const out = execFileSync(python, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))', file], { encoding: 'utf8' });
  return JSON.parse(out);
}
const workflow = loadYaml(workflowPath);
const steps = (job) => workflow.jobs[job].steps;
// The README's "## Publish" section, up to the next "## " heading.
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const publishSection = readme.split(/^## /m).find((s) => s.startsWith('Publish')) || '';
const readmeCommands = [...publishSection.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);

test('the workflow passes yamllint in strict mode', () => {
  const r = spawnSync('yamllint', ['-s', '-f', 'parsable', '-c', path.join(root, '.github/yamllint.yml'), path.join(root, '.github')], { encoding: 'utf8' });
  assert.ok(!r.error, `yamllint is not installed (scripts/setup installs it): ${r.error?.message}`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('it runs on a push to main and deploys with the official Pages actions, build before deploy', () => {
  // PyYAML reads the key `on` as the boolean true (YAML 1.1).
  const on = workflow.on ?? workflow.true;
  assert.deepEqual(on.push.branches, ['main']);
  const uses = steps('build').filter((s) => s.uses).map((s) => s.uses.split('@')[0]);
  assert.deepEqual(uses, ['actions/checkout', 'actions/setup-node', 'actions/configure-pages', 'actions/upload-pages-artifact']);
  assert.deepEqual(steps('deploy').map((s) => s.uses.split('@')[0]), ['actions/deploy-pages']);
  assert.equal(workflow.jobs.deploy.needs, 'build');
  assert.equal(workflow.jobs.deploy.environment.name, 'github-pages');
  assert.deepEqual(workflow.jobs.deploy.permissions, { pages: 'write', 'id-token': 'write' });
  assert.equal(String(steps('build').find((s) => s.uses?.startsWith('actions/setup-node')).with['node-version']), '20');
});

test('it runs scripts/test, then publishes into the folder it uploads', () => {
  const runs = steps('build').filter((s) => s.run).map((s) => s.run.trim());
  assert.deepEqual(runs, ['./scripts/test', './scripts/publish _site']);
  const runIndex = (cmd) => steps('build').findIndex((s) => s.run?.trim() === cmd);
  const uploadIndex = steps('build').findIndex((s) => s.uses?.startsWith('actions/upload-pages-artifact'));
  assert.ok(runIndex('./scripts/test') < runIndex('./scripts/publish _site') && runIndex('./scripts/publish _site') < uploadIndex);
  assert.equal(steps('build').find((s) => s.uses?.startsWith('actions/upload-pages-artifact')).with.path, '_site');
});

test('every command the workflow runs is one the README gives in its Publish section', () => {
  assert.ok(readmeCommands.length > 0, 'README.md has a "## Publish" section with sh code blocks');
  const runs = Object.values(workflow.jobs).flatMap((j) => j.steps).filter((s) => s.run)
    .flatMap((s) => s.run.split('\n')).map((l) => l.trim()).filter(Boolean);
  for (const cmd of runs) assert.ok(readmeCommands.includes(cmd), `the workflow runs "${cmd}", which README.md § Publish does not give (it gives: ${readmeCommands.join(' | ')})`);
});

test('the README quick start is still exactly two commands', () => {
  const quick = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
  const block = quick.match(/```sh\n([\s\S]*?)```/)[1];
  const cmds = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  assert.deepEqual(cmds, ['./scripts/serve --demo', './scripts/test']);
  assert.ok(readme.indexOf('## Publish') > readme.indexOf('## Quick start'), 'Publish comes after the quick start');
});
