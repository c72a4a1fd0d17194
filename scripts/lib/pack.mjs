// Stages the npm package in build/npm/ — npm/ (the ES module, its types, the node XMLHttpRequest),
// the wasm build (build/wasm/vram.js as vram.cjs for node, the same with an ES export as vram.mjs
// for browsers and bundlers, vram.wasm) and a package.json whose version is the root package.json's —
// then runs `npm pack` and prints the tarball's path (build/hf-vram-estimator-VERSION.tgz).
// Usage: node scripts/lib/pack.mjs   (after scripts/build)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { esmGlue } from './esm-glue.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = path.join(root, 'build/wasm');
const stage = path.join(root, 'build/npm');

export function packagePackage() {
  for (const f of ['vram.js', 'vram.wasm'])
    if (!fs.existsSync(path.join(wasmDir, f))) throw new Error(`build/wasm/${f} is missing: run scripts/build first`);
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm/package.json'), 'utf8'));
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const f of fs.readdirSync(path.join(root, 'npm')))
    if (f !== 'package.json') fs.copyFileSync(path.join(root, 'npm', f), path.join(stage, f));
  const glue = fs.readFileSync(path.join(wasmDir, 'vram.js'), 'utf8');
  fs.writeFileSync(path.join(stage, 'vram.cjs'), glue);
  fs.writeFileSync(path.join(stage, 'vram.mjs'), esmGlue(glue));
  fs.copyFileSync(path.join(wasmDir, 'vram.wasm'), path.join(stage, 'vram.wasm'));
  const out = { name: pkg.name, version: rootPkg.version, ...pkg, repository: rootPkg.repository, homepage: rootPkg.homepage };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(out, null, 2) + '\n');
  for (const f of pkg.files) if (!fs.existsSync(path.join(stage, f))) throw new Error(`npm/package.json lists ${f}, which the stage lacks`);
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', path.join(root, 'build'), stage],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(json);
  return { tarball: path.join(root, 'build', info.filename), version: info.version, files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = packagePackage();
  console.log(`${path.relative(root, r.tarball)}: ${r.files.length} files, ${(r.size / 1024).toFixed(1)} KiB packed, ${(r.unpackedSize / 1024).toFixed(1)} KiB unpacked`);
}
