// scripts/serve: serves build/site; with --demo also the Hub imitation on the fixture tree, and
// prints the page URL that points the page at it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStatic } from './static-server.mjs';
import { startHub } from '../../tests/hub/hub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
if (args.includes('--help')) {
  console.log(`usage: scripts/serve [--port 8080] [--demo] [--latency-ms N] [--h2]

Builds and serves the page at http://127.0.0.1:PORT/.
  --demo         also start the local Hub imitation with the fixture models and open the page on it
                 (the pages' Content-Security-Policy is widened to its origins as they are served)
  --latency-ms N with --demo: wait N ms before every Hub answer (default 0)
  --h2           with --demo: the imitation speaks HTTP/2 over TLS, as huggingface.co does, with a
                 self-signed certificate made at start-up; start the browser with the printed
                 --ignore-certificate-errors-spki-list flag (or accept the certificate once per origin)
`);
  process.exit(0);
}
const port = Number(opt('--port', '8080'));
const demo = args.includes('--demo');
let hub = null;
if (demo) {
  hub = await startHub({ fixtures: path.join(root, 'tests/fixtures/hub'), port: port + 1, cdnPort: port + 2,
    latencyMs: Number(opt('--latency-ms', '0')), protocol: args.includes('--h2') ? 'h2' : 'http1' });
}
// The built pages allow connections to the Hub and its CDN only; the demo widens that, as it
// serves them, to the imitation's two origins (build/site stays as shipped).
const site = await startStatic({ root: path.join(root, 'build/site'), port, connectSrc: hub ? [hub.hubUrl, hub.cdnUrl] : [] });
const page = demo ? `${site.url}/?endpoint=${encodeURIComponent(hub.hubUrl)}&model=mistralai/Mistral-7B-v0.1` : `${site.url}/`;
console.log(`Site: ${site.url}`);
if (hub) console.log(`Hub imitation: ${hub.hubUrl} (CDN ${hub.cdnUrl}) — demo models from tests/fixtures/hub`);
if (hub?.certificate) console.log(`Its certificate is self-signed: chromium --ignore-certificate-errors-spki-list=${hub.certificate.spkiSha256}`);
console.log(`Open: ${page}`);
const stop = async () => { await site.close(); await hub?.close(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
