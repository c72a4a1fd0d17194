// House limits on the C++ in core/: no file over 600 lines, no function over 120 lines, and the code
// formatted by the root .clang-format. Prints each breach and ends with "N passed, N failed"
// (one check per file). Function bodies are found by brace matching on the formatted source: a body
// is a `{` that ends a line which starts at column 0 or 4 (free functions, methods, lambdas
// assigned at namespace level) and whose line is not a type, namespace or initializer.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 120;

function files(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/\.(cpp|hpp)$/.test(e.name)) out.push(p);
  }
  return out;
}

// Strips comments and string/char literals so braces inside them do not count.
function code(text) {
  return text
    .replace(/R"([^(]*)\(([\s\S]*?)\)\1"/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, '')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

export function longFunctions(text, max = MAX_FUNCTION_LINES) {
  const lines = code(text).split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!/^( {0,4})\S.*\)\s*(const)?\s*(noexcept)?\s*(->\s*[\w:<>]+\s*)?\{\s*$/.test(l)) continue;
    if (/^\s*(namespace|struct|class|enum|union|if|for|while|switch|else|do)\b/.test(l)) continue;
    let depth = 0, end = -1;
    for (let j = i; j < lines.length && end < 0; j++) {
      for (const ch of lines[j]) {
        if (ch === '{') depth++;
        else if (ch === '}' && --depth === 0) { end = j; break; }
      }
    }
    if (end < 0) continue;
    const n = end - i + 1;
    if (n > max) found.push({ line: i + 1, lines: n, head: l.trim().slice(0, 80) });
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let passed = 0, failed = 0;
  const all = files(path.join(root, 'core'));
  for (const f of all) {
    const rel = path.relative(root, f);
    const text = fs.readFileSync(f, 'utf8');
    const problems = [];
    const n = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (n > MAX_FILE_LINES) problems.push(`${n} lines (limit ${MAX_FILE_LINES})`);
    for (const fn of longFunctions(text)) problems.push(`function at line ${fn.line} is ${fn.lines} lines (limit ${MAX_FUNCTION_LINES}): ${fn.head}`);
    try {
      const formatted = execFileSync('clang-format', ['--style=file', `--assume-filename=${f}`], { input: text, cwd: root, maxBuffer: 1 << 26 }).toString();
      if (formatted !== text) problems.push('not formatted (run clang-format -i on it)');
    } catch (err) {
      problems.push(`clang-format failed: ${err.message}`);
    }
    if (problems.length) { failed++; for (const p of problems) console.log(`not ok - ${rel}: ${p}`); } else passed++;
  }
  for (const dir of ['tests/unit', 'tests/fuzz', 'tools']) {
    for (const f of files(path.join(root, dir))) {
      const text = fs.readFileSync(f, 'utf8');
      const formatted = execFileSync('clang-format', ['--style=file', `--assume-filename=${f}`], { input: text, cwd: root, maxBuffer: 1 << 26 }).toString();
      const problems = formatted !== text ? ['not formatted (run clang-format -i on it)'] : [];
      // ctest gets each Catch2 test by its name through a CMake list: a ';' splits the name, an unbalanced '['
      // glues the next names to it, and Catch2 reads a backslash as an escape; the name then matches no test
      // (CMakeLists.txt: --warn NoTests fails it).
      for (const [, name] of text.matchAll(/TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"/g))
        if (/[;\\]/.test(name) || name.split('[').length !== name.split(']').length) problems.push(`test name with ';', a backslash or an unbalanced '[': "${name}"`);
      if (problems.length) { failed++; for (const p of problems) console.log(`not ok - ${path.relative(root, f)}: ${p}`); } else passed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
