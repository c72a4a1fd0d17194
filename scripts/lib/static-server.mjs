// A small static file server for the built site (build/site): correct content types (wasm must
// be application/wasm for streaming compilation), no directory listing, nothing outside the root.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { connectSources, widenConnectSrc } from './csp.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// `connectSrc`: origins added to the connect-src of every HTML page's meta Content-Security-Policy
// as it is served (the demo's and the tests' Hub imitation); the files on disk stay as shipped.
export function startStatic({ root, port = 0, host = '127.0.0.1', log = null, connectSrc = [] }) {
  const base = path.resolve(root);
  const widen = connectSources(connectSrc);
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(base, '.' + pathname);
    if (!file.startsWith(base + path.sep)) {
      res.writeHead(404).end('not found');
      return;
    }
    fs.stat(file, (err, st) => {
      const status = err || !st.isFile() ? 404 : 200;
      log?.(`site ${req.method} ${req.url} ${status}`);
      if (status === 404) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const rewrite = widen.length && path.extname(file) === '.html';
      let body = null;
      if (rewrite) {
        try {
          body = Buffer.from(widenConnectSrc(fs.readFileSync(file, 'utf8'), widen));
        } catch {
          body = fs.readFileSync(file);  // a page without the policy is served as it is
        }
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Content-Length': body ? body.length : st.size,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // As GitHub Pages does: the site's files may be loaded from other origins (the
        // <vram-estimate> element's module, its wasm and stylesheet on a docs page).
        'Access-Control-Allow-Origin': '*',
      });
      if (req.method === 'HEAD') res.end();
      else if (body) res.end(body);
      else fs.createReadStream(file).pipe(res);
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      resolve({ url, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) });
    });
  });
}
