// Draws the app icons (192 and 512 px PNG, the sizes an installable web app needs) from the same
// design as web/icon.svg: a blue rounded square with a GPU card whose memory is partly filled.
// Standard library only (zlib for the PNG). Run: node scripts/lib/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x / size, y / size), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const BLUE = [0x24, 0x59, 0xd1, 255], WHITE = [255, 255, 255, 255], GREEN = [0x9f, 0xe3, 0xc9, 255];
// Coordinates in units of 1/64, as in icon.svg. Full-bleed background (maskable-safe content in the middle 80 %).
function pixel(u, v) {
  const x = u * 64, y = v * 64;
  const inRect = (x0, y0, w, h) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
  if (inRect(19, 25, 9, 14)) return WHITE;
  if (inRect(31, 25, 6, 14)) return GREEN;
  const outer = inRect(10, 16, 44, 32), inner = inRect(14, 20, 36, 24);
  if (outer && !inner) return WHITE;
  if (y >= 48 && y < 54 && [16, 26, 34, 44].some((px) => x >= px && x < px + 4)) return WHITE;
  return BLUE;
}
for (const size of [192, 512]) {
  const file = path.join(root, `web/icons/icon-${size}.png`);
  fs.writeFileSync(file, png(size, pixel));
  console.log(`wrote ${file}`);
}
