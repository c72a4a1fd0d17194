// Browser tests of issue 14 (the page, answer first), run by tests/e2e/run.mjs: the same numbers as the CLI with the
// defaults, controls that never lie, -ngl 0, one unit policy, a truthful chart, GGUF table, classic's GPU count, the
// answer in view at 1400×900 and on a phone, the first screen (GPU picker, examples, pasted links, did you mean), the
// address bar, the precision × context matrix, compare, and the embed's theme, per-GPU line and height message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStatic } from '../../scripts/lib/static-server.mjs';

export async function answerScenarios({ scenario, expect, text, shot, axe, visit, hub, site, root, embedScript, engineUrl, summaryUrl }) {
  const cli = async (args) => {
    const { stdout } = await promisify(execFile)(path.join(root, 'build/native/vram-estimate'), [...args, '--json', '--endpoint', hub.hubUrl],
      { encoding: 'utf8', env: { ...process.env, HF_TOKEN: '' } });
    return JSON.parse(stdout);
  };
  const box = (page, sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, lines: e.getClientRects().length, h: r.height }; });

  await scenario('answer first: defaults as on the CLI, the total and verdict in view at 1400×900, focus and a live announcement', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-4090' });
    const r = await page.evaluate(() => window.__lastReport);
    const c = await cli(['mistralai/Mistral-7B-v0.1', '--gpu', 'rtx-4090']);
    expect(r.estimates_bytes.total === c.estimates_bytes.total && r.context_length === c.context_length && r.profile === c.profile,
      `page ${r.estimates_bytes.total} at ${r.context_length} (${r.profile}), CLI ${c.estimates_bytes.total} at ${c.context_length} (${c.profile})`);
    expect(await text(page, '#total') === '19.33 GiB', await text(page, '#total'));
    expect(/opens with/.test(await text(page, '#profile-help')), `the page says which engine it opened with: ${await text(page, '#profile-help')}`);
    await page.evaluate(() => scrollTo(0, 0));
    for (const sel of ['#total', '#verdict', '#max-context', '#max-batch', '.bar']) {
      const b = await box(page, sel);
      expect(b.top >= 0 && b.bottom <= 900, `${sel} in view without scrolling: ${JSON.stringify(b)}`);
    }
    expect(await page.evaluate(() => document.activeElement?.id) === 'answer', 'focus moves to the answer after a load');
    expect((await text(page, '#announce')).includes('19.33 GiB'), `live region: ${await text(page, '#announce')}`);
    await page.mouse.wheel(0, 1500);
    await page.waitForTimeout(200);
    const after = await box(page, '#total');
    expect(after.top >= 0 && after.bottom <= 900, `the answer panel stays in view while scrolling: ${JSON.stringify(after)}`);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: path.join(root, 'test-output/e2e/answer-1400.png') });
  }, { viewport: { width: 1400, height: 900 } });

  await scenario('phone 390×844: the verdict within the first screen, compact numbers, cards, no number broken', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-4090' });
    await page.evaluate(() => scrollTo(0, 0));
    const v = await box(page, '#verdict');
    expect(v.bottom <= 844, `verdict at ${Math.round(v.top)}–${Math.round(v.bottom)} px`);
    const compact = await page.$eval('#parameters', (e) => getComputedStyle(e, '::after').content);
    expect(compact === '"7.24 B"', `compact parameters ${compact}`);
    for (const sel of ['#total', '#verdict .nb, #total']) expect((await box(page, sel)).lines === 1, `${sel} on one line`);
    await page.click('#fit-details summary');
    const display = await page.$eval('#gpu-fit table.cards tr', (e) => getComputedStyle(e).display);
    expect(display === 'block', `fit table rows as cards (${display})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    expect(overflow <= 0, `page ${overflow}px wider than the screen`);
    await page.screenshot({ path: path.join(root, 'test-output/e2e/answer-390.png') });
    await shot(page, 'answer-390-full');
  }, { viewport: { width: 390, height: 844 } });

  await scenario('-ngl 0 means zero: the GPU share and system memory side by side, equal to the CLI; the GGUF card and table', async (page) => {
    await visit(page, 'TheBloke/Llama-2-7B-Chat-GGUF', { query: '&n_gpu_layers=0&context_tokens=4096&gpu=rtx-4090' });
    const r = await page.evaluate(() => window.__lastReport);
    const c = await cli(['TheBloke/Llama-2-7B-Chat-GGUF', '--profile', 'llama.cpp', '-ngl', '0', '-c', '4096', '--gpu', 'rtx-4090']);
    expect(r.profile === 'llama.cpp' && r.llama_cpp.n_gpu_layers === 0, `profile ${r.profile}, ngl ${r.llama_cpp?.n_gpu_layers}`);
    expect(r.per_gpu.total === c.per_gpu.total && r.llama_cpp.system_memory.total === c.llama_cpp.system_memory.total,
      `page GPU ${r.per_gpu.total} + system ${r.llama_cpp.system_memory.total}; CLI ${c.per_gpu.total} + ${c.llama_cpp.system_memory.total}`);
    expect(await page.isVisible('#system-memory') && (await text(page, '#system-memory')).endsWith('GiB'), 'system memory beside the GPU total');
    expect((await text(page, '#controls-note')).includes('GGUF'), 'says why llama.cpp was chosen');
    expect((await page.$eval('#architecture', (e) => e.textContent)).includes('Q4_K_M'), 'the architecture card names the quantization');
    const sizes = r.gguf_files.map((g) => g.weights_bytes);
    const shown = await page.$$eval('#gguf tbody tr td:first-child button', (bs) => bs.map((b) => b.textContent));
    const sorted = [...r.gguf_files].sort((a, b) => a.weights_bytes - b.weights_bytes).map((g) => g.file_type);
    expect(JSON.stringify(shown) === JSON.stringify(sorted) && sizes.length === shown.length, `rows by size: ${shown}`);
    await page.focus('#gguf button[aria-label="Use llama-2-7b-chat.Q5_K_M.gguf"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__lastReport?.gguf_file === 'llama-2-7b-chat.Q5_K_M.gguf');
    // -ngl 10: partial offload; every row's GPU parts add up to its GPU total.
    await page.fill('#n_gpu_layers', '10');
    await page.dispatchEvent('#n_gpu_layers', 'change');
    await page.waitForFunction(() => window.__lastReport?.llama_cpp?.n_gpu_layers === 10);
    const rows = await page.evaluate(() => window.__lastReport.gguf_files.map((g) => [g.gpu_weights_bytes, g.kv_cache_bytes, g.total_bytes, g.system_memory_bytes]));
    expect(rows.every(([w, k, t, s]) => w + k <= t && s > 0), JSON.stringify(rows.slice(0, 2)));
    expect(await page.isVisible('#gguf th:has-text("System memory")'), 'system memory column under partial offload');
    await shot(page, 'gguf-ngl');
  });

  await scenario('classic counts the GPUs DeepSeek-R1 needs (B200 × N), not "more than 8"', async (page) => {
    await visit(page, 'deepseek-ai/DeepSeek-R1', { query: '&context_tokens=8192' });
    const r = await page.evaluate(() => window.__lastReport);
    const b200 = r.gpu_fit.find((g) => g.id === 'b200-192gb');
    const c = await cli(['deepseek-ai/DeepSeek-R1', '-c', '8192']);
    expect(b200.gpus_needed > 1 && b200.gpus_needed === c.gpu_fit.find((g) => g.id === 'b200-192gb').gpus_needed, `B200 × ${b200.gpus_needed}`);
    expect((await text(page, '#fits-more')).includes(`${b200.gpus_needed}× NVIDIA B200`), await text(page, '#fits-more'));
    // The answer panel's facts hold R1's long exact values (688,574,839,360 B) inside their boxes at 1100 px.
    const over = await page.$$eval('#summary .fact', (fs) => fs.map((f) => {
      const v = f.querySelector('.v'), box = f.getBoundingClientRect(), range = document.createRange();
      range.selectNodeContents(v);
      const t = range.getBoundingClientRect();
      return { id: v.id, text: v.textContent, over: Math.round(t.right - (box.right - parseFloat(getComputedStyle(f).paddingRight))) };
    }).filter((x) => x.over > 0));
    expect(over.length === 0, `values past their box: ${JSON.stringify(over)}`);
  });

  // Issue 14 ("no frame longer than 100 ms while a 163-shard repo loads") and issue 17 item 3: the core runs in a Web
  // Worker. What a test can hold without timing: the page's thread never fetches the core's wasm (the worker's module
  // scripts are fetched for it and show in its timeline; the wasm does not), the answer and the offline copy arrive. The main thread's long tasks are printed here and measured by scripts/bench (a timing, not a
  // test).
  await scenario('the core runs in a Web Worker: DeepSeek-R1 (163 shards) loads, is answered and saved offline without the core on the page thread', async (page) => {
    await page.addInitScript(() => {
      const lt = window.__longTasks = { click: null, done: null, tasks: [] };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) lt.tasks.push([e.startTime, Math.round(e.duration)]); }).observe({ type: 'longtask' });
      addEventListener('click', (e) => { if (e.target.id === 'go') lt.click = performance.now(); }, true);
      addEventListener('DOMContentLoaded', () => new MutationObserver(() => {
        if (lt.click !== null && lt.done === null && document.body.dataset.state === 'done') lt.done = performance.now();
      }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] }));
    });
    await visit(page, 'deepseek-ai/DeepSeek-R1', { query: '&context_tokens=8192' });
    expect(await page.evaluate(() => document.body.dataset.state) === 'done', 'R1 answered');
    const where = await page.evaluate(async (url) => (await import(url)).where(), engineUrl);
    expect(where === 'worker', `the core runs in ${where}`);
    // The worker ran the core once on its made-up model when it started (core-api.js warmUp), and it worked.
    const warmed = await page.evaluate(async (url) => (await import(url)).warmedUp, engineUrl);
    expect(warmed === true, `warm-up: ${warmed}`);
    const onPage = await page.evaluate(() => ({
      factory: typeof globalThis.createVramCore,
      fetched: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\/wasm\/vram\.wasm$/.test(new URL(n).pathname)),
    }));
    expect(onPage.factory === 'undefined' && onPage.fetched.length === 0, `the page thread loaded the core: ${JSON.stringify(onPage)}`);
    await page.waitForSelector('#saved li', { state: 'attached', timeout: 20000 });
    expect((await text(page, '#saved')).includes('deepseek-ai/DeepSeek-R1'), 'the worker saved R1 for offline use');
    const c = await cli(['deepseek-ai/DeepSeek-R1', '-c', '8192']);
    expect((await page.evaluate(() => window.__lastReport.estimates_bytes.total)) === c.estimates_bytes.total, 'the same total as the CLI');
    const lt = await page.evaluate(() => {
      const { click, done, tasks } = window.__longTasks;
      const within = (a, b) => tasks.filter(([t]) => t >= a && t < b).map(([, d]) => d);
      return { start: within(0, click), load: within(click, done), after: within(done, Infinity), loadMs: Math.round(done - click) };
    });
    console.log(`# main-thread tasks over 50 ms (ms): page start ${JSON.stringify(lt.start)}, the ${lt.loadMs} ms load ${JSON.stringify(lt.load)}, ` +
      `after it (result, offline copy) ${JSON.stringify(lt.after)}`);
  });

  // Issue 17 item 6: the form is filled from the build's copy of the core's tables (js/vocab.js), so the page is ready
  // without the core's glue and wasm, which load on the first sign of use. Not a timing: which files were fetched when.
  await scenario('the form is ready before the core loads: no wasm until the model field is focused, then an estimate as the CLI\'s', async (page) => {
    const fetched = [];
    page.on('request', (q) => { if (q.url().startsWith(site.origin)) fetched.push(new URL(q.url()).pathname); });
    const core = () => fetched.filter((p) => /\/wasm\/vram(\.[0-9a-f]{10})?\.(wasm|js)$/.test(p));
    await page.goto(`${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForTimeout(500);
    expect(core().length === 0, `the core was fetched before any sign of use: ${core().join(', ')}`);
    const vocab = await page.evaluate(() => window.__vocab);
    const gpus = await page.$$eval('#gpu option', (o) => o.map((x) => x.value).filter(Boolean));
    expect(JSON.stringify(gpus) === JSON.stringify(vocab.gpus.map((g) => g.id)), `the GPU picker is the core's table: ${gpus.length} of ${vocab.gpus.length}`);
    expect((await text(page, '#version')).length > 0, 'the version is shown');
    const wasm = page.waitForRequest((q) => /\/wasm\/vram(\.[0-9a-f]{10})?\.wasm$/.test(new URL(q.url()).pathname), { timeout: 10000 });
    await page.focus('#model');
    await wasm;
    await page.fill('#model', 'openai-community/gpt2');
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    const c = await cli(['openai-community/gpt2']);
    const r = await page.evaluate(() => window.__lastReport);
    expect(r.estimates_bytes.total === c.estimates_bytes.total, `page ${r.estimates_bytes.total}, CLI ${c.estimates_bytes.total}`);
    expect(core().filter((p) => p.endsWith('.wasm')).length === 1, `the wasm fetched once: ${core().join(', ')}`);
  });

  for (const [width, height] of [[1400, 900], [390, 844]]) {
    await scenario(`the chart at ${width} px: the current point on the curve, round ticks, no overlapping labels, stacked parts and the capacity`, async (page) => {
      await visit(page, 'deepseek-ai/DeepSeek-R1', { query: '&profile=vllm&tp=8&gpu=b200-192gb&context_tokens=20000' });
      const r = await page.evaluate(() => window.__lastReport);
      const dot = await page.$eval('#chart circle.now', (c) => ({ ctx: Number(c.dataset.context), total: Number(c.dataset.total) }));
      expect(dot.ctx === 20000 && dot.ctx === r.context_length && dot.total === r.per_gpu.total, `dot ${JSON.stringify(dot)} vs ${r.context_length}, ${r.per_gpu.total}`);
      const labels = await page.$$eval('#chart svg text', (ts) => ts.map((t) => { const b = t.getBoundingClientRect(); return { t: t.textContent, y: t.getAttribute('text-anchor') === 'end', l: b.left, r: b.right, top: b.top, bot: b.bottom }; }));
      for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i], b = labels[j];
        expect(a.r <= b.l || b.r <= a.l || a.bot <= b.top || b.bot <= a.top, `labels overlap: “${a.t}” and “${b.t}”`);
      }
      const yTicks = labels.filter((l) => l.y && /^\d+(\.\d+)?$/.test(l.t)).map((l) => Number(l.t));
      const step = yTicks[1] - yTicks[0];
      expect(yTicks.length >= 3 && yTicks.every((v, i) => Math.abs(v - i * step) < 1e-9) && /^[125]0*$|^0\.[0]*[125]$/.test(String(step)), `y ticks ${yTicks}`);
      expect(await page.$$eval('#chart polygon.area', (p) => p.length) >= 3 && (await page.$('#chart line.cap')) !== null, 'stacked parts and the capacity line');
      const fontPx = await page.$eval('#chart svg text', (t) => t.getBoundingClientRect().height);
      expect(fontPx >= 10, `labels legible (${fontPx.toFixed(1)} px)`);
      await page.locator('#chart').screenshot({ path: path.join(root, `test-output/e2e/chart-${width}.png`) });
    }, { viewport: { width, height } });
  }

  await scenario('first screen: the GPU is remembered on the device, examples load in one click, a pasted Hub link and its revision, did you mean', async (page) => {
    await page.goto(`${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.$$eval('#examples button', (b) => b.length) >= 4, 'example chips');
    await page.selectOption('#gpu', 'rtx-4090');
    await page.fill('#token', 'hf_fixture_alice');
    await page.click('#examples button[data-model="mistralai/Mistral-7B-v0.1"]');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    expect((await text(page, '#verdict')).includes('RTX 4090'), await text(page, '#verdict'));
    const storage = await page.evaluate(() => JSON.stringify(localStorage));
    expect(storage.includes('"vram.gpu":"rtx-4090"') && !storage.includes('hf_fixture_alice'), storage);
    await page.goto(`${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#gpu') === 'rtx-4090', 'the GPU is remembered');
    await page.fill('#model', 'https://huggingface.co/mistralai/Mistral-7B-v0.1/tree/main');
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    expect(await page.inputValue('#model') === 'mistralai/Mistral-7B-v0.1' && await page.inputValue('#revision') === 'main', 'the link becomes the id and its revision');
    await page.fill('#model', 'mistralai/Mistral-7B');
    await page.fill('#revision', '');
    await page.click('#go');
    await page.waitForSelector('#did-you-mean', { timeout: 20000 });
    expect((await text(page, '#did-you-mean')).includes('mistralai/Mistral-7B-v0.1'), await text(page, '#did-you-mean'));
    await page.click('#did-you-mean button');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
  });

  await scenario('the address bar holds the model and settings: reload and Back work; a bad link value is named and its default used', async (page) => {
    await visit(page, 'gpt2', { query: '' });
    await page.fill('#batch', '3');
    await page.waitForFunction(() => window.__lastReport?.batch_size === 3);
    // A change paints first; the address bar follows after that frame (body[data-address] is set until it has).
    await page.waitForFunction(() => !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('batch') === '3' && new URL(page.url()).searchParams.get('model') === 'openai-community/gpt2', page.url());
    await page.click('#examples button[data-model="mistralai/Mistral-7B-v0.1"]');
    // A load is "done" once its answer has painted; the address bar and the focus follow in the next task
    // (body[data-address] is set until they have).
    await page.waitForFunction(() => window.__lastReport?.model_id === 'mistralai/Mistral-7B-v0.1' && document.body.dataset.state === 'done', null, { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('model') === 'mistralai/Mistral-7B-v0.1', page.url());
    await page.goBack();
    await page.waitForFunction(() => window.__lastReport?.model_id === 'openai-community/gpt2' && window.__lastReport.batch_size === 3, null, { timeout: 20000 });
    await page.reload();
    await page.waitForFunction(() => window.__lastReport?.batch_size === 3, null, { timeout: 20000 });
    expect(!page.url().includes('hf_'), 'never a token');
    await page.goto(`${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}&model=gpt2&kv_dtype=fp9&batch=0&context_tokens=99999999999`);
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    const notice = await text(page, '#link-notice');
    expect(/kv_dtype “fp9”/.test(notice) && /batch “0”/.test(notice) && /context_tokens/.test(notice) && /default/.test(notice), notice);
    const r = await page.evaluate(() => window.__lastReport);
    expect(r.kv_dtype === 'fp16' && r.batch_size === 1 && r.context_length === 1024, `${r.kv_dtype} ${r.batch_size} ${r.context_length}`);
    await axe(page);
  });

  // Every inference row of the core's option table is a link setting and a control (common.js LINK_OPTION_KEYS is the
  // table's keys): the engines' own numbers too, shown for the engines that read them, the same totals as the CLI.
  await scenario('the engines\' own numbers from a link and a control: gpu_memory_utilization and max batched tokens (vLLM), -ub (llama.cpp), prompt tokens (diffusers) = the CLI', async (page) => {
    const total = () => page.evaluate(() => window.__lastReport.estimates_bytes.total);
    const settled = () => page.waitForFunction(() => !document.body.dataset.address);
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&profile=vllm&gpu=h100-80gb&gpu_memory_utilization=0.5&max_num_batched_tokens=4096' });
    let c = await cli(['mistralai/Mistral-7B-v0.1', '--profile', 'vllm', '--gpu', 'h100-80gb', '--gpu-memory-utilization', '0.5', '--max-num-batched-tokens', '4096']);
    expect(await total() === c.estimates_bytes.total, `vLLM link: page ${await total()}, CLI ${c.estimates_bytes.total}`);
    expect(await page.inputValue('#gpu_memory_utilization') === '0.5' && await page.isVisible('#max_num_batched_tokens'), 'the link\'s values in the vLLM controls');
    await page.fill('#gpu_memory_utilization', '0.8');
    await page.dispatchEvent('#gpu_memory_utilization', 'change');
    await page.waitForFunction(() => window.__lastReport?.engine_reservation?.fraction === 0.8);
    await settled();
    expect(new URL(page.url()).searchParams.get('gpu_memory_utilization') === '0.8', `the link follows: ${page.url()}`);
    c = await cli(['mistralai/Mistral-7B-v0.1', '--profile', 'vllm', '--gpu', 'h100-80gb', '--gpu-memory-utilization', '0.8', '--max-num-batched-tokens', '4096']);
    expect(await total() === c.estimates_bytes.total && await text(page, '#total') !== '', `after the change: page ${await total()}, CLI at 0.8 ${c.estimates_bytes.total}`);
    await page.selectOption('#profile', 'classic');
    await page.waitForFunction(() => window.__lastReport?.profile === 'classic');
    await settled();  // the address follows the painted answer (app.js addressAfterPaint)
    expect(await page.isHidden('#gpu_memory_utilization') && !new URL(page.url()).searchParams.has('max_num_batched_tokens'), 'hidden and left out for classic');
    await visit(page, 'TheBloke/Llama-2-7B-Chat-GGUF', { query: '&ubatch_tokens=256&gpu=rtx-4090' });
    c = await cli(['TheBloke/Llama-2-7B-Chat-GGUF', '--profile', 'llama.cpp', '-ub', '256', '--gpu', 'rtx-4090']);
    expect(await total() === c.estimates_bytes.total && await page.inputValue('#ubatch_tokens') === '256', `-ub 256: page ${await total()}, CLI ${c.estimates_bytes.total}`);
    await visit(page, 'black-forest-labs/FLUX.1-schnell', { token: 'hf_fixture_alice', query: '&profile=diffusers&text_tokens=128' });
    const { stdout } = await promisify(execFile)(path.join(root, 'build/native/vram-estimate'),
      ['black-forest-labs/FLUX.1-schnell', '--profile', 'diffusers', '--text-tokens', '128', '--json', '--endpoint', hub.hubUrl],
      { encoding: 'utf8', env: { ...process.env, HF_TOKEN: 'hf_fixture_alice' } });
    c = JSON.parse(stdout);
    expect(await total() === c.estimates_bytes.total && await page.isVisible('#text_tokens'), `prompt tokens 128: page ${await total()}, CLI ${c.estimates_bytes.total}`);
  });

  // A link that leaves a setting out means its default: Back to such an entry must untick what the later entry ticked
  // (app.js applyParams resets enforce_eager, model_cpu_offload and the image size, whose defaults are not engine rows).
  await scenario('Back to a link without enforce_eager unticks eager mode and brings the CUDA graphs back', async (page) => {
    await visit(page, 'openai-community/gpt2', { query: '&profile=vllm&gpu=h100-80gb' });
    const graphs = () => page.evaluate(() => window.__lastReport.overhead_parts?.cuda_graphs);
    expect(await graphs() > 0 && !(await page.isChecked('#enforce_eager')), `A: graphs ${await graphs()}, eager off`);
    await page.click('#examples button[data-model="mistralai/Mistral-7B-v0.1"]');
    await page.waitForFunction(() => window.__lastReport?.model_id === 'mistralai/Mistral-7B-v0.1' && document.body.dataset.state === 'done', null, { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    await page.check('#enforce_eager');
    await page.waitForFunction(() => window.__lastReport?.overhead_parts?.cuda_graphs === 0);
    await page.waitForFunction(() => !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('enforce_eager') === 'on', `B carries eager: ${page.url()}`);
    await page.goBack();
    await page.waitForFunction(() => window.__lastReport?.model_id === 'openai-community/gpt2' && document.body.dataset.state === 'done', null, { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    expect(!new URL(page.url()).searchParams.has('enforce_eager'), `A has no eager: ${page.url()}`);
    expect(!(await page.isChecked('#enforce_eager')), 'Back to A unticked eager mode');
    expect(await graphs() > 0, `A's estimate has its CUDA graphs again: ${await graphs()}`);
  });

  await scenario('a change updates the answer in place: the same nodes with new numbers, an open GPU table refilled, listeners current', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-4090' });
    // The views morph the page (web/js/ui/dom.js): nodes that stay are kept, so only what changed is laid out again.
    await page.evaluate(() => { window.__kept = { total: document.getElementById('total'), cell: document.querySelector('#matrix .cellbtn'), fit: document.getElementById('fit-details') }; });
    const before = await text(page, '#total');
    await page.click('#fit-details summary');
    // The chosen GPU's row in the open table against the report on screen now (gib: two decimals of 2^30 bytes).
    const chosenRow = () => page.evaluate(() => {
      const r = window.__lastReport, g = r.gpu_fit.find((x) => x.id === r.gpu.id);
      const cells = [...document.querySelectorAll('#gpu-fit tr.chosen td')].map((td) => td.textContent);
      return { shown: cells[4], want: `${(g.per_gpu_total_bytes / 2 ** 30).toFixed(2)} GiB`, rows: document.querySelectorAll('#gpu-fit tbody tr').length };
    });
    const open1 = await chosenRow();
    expect(open1.rows === (await page.evaluate(() => window.__lastReport.gpu_fit.length)) && open1.shown === open1.want, `opened table: ${JSON.stringify(open1)}`);
    await page.selectOption('#precision', 'int4');
    await page.waitForFunction(() => window.__lastReport?.quantization === 'int4' && !document.body.dataset.address);
    const after = await text(page, '#total');
    const kept = await page.evaluate(() => ({ total: window.__kept.total === document.getElementById('total'), cell: window.__kept.cell === document.querySelector('#matrix .cellbtn'),
      fit: window.__kept.fit === document.getElementById('fit-details'), open: document.getElementById('fit-details').open }));
    expect(after !== before && kept.total && kept.cell && kept.fit, `total ${before} → ${after}, nodes kept ${JSON.stringify(kept)}`);
    const open2 = await chosenRow();
    expect(kept.open && open2.shown === open2.want && open2.shown !== open1.shown, `the open table follows the change: ${JSON.stringify(open1)} → ${JSON.stringify(open2)}`);
    // Views out of sight (the matrix, below the settings at 1400×900) follow the change right after its frame: by the
    // time the address bar has caught up, the matrix marks the new precision's cell.
    await page.evaluate(() => scrollTo(0, 0));
    await page.waitForTimeout(100);
    await page.evaluate(() => { const s = document.getElementById('precision'); s.value = 'int8'; s.dispatchEvent(new Event('change')); });
    await page.waitForFunction(() => window.__lastReport?.quantization === 'int8' && !document.body.dataset.address);
    const pressed = await page.$eval('#matrix .cellbtn[aria-pressed="true"]', (b) => b.closest('tr').querySelector('th').textContent);
    expect(pressed === 'int8', `the matrix marks ${pressed} after the change to int8`);
    // Closed, changed, opened again: its click listener is the new one (the new report's numbers, in the table on the page).
    await page.click('#fit-details summary');
    await page.selectOption('#precision', 'float16');
    await page.waitForFunction(() => window.__lastReport?.quantization === 'float16' && !document.body.dataset.address);
    expect(await page.evaluate(() => !document.getElementById('fit-details').open), 'a closed table stays closed');
    await page.click('#fit-details summary');
    const open3 = await chosenRow();
    expect(open3.shown === open3.want && open3.shown !== open2.shown, `reopened after a change: ${JSON.stringify(open3)}`);
  }, { viewport: { width: 1400, height: 900 } });

  await scenario('a load paints the views in sight first and the rest before the address bar; after a failed load none shows the model before', async (page) => {
    const GPT2 = 'GPT2LMHeadModel', MISTRAL = 'MistralForCausalLM';  // the details' component class of each model
    const results = () => text(page, '#results');
    await visit(page, 'openai-community/gpt2');
    const gpt2Matrix = await text(page, '#matrix');
    expect((await results()).includes(GPT2), 'gpt2 in the details');
    // A name the Hub does not know: the results step aside, still holding gpt2's views.
    await page.fill('#model', 'acme/no-such-model');
    await page.click('#go');
    await page.waitForSelector('body[data-state="error"]', { timeout: 20000 });
    expect(await page.isHidden('#results'), 'the results are hidden after the failure');
    // Every frame from the next click until the load has settled: whether the results show, and whether with gpt2's views.
    await page.evaluate((gpt2) => {
      window.__frames = [];
      window.__framesOn = true;
      const tick = () => {
        const r = document.getElementById('results');
        window.__frames.push({ shown: !r.hidden, gpt2: r.textContent.includes(gpt2) });
        if (window.__framesOn) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, GPT2);
    await page.fill('#model', 'mistralai/Mistral-7B-v0.1');
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    const frames = await page.evaluate(() => { window.__framesOn = false; return window.__frames; });
    const stale = frames.filter((f) => f.shown && f.gpt2).length;
    expect(frames.some((f) => f.shown) && stale === 0, `${stale} of ${frames.length} frames showed gpt2's views beside Mistral's answer`);
    expect((await results()).includes(MISTRAL) && (await text(page, '#matrix')) !== gpt2Matrix, 'Mistral in the details and the matrix');
    // gpt2 again, the results out of sight (below the settings at 1100×900): those views are updated after the answer's
    // frame, and by the time the address bar has caught up they show gpt2.
    await page.evaluate(() => scrollTo(0, 0));
    await page.fill('#model', 'openai-community/gpt2');
    await page.click('#go');
    await page.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    const after = await results();
    expect(after.includes(GPT2) && !after.includes(MISTRAL) && (await text(page, '#matrix')) === gpt2Matrix, 'every view shows gpt2 once the address has caught up');
  });

  await scenario('the answer panel written in place is the panel built from scratch, through changes of every kind', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-4090' });
    // The live panel against one built anew from the same report by the same view (SummaryView), markup for markup.
    const compare = (what) => page.evaluate(async ({ url, what }) => {
      const { SummaryView } = await import(url);
      const r = window.__lastReport, fresh = document.createElement('div');
      new SummaryView(fresh, { onPin() {} }).update(r, { profileLabel: window.__vocab.profiles.find((p) => p.name === r.profile).label });
      const live = document.getElementById('summary-root').innerHTML;
      return live === fresh.innerHTML ? null : `${what}: the live panel ${live.length} chars, built anew ${fresh.innerHTML.length}; live ${live.slice(0, 300)} …`;
    }, { url: summaryUrl, what });
    const settled = () => page.waitForFunction(() => !document.body.dataset.address && document.body.dataset.state === 'done');
    const problems = [await compare('loaded')];
    const steps = [
      ['int4 weights', () => page.selectOption('#precision', 'int4')],
      ['4k context', () => page.click('.presets button[data-context="4096"]')],
      ['a GPU it does not fit', () => page.selectOption('#gpu', 'rtx-3070')],
      ['vLLM (a KV pool fact)', () => page.selectOption('#profile', 'vllm')],
      ['tensor parallel 2 (per GPU)', () => page.selectOption('#tp', '2')],
      ['float16 weights', () => page.selectOption('#precision', 'float16')],
      ['classic again', () => page.selectOption('#profile', 'classic')],
    ];
    for (const [what, act] of steps) {
      await page.evaluate(() => { window.__viewBefore = window.__lastView; });
      await act();
      await page.waitForFunction(() => window.__lastView !== window.__viewBefore);  // the change's answer arrived
      await settled();
      problems.push(await compare(what));
    }
    expect(problems.every((p) => p === null), problems.filter(Boolean).join(' | '));
  });

  await scenario('precision × context matrix: the core fills every cell with no request; a click applies it', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-3070&profile=vllm' });
    const before = hub.requests.length;
    const cells = await page.$$eval('#matrix td.cell', (tds) => tds.map((t) => t.textContent));
    const rows = await page.$$eval('#matrix tbody tr', (t) => t.length);
    const cols = await page.$$eval('#matrix thead th', (t) => t.map((h) => h.textContent));
    expect(JSON.stringify(cols) === JSON.stringify(['Weights', '4k', '8k', 'max (32k)']), `columns ${cols}`);
    expect(rows >= 5 && cells.length === rows * 3 && cells.every((c) => /GiB/.test(c)), `${rows} rows, ${cells.length} cells: ${cells.slice(0, 3)}`);
    // The precision rows are the core's precision table as vLLM takes it, with the table's labels (fp8: vLLM's own).
    const labels = await page.$$eval('#matrix tbody th', (t) => t.map((h) => h.textContent));
    const vocab = await page.evaluate(() => window.__vocab);
    const fp8 = vocab.precisions.find((p) => p.name === 'fp8');
    expect(labels.includes(fp8.label) && labels.includes('int4') && !labels.includes('float32'), `rows ${labels}`);
    expect(cells.some((c) => c.includes('✓')) && cells.some((c) => c.includes('✗')), 'cells say whether they fit');
    const want = await page.evaluate(() => window.__lastView.matrix[3].cells[1].total);  // int4 × 8k
    await page.click('#matrix tbody tr:nth-child(4) td:nth-child(3) button');
    await page.waitForFunction(() => window.__lastReport?.quantization === 'int4' && window.__lastReport.context_length === 8192);
    const r = await page.evaluate(() => window.__lastReport);
    expect(r.per_gpu.total === want, `cell ${want} vs report ${r.per_gpu.total}`);
    expect(hub.requests.length === before, 'no request');
    await page.locator('#matrix').screenshot({ path: path.join(root, 'test-output/e2e/matrix.png') });
    // vLLM's runtime fp8 row: its cell becomes the report, and the scenario ends on it (the suite's CLI check then
    // compares the page's fp8 total with the CLI's -q fp8).
    const fp8Row = (await page.evaluate(() => window.__vocab.precisions.filter((p) => p.name === 'fp8').map((p) => p.label)))[0];
    const rowIndex = labels.indexOf(fp8Row);
    const wantFp8 = await page.evaluate((i) => window.__lastView.matrix[i].cells[1].total, rowIndex);
    await page.click(`#matrix tbody tr:nth-child(${rowIndex + 1}) td:nth-child(3) button`);
    await page.waitForFunction(() => window.__lastReport?.quantization === 'fp8' && !document.body.dataset.address);
    const rf = await page.evaluate(() => window.__lastReport);
    expect(rf.per_gpu.total === wantFp8 && rf.per_gpu.total < r.per_gpu.total * 2, `fp8 cell ${wantFp8} vs report ${rf.per_gpu.total}`);
  });

  await scenario('compare: pin results of two models, kept in the address bar and across a reload', async (page) => {
    await visit(page, 'gpt2', { query: '&gpu=rtx-3070' });
    await page.click('#pin');
    await page.click('#examples button[data-model="mistralai/Mistral-7B-v0.1"]');
    // A load is "done" once its answer has painted; the address bar and the focus follow in the next task
    // (body[data-address] is set until they have).
    await page.waitForFunction(() => window.__lastReport?.model_id === 'mistralai/Mistral-7B-v0.1' && document.body.dataset.state === 'done', null, { timeout: 20000 });
    await page.waitForFunction(() => !document.body.dataset.address);
    await page.selectOption('#precision', 'int4');
    await page.waitForFunction(() => window.__lastReport?.quantization === 'int4');
    await page.click('#pin');
    await page.waitForFunction(() => document.querySelectorAll('#compare .pin').length === 2);
    const totals = await page.evaluate(() => window.__compare);
    expect(new URL(page.url()).searchParams.getAll('pin').length === 2, page.url());
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#compare .pin[data-total]').length === 2, null, { timeout: 20000 });
    expect(JSON.stringify(await page.evaluate(() => window.__compare)) === JSON.stringify(totals), 'the same pinned totals after a reload');
    // Each pin is the CLI's total for its settings on the GPU chosen now.
    const cliTotals = [(await cli(['gpt2', '--gpu', 'rtx-3070'])).estimates_bytes.total,
      (await cli(['mistralai/Mistral-7B-v0.1', '-q', 'int4', '--gpu', 'rtx-3070'])).estimates_bytes.total];
    expect(JSON.stringify(totals) === JSON.stringify(cliTotals), `pins ${totals} vs CLI ${cliTotals}`);
    await page.locator('#compare').screenshot({ path: path.join(root, 'test-output/e2e/compare.png') });
  });

  await scenario('fine-tuning on the page: the same breakdown as the CLI, the question switch, and back to inference', async (page) => {
    await visit(page, 'mistralai/Mistral-7B-v0.1', { query: '&gpu=rtx-4090&mode=qlora&lora_rank=16&seq_tokens=2048&micro_batch=1' });
    const r = await page.evaluate(() => window.__lastReport);
    const c = await cli(['mistralai/Mistral-7B-v0.1', '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090']);
    expect(JSON.stringify(r.training.per_gpu) === JSON.stringify(c.training.per_gpu), `page ${JSON.stringify(r.training.per_gpu)} CLI ${JSON.stringify(c.training.per_gpu)}`);
    expect(await text(page, '#gpu-fit h2') === 'Which GPUs fit this training step', 'the fit table is the training step\'s');
    const shown = await page.$$eval('.training-parts tr', (trs) => trs.map((t) => t.textContent));
    expect(shown.length >= 7 && shown.at(-1).includes((c.training.per_gpu.total_bytes / 2 ** 30).toFixed(2)), shown.join(' | '));
    expect(await page.isHidden('#controls') && await page.isVisible('#training-controls'), 'the fine-tuning settings replace the serving ones');
    await page.selectOption('#train-optimizer', 'adamw_8bit');
    await page.waitForFunction(() => window.__lastReport?.training?.options.optimizer === 'adamw_8bit' && !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('optimizer') === 'adamw_8bit' && new URL(page.url()).searchParams.get('mode') === 'qlora', page.url());
    // LoRA dropout (the core's option kind "probability", [0, 1)): a number field; the page's total is the CLI's.
    await page.fill('#train-lora_dropout', '0.1');
    await page.waitForFunction(() => window.__lastReport?.training?.options.lora_dropout === 0.1 && !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('lora_dropout') === '0.1', page.url());
    const d = await cli(['mistralai/Mistral-7B-v0.1', '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090',
      '--optimizer', 'adamw_8bit', '--lora-dropout', '0.1']);
    const dr = await page.evaluate(() => window.__lastReport.training.per_gpu);
    expect(JSON.stringify(dr) === JSON.stringify(d.training.per_gpu),
      `page ${JSON.stringify(dr)} CLI ${JSON.stringify(d.training.per_gpu)}`);
    // litgpt's QLoRA (nf4_every_linear): its peak is at the end of forward; the page says so in the core's words, as the
    // CLI's text report does, and the breakdown is the CLI's.
    // The framework's own settings are folded away (the core's rows with framework: true) until opened.
    expect(await page.isHidden('#train-nf4_every_linear') && await page.isVisible('#train-lora_rank'), 'framework settings folded, the rest shown');
    await page.click('#training-framework summary');
    await page.check('#train-nf4_every_linear');
    await page.waitForFunction(() => window.__lastReport?.training?.peak_phase === 'forward_end' && !document.body.dataset.address);
    expect(new URL(page.url()).searchParams.get('nf4_every_linear') === 'on', `the link carries it: ${page.url()}`);
    // A link that sets one of them opens the fold by itself, with the box ticked.
    const linked = await page.context().newPage();
    await linked.goto(page.url());
    await linked.waitForSelector('body[data-state="done"]', { timeout: 20000 });
    expect(await linked.evaluate(() => document.getElementById('training-framework').open) && await linked.isChecked('#train-nf4_every_linear'),
      'a link with nf4_every_linear=on opens the framework settings, ticked');
    await linked.close();
    const nf4Args = ['mistralai/Mistral-7B-v0.1', '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090',
      '--optimizer', 'adamw_8bit', '--lora-dropout', '0.1', '--nf4-every-linear', 'on'];
    const n = await cli(nf4Args);
    const { stdout: nText } = await promisify(execFile)(path.join(root, 'build/native/vram-estimate'), [...nf4Args, '--endpoint', hub.hubUrl],
      { encoding: 'utf8', env: { ...process.env, HF_TOKEN: '' } });
    const phase = await page.evaluate(() => window.__lastReport.training.peak_phase_text);
    const pageText = await page.$eval('#summary-root', (e) => e.textContent);
    expect(JSON.stringify(await page.evaluate(() => window.__lastReport.training.per_gpu)) === JSON.stringify(n.training.per_gpu) &&
      /end of forward/.test(phase) && pageText.includes(`Peak at ${phase}`) && nText.includes(`peak at ${phase}:`),
      `phase "${phase}"; page: ${pageText.slice(0, 160)}; CLI: ${nText.split('\n').find((l) => /peak at/.test(l))}`);
    await page.uncheck('#train-nf4_every_linear');
    await page.waitForFunction(() => window.__lastReport?.training?.peak_phase !== 'forward_end' && !document.body.dataset.address);
    // The QLoRA-only rows (the core reads them only with a 4-bit base) are hidden under LoRA, as double_quant is.
    const qloraOnly = ['double_quant', 'kbit_fp32_upcast', 'nf4_every_linear', 'fp32_norms'];
    await page.selectOption('#train-train', 'lora');
    await page.waitForFunction(() => window.__lastReport?.training?.options?.method === 'lora' && !document.body.dataset.address);
    for (const k of qloraOnly) expect(await page.evaluate((id) => document.getElementById(id).closest('.training-control').hidden, `train-${k}`), `${k} hidden under LoRA`);
    expect(!(await page.evaluate(() => document.getElementById('train-repeat_kv').closest('.training-control').hidden)), 'repeat_kv stays under LoRA');
    await page.selectOption('#train-train', 'qlora');
    await page.waitForFunction(() => window.__lastReport?.training?.options?.method === 'qlora' && !document.body.dataset.address);
    for (const k of qloraOnly) expect(!(await page.evaluate((id) => document.getElementById(id).closest('.training-control').hidden, `train-${k}`)), `${k} shown under QLoRA`);
    // Mixed precision without a master copy (autocast over fp32 weights, the core's bf16-amp row): the page's breakdown
    // is the CLI's, and differs from bf16-mixed's.
    await page.selectOption('#train-train_precision', 'bf16-amp');
    await page.waitForFunction(() => window.__lastReport?.training?.options.precision === 'bf16-amp' && !document.body.dataset.address);
    const amp = await cli(['mistralai/Mistral-7B-v0.1', '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090',
      '--optimizer', 'adamw_8bit', '--lora-dropout', '0.1', '--train-precision', 'bf16-amp']);
    const ampPage = await page.evaluate(() => window.__lastReport.training.per_gpu);
    expect(JSON.stringify(ampPage) === JSON.stringify(amp.training.per_gpu) && amp.training.per_gpu.total_bytes !== d.training.per_gpu.total_bytes,
      `page ${JSON.stringify(ampPage)} CLI ${JSON.stringify(amp.training.per_gpu)} (bf16-mixed ${d.training.per_gpu.total_bytes})`);
    await page.selectOption('#train-train_precision', 'bf16-mixed');
    await page.waitForFunction(() => window.__lastReport?.training?.options.precision === 'bf16-mixed' && !document.body.dataset.address);
    await page.screenshot({ path: path.join(root, 'test-output/e2e/training-1400.png') });
    await axe(page);
    // A micro-batch of 0, which the core refuses: its reason and no total (no stale number), and back when valid.
    await page.fill('#train-micro_batch', '0');
    await page.waitForSelector('body[data-state="invalid"]');
    expect(await page.$('#summary-root .total') === null && /micro/i.test(await text(page, '#refused')), `refused: ${await text(page, '#refused')}`);
    await page.fill('#train-micro_batch', '1');
    await page.waitForFunction(() => window.__lastReport?.training?.options.micro_batch === 1);
    expect(await page.isVisible('#summary-root .total'), 'the total is back');
    await page.check('#mode input[value="inference"]');
    await page.waitForFunction(() => window.__lastReport && !window.__lastReport.training);
    expect(await page.isVisible('#controls') && (await text(page, '#total')).endsWith('GiB'), 'inference again');
    // The fit table is the inference one again (the training step's table stood in its place).
    await page.waitForFunction(() => document.querySelector('#gpu-fit h2')?.textContent === 'Which GPUs fit');
  }, { viewport: { width: 1400, height: 900 } });

  // Issue 15's own check, word for word: `scripts/estimate meta-llama/Llama-3.1-8B --train qlora --lora-rank 16
  // --seq-len 2048 --micro-batch 1 --gpu rtx-4090` and the page's fine-tuning view give the same breakdown. The repo is
  // gated: the page gets the token in its field, the CLI in HF_TOKEN. Compared: the bytes of every part (JSON), and what
  // each surface prints — the parts in the same order, the total and the verdict in the CLI's words and figures.
  await scenario('fine-tuning, the issue\'s check: Llama-3.1-8B QLoRA r16, 2,048 tokens, micro-batch 1, RTX 4090 (gated, with a token) — page = CLI', async (page) => {
    const args = ['meta-llama/Llama-3.1-8B', '--train', 'qlora', '--lora-rank', '16', '--seq-len', '2048', '--micro-batch', '1', '--gpu', 'rtx-4090'];
    await visit(page, 'meta-llama/Llama-3.1-8B', { token: 'hf_fixture_alice', query: '&gpu=rtx-4090&mode=qlora&lora_rank=16&seq_tokens=2048&micro_batch=1' });
    const env = { ...process.env, HF_TOKEN: 'hf_fixture_alice' };
    const c = JSON.parse((await promisify(execFile)(path.join(root, 'build/native/vram-estimate'), [...args, '--json', '--endpoint', hub.hubUrl], { encoding: 'utf8', env })).stdout);
    const { stdout: cText } = await promisify(execFile)(path.join(root, 'build/native/vram-estimate'), [...args, '--endpoint', hub.hubUrl], { encoding: 'utf8', env });
    const r = await page.evaluate(() => window.__lastReport);
    expect(r?.training && JSON.stringify(r.training.per_gpu) === JSON.stringify(c.training.per_gpu),
      `page ${JSON.stringify(r?.training?.per_gpu)} CLI ${JSON.stringify(c.training.per_gpu)}`);
    expect(r.training.params.trainable_params === c.training.params.trainable_params && r.training.peak_phase === c.training.peak_phase,
      `trainable ${r.training.params.trainable_params} / ${c.training.params.trainable_params}, peak ${r.training.peak_phase} / ${c.training.peak_phase}`);
    // What each prints: the CLI's "  Weights   5.31 GiB" lines under "Per GPU, peak at …", the page's table rows.
    const cliRows = cText.split('\n').slice(cText.split('\n').findIndex((l) => /^Per GPU, peak at/.test(l)) + 1)
      .filter((l) => /^ {2}\S.*\d GiB$/.test(l)).map((l) => l.trim().replace(/\s{2,}/, '|').split('|'));
    const pageRows = await page.$$eval('.training-parts tr', (trs) => trs.map((t) => [t.querySelector('th').textContent, t.querySelector('td').textContent]));
    expect(JSON.stringify(pageRows.map((x) => x[0])) === JSON.stringify(cliRows.slice(0, pageRows.length).map((x) => x[0])),
      `parts: page ${pageRows.map((x) => x[0])} CLI ${cliRows.map((x) => x[0])}`);
    const cliTotal = cliRows.find((x) => x[0] === 'Total')?.[1];
    expect(cliTotal && pageRows.at(-1)[1] === cliTotal && cliTotal === `${(c.training.per_gpu.total_bytes / 2 ** 30).toFixed(2)} GiB`,
      `total: page ${pageRows.at(-1)[1]}, CLI ${cliTotal}`);
    const verdict = await text(page, '#summary-root .verdict');
    expect(/^Fits NVIDIA GeForce RTX 4090 \(.*\): yes$/m.test(cText) && verdict === 'Fits on NVIDIA GeForce RTX 4090', `page "${verdict}"; CLI ${cText.split('\n').find((l) => /^Fits /.test(l))}`);
    // The fit table for training: every catalog GPU as the CLI's gpu_fit has it (fits at this count, the smallest count
    // that fits, the per-GPU figure there), and the GPUs it names as fitting.
    await page.click('#fit-details summary');
    const fitRows = await page.$$eval('#fit-details tbody tr', (trs) => trs.map((t) => [...t.querySelectorAll('td')].map((d) => d.textContent)));
    const want = c.training.gpu_fit.map((g) => [g.name, `${(g.usable_bytes / 2 ** 30).toFixed(2)} GiB`, g.fits ? 'yes' : 'no',
      g.gpus_needed ? String(g.gpus_needed) : 'does not fit (replicated: more GPUs do not lower it)', `${(g.per_gpu_total_bytes / 2 ** 30).toFixed(2)} GiB`]);
    expect(JSON.stringify(fitRows) === JSON.stringify(want), `fit table: page ${JSON.stringify(fitRows.slice(0, 3))} … CLI ${JSON.stringify(want.slice(0, 3))} …`);
    const fitsOne = await text(page, '#fits-one');
    expect(fitsOne.startsWith(`On 1 GPU (${c.training.gpu_fit.filter((g) => g.fits).length}): `) && fitsOne.includes('NVIDIA GeForce RTX 4090'), fitsOne);
    expect(/^GPUs needed, DDP \(replicated\): the smallest count of 1, 2, 4, 8, 16, 32, 64 that fits$/m.test(cText) &&
      new RegExp(`^  - rtx-4090 +24\\.00 GiB  1 \\(${(c.training.gpu_fit.find((g) => g.id === 'rtx-4090').per_gpu_total_bytes / 2 ** 30).toFixed(2)} GiB per GPU\\)$`, 'm').test(cText),
      cText.split('\n').filter((l) => /GPUs needed|rtx-4090 /.test(l)).join(' / '));
    // torch FSDP's end of backward (the root unit's head and embedding gradients joined), as litgpt's Gemma-2B full
    // run on 4 GPUs: the page names that phase in the CLI's words and shows the CLI's parts.
    const fsdpArgs = ['google/gemma-2b', '--train', 'full', '--train-precision', 'bf16', '--gpus', '4', '--distribution', 'fsdp',
      '--no-sync-accumulation', 'on', '--untie-head', 'on', '--seq-len', '512', '--micro-batch', '1', '--gpu', 'rtx-4090'];
    await visit(page, 'google/gemma-2b', { token: 'hf_fixture_alice',
      query: '&gpu=rtx-4090&mode=full&train_precision=bf16&n_gpus=4&distribution=fsdp&no_sync_accumulation=on&untie_head=on&seq_tokens=512&micro_batch=1' });
    const f = JSON.parse((await promisify(execFile)(path.join(root, 'build/native/vram-estimate'), [...fsdpArgs, '--json', '--endpoint', hub.hubUrl], { encoding: 'utf8', env })).stdout);
    const fr = await page.evaluate(() => window.__lastReport);
    const fText = await page.$eval('#summary-root', (e) => e.textContent);
    expect(f.training.peak_phase === 'backward_end' && fr?.training?.peak_phase === 'backward_end' &&
      JSON.stringify(fr.training.per_gpu) === JSON.stringify(f.training.per_gpu) && fText.includes(`Peak at ${f.training.peak_phase_text}`),
      `CLI ${f.training.peak_phase} ${JSON.stringify(f.training.per_gpu)}; page ${fr?.training?.peak_phase} ${JSON.stringify(fr?.training?.per_gpu)}: ${fText.slice(0, 200)}`);
    // Sharded over GPUs: the table's counts are the CLI's (the 4090 fits at 4, so "GPUs needed" is at most 4).
    await page.click('#fit-details summary');
    const needed = await page.$$eval('#fit-details tbody tr', (trs) => trs.map((t) => t.querySelectorAll('td')[3].textContent));
    expect(JSON.stringify(needed) === JSON.stringify(f.training.gpu_fit.map((g) => (g.gpus_needed ? String(g.gpus_needed) : 'more than 64'))),
      `page ${needed.slice(0, 8)} CLI ${f.training.gpu_fit.slice(0, 8).map((g) => g.gpus_needed)}`);
    await page.locator('#gpu-fit').screenshot({ path: path.join(root, 'test-output/e2e/training-fit.png') });
  }, { viewport: { width: 1400, height: 900 } });

  // The embed: theme, "per GPU" under TP, legend swatches, and the iframe's height message to its host.
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vram-host-'));
  fs.writeFileSync(path.join(hostDir, 'themes.html'), `<!doctype html><meta charset="utf-8"><title>Docs</title>
<script type="module" src="${site.url}/${embedScript}"></script>
<vram-estimate id="light" model="gpt2" endpoint="${hub.hubUrl}"></vram-estimate>
<vram-estimate id="dark" model="gpt2" endpoint="${hub.hubUrl}" theme="dark"></vram-estimate>
<vram-estimate id="tp" model="mistralai/Mistral-7B-v0.1" endpoint="${hub.hubUrl}" profile="vllm" tp="2" gpu="l4"></vram-estimate>
<iframe id="f" title="GPU memory estimate" width="480" height="100" style="border:0" src="${site.url}/embed.html?model=gpt2&endpoint=${encodeURIComponent(hub.hubUrl)}"></iframe>
<script>window.heights = []; addEventListener('message', (e) => { if (e.data?.type === 'vram-estimate:height') window.heights.push(e.data.height); });</script>`);
  const host = await startStatic({ root: hostDir });
  await scenario('embed: light by default even on a dark OS, theme="dark", per GPU under TP, swatches, the iframe reports its height', async (page) => {
    await page.goto(`${host.url}/themes.html`);
    await page.waitForFunction(() => [...document.querySelectorAll('vram-estimate')].every((e) => e.dataset.state === 'done'), null, { timeout: 30000 });
    const bg = (id) => page.$eval(`#${id}`, (e) => getComputedStyle(e.shadowRoot.querySelector('.compact')).backgroundColor);
    expect(await bg('light') === 'rgb(255, 255, 255)', `default ${await bg('light')}`);
    expect(await bg('dark') === 'rgb(27, 31, 37)', `dark ${await bg('dark')}`);
    const tp = await page.$eval('#tp', (e) => e.shadowRoot.querySelector('[part="per-gpu"]')?.textContent || '');
    expect(/per GPU, tensor parallel 2/.test(tp), tp);
    expect(await page.$eval('#light', (e) => e.shadowRoot.querySelectorAll('.legend i').length) >= 3, 'legend swatches');
    await page.waitForFunction(() => window.heights.some((h) => h > 100), null, { timeout: 20000 });
    // The element and the iframe view run the core in the same worker module as the page.
    const hostWhere = await page.evaluate(async (url) => (await import(url)).where(), engineUrl);
    const frameWhere = await page.frames().find((f) => f.url().includes('/embed.html'))?.evaluate(async (url) => (await import(url)).where(), engineUrl);
    expect(hostWhere === 'worker' && frameWhere === 'worker', `element: ${hostWhere}, iframe: ${frameWhere}`);
    await shot(page, 'embed-themes');
  }, { colorScheme: 'dark', ownEndpoint: null });
  await host.close();
  fs.rmSync(hostDir, { recursive: true, force: true });
}
