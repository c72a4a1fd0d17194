// Where the WebAssembly core's bytes go, by source file. The release link (build/wasm's own link
// line, flags unchanged) is repeated with --profiling-funcs into build/wasm-size/, which keeps each
// function's name in the "name" section; every function body of the code section is then given to:
//
//   core/…/x.cpp      the one object file of ours that defines the function (llvm-nm -C over build/wasm's objects)
//   nlohmann/json     a function of nlohmann's namespace (its header instantiations)
//   libc++ (std::)    a std:: function (instantiations in our objects and the prebuilt libc++/libc++abi)
//   embind            emscripten:: and the binding runtime
//   libc and runtime  the rest of emscripten's prebuilt sysroot (malloc, printf, strtod, …)
//   shared inline     a vram:: function several of our objects define (an inline function or template)
//
// The data section (string literals, tables) is attributed as a whole. Run alone:
//   node tests/bench/wasm-size.mjs   (after ./scripts/build)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];

function reader(buf) {
  let pos = 0;
  const u32 = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = buf[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  return { u32, get pos() { return pos; }, set pos(p) { pos = p; }, name: () => { const n = u32(); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; } };
}

/** {sections: [{id, name, size}], functionImports, bodies: [size], names: Map(index → name)} of a wasm binary. */
export function parseWasm(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm binary');
  const r = reader(buf);
  r.pos = 8;
  const sections = [], bodies = [], names = new Map();
  let functionImports = 0;
  while (r.pos < buf.length) {
    const id = buf[r.pos++];
    const size = r.u32();
    const start = r.pos, end = start + size;
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      const custom = r.name();
      name = `custom "${custom}"`;
      if (custom === 'name') {
        while (r.pos < end) {
          const sub = buf[r.pos++];
          const subSize = r.u32();
          const subEnd = r.pos + subSize;
          if (sub === 1) {
            const n = r.u32();
            for (let i = 0; i < n; i++) { const idx = r.u32(); names.set(idx, r.name()); }
          }
          r.pos = subEnd;
        }
      }
    } else if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name(); r.name();
        const kind = buf[r.pos++];
        if (kind === 0) { functionImports++; r.u32(); }
        else if (kind === 1) { r.pos++; const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
        else if (kind === 2) { const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
        else if (kind === 3) { r.pos++; r.pos++; }
        else if (kind === 4) { r.pos++; r.u32(); }
      }
    } else if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n; i++) { const s = r.u32(); bodies.push(s); r.pos += s; }
    }
    sections.push({ id, name, size });
    r.pos = end;
  }
  return { sections, functionImports, bodies, names };
}

/** demangled symbol → [source files of ours whose object defines it as code]. */
function definitions(buildDir, root) {
  const objects = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.o')) objects.push(f);
    }
  };
  walk(path.join(buildDir, 'CMakeFiles'));
  const defs = new Map();
  for (const o of objects) {
    const source = path.relative(root, path.resolve(root, o.replace(/^.*CMakeFiles\/[^/]+\.dir\//, '').replace(/\.o$/, '')));
    const lines = execFileSync('llvm-nm-14', ['-C', '--defined-only', o], { maxBuffer: 64 * 1024 * 1024 }).toString().split('\n');
    for (const line of lines) {
      const m = /^\S*\s+([TtWw])\s+(.+)$/.exec(line);
      if (!m) continue;
      const list = defs.get(m[2]) ?? [];
      if (!list.includes(source)) list.push(source);
      defs.set(m[2], list);
    }
  }
  return defs;
}

// The qualified name of a function without its arguments (and without a template's return type).
function qualified(name) {
  const open = name.indexOf('(');
  let head = open >= 0 ? name.slice(0, open) : name;
  // A return type comes first, separated by a space outside any <…>.
  let depth = 0, cut = -1;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ' ' && depth === 0) cut = i;
  }
  if (cut >= 0) head = head.slice(cut + 1);
  return head;
}

function category(name, defs) {
  const q = qualified(name);
  if (/^nlohmann::/.test(q)) return 'nlohmann/json (header instantiations)';
  const ours = defs.get(name);
  if (ours && ours.length === 1) return ours[0];
  if (/^vram::/.test(q)) return ours ? 'shared inline functions and templates of ours' : 'ours, not attributed to one file';
  if (/^emscripten::|embind/.test(q)) return 'embind runtime';
  if (/^std::|^__cxa|^__cxxabiv1|^operator new|^operator delete|^__cxx/.test(q)) return 'libc++ / libc++abi (std::)';
  if (/fetch/i.test(q)) return 'emscripten fetch';
  return 'libc, malloc and runtime (prebuilt)';
}

/** Relinks with names, attributes bytes; {total, gzip, sections, byFile: [{what, bytes, functions}], relinkWasmBytes}. */
export function wasmAttribution(root) {
  const buildDir = path.join(root, 'build/wasm');
  const outDir = path.join(root, 'build/wasm-size');
  const linkTxt = fs.readFileSync(path.join(buildDir, 'CMakeFiles/vram.dir/link.txt'), 'utf8').trim();
  if (!/ -o vram\.js /.test(linkTxt)) throw new Error('wasm-size: unexpected link line in build/wasm/CMakeFiles/vram.dir/link.txt');
  fs.mkdirSync(outDir, { recursive: true });
  const args = linkTxt.replace(/ -o vram\.js /, ` -o ${path.join(outDir, 'vram.js')} `).split(/\s+/);
  execFileSync(args[0], [...args.slice(1), '--profiling-funcs'], { cwd: buildDir, env: { ...process.env, NODE_PATH: '/usr/share/nodejs' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const release = fs.readFileSync(path.join(buildDir, 'vram.wasm'));
  const named = fs.readFileSync(path.join(outDir, 'vram.wasm'));
  const rel = parseWasm(release), w = parseWasm(named);
  const defs = definitions(buildDir, root);
  // The name section of emscripten 3.1.6 holds demangled names, as llvm-nm -C prints them.
  const names = w.bodies.map((_, i) => w.names.get(w.functionImports + i) ?? `<function ${w.functionImports + i}>`);
  const by = new Map();
  w.bodies.forEach((size, i) => {
    const what = category(names[i], defs);
    const e = by.get(what) ?? { what, bytes: 0, functions: 0 };
    e.bytes += size; e.functions++;
    by.set(what, e);
  });
  const codeNamed = w.sections.find((s) => s.id === 10)?.size ?? 0;
  const data = rel.sections.find((s) => s.id === 11)?.size ?? 0;
  by.set('data section (string literals, tables)', { what: 'data section (string literals, tables)', bytes: data, functions: 0 });
  const other = rel.sections.filter((s) => s.id !== 10 && s.id !== 11).reduce((n, s) => n + s.size, 0);
  by.set('other sections (types, imports, exports, element)', { what: 'other sections (types, imports, exports, element)', bytes: other, functions: 0 });
  return {
    total: release.length,
    gzip: zlib.gzipSync(release, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(release, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    codeBytes: rel.sections.find((s) => s.id === 10)?.size ?? 0,
    codeBytesNamedBuild: codeNamed,
    sections: rel.sections.map(({ name, size }) => ({ name, size })),
    byFile: [...by.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const r = wasmAttribution(root);
  console.log(`vram.wasm: ${r.total} bytes, ${r.gzip} gzip -9, ${r.brotli} brotli 11; code ${r.codeBytes} (named relink ${r.codeBytesNamedBuild})`);
  for (const e of r.byFile) console.log(`${String(e.bytes).padStart(8)}  ${(100 * e.bytes / r.total).toFixed(1).padStart(5)}%  ${String(e.functions).padStart(5)} fn  ${e.what}`);
}
