// Emscripten's UMD glue (build/wasm/vram.js) as an ES module: in a module the UMD tail finds no `module`/`define` and
// does nothing, so the factory is exported by name. The site (scripts/build: wasm/vram.js, imported by
// web/js/core-api.js in the page's worker) and the npm package (scripts/lib/pack.mjs: vram.mjs) both ship this form.
// Usage: node scripts/lib/esm-glue.mjs IN OUT
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export function esmGlue(glue, from = 'build/wasm/vram.js') {
  if (!/\bvar createVramCore\b/.test(glue)) throw new Error(`${from} does not define createVramCore (EXPORT_NAME changed?)`);
  return `${glue}\nexport default createVramCore;\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) { console.error('usage: node scripts/lib/esm-glue.mjs IN OUT'); process.exit(2); }
  fs.writeFileSync(output, esmGlue(fs.readFileSync(input, 'utf8'), input));
}
