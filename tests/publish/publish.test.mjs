// scripts/publish's output, read file by file: content-hashed names that match their content and
// that every reference follows, the service worker's list, _headers, 404.html, the versioned embed
// path, the Space's front matter, and where it refuses to write. (The same output served from a
// sub-path passes the Chromium suite: scripts/lib/run-tests.mjs runs tests/e2e/run.mjs on it.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publish } from '../../scripts/lib/publish.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vram-publish-'));
const site = path.join(tmp, 'site');
const space = path.join(tmp, 'space');
let result;
const read = (f, dir = site) => fs.readFileSync(path.join(dir, f), 'utf8');
const filesOf = (dir) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/')).sort();

before(() => { result = publish({ dir: site }); });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('every JS, CSS and WASM file but sw.js and the embed entry points has a hash of its own content in its name', () => {
  const hashed = filesOf(site).filter((f) => /\.(js|css|wasm)$/.test(f) && !['sw.js', 'embed/vram-estimate.js', 'embed/v1/vram-estimate.js'].includes(f));
  assert.ok(hashed.length >= 20, hashed.join(', '));
  for (const f of hashed) {
    const m = f.match(/\.([0-9a-f]{10})\.(js|css|wasm)$/);
    assert.ok(m, `${f} has no content hash`);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(path.join(site, f))).digest('hex');
    assert.equal(m[1], sha.slice(0, 10), `${f}: the hash is not its content's`);
  }
  assert.ok(hashed.some((f) => /^wasm\/vram\.[0-9a-f]{10}\.wasm$/.test(f)) && hashed.some((f) => /^js\/app\.[0-9a-f]{10}\.js$/.test(f)));
});

test('no page, module or stylesheet still refers to a file by its unhashed name, and every reference resolves', () => {
  // Names of hashed files (the element's entry points keep theirs: they are files of the site).
  const names = Object.keys(result.hashed).filter((f) => !fs.existsSync(path.join(site, f))).map((f) => path.posix.basename(f));
  for (const f of filesOf(site).filter((x) => /\.(html|js|css)$/.test(x))) {
    const text = read(f);
    for (const n of names) assert.ok(!new RegExp(`["'\`/]${n.replace(/\./g, '\\.')}["'\`]`).test(text), `${f} still names ${n}`);
    // Relative module imports and page references point at files that exist.
    for (const m of text.matchAll(/(?:from ?|import ?|src=|href=)["'](\.{0,2}\/?[\w./-]+\.(?:js|css))["']/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]));
      assert.ok(fs.existsSync(path.join(site, target)), `${f} refers to ${m[1]}, which is not there`);
    }
  }
  assert.match(read('index.html'), /src="js\/app\.[0-9a-f]{10}\.js"/);
  // The worker's module graph: engine.js → core-worker.js → core-api.js → the glue → the wasm.
  assert.match(read(result.hashed['js/engine.js']), /["']\.\/core-worker\.[0-9a-f]{10}\.js["']/);
  assert.match(read(result.hashed['js/core-worker.js']), /["']\.\/core-api\.[0-9a-f]{10}\.js["']/);
  assert.match(read(result.hashed['js/core-api.js']), /["']\.\.\/wasm\/vram\.[0-9a-f]{10}\.js["']/);
  assert.match(read(result.hashed['wasm/vram.js']), /"vram\.[0-9a-f]{10}\.wasm"/);
  // JS and CSS are minified: no comment lines left, and smaller than the built site's (app.js 58 %, app.css 84 %).
  for (const [f, most] of [['js/app.js', 0.7], ['js/engine.js', 0.7], ['css/app.css', 0.9]]) {
    const built = fs.readFileSync(path.join(root, 'build/site', f), 'utf8');
    const shipped = read(result.hashed[f]);
    assert.ok(!/^\s*(\/\/|\/\*)/m.test(shipped), `${f}: comments left`);
    assert.ok(shipped.length < built.length * most, `${f}: ${shipped.length} bytes shipped against ${built.length} built`);
  }
});

test('the service worker lists exactly the shell, with a cache version of its own', () => {
  const sw = read('sw.js');
  const list = JSON.parse(sw.match(/const SHELL = \['\.\/', \.\.\.(\[.*\])\];/)[1]);
  const expected = filesOf(site).filter((f) => !['sw.js', '404.html', '_headers', 'publish.json'].includes(f));
  assert.deepEqual(list, expected);
  assert.match(sw, new RegExp(`const VERSION = '${result.sw_version}'`));
  assert.ok(!sw.includes('__SHELL_'), 'placeholders replaced');
});

test('_headers: CSP with frame-ancestors per page, nosniff, no-referrer, application/wasm, long cache for hashed files only', () => {
  const rules = new Map();
  let current = null;
  for (const line of read('_headers').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) rules.set((current = line), []);
    else rules.get(current).push(line.trim());
  }
  assert.deepEqual(rules.get('/*'), ['X-Content-Type-Options: nosniff', 'Referrer-Policy: no-referrer']);
  for (const p of ['/', '/index.html']) {
    const csp = rules.get(p).find((h) => h.startsWith('Content-Security-Policy: '));
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /frame-ancestors 'self' https:\/\/huggingface\.co$/);
  }
  assert.match(rules.get('/embed.html').find((h) => h.startsWith('Content-Security-Policy')), /frame-ancestors \*$/);
  assert.match(rules.get('/404.html')[0], /frame-ancestors 'none'/);
  const hashed = new Set(Object.values(result.hashed));
  for (const f of filesOf(site).filter((x) => x !== '_headers')) {
    const h = rules.get(`/${f}`);
    assert.ok(h, `no rule for /${f}`);
    const cache = h.find((x) => x.startsWith('Cache-Control: '));
    assert.equal(cache, hashed.has(f) ? 'Cache-Control: public, max-age=31536000, immutable' : 'Cache-Control: no-cache', f);
    if (f.endsWith('.wasm')) assert.ok(h.includes('Content-Type: application/wasm'), f);
  }
});

test('the element is under embed/v1/ and imports the current hashed module; 404.html and publish.json are there', () => {
  const entry = read('embed/v1/vram-estimate.js');
  const target = entry.match(/import '\.\.\/(vram-estimate\.[0-9a-f]{10}\.js)';/)[1];
  assert.equal(`embed/${target}`, result.hashed['embed/vram-estimate.js']);
  assert.ok(entry.includes(version));
  assert.match(read('embed/vram-estimate.js'), new RegExp(`import '\\./${target.replace(/\./g, '\\.')}';`));
  assert.match(read('404.html'), /<h1>Not found<\/h1>/);
  const manifest = JSON.parse(read('publish.json'));
  assert.equal(manifest.version, version);
  assert.deepEqual(manifest.files, filesOf(site));
});

test('--space writes a README.md whose front matter a Space accepts, and LFS rules for the binaries', () => {
  fs.mkdirSync(path.join(space, '.git'), { recursive: true });
  fs.writeFileSync(path.join(space, '.git/HEAD'), 'ref: refs/heads/main\n');
  fs.writeFileSync(path.join(space, 'README.md'), '---\nsdk: gradio\n---\n');  // as a fresh Space clone has
  publish({ dir: space, space: true });
  assert.equal(fs.readFileSync(path.join(space, '.git/HEAD'), 'utf8'), 'ref: refs/heads/main\n', '.git is kept');
  const readme = read('README.md', space);
  const front = readme.match(/^---\n([\s\S]*?)\n---\n/)[1];
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const meta = JSON.parse(execFileSync(python, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: front, encoding: 'utf8' }));
  // https://huggingface.co/docs/hub/spaces-config-reference
  assert.equal(meta.sdk, 'static');
  assert.equal(meta.app_file, 'index.html');
  assert.ok(fs.existsSync(path.join(space, meta.app_file)));
  assert.ok(meta.title && meta.title.length <= 30, meta.title);
  assert.equal([...meta.emoji].length, 1, meta.emoji);
  assert.ok(meta.short_description.length <= 60, meta.short_description);
  for (const c of [meta.colorFrom, meta.colorTo]) assert.ok(['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray'].includes(c), c);
  assert.ok(readme.includes(version));
  assert.match(read('.gitattributes', space), /^\*\.wasm filter=lfs diff=lfs merge=lfs -text$/m);
  assert.ok(!read('sw.js', space).includes('README.md'), 'the Space README is not part of the shell');
});

test('it replaces an earlier publish, and refuses a folder that holds something else', () => {
  fs.writeFileSync(path.join(site, 'stale.js'), '');
  publish({ dir: site });
  assert.ok(!fs.existsSync(path.join(site, 'stale.js')), 'an earlier publish is replaced whole');
  const other = path.join(tmp, 'other');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
  assert.throws(() => publish({ dir: other }), /not empty and holds no earlier publish \(publish\.json\): notes\.txt/);
  assert.equal(fs.readFileSync(path.join(other, 'notes.txt'), 'utf8'), 'mine');
  assert.throws(() => publish({ dir: root }), /is the repository or contains it/);
  assert.throws(() => publish({ dir: path.join(root, 'web') }), /inside web\//);
});

test('scripts/publish without a folder is a usage error', () => {
  assert.throws(() => execFileSync(process.execPath, [path.join(root, 'scripts/lib/publish.mjs')], { stdio: 'pipe' }), (e) => e.status === 2 && /usage: scripts\/publish/.test(e.stderr));
});
