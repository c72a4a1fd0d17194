// Browser tests: the built page (build/site) in Debian's Chromium through playwright-core, against
// the Hub imitation. Each scenario is a full visit as a person makes it; screenshots go to
// test-output/e2e/ to be looked at. Ends with "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startHub } from '../hub/hub.mjs';
import { startStatic } from '../../scripts/lib/static-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'test-output/e2e');
fs.mkdirSync(outDir, { recursive: true });

const hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub') });
const site = await startStatic({ root: path.join(root, 'build/site') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });

let passed = 0, failed = 0;
async function scenario(name, fn) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  try {
    await fn(page, problems);
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').slice(0, 4).join('\n  ')}`);
    if (problems.length) console.log(`  ${problems.join('\n  ')}`);
    console.log(`  last requests:\n  ${hub.requests.slice(-8).map((q) => `${q.origin} ${q.method} ${q.path.slice(0, 100)} ${q.status}`).join('\n  ')}`);
  } finally {
    await context.close();
  }
}

function expect(cond, message) { if (!cond) throw new Error(message); }
const pageUrl = (query) => `${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}${query}`;

async function estimate(page, model, { token } = {}) {
  await page.goto(pageUrl(''));
  await page.fill('#model', model);
  if (token) await page.fill('#token', token);
  await page.click('#go');
  await page.waitForSelector('#total:not(:empty), #error:not([hidden])', { timeout: 15000 });
}

await scenario('a person types gpt2 and sees its exact parameter count, tensors and bytes', async (page, problems) => {
  await estimate(page, 'gpt2');
  expect(await page.textContent('#parameters') === '137,022,720', `parameters: ${await page.textContent('#parameters')}`);
  expect(await page.textContent('#tensors') === '160', 'tensors');
  expect(await page.textContent('#weight-bytes') === '548,090,880 B', 'weight bytes');
  expect(await page.textContent('#total') === '1.08 GB', `total: ${await page.textContent('#total')}`);
  await page.screenshot({ path: path.join(outDir, 'gpt2.png'), fullPage: true });
  expect(problems.length === 0, problems.join('; '));
});

await scenario('a sharded model reads both shard headers through the CDN redirect', async (page) => {
  const before = hub.requests.length;
  await estimate(page, 'mistralai/Mistral-7B-v0.1');
  expect(await page.textContent('#tensors') === '291', 'tensors');
  expect(await page.textContent('#weight-bytes') === '14,483,464,192 B', 'bytes');
  expect(await page.textContent('#total') === '19.33 GB', 'total');
  const cdn = hub.requests.slice(before).filter((q) => q.origin === 'cdn');
  expect(cdn.length === 2 && cdn.every((q) => q.range?.startsWith('bytes=0-')), `cdn requests: ${JSON.stringify(cdn)}`);
  await page.screenshot({ path: path.join(outDir, 'mistral.png'), fullPage: true });
});

await scenario('a gated model asks for a token, then loads with it and the CDN never sees it', async (page) => {
  await estimate(page, 'meta-llama/Llama-2-7b-hf');
  expect(!(await page.isHidden('#error')), 'error shown');
  expect((await page.textContent('#error')).includes('gated'), 'gated message');
  await page.screenshot({ path: path.join(outDir, 'gated-no-token.png'), fullPage: true });
  const before = hub.requests.length;
  await page.fill('#token', 'hf_fixture_alice');
  await page.click('#go');
  await page.waitForSelector('#total:not(:empty)', { timeout: 15000 });
  expect(await page.textContent('#weight-bytes') === '13,476,839,424 B', 'bytes');
  const reqs = hub.requests.slice(before);
  expect(reqs.some((q) => q.origin === 'hub' && q.auth), 'hub got the token');
  expect(reqs.filter((q) => q.origin === 'cdn').every((q) => !q.auth), 'cdn never got the token');
  expect(reqs.every((q) => !q.path.includes('hf_fixture_alice')), 'token in a URL');
});

await scenario('a missing repo shows its own message', async (page) => {
  await estimate(page, 'nobody/nothing-here');
  expect((await page.textContent('#error')).includes('repo_not_found'), 'code shown');
});

await browser.close();
await site.close();
await hub.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
