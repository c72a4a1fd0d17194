// Assembles a release site from the built one (build/site): scripts/publish DIR [--space].
//
// - JS, CSS and WASM files get content-hashed names (app.3f9c1e0a2b.js); every reference to them in
//   the site's HTML, JS and CSS is rewritten, files in dependency order so that a file's hash covers
//   the hashed names it refers to. The service worker (web/sw.js) gets the new file list and a new
//   cache version.
// - JS and CSS are minified (esbuild, a pinned devDependency: whitespace, syntax and local names; exported names,
//   strings and property names stay as written, so every quoted file reference survives for the hashing below).
// - _headers, for hosts that read one (Netlify, Cloudflare Pages): a Content-Security-Policy with
//   frame-ancestors on each page (the pages' meta policy plus what only a header can say),
//   X-Content-Type-Options, Referrer-Policy: no-referrer, application/wasm, a year of cache for
//   hashed files and revalidation for the rest. GitHub Pages and Spaces ignore it.
// - 404.html; the <vram-estimate> element under a path that stays put across releases,
//   embed/v1/vram-estimate.js (v1 = the element's attributes, the package's major version), which
//   imports the current hashed module; embed/vram-estimate.js does the same for existing pages.
// - publish.json: the version and every file, which also marks DIR as a publish output, so that a
//   later publish may replace it.
// - --space: README.md with a Hugging Face Space's front matter (sdk: static) and a .gitattributes that
//   stores the binary files with LFS, so that pushing DIR to a Space is the whole deployment.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HASHED_EXT = new Set(['.js', '.css', '.wasm']);
const TEXT_EXT = new Set(['.html', '.js', '.css', '.webmanifest', '.json', '.svg']);
// Files that keep their names: the service worker (its URL is its identity) and the element's entry points.
const KEEP_NAME = new Set(['sw.js', 'embed/vram-estimate.js', 'embed/v1/vram-estimate.js']);
const EMBED_MAJOR = 'v1';
const HASH_CHARS = 10;  // 40 bits of sha256: collisions among a few dozen files are not a concern
// What a previous publish, or a freshly cloned Space, may leave in DIR.
const MARKER = 'publish.json';
const SPACE_TEMPLATE = new Set(['.git', 'README.md', '.gitattributes']);
const LONG_CACHE = 'public, max-age=31536000, immutable';

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// What the release ships is what the browser needs, not what a reader needs: the sources are in the repository.
// No target lowering (the page's own syntax is kept) and no legal comments (the licence is the repository's).
function minify(file, body) {
  const loader = { '.js': 'js', '.css': 'css' }[path.posix.extname(file)];
  if (!loader) return body;
  return Buffer.from(transformSync(body.toString('utf8'), { loader, minify: true, legalComments: 'none', charset: 'utf8' }).code);
}

function listFiles(dir, base = dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

// Quoted strings (and href/src values) that end in a file name with one of the hashed extensions.
const REF = /(["'`])((?:\.{1,2}\/)*[\w./-]*?[\w-]+\.(?:js|css|wasm))\1/g;

/** The hashed file a quoted reference names: its path with ./ and ../ removed is the file's path or a suffix of it. */
function target(ref, hashable) {
  const rest = ref.replace(/^(?:\.{1,2}\/)+/, '');
  if (!rest || rest.includes('..')) return null;
  const hits = hashable.filter((f) => f === rest || f.endsWith('/' + rest));
  if (hits.length > 1) throw new Error(`reference "${ref}" could name any of ${hits.join(', ')}: give the files distinct names`);
  return hits[0] || null;
}

function references(text, hashable) {
  const found = new Set();
  for (const m of text.matchAll(REF)) {
    const t = target(m[2], hashable);
    if (t) found.add(t);
  }
  return found;
}

function rewrite(text, hashable, names) {
  return text.replace(REF, (whole, q, ref) => {
    const t = target(ref, hashable);
    if (!t) return whole;
    const base = ref.slice(0, ref.length - path.posix.basename(ref).length);
    return `${q}${base}${path.posix.basename(names.get(t))}${q}`;
  });
}

function hashedName(file, content) {
  const ext = path.posix.extname(file);
  return `${file.slice(0, -ext.length)}.${sha(content).slice(0, HASH_CHARS)}${ext}`;
}

function metaCsp(html, file) {
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  if (!m) throw new Error(`${file} has no Content-Security-Policy meta tag to start the header policy from`);
  return m[1].trim().replace(/;\s*$/, '');
}

function prepareDir(dir) {
  if (!fs.existsSync(dir)) return fs.mkdirSync(dir, { recursive: true });
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
  const real = fs.realpathSync(dir);
  if (real === root || root.startsWith(real + path.sep) || real === path.parse(real).root)
    throw new Error(`refusing to publish into ${dir}: it is the repository or contains it`);
  for (const keep of ['web', 'core', 'build/site']) {
    const p = path.join(root, keep);
    if (real === p || real.startsWith(p + path.sep)) throw new Error(`refusing to publish into ${dir}: it is inside ${keep}/`);
  }
  const entries = fs.readdirSync(dir);
  let previous = false;
  try { previous = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')).generator === 'hf-vram-estimator'; } catch { /* no marker */ }
  const foreign = entries.filter((e) => !SPACE_TEMPLATE.has(e));
  if (foreign.length && !previous)
    throw new Error(`${dir} is not empty and holds no earlier publish (${MARKER}): ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}. Use an empty folder or a fresh clone of the Space.`);
  for (const e of entries) if (e !== '.git') fs.rmSync(path.join(dir, e), { recursive: true, force: true });
}

function spaceReadme(pkg) {
  // Front matter keys: https://huggingface.co/docs/hub/spaces-config-reference
  // (short_description: at most 60 characters; colors from the documented set).
  return `---
title: Will it fit? GPU memory
emoji: 🧮
colorFrom: blue
colorTo: indigo
sdk: static
app_file: index.html
short_description: GPU memory of a Hub model from its metadata alone
license: ${String(pkg.license || 'mit').toLowerCase()}
pinned: false
---

# Will it fit? — GPU memory of Hugging Face models

${pkg.description}

hf-vram-estimator ${pkg.version}, published by \`scripts/publish --space\`: a static site (HTML, JS and a
WebAssembly core) that reads a model's \`config.json\`, shard indexes and safetensors/GGUF headers with
HTTP Range requests — no weights are downloaded — and estimates the memory for inference.
`;
}

const GITATTRIBUTES = `# Binary files go through Git LFS, as the Hub asks of Space repositories.
*.wasm filter=lfs diff=lfs merge=lfs -text
*.png filter=lfs diff=lfs merge=lfs -text
`;

export function publish({ dir, space = false, siteDir = path.join(root, 'build/site') }) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) throw new Error(`${siteDir} has no index.html: run scripts/build first`);
  const swTemplate = fs.readFileSync(path.join(root, 'web/sw.js'), 'utf8');
  if (!swTemplate.includes('__SHELL_VERSION__') || !swTemplate.includes('__SHELL_FILES__'))
    throw new Error('web/sw.js lacks the __SHELL_VERSION__ / __SHELL_FILES__ placeholders');
  prepareDir(dir);

  const files = listFiles(siteDir).filter((f) => f !== 'sw.js');
  const content = new Map(files.map((f) => [f, minify(f, fs.readFileSync(path.join(siteDir, f)))]));
  const isText = (f) => TEXT_EXT.has(path.posix.extname(f));
  const hashable = files.filter((f) => HASHED_EXT.has(path.posix.extname(f)) && !KEEP_NAME.has(f));
  // The element's module gets a hashed name too; its stable paths become one-line modules importing it.
  const embedModule = 'embed/vram-estimate.js';
  if (content.has(embedModule)) hashable.push(embedModule);

  // Dependency order: a file is named once every file it refers to has its final name.
  const deps = new Map(hashable.map((f) => [f, isText(f) ? references(content.get(f).toString('utf8'), hashable) : new Set()]));
  for (const [f, d] of deps) d.delete(f);
  const names = new Map();
  const out = new Map();
  while (names.size < hashable.length) {
    const ready = hashable.filter((f) => !names.has(f) && [...deps.get(f)].every((d) => names.has(d)));
    if (!ready.length) throw new Error(`circular references among ${hashable.filter((f) => !names.has(f)).join(', ')}`);
    for (const f of ready) {
      const body = isText(f) ? Buffer.from(rewrite(content.get(f).toString('utf8'), hashable, names)) : content.get(f);
      const name = hashedName(f, body);
      names.set(f, name);
      out.set(name, body);
    }
  }
  for (const f of files) {
    if (hashable.includes(f)) continue;
    out.set(f, isText(f) ? Buffer.from(rewrite(content.get(f).toString('utf8'), hashable, names)) : content.get(f));
  }
  if (names.has(embedModule)) {
    const hashedBase = path.posix.basename(names.get(embedModule));
    const shim = (rel) => Buffer.from(`// hf-vram-estimator ${pkg.version}: the <vram-estimate> element. This URL stays the same across
// releases (pages and model cards link it); it imports the current release's module.
import '${rel}${hashedBase}';
`);
    out.set(embedModule, shim('./'));
    out.set(`embed/${EMBED_MAJOR}/vram-estimate.js`, shim('../'));
  }
  out.set('404.html', Buffer.from(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; base-uri 'none'; form-action 'none'">
  <meta name="referrer" content="no-referrer">
  <title>Not found — Will it fit?</title>
</head>
<body>
  <h1>Not found</h1>
  <p>There is no page at this address. The estimator is on this site's start page: <a href="./">Will it fit?</a></p>
  <p>Embedding it? The element's script is <code>embed/${EMBED_MAJOR}/vram-estimate.js</code>.</p>
</body>
</html>
`));

  // The service worker: every file of the shell (not what only hosts or the Space read).
  const notShell = new Set(['404.html', '_headers', MARKER, 'README.md', '.gitattributes']);
  const shell = [...out.keys()].filter((f) => !notShell.has(f)).sort();
  const version = sha(Buffer.concat(shell.flatMap((f) => [Buffer.from(f + '\0'), out.get(f)]))).slice(0, 12);
  out.set('sw.js', Buffer.from(swTemplate.replace('__SHELL_VERSION__', version).replace('__SHELL_FILES__', JSON.stringify(shell))));

  const hashedFiles = new Set(names.values());
  const pageCsp = (file, ancestors) => `${metaCsp(out.get(file).toString('utf8'), file)}; frame-ancestors ${ancestors}`;
  const rules = [
    ['/*', ['X-Content-Type-Options: nosniff', 'Referrer-Policy: no-referrer']],
    // The Space view frames the page from huggingface.co; the iframe view is meant to be framed anywhere.
    ...['/', '/index.html'].map((p) => [p, [`Content-Security-Policy: ${pageCsp('index.html', "'self' https://huggingface.co")}`, 'Cache-Control: no-cache']]),
    ['/embed.html', [`Content-Security-Policy: ${pageCsp('embed.html', '*')}`, 'Cache-Control: no-cache']],
    ['/404.html', ["Content-Security-Policy: default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", 'Cache-Control: no-cache']],
  ];
  for (const f of [...out.keys()].sort()) {
    if (['index.html', 'embed.html', '404.html'].includes(f)) continue;
    const h = [`Cache-Control: ${hashedFiles.has(f) ? LONG_CACHE : 'no-cache'}`];
    if (f.endsWith('.wasm')) h.push('Content-Type: application/wasm');
    // Other sites load the element's module, the core and the stylesheet (module scripts and
    // the .wasm are fetched with CORS).
    if (/^(embed|js|wasm|css)\//.test(f)) h.push('Access-Control-Allow-Origin: *');
    rules.push([`/${f}`, h]);
  }
  rules.push([`/${MARKER}`, ['Cache-Control: no-cache']]);
  out.set('_headers', Buffer.from(`# Response headers for hosts that read _headers (Netlify, Cloudflare Pages); written by scripts/publish.\n` +
    rules.map(([p, h]) => `${p}\n${h.map((l) => `  ${l}`).join('\n')}`).join('\n') + '\n'));

  if (space) {
    out.set('README.md', Buffer.from(spaceReadme(pkg)));
    out.set('.gitattributes', Buffer.from(GITATTRIBUTES));
  }
  const manifest = {
    generator: 'hf-vram-estimator', version: pkg.version, space,
    embed: `embed/${EMBED_MAJOR}/vram-estimate.js`, sw_version: version,
    files: [...out.keys()].concat(MARKER).sort(),
  };
  out.set(MARKER, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));

  for (const [f, body] of out) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), body);
  }
  return { files: [...out.keys()].sort(), hashed: Object.fromEntries(names), version: pkg.version, sw_version: version };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const usage = 'usage: scripts/publish [--space] DIR   (DIR: an empty folder, an earlier publish, or a fresh clone of a Space)';
  if (args.includes('--help') || args.includes('-h')) { console.log(usage); process.exit(0); }
  const space = args.includes('--space');
  const rest = args.filter((a) => a !== '--space');
  if (rest.length !== 1 || rest[0].startsWith('-')) { console.error(usage); process.exit(2); }
  try {
    const r = publish({ dir: path.resolve(rest[0]), space });
    console.log(`published hf-vram-estimator ${r.version} to ${rest[0]}: ${r.files.length} files, ${Object.keys(r.hashed).length} content-hashed, service worker cache ${r.sw_version}${space ? ', with the Space README' : ''}`);
  } catch (e) {
    console.error(`publish: ${e.message}`);
    process.exit(1);
  }
}
