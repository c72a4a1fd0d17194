// The imitation's wire protocols. huggingface.co and its CDN answer over HTTP/2 with TLS (ALPN h2),
// so a browser sends every request of a page load over one connection per origin; over HTTP/1.1 it
// opens at most six per origin and queues the rest. `protocol`:
//
//   'http1'  plain HTTP/1.1 (node:http), what every test used before and still uses by default
//   'h2'     HTTP/2 over TLS (node:http2, ALPN h2, HTTP/1.1 over TLS accepted too for clients without
//            h2), with a self-signed certificate for 127.0.0.1 and localhost made at start-up
//
// The certificate is made once per process with the system's `openssl` (node has no X.509 writer)
// and never written outside a temporary folder that is removed at once. A browser is told to accept
// it by its public key: Chromium's --ignore-certificate-errors-spki-list=<spkiSha256> (the bench and
// the browser tests only; the shipped page knows nothing of it). Node clients take `certificate.cert`
// as a CA (`NODE_EXTRA_CA_CERTS`, or `ca` in an https/http2 agent); libcurl takes it as CAINFO.
import http from 'node:http';
import http2 from 'node:http2';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const PROTOCOLS = ['http1', 'h2'];
// One day: the certificate lives as long as one test or bench run.
const CERT_DAYS = 1;

let certificate = null;

/** {key, cert, spkiSha256, certFile}: a self-signed P-256 certificate for 127.0.0.1, ::1 and localhost. */
export function localCertificate() {
  if (certificate) return certificate;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem'), certFile = path.join(dir, 'cert.pem');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', String(CERT_DAYS), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-keyout', keyFile, '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`the Hub imitation needs openssl to make its HTTPS certificate (${String(err.stderr || err.message).trim().split('\n')[0]})`);
    }
    const key = fs.readFileSync(keyFile, 'utf8'), cert = fs.readFileSync(certFile, 'utf8');
    const spki = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
    certificate = { key, cert, spkiSha256: crypto.createHash('sha256').update(spki).digest('base64') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // A file that outlives this call, for clients that read a CA file (libcurl's CAINFO): in the
  // temporary folder, removed when the process exits.
  const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-ca-'));
  certificate.certFile = path.join(caDir, 'hub-imitation-ca.pem');
  fs.writeFileSync(certificate.certFile, certificate.cert);
  process.once('exit', () => fs.rmSync(caDir, { recursive: true, force: true }));
  return certificate;
}

/**
 * A server for `protocol` calling `handler(req, res)` (node's compatibility API, the same objects
 * as node:http's for the code that answers). `closeAll()` ends every open connection at once.
 */
export function createServer(protocol, handler) {
  if (protocol === 'http1') {
    const server = http.createServer(handler);
    return { server, scheme: 'http', closeAll: () => server.closeAllConnections() };
  }
  if (protocol !== 'h2') throw new Error(`startHub: protocol must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  const { key, cert } = localCertificate();
  const server = http2.createSecureServer({ key, cert, allowHTTP1: true }, handler);
  const sockets = new Set();
  // Every TCP connection, tracked from its first byte (a TLS handshake still under way included).
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client that drops the TLS handshake (a browser refusing the certificate) is not an error of ours.
  server.on('tlsClientError', () => {});
  return { server, scheme: 'https', closeAll: () => { for (const s of sockets) s.destroy(); } };
}

/** Ends one response's stream with bytes still owed: the HTTP/2 stream is reset, an HTTP/1.1 connection closed. */
export function abortResponse(res) {
  if (res.stream) res.stream.close(http2.constants.NGHTTP2_CANCEL);
  else res.socket?.destroySoon();
}
