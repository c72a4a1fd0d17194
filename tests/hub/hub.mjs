// A local imitation of the Hugging Face Hub and of its CDN, serving the fixture tree described in
// tests/fixtures/FORMAT.md. Every test of the project talks to it instead of huggingface.co.
//
// Source of truth for the HTTP behaviour: the project's Hub protocol notes (hub-protocol.md §A1–A8:
// model info, tree pagination, resolve redirects, CORS, error codes) and the CORS facts verified in
// Chromium (toolchain.md §2: the 302 carries CORS headers, the CDN answers `*` and exposes
// Content-Range/ETag, preflights allow Authorization and Range).
//
// Two origins: the Hub (API, tree, resolve, raw, resolve-cache, /_control) and the CDN that weight
// files redirect to. Weight files are stored as prefixes and served at full length, zeros after the
// prefix, streamed in chunks so that a 100 GB file costs nothing.
//
// Run directly (`node tests/hub/hub.mjs --help`, or scripts/hub) it serves in the foreground.

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer, abortResponse, localCertificate, PROTOCOLS } from './tls.mjs';

// What huggingface.co sends in Access-Control-Expose-Headers on every response (hub-protocol §A6.1).
const HUB_EXPOSED_HEADERS =
  'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,' +
  'Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';
// The Hub's answer when a request carries no Origin (hub-protocol §A6.1).
const DEFAULT_ALLOW_ORIGIN = 'https://huggingface.co';
const PREFLIGHT_METHODS = 'GET, HEAD, POST, OPTIONS';
// Allowed in every preflight answer, whatever the browser asked for (toolchain §2).
const PREFLIGHT_BASE_HEADERS = ['authorization', 'range', 'content-type', 'accept'];
// One day, as huggingface.co answers.
const PREFLIGHT_MAX_AGE_S = 86400;
// The CDN exposes `*`; the names are listed too because `*` means nothing to credentialed requests.
const CDN_EXPOSED_HEADERS = 'Content-Range, Accept-Ranges, ETag, Content-Length, *';

// Bodies are streamed in chunks of this size: served files may claim 100+ GB and are never allocated.
const CHUNK_BYTES = 64 * 1024;
const ZERO_CHUNK = Buffer.alloc(CHUNK_BYTES);
// Signed CDN URLs claim the Hub's one-hour validity (hub-protocol §A4); expiry is not enforced.
const SIGNED_URL_EXPIRES_S = 3600;
// The control endpoint reads small JSON documents only.
const MAX_CONTROL_BODY_BYTES = 64 * 1024;
// A short commit id needs at least git's default abbreviation of 7 hex digits to be accepted.
const MIN_SHORT_SHA_HEX = 7;
// Fixtures carry no dates; one fixed date keeps API answers reproducible.
const DEFAULT_LAST_MODIFIED = '2024-01-01T00:00:00.000Z';
// Model search answers this many models unless `limit` says otherwise, and never more than the max
// (huggingface_hub list_models pages by 1000).
const SEARCH_DEFAULT_LIMIT = 20;
const SEARCH_MAX_LIMIT = 1000;
// The `sort` keys of model search that the fixtures can answer.
const SEARCH_SORT_KEYS = new Set(['downloads', 'likes', 'createdAt', 'lastModified', 'id']);
// Retry-After-less rate limits still announce the Hub's 5-minute window (hub-protocol §A8).
const RATE_LIMIT_WINDOW_S = 300;

const HUB_META_FILE = '.hub.json';
const HUB_SETTINGS_FILE = '_hub.json';
// Stored as prefixes, served through the CDN (FORMAT.md). A file listed in `.hub.json` `sizes` is too.
const WEIGHT_EXTENSIONS = ['.safetensors', '.gguf'];
// The subset of config.json that the API returns as `config`.
const CONFIG_KEYS = ['architectures', 'model_type', 'quantization_config'];
// Valid `expand` values for models (huggingface_hub ExpandModelProperty_T, hub-protocol §A1).
const EXPAND_PROPERTIES = new Set([
  'author', 'baseModels', 'cardData', 'childrenModelCount', 'config', 'createdAt', 'disabled',
  'downloads', 'downloadsAllTime', 'evalResults', 'gated', 'gguf', 'inference',
  'inferenceProviderMapping', 'lastModified', 'library_name', 'likes', 'mask_token', 'model-index',
  'pipeline_tag', 'private', 'resourceGroup', 'safetensors', 'sha', 'siblings', 'spaces', 'tags',
  'transformersInfo', 'trendingScore', 'usedStorage', 'widgetData',
]);
// One part of a repo id (org or name): the Hub's characters; never '..', never a branch folder ('@').
const REPO_ID_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// An HTTP token (RFC 9110 §5.6.2), for header names echoed in preflight answers.
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const LFS_POINTER_VERSION = 'version https://git-lfs.github.com/spec/v1';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const HTML_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Hugging Face - 500</title></head>\n' +
  '<body><h1>500</h1><p>Internal Error - We\'re working hard to fix this as soon as possible!</p></body></html>\n';
// What a captive portal or a proxy's login page sends instead of the answer (fault `htmlOk`).
const HTML_PORTAL_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n' +
  '<body><form method="post" action="/login"><p>Accept the terms of use to continue.</p>' +
  '<button>Connect</button></form></body></html>\n';

const MESSAGES = {
  invalidCredentials: 'Invalid credentials in Authorization header',
  invalidUser: 'Invalid username or password.',
  repoNotFound: 'Repository not found',
  entryNotFound: 'Entry not found',
  gatedNoToken: (id) =>
    `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
  gatedNotListed: (id) =>
    `Access to model ${id} is restricted and you are not in the authorized list. Visit https://huggingface.co/${id} to ask for access.`,
  invalidRev: (rev) => `Invalid rev id: ${rev}`,
  badApiPath: "Sorry, we can't find the page you are looking for.",
};

// ------------------------------------------------------------------------------------------------
// Faults: named switches for a hostile Hub (issue #9 §2), one per scenario. Each switch acts at one
// place (answering before routing, the resolve redirect, the tree, the bytes of a file) and has a
// home scope: the origin it touches and a substring of the request URL. Every switch takes an
// optional `match` that moves or narrows that scope, the same way for all of them:
//   match: "text"                                  requests whose URL (path and query, as sent) contains "text"
//   match: {origin: "hub"|"cdn"|"any", path: "text"}   either field may be left out
// A field left out keeps the switch's home value. A value of null, false or undefined clears a switch.

const MATCH_ORIGINS = new Set(['hub', 'cdn', 'any']);
// A URL scheme (RFC 3986 §3.1), for redirectToScheme.
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

const FAULT_SWITCHES = {
  // The next `count` matching requests answer `status` (default 503), or the `statuses` in turn.
  status5xx: {
    home: { origin: 'hub', path: '' },
    check: (v) => {
      checkKeys(v, 'status5xx', ['count', 'status', 'statuses', 'match']);
      if (v.statuses !== undefined) {
        if (v.status !== undefined) throw new Error('status5xx takes `status` or `statuses`, not both');
        if (!Array.isArray(v.statuses) || v.statuses.length === 0 || !v.statuses.every(isServerErrorStatus)) {
          throw new Error('status5xx.statuses must be a non-empty list of 500..599');
        }
        return withCount(v, { statuses: [...v.statuses] });
      }
      const status = v.status ?? 503;
      if (!isServerErrorStatus(status)) throw new Error('status5xx.status must be 500..599');
      return withCount(v, { status });
    },
  },
  // The next `count` matching requests answer 429, with Retry-After when `retryAfter` (seconds) is
  // given; `retryAfter: null` (the default) sends none.
  rateLimit: {
    home: { origin: 'hub', path: '' },
    check: (v) => {
      checkKeys(v, 'rateLimit', ['count', 'retryAfter', 'match']);
      const retryAfter = v.retryAfter ?? null;
      if (retryAfter !== null && !isNonNegativeInteger(retryAfter)) throw new Error('rateLimit.retryAfter must be seconds or null');
      return withCount(v, { retryAfter });
    },
  },
  // Bodies send this many bytes, then hang until the client gives up or close(). N or {bytes, match}.
  stallAfterBytes: { home: { origin: 'cdn', path: '' }, check: (v) => byteSwitch(v, 'stallAfterBytes') },
  // Bodies announce their full Content-Length, send this many bytes, then the connection ends.
  truncateBody: { home: { origin: 'cdn', path: '' }, check: (v) => byteSwitch(v, 'truncateBody') },
  // Range is ignored: 200 with the whole file (streamed; the client has to stop reading).
  ignoreRange: { home: { origin: 'cdn', path: '' }, check: (v) => flagSwitch(v, 'ignoreRange') },
  // A 206 whose Content-Range names another length than the body carries.
  contentRangeMismatch: { home: { origin: 'cdn', path: '' }, check: (v) => flagSwitch(v, 'contentRangeMismatch') },
  // /resolve answers 302 to itself.
  redirectLoop: { home: { origin: 'hub', path: '/resolve/' }, check: (v) => flagSwitch(v, 'redirectLoop') },
  // The /resolve redirects (302 to the CDN, 307 to resolve-cache) point to another scheme, e.g. ftp://.
  // "ftp" or {scheme, match}.
  redirectToScheme: {
    home: { origin: 'hub', path: '/resolve/' },
    check: (v) => {
      if (typeof v === 'string') return checkScheme(v);
      checkKeys(v, 'redirectToScheme', ['scheme', 'match']);
      checkScheme(v.scheme);
      return withMatch(v, { scheme: v.scheme });
    },
  },
  // /api/models answers 500 with an HTML page.
  htmlErrors: { home: { origin: 'hub', path: '/api/models' }, check: (v) => flagSwitch(v, 'htmlErrors') },
  // /api routes (resolve-cache included) answer 200 with an HTML page: a captive portal.
  htmlOk: { home: { origin: 'hub', path: '/api/' }, check: (v) => flagSwitch(v, 'htmlOk') },
  // Every tree page has a `Link: rel="next"`; past the last entry the pages are empty, each with a
  // new cursor, so a client that follows them never reaches the end.
  endlessTree: { home: { origin: 'hub', path: '/tree/' }, check: (v) => flagSwitch(v, 'endlessTree') },
  // Hardening II (issue #16). 200 with a JSON body that never ends (`[` then spaces, no Content-Length).
  endlessBody: { home: { origin: 'hub', path: '/api/models/' }, check: (v) => flagSwitch(v, 'endlessBody') },
  // 200 with `Content-Encoding: gzip` whose body inflates to `inflatedBytes` (default 4 GiB) of `[` and
  // spaces: a few MB on the wire. true or {inflatedBytes, match}.
  gzipBomb: {
    home: { origin: 'hub', path: '/api/models/' },
    check: (v) => {
      if (v === true) return { inflatedBytes: GZIP_BOMB_DEFAULT_BYTES };
      checkKeys(v, 'gzipBomb', ['inflatedBytes', 'match']);
      const inflatedBytes = v.inflatedBytes ?? GZIP_BOMB_DEFAULT_BYTES;
      if (!isNonNegativeInteger(inflatedBytes)) throw new Error('gzipBomb.inflatedBytes must be a byte count');
      return withMatch(v, { inflatedBytes });
    },
  },
  // Every matching answer waits `ms` first (a slow server; with endlessTree, a listing that takes hours).
  // {ms, match}.
  delayMs: {
    home: { origin: 'any', path: '' },
    check: (v) => {
      checkKeys(v, 'delayMs', ['ms', 'match']);
      if (!isNonNegativeInteger(v.ms)) throw new Error('delayMs.ms must be milliseconds');
      return withMatch(v, { ms: v.ms });
    },
  },
  // config.json answers with `set`'s keys put in at the top level (null values kept: "the key is null"),
  // `unset`'s keys removed. {set, unset, match}.
  configPatch: {
    home: { origin: 'hub', path: 'config.json' },
    check: (v) => {
      checkKeys(v, 'configPatch', ['set', 'unset', 'match']);
      const set = v.set ?? {};
      const unset = v.unset ?? [];
      if (!set || typeof set !== 'object' || Array.isArray(set)) throw new Error('configPatch.set is an object');
      if (!Array.isArray(unset) || !unset.every((k) => typeof k === 'string')) throw new Error('configPatch.unset is a list of keys');
      return withMatch(v, { set, unset });
    },
  },
  // Safetensors files served with their JSON header padded with spaces to `bytes` (legal: the format
  // allows trailing whitespace), and listed in the tree with the size grown to match: a legal repo whose
  // headers are huge. N or {bytes, match}.
  paddedHeader: { home: { origin: 'any', path: '' }, check: (v) => byteSwitch(v, 'paddedHeader') },
};

// gzipBomb's default: 4 GiB inflated, about 4 MB of gzip.
const GZIP_BOMB_DEFAULT_BYTES = 4 * 1024 ** 3;
const SPACE_CHUNK = Buffer.alloc(CHUNK_BYTES, 0x20);

// Waits as delayMs says (before any routing); the control endpoint is never delayed.
async function faultDelay(ctx) {
  if (ctx.req.url.startsWith('/_control')) return;
  const fault = activeFault(ctx, 'delayMs');
  if (fault !== undefined) await sleep(fault.ms, undefined, { signal: ctx.signal });
}

// `[` then spaces: `bytes` of them, or without end.
async function* spaces(bytes = Infinity, signal = null) {
  yield Buffer.from('[');
  for (let sent = 1; sent < bytes && !signal?.aborted;) {
    const n = Math.min(CHUNK_BYTES, bytes - sent);
    yield SPACE_CHUNK.subarray(0, n);
    sent += n;
  }
}

function sendEndlessBody(ctx) {
  writeHead(ctx, 200, { 'Content-Type': JSON_TYPE });
  pipeline(Readable.from(spaces(Infinity, ctx.signal)), ctx.res).catch(() => ctx.res.destroy());
}

function sendGzipBomb(ctx, inflatedBytes) {
  writeHead(ctx, 200, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' });
  const gzip = zlib.createGzip({ level: 9 });
  pipeline(Readable.from(spaces(inflatedBytes, ctx.signal)), gzip, ctx.res).catch(() => ctx.res.destroy());
}

// The config.json text with configPatch applied, or null when the fault does not take this file.
async function patchedConfig(ctx, file) {
  const fault = activeFault(ctx, 'configPatch');
  if (fault === undefined || file.lfs || !file.path.endsWith('config.json')) return null;
  const config = JSON.parse(await fsp.readFile(file.abs, 'utf8'));
  for (const key of fault.unset) delete config[key];
  Object.assign(config, fault.set);
  return JSON.stringify(config, null, 2);
}

// paddedHeader for a safetensors file: {headerBytes, paddedBytes, extra} or null when it does not apply.
async function headerPadding(ctx, file) {
  const fault = activeFault(ctx, 'paddedHeader');
  if (fault === undefined || !file.path.toLowerCase().endsWith('.safetensors')) return null;
  const handle = await fsp.open(file.abs, 'r');
  try {
    const prefix = Buffer.alloc(8);
    const { bytesRead } = await handle.read(prefix, 0, 8, 0);
    if (bytesRead < 8) return null;
    const headerBytes = Number(prefix.readBigUInt64LE(0));
    const paddedBytes = Math.max(headerBytes, faultBytes(fault));
    return { headerBytes, paddedBytes, extra: paddedBytes - headerBytes };
  } finally {
    await handle.close();
  }
}

// The bytes [start, end] of a file whose header is padded: new length prefix, the stored header,
// spaces, then the file's own bytes from its data on.
async function* paddedBytes(file, pad, start, end) {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(pad.paddedBytes));
  const headerEnd = 8 + pad.headerBytes; // the stored header ends here; spaces until 8 + paddedBytes
  const dataStart = 8 + pad.paddedBytes;
  let pos = start;
  if (pos < 8) {
    yield prefix.subarray(pos, Math.min(8, end + 1));
    pos = 8;
  }
  if (pos <= end && pos < headerEnd) {
    const last = Math.min(end, headerEnd - 1);
    yield* servedBytes(file, pos, last);
    pos = last + 1;
  }
  while (pos <= end && pos < dataStart) {
    const n = Math.min(CHUNK_BYTES, dataStart - pos, end - pos + 1);
    yield SPACE_CHUNK.subarray(0, n);
    pos += n;
  }
  if (pos <= end) yield* servedBytes(file, pos - pad.extra, end - pad.extra);
}

function isServerErrorStatus(v) {
  return Number.isInteger(v) && v >= 500 && v <= 599;
}

function checkKeys(v, name, allowed) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${name} needs an object`);
  const unknown = Object.keys(v).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new Error(`${name}: unknown field "${unknown}"; known: ${allowed.join(', ')}`);
}

function checkScheme(scheme) {
  if (typeof scheme !== 'string' || !URL_SCHEME.test(scheme)) throw new Error('redirectToScheme needs a URL scheme such as "ftp"');
  return scheme;
}

// `match` as stored: {origin?, path?}.
function normaliseMatch(match) {
  if (typeof match === 'string') return { path: match };
  checkKeys(match, 'match', ['origin', 'path']);
  if (match.origin !== undefined && !MATCH_ORIGINS.has(match.origin)) throw new Error('match.origin is "hub", "cdn" or "any"');
  if (match.path !== undefined && typeof match.path !== 'string') throw new Error('match.path is a substring of the URL');
  return { ...match };
}

function withMatch(v, rest) {
  return v.match === undefined ? rest : { ...rest, match: normaliseMatch(v.match) };
}

function withCount(v, rest) {
  if (!isNonNegativeInteger(v.count)) throw new Error('a counted fault needs {count: N}');
  return v.count === 0 ? null : withMatch(v, { count: v.count, ...rest });
}

// true, or {match} for a scoped one.
function flagSwitch(v, name) {
  if (v === true) return true;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    checkKeys(v, name, ['match']);
    return withMatch(v, {});
  }
  throw new Error(`${name} is true, {match}, or cleared`);
}

// N, or {bytes: N, match}.
function byteSwitch(v, name) {
  if (isNonNegativeInteger(v)) return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    checkKeys(v, name, ['bytes', 'match']);
    if (isNonNegativeInteger(v.bytes)) return withMatch(v, { bytes: v.bytes });
  }
  throw new Error(`${name} must be a byte count, or {bytes, match}`);
}

function faultBytes(fault) {
  return typeof fault === 'number' ? fault : fault.bytes;
}

function isNonNegativeInteger(v) {
  return Number.isSafeInteger(v) && v >= 0;
}

// Merges `changes` into the active faults; returns the faults now active.
function setFaults(state, changes) {
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) throw new Error('faults must be an object');
  const next = { ...state.faults };
  for (const [name, value] of Object.entries(changes)) {
    if (!Object.hasOwn(FAULT_SWITCHES, name)) {
      throw new Error(`unknown fault "${name}"; known: ${Object.keys(FAULT_SWITCHES).join(', ')}`);
    }
    const normalised = value === null || value === false || value === undefined ? null : FAULT_SWITCHES[name].check(value);
    if (normalised === null) delete next[name];
    else next[name] = normalised;
  }
  state.faults = next;
  return structuredClone(next);
}

// The fault `name` when it is switched on and its scope takes this request, else undefined.
function activeFault(ctx, name) {
  const fault = ctx.state.faults[name];
  if (fault === undefined || ctx.control) return undefined;
  const { home } = FAULT_SWITCHES[name];
  const match = (fault && typeof fault === 'object' && fault.match) || {};
  const origin = match.origin ?? home.origin;
  if (origin !== 'any' && origin !== ctx.origin) return undefined;
  return ctx.req.url.includes(match.path ?? home.path) ? fault : undefined;
}

// Uses up one answer of a counted fault; a list of statuses moves on to the next one.
function consumeFault(state, name) {
  const fault = state.faults[name];
  const next = { ...state.faults };
  if (fault.count > 1) {
    next[name] = { ...fault, count: fault.count - 1 };
    if (fault.statuses) next[name].statuses = [...fault.statuses.slice(1), fault.statuses[0]];
  } else {
    delete next[name];
  }
  state.faults = next;
  return fault;
}

// Answers the request from an active fault (before any routing); returns true when it did.
function answerFromFaults(ctx) {
  if (activeFault(ctx, 'rateLimit')) {
    const { retryAfter } = consumeFault(ctx.state, 'rateLimit');
    const headers = { RateLimit: `"api";r=0;t=${retryAfter ?? RATE_LIMIT_WINDOW_S}` };
    if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
    sendFaultStatus(ctx, 429, 'Too Many Requests', headers);
    return true;
  }
  if (activeFault(ctx, 'status5xx')) {
    const fault = consumeFault(ctx.state, 'status5xx');
    const status = fault.statuses ? fault.statuses[0] : fault.status;
    sendFaultStatus(ctx, status, http.STATUS_CODES[status] ?? 'Server Error', {});
    return true;
  }
  if (activeFault(ctx, 'htmlErrors')) {
    sendBody(ctx, 500, { 'Content-Type': HTML_TYPE }, HTML_ERROR_PAGE);
    return true;
  }
  if (activeFault(ctx, 'htmlOk')) {
    sendBody(ctx, 200, { 'Content-Type': HTML_TYPE }, HTML_PORTAL_PAGE);
    return true;
  }
  if (activeFault(ctx, 'endlessBody')) {
    sendEndlessBody(ctx);
    return true;
  }
  const bomb = activeFault(ctx, 'gzipBomb');
  if (bomb) {
    sendGzipBomb(ctx, bomb.inflatedBytes);
    return true;
  }
  return false;
}

// An error status as each origin sends it: the Hub's headers and body, or the CDN's XML.
function sendFaultStatus(ctx, status, message, headers) {
  if (ctx.origin === 'hub') return sendError(ctx, status, { message, headers });
  const code = status === 429 ? 'SlowDown' : 'ServiceUnavailable';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`;
  return sendBody(ctx, status, { 'Content-Type': 'application/xml', ...headers }, body);
}

// ------------------------------------------------------------------------------------------------
// Start and stop.

export async function startHub({
  fixtures, port = 0, cdnPort = 0, host = '127.0.0.1', latencyMs = 0, pageSize = 1000, log = null, faults = {},
  protocol = 'http1',
} = {}) {
  if (!fixtures) throw new Error('startHub: `fixtures` (the fixture tree folder) is required');
  const root = path.resolve(fixtures);
  if (!(await isDirectory(root))) throw new Error(`startHub: fixture folder not found: ${root}`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error('startHub: pageSize must be a positive integer');
  if (!isNonNegativeInteger(latencyMs)) throw new Error('startHub: latencyMs must be a non-negative integer');
  if (!PROTOCOLS.includes(protocol)) throw new Error(`startHub: protocol must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);

  const state = {
    root, latencyMs, pageSize, log, requests: [], faults: {}, startedAt: Date.now(),
    closing: new AbortController(), secret: crypto.randomBytes(32), fileCache: new Map(), gzipCache: new Map(), hubUrl: '', cdnUrl: '',
    observers: new Set(),
  };
  setFaults(state, faults);

  const hubServer = createServer(protocol, (req, res) => handle(state, 'hub', req, res, routeHub));
  const cdnServer = createServer(protocol, (req, res) => handle(state, 'cdn', req, res, routeCdn));
  state.scheme = hubServer.scheme;
  state.hubUrl = await listen(hubServer, port, host);
  try {
    state.cdnUrl = await listen(cdnServer, cdnPort, host);
  } catch (err) {
    await closeServers(state, [hubServer]);
    throw err;
  }

  let closed = null;
  return {
    hubUrl: state.hubUrl,
    cdnUrl: state.cdnUrl,
    protocol,
    // The self-signed certificate both origins present under 'h2' ({cert, spkiSha256, certFile}); null over HTTP/1.1.
    certificate: protocol === 'h2' ? localCertificate() : null,
    requests: state.requests,
    // `fn(origin, req, res)` as each request arrives, before latency and routing (the bench's timing
    // hooks); returns a function that removes it.
    observe: (fn) => { state.observers.add(fn); return () => state.observers.delete(fn); },
    get faults() { return structuredClone(state.faults); },
    setFaults: (changes) => setFaults(state, changes),
    close: () => (closed ??= closeServers(state, [hubServer, cdnServer])),
  };
}

function listen({ server, scheme }, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve(`${scheme}://${shownHost}:${server.address().port}`);
    });
  });
}

// Ends every open socket at once (stalled bodies, latency waits, keep-alive connections).
async function closeServers(state, servers) {
  state.closing.abort();
  await Promise.all(servers.map(({ server, closeAll }) => new Promise((resolve) => {
    server.close(() => resolve());
    closeAll();
  })));
}

// ------------------------------------------------------------------------------------------------
// Request plumbing: latency, logging, CORS, errors.

async function handle(state, origin, req, res, route) {
  for (const fn of state.observers) fn(origin, req, res);
  const done = new AbortController();
  res.once('close', () => done.abort());
  const ctx = {
    state, origin, req, res, kind: 'api', url: null, token: presentedToken(req),
    requestId: crypto.randomUUID(), control: false, signal: AbortSignal.any([state.closing.signal, done.signal]),
  };
  try {
    if (state.latencyMs > 0) await sleep(state.latencyMs, undefined, { signal: ctx.signal });
    await faultDelay(ctx);
    if (ctx.signal.aborted) return;
    await route(ctx);
  } catch (err) {
    if (ctx.signal.aborted) return; // the client left, or the imitation is closing
    if (res.headersSent) res.destroy();
    else sendError(ctx, 500, { message: `Hub imitation error: ${err.message}` });
  }
}

// The bearer token, or the whole Authorization value when it is not `Bearer X` (rejected as invalid).
function presentedToken(req) {
  const value = req.headers.authorization;
  if (value === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : value;
}

function writeHead(ctx, status, headers) {
  const origin = ctx.origin === 'hub' ? { ...hubCorsHeaders(ctx), 'X-Request-Id': ctx.requestId } : cdnCorsHeaders();
  ctx.res.writeHead(status, { ...origin, ...headers });
  record(ctx, status);
}

function hubCorsHeaders(ctx) {
  const origin = ctx.req.headers.origin;
  return {
    'Access-Control-Allow-Origin': origin ? headerSafe(origin) : DEFAULT_ALLOW_ORIGIN,
    Vary: 'Origin',
    'Access-Control-Expose-Headers': HUB_EXPOSED_HEADERS,
  };
}

function cdnCorsHeaders() {
  return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': CDN_EXPOSED_HEADERS };
}

function record(ctx, status) {
  const { req, state } = ctx;
  const entry = {
    t: Date.now() - state.startedAt,
    origin: ctx.origin,
    method: req.method,
    path: redact(req.url, ctx.token),
    range: req.headers.range ?? null,
    auth: req.headers.authorization !== undefined,
    originHeader: req.headers.origin ?? null,
    status,
  };
  state.requests.push(entry);
  if (typeof state.log === 'function') {
    try { state.log(formatLogLine(entry)); } catch { /* a failing logger must not fail the request */ }
  }
}

export function formatLogLine(entry) {
  return `${entry.origin} ${entry.method} ${entry.path} range=${entry.range ?? '-'} ` +
    `auth=${entry.auth ? 'yes' : 'no'} origin=${entry.originHeader ?? '-'} ${entry.status}`;
}

// The token never reaches the log, even when a client puts it in the URL.
function redact(text, token) {
  return token ? text.split(token).join('[token]') : text;
}

// Header values from the request or the URL, made printable ASCII (no header injection, no throw).
function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '?');
}

function sendBody(ctx, status, headers, body = '') {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const all = status === 204 ? headers : { ...headers, 'Content-Length': String(bytes.length) };
  writeHead(ctx, status, all);
  if (ctx.req.method === 'HEAD' || status === 204) return void ctx.res.end();
  if (!hasBodyFault(ctx)) return void ctx.res.end(bytes);
  // A stalled or truncated JSON answer, error or redirect body (a fault scoped to it).
  writeBody(ctx, (async function* one() { yield bytes; })(), bytes.length).catch(() => ctx.res.destroy());
}

function sendJson(ctx, status, value, headers = {}) {
  sendBody(ctx, status, { 'Content-Type': JSON_TYPE, ...headers }, JSON.stringify(value));
}

// An error as the Hub signals it (hub-protocol §A7): X-Error-Message always, X-Error-Code when there
// is one, a JSON body under /api and plain text on the file routes.
function sendError(ctx, status, { code = null, message, headers = {} }) {
  const all = { 'X-Error-Message': headerSafe(message), ...headers };
  if (code) all['X-Error-Code'] = code;
  if (status === 401) all['WWW-Authenticate'] = 'Bearer realm="Authentication required", charset="UTF-8"';
  if (ctx.kind === 'file') sendBody(ctx, status, { 'Content-Type': TEXT_TYPE, ...all }, message);
  else sendJson(ctx, status, { error: message }, all);
}

function sendEntryNotFound(ctx, branch) {
  sendError(ctx, 404, { code: 'EntryNotFound', message: MESSAGES.entryNotFound, headers: { 'X-Repo-Commit': branch.sha } });
}

function sendRevisionNotFound(ctx, rev) {
  sendError(ctx, 404, { code: 'RevisionNotFound', message: MESSAGES.invalidRev(rev) });
}

function sendBadPath(ctx) {
  sendError(ctx, 400, { message: 'Invalid path: empty, ".", ".." or "\\" parts are not allowed' });
}

function sendMethodNotAllowed(ctx, allow) {
  sendError(ctx, 405, { message: 'Method not allowed', headers: { Allow: allow } });
}

function sendRedirect(ctx, status, location, headers) {
  const body = `${http.STATUS_CODES[status]}. Redirecting to ${location}`;
  sendBody(ctx, status, { 'Content-Type': TEXT_TYPE, Location: headerSafe(location), ...headers }, body);
}

function isRead(req) {
  return req.method === 'GET' || req.method === 'HEAD';
}

// The URL split into its raw pathname, its query and its percent-decoded segments (null when the
// percent-encoding is malformed). Splitting before decoding keeps `refs%2Fpr%2F1` one segment.
function splitUrl(rawUrl) {
  const q = rawUrl.indexOf('?');
  const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  let segments = null;
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    // malformed percent-encoding: segments stays null
  }
  return { pathname, query, segments };
}

// A repo-relative file path from decoded URL segments, or null when a part could leave the repo.
function safeRelPath(segments) {
  const parts = segments.join('/').split('/');
  const bad = (p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0');
  return parts.some(bad) ? null : parts.join('/');
}

function encodePath(rel) {
  return rel.split('/').map(encodeURIComponent).join('/');
}

function isTrue(value) {
  return value === 'true' || value === '1';
}

// ------------------------------------------------------------------------------------------------
// Hub routes.

async function routeHub(ctx) {
  const { req } = ctx;
  if (req.method === 'OPTIONS') return sendPreflight(ctx);
  const url = splitUrl(req.url);
  ctx.url = url;
  const segments = url.segments ?? [];
  const [first, second] = segments;
  ctx.kind = first === 'api' && second !== 'resolve-cache' ? 'api' : 'file';
  if (!url.segments) return sendError(ctx, 400, { message: 'Malformed percent-encoding in the URL' });
  if (first === '_control') return routeControl(ctx, segments.slice(1));
  if (answerFromFaults(ctx)) return;
  if (first === 'api') {
    if (second === 'models') return routeApiModels(ctx, segments.slice(2));
    if (second === 'resolve-cache' && segments[2] === 'models') return routeResolveCache(ctx, segments.slice(3));
    return sendError(ctx, 404, { message: MESSAGES.badApiPath });
  }
  return routeFile(ctx, segments);
}

function sendPreflight(ctx) {
  const asked = (ctx.req.headers['access-control-request-headers'] ?? '')
    .split(',').map((h) => h.trim().toLowerCase()).filter((h) => HTTP_TOKEN.test(h));
  sendBody(ctx, 204, {
    'Access-Control-Allow-Methods': PREFLIGHT_METHODS,
    'Access-Control-Allow-Headers': [...new Set([...PREFLIGHT_BASE_HEADERS, ...asked])].join(', '),
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
  });
}

// A repo id is `org/name`, or one legacy name (`gpt2`) when the next segment is a route keyword.
function splitRepoId(segments, keywords) {
  const n = segments.length === 1 || keywords.has(segments[1]) ? 1 : 2;
  const idParts = segments.slice(0, n);
  if (idParts.length === 0 || idParts.some((p) => p === '')) return { idParts: null, rest: [] };
  return { idParts, rest: segments.slice(n) };
}

const API_KEYWORDS = new Set(['revision', 'tree']);

async function routeApiModels(ctx, segments) {
  if (!isRead(ctx.req)) return sendMethodNotAllowed(ctx, 'GET, HEAD, OPTIONS');
  if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) return sendModelSearch(ctx);
  const { idParts, rest } = splitRepoId(segments, API_KEYWORDS);
  if (!idParts) return sendError(ctx, 404, { message: MESSAGES.badApiPath });
  if (rest.length === 0) return sendModelInfo(ctx, idParts, 'main');
  if (rest[0] === 'revision' && rest.length === 2) return sendModelInfo(ctx, idParts, rest[1]);
  if (rest[0] === 'tree' && rest.length >= 2) return sendTree(ctx, idParts, rest[1], rest.slice(2));
  return sendError(ctx, 404, { message: MESSAGES.badApiPath });
}

// GET /api/models?search=Q&author=A&sort=downloads&direction=-1&limit=N: the public repos whose id
// contains Q (any case), most downloaded first, in the shape of huggingface.co's model list.
async function sendModelSearch(ctx) {
  const settings = await readHubSettings(ctx.state);
  if (ctx.token !== null && !Object.hasOwn(settings.tokens, ctx.token)) {
    return sendError(ctx, 401, { message: MESSAGES.invalidCredentials });
  }
  const { query } = ctx.url;
  const limitText = query.get('limit');
  const limit = limitText === null ? SEARCH_DEFAULT_LIMIT : Number(limitText);
  if (!/^\d*$/.test(limitText ?? '') || !Number.isSafeInteger(limit) || limit < 1) {
    return sendError(ctx, 400, { message: `Invalid limit: ${limitText}` });
  }
  const sort = query.get('sort') ?? 'downloads';
  if (!SEARCH_SORT_KEYS.has(sort)) return sendError(ctx, 400, { message: `Invalid sort: ${sort}` });
  const direction = query.get('direction') ?? '-1';
  if (direction !== '-1' && direction !== '1') return sendError(ctx, 400, { message: `Invalid direction: ${direction}` });
  const search = (query.get('search') ?? '').toLowerCase();
  const author = query.get('author')?.toLowerCase() ?? null;

  const found = (await listPublicRepos(ctx.state))
    .filter((m) => m.id.toLowerCase().includes(search) && (author === null || m.author.toLowerCase() === author));
  const sign = direction === '-1' ? -1 : 1;
  found.sort((a, b) => {
    const x = a[sort], y = b[sort];
    if (x !== y) return (x < y ? -1 : 1) * sign;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; // ties in a fixed order
  });
  sendJson(ctx, 200, found.slice(0, Math.min(limit, SEARCH_MAX_LIMIT)).map(searchEntry));
}

// Every repo of the tree that is not private, with the fields a search answer and its sort need.
async function listPublicRepos(state) {
  const ids = [];
  for (const org of await fsp.readdir(state.root, { withFileTypes: true })) {
    if (!org.isDirectory() || !REPO_ID_PART.test(org.name)) continue;
    for (const entry of await fsp.readdir(path.join(state.root, org.name), { withFileTypes: true })) {
      // Branch folders hold '@' and are not repos.
      if (entry.isDirectory() && REPO_ID_PART.test(entry.name)) ids.push([org.name, entry.name]);
    }
  }
  const count = (v) => (isNonNegativeInteger(v) ? v : 0);
  const repos = await Promise.all(ids.map(async ([org, name]) => {
    const meta = await readJson(path.join(state.root, org, name, HUB_META_FILE), {});
    return {
      id: `${org}/${name}`, author: org, meta, private: meta.private === true,
      downloads: count(meta.downloads), likes: count(meta.likes),
      createdAt: typeof meta.createdAt === 'string' ? meta.createdAt : DEFAULT_LAST_MODIFIED,
      lastModified: typeof meta.lastModified === 'string' ? meta.lastModified : DEFAULT_LAST_MODIFIED,
    };
  }));
  return repos.filter((r) => !r.private);
}

function searchEntry(m) {
  return {
    _id: mongoId(m.id),
    id: m.id,
    likes: m.likes,
    private: false,
    downloads: m.downloads,
    tags: Array.isArray(m.meta.tags) ? m.meta.tags : [],
    pipeline_tag: m.meta.pipeline_tag,
    library_name: m.meta.library_name,
    createdAt: m.createdAt,
    modelId: m.id,
  };
}

// A Mongo ObjectId's shape, stable per repo id.
function mongoId(id) {
  return crypto.createHash('sha1').update(id).digest('hex').slice(0, 24);
}

async function sendModelInfo(ctx, idParts, rev) {
  const repo = await openRepo(ctx, idParts, { content: false });
  if (!repo) return;
  const { query } = ctx.url;
  const expand = [...query.getAll('expand'), ...query.getAll('expand[]')];
  const blobs = isTrue(query.get('blobs'));
  if (expand.length > 0 && (blobs || isTrue(query.get('securityStatus')))) {
    return sendError(ctx, 400, { message: '"expand" cannot be combined with "blobs" or "securityStatus"' });
  }
  const unknown = expand.find((p) => !EXPAND_PROPERTIES.has(p));
  if (unknown !== undefined) return sendError(ctx, 400, { message: `Invalid expand property: ${unknown}` });
  const branch = findBranch(repo, rev);
  if (!branch) return sendRevisionNotFound(ctx, rev);
  const info = await modelInfo(ctx.state, repo, branch, { blobs });
  sendJson(ctx, 200, expand.length > 0 ? pick(info, ['_id', 'id', ...expand]) : info);
}

async function modelInfo(state, repo, branch, { blobs }) {
  const meta = branch.meta;
  const files = (await listEntries(branch.dir)).filter((e) => e.type === 'file');
  const siblings = [];
  for (const { path: rel } of files) {
    siblings.push(blobs ? siblingWithBlob(await describeFile(state, branch, rel)) : { rfilename: rel });
  }
  return {
    _id: mongoId(repo.id),
    id: repo.id,
    modelId: repo.id,
    author: repo.org,
    sha: branch.sha,
    lastModified: meta.lastModified ?? DEFAULT_LAST_MODIFIED,
    private: repo.private,
    gated: repo.gated,
    disabled: false,
    library_name: meta.library_name,
    pipeline_tag: meta.pipeline_tag,
    tags: meta.tags ?? [],
    config: await configSubset(branch.dir),
    siblings,
  };
}

function siblingWithBlob(file) {
  const sibling = { rfilename: file.path, blobId: file.oid, size: file.size };
  if (file.lfs) sibling.lfs = { sha256: file.lfs.oid, size: file.size, pointerSize: file.lfs.pointerSize };
  return sibling;
}

function pick(object, keys) {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));
}

// model_type, architectures and quantization_config of config.json; absent when it cannot be read
// (crafted fixtures may hold a malformed config.json, which the API must survive).
async function configSubset(dir) {
  let config;
  try {
    config = JSON.parse(await fsp.readFile(path.join(dir, 'config.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) return undefined;
  return pick(config, CONFIG_KEYS);
}

async function sendTree(ctx, idParts, rev, pathSegments) {
  const repo = await openRepo(ctx, idParts, { content: false });
  if (!repo) return;
  const branch = findBranch(repo, rev);
  if (!branch) return sendRevisionNotFound(ctx, rev);
  const segments = pathSegments.at(-1) === '' ? pathSegments.slice(0, -1) : pathSegments;
  const base = segments.length > 0 ? safeRelPath(segments) : '';
  if (base === null) return sendBadPath(ctx);

  const all = await listEntries(branch.dir);
  if (base !== '' && !all.some((e) => e.type === 'directory' && e.path === base)) return sendEntryNotFound(ctx, branch);
  const { query } = ctx.url;
  const recursive = isTrue(query.get('recursive'));
  const prefix = base === '' ? '' : `${base}/`;
  const listed = all.filter((e) => e.path.startsWith(prefix) && (recursive || !e.path.slice(prefix.length).includes('/')));

  const cursor = query.has('cursor') ? decodeCursor(query.get('cursor')) : { fileName: '', page: 0 };
  if (cursor === null) return sendError(ctx, 400, { message: 'Invalid cursor' });
  const first = listed.findIndex((e) => e.path > cursor.fileName);
  const start = first < 0 ? listed.length : first;
  const page = listed.slice(start, start + ctx.state.pageSize);
  const headers = {};
  if (activeFault(ctx, 'endlessTree')) {
    // Past the end the pages are empty; the page number keeps every next URL new.
    const next = encodeCursor(page.at(-1)?.path ?? cursor.fileName, cursor.page + 1);
    headers.Link = `<${nextPageUrl(ctx, next)}>; rel="next"`;
  } else if (start + page.length < listed.length) {
    headers.Link = `<${nextPageUrl(ctx, encodeCursor(page.at(-1).path))}>; rel="next"`;
  }

  const body = [];
  for (const entry of page) {
    const item = await treeEntry(ctx.state, branch, entry);
    const pad = item.type === 'file' && activeFault(ctx, 'paddedHeader') !== undefined
      ? await headerPadding(ctx, await describeFile(ctx.state, branch, item.path)) : null;
    if (pad) item.size += pad.extra;
    if (pad && item.lfs) item.lfs.size += pad.extra;
    body.push(item);
  }
  sendJson(ctx, 200, body, headers);
}

// The cursor names the last path of the previous page, base64url JSON as the Hub's looks. Pages
// of an endless tree (fault `endlessTree`) also carry their number.
function encodeCursor(lastPath, page = undefined) {
  return Buffer.from(JSON.stringify({ file_name: lastPath, page })).toString('base64url');
}

// {fileName, page}, or null for a cursor this imitation did not make.
function decodeCursor(cursor) {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value?.file_name !== 'string') return null;
    return { fileName: value.file_name, page: isNonNegativeInteger(value.page) ? value.page : 0 };
  } catch {
    return null;
  }
}

function nextPageUrl(ctx, cursor) {
  const params = new URLSearchParams(ctx.url.query);
  params.set('cursor', cursor);
  return `${requestBase(ctx)}${ctx.url.pathname}?${params}`;
}

// The origin the client asked for (its Host header when it is a plain host), for absolute URLs.
function requestBase(ctx) {
  const hostHeader = ctx.req.headers.host ?? ctx.req.headers[':authority'];
  const own = ctx.origin === 'hub' ? ctx.state.hubUrl : ctx.state.cdnUrl;
  return hostHeader && /^[A-Za-z0-9.[\]:-]+$/.test(hostHeader) ? `${ctx.state.scheme}://${hostHeader}` : own;
}

async function treeEntry(state, branch, entry) {
  if (entry.type === 'directory') {
    const oid = crypto.createHash('sha1').update(`${branch.sha}:${entry.path}`).digest('hex');
    return { type: 'directory', oid, size: 0, path: entry.path };
  }
  const file = await describeFile(state, branch, entry.path);
  const result = { type: 'file', oid: file.oid, size: file.size, path: file.path };
  if (file.lfs) result.lfs = { ...file.lfs };
  return result;
}

const FILE_KEYWORDS = new Set(['resolve', 'raw']);

async function routeFile(ctx, segments) {
  const { idParts, rest } = splitRepoId(segments, FILE_KEYWORDS);
  if (!idParts || !FILE_KEYWORDS.has(rest[0]) || rest.length < 3) return sendError(ctx, 404, { message: 'Not Found' });
  if (!isRead(ctx.req)) return sendMethodNotAllowed(ctx, 'GET, HEAD, OPTIONS');
  const [action, rev, ...fileSegments] = rest;
  if (action === 'resolve' && activeFault(ctx, 'redirectLoop')) return sendRedirect(ctx, 302, ctx.req.url, {});
  const rel = safeRelPath(fileSegments);
  if (rel === null) return sendBadPath(ctx);
  const repo = await openRepo(ctx, idParts, { content: true });
  if (!repo) return;
  const branch = findBranch(repo, rev);
  if (!branch) return sendRevisionNotFound(ctx, rev);
  const file = await findFile(ctx.state, branch, rel);
  if (!file) return sendEntryNotFound(ctx, branch);
  if (action === 'raw') return sendRaw(ctx, branch, file);
  return file.lfs ? redirectToCdn(ctx, repo, branch, file) : redirectToResolveCache(ctx, repo, branch, file);
}

// Small files: 307 to a relative URL on the same host (hub-protocol §A4).
function redirectToResolveCache(ctx, repo, branch, file) {
  const location = `/api/resolve-cache/models/${repo.org}/${repo.name}/${branch.sha}/${encodePath(file.path)}`;
  sendRedirect(ctx, 307, withFaultScheme(ctx, location), { 'X-Repo-Commit': branch.sha, ETag: `"${file.oid}"` });
}

// Weight files: 302 to a pre-signed CDN URL; the CORS headers come with every Hub response.
function redirectToCdn(ctx, repo, branch, file) {
  const cdnPath = `/repos/${repo.org}/${repo.name}/${branch.sha}/${encodePath(file.path)}`;
  const location = `${ctx.state.cdnUrl}${cdnPath}?${signedQuery(ctx.state, cdnPath)}`;
  sendRedirect(ctx, 302, withFaultScheme(ctx, location), {
    'X-Repo-Commit': branch.sha,
    'X-Linked-Size': String(file.size),
    'X-Linked-ETag': `"${file.lfs.oid}"`,
    ETag: `"${file.lfs.oid}"`,
  });
}

// The redirect target with another scheme when `redirectToScheme` is on (a relative one made absolute).
function withFaultScheme(ctx, location) {
  const fault = activeFault(ctx, 'redirectToScheme');
  if (fault === undefined) return location;
  const scheme = typeof fault === 'string' ? fault : fault.scheme;
  const url = new URL(location, requestBase(ctx));
  return `${scheme}://${url.host}${url.pathname}${url.search}`;
}

function signedQuery(state, cdnPath) {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': date,
    'X-Amz-Expires': String(SIGNED_URL_EXPIRES_S),
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': sign(state, cdnPath),
  }).toString();
}

function sign(state, cdnPath) {
  return crypto.createHmac('sha256', state.secret).update(cdnPath).digest('hex');
}

// /raw serves the git content: the file itself, or the LFS pointer of a weight file, as the Hub does.
function sendRaw(ctx, branch, file) {
  const headers = { 'Content-Type': TEXT_TYPE, 'X-Repo-Commit': branch.sha, ETag: `"${file.oid}"` };
  if (file.lfs) return sendBody(ctx, 200, headers, file.pointer);
  return sendContent(ctx, file, headers);
}

async function routeResolveCache(ctx, segments) {
  if (!isRead(ctx.req)) return sendMethodNotAllowed(ctx, 'GET, HEAD, OPTIONS');
  if (segments.length < 4) return sendError(ctx, 404, { message: 'Not Found' });
  const [org, name, sha, ...fileSegments] = segments;
  const rel = safeRelPath(fileSegments);
  if (rel === null) return sendBadPath(ctx);
  const repo = await openRepo(ctx, [org, name], { content: true });
  if (!repo) return;
  const branch = findBranch(repo, sha);
  if (!branch) return sendRevisionNotFound(ctx, sha);
  const file = await findFile(ctx.state, branch, rel);
  if (!file) return sendEntryNotFound(ctx, branch);
  const etag = `"${file.lfs ? file.lfs.oid : file.oid}"`;
  const headers = { 'Content-Type': TEXT_TYPE, 'X-Repo-Commit': branch.sha, ETag: etag };
  if (await servesGzip(ctx, file)) return sendGzip(ctx, file, headers);
  return sendContent(ctx, file, headers);
}

// The Hub's regular (non-LFS) files come through CloudFront, which compresses a whole answer of 1,000 to
// 10,000,000 bytes for a client that accepts gzip, and serves it without Content-Length and Accept-Ranges, with a
// weak ETag and `Vary: Origin,accept-encoding` (huggingface_hub issue #3269 quotes such an answer, "X-Cache: Hit from
// cloudfront"; hub-protocol.md on WebBlob: "CloudFront-gzipped cached responses lose Content-Length and
// Accept-Ranges"). A Range request is never compressed. Browsers always accept gzip; so do curl with
// CURLOPT_ACCEPT_ENCODING (the CLI) and node's fetch (@huggingface/hub). A shard index is such a file: DeepSeek-R1's
// 8.9 MB travel as ~0.6 MB.
const GZIP_MIN_BYTES = 1000;
const GZIP_MAX_BYTES = 10_000_000;

function acceptsGzip(req) {
  for (const part of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((x) => x.startsWith('q='));
    if ((name === 'gzip' || name === '*') && !(q && Number(q.slice(2)) === 0)) return true;
  }
  return false;
}

async function servesGzip(ctx, file) {
  return ctx.req.method === 'GET' && ctx.req.headers.range === undefined && acceptsGzip(ctx.req) && !file.lfs &&
    file.size >= GZIP_MIN_BYTES && file.size <= GZIP_MAX_BYTES && !hasBodyFault(ctx) &&
    (await patchedConfig(ctx, file)) === null;
}

// The edge's cached copy: each file is compressed once per imitation (by content: its git oid).
async function sendGzip(ctx, file, headers) {
  let gz = ctx.state.gzipCache.get(file.oid);
  if (!gz) {
    const chunks = [];
    for await (const chunk of servedBytes(file, 0, file.size - 1)) chunks.push(chunk);
    gz = zlib.gzipSync(Buffer.concat(chunks));
    ctx.state.gzipCache.set(file.oid, gz);
  }
  writeHead(ctx, 200, { ...headers, ETag: `W/${headers.ETag}`, 'Content-Encoding': 'gzip', Vary: 'Origin,accept-encoding' });
  ctx.res.end(gz);
}

async function routeControl(ctx, segments) {
  ctx.kind = 'api';
  ctx.control = true; // no fault touches the control endpoint
  if (segments.length !== 1 || segments[0] !== 'faults') return sendError(ctx, 404, { message: 'Unknown control endpoint' });
  const { state, req } = ctx;
  if (req.method === 'GET') return sendJson(ctx, 200, state.faults);
  if (req.method === 'DELETE') {
    state.faults = {};
    return sendJson(ctx, 200, state.faults);
  }
  if (req.method !== 'POST') return sendMethodNotAllowed(ctx, 'GET, POST, DELETE');
  let active;
  try {
    active = setFaults(state, JSON.parse(await readBody(req, MAX_CONTROL_BODY_BYTES)));
  } catch (err) {
    return sendError(ctx, 400, { message: err.message });
  }
  sendJson(ctx, 200, active);
}

async function readBody(req, limit) {
  const chunks = [];
  let length = 0;
  for await (const chunk of req) {
    length += chunk.length;
    if (length > limit) throw new Error(`control body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ------------------------------------------------------------------------------------------------
// CDN routes: /repos/{org}/{name}/{sha}/{path}?X-Amz-...; no auth, only the signature the Hub made.

async function routeCdn(ctx) {
  const { req, state } = ctx;
  // The real CDN fails preflights (hub-protocol §A6.2); a client that causes one is wrong.
  if (req.method === 'OPTIONS') return sendBody(ctx, 403, { 'Content-Type': TEXT_TYPE }, 'Forbidden: no CORS preflight on the CDN');
  if (!isRead(req)) return sendCdnError(ctx, 405, 'MethodNotAllowed');
  if (answerFromFaults(ctx)) return;
  const url = splitUrl(req.url);
  if (!url.segments) return sendCdnError(ctx, 400, 'InvalidURI');
  const [area, org, name, sha, ...fileSegments] = url.segments;
  if (area !== 'repos' || fileSegments.length === 0) return sendCdnError(ctx, 404, 'NoSuchKey');
  if (!validSignature(state, url.pathname, url.query.get('X-Amz-Signature'))) return sendCdnError(ctx, 403, 'AccessDenied');
  const rel = safeRelPath(fileSegments);
  const repo = rel === null ? null : await loadRepo(state, `${org}/${name}`);
  const branch = repo && findBranch(repo, sha);
  const file = branch && await findFile(state, branch, rel);
  if (!file) return sendCdnError(ctx, 404, 'NoSuchKey');
  return sendContent(ctx, file, { 'Content-Type': 'application/octet-stream', ETag: `"${file.lfs ? file.lfs.oid : file.oid}"` });
}

function validSignature(state, cdnPath, signature) {
  const expected = Buffer.from(sign(state, cdnPath));
  const given = Buffer.from(signature ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function sendCdnError(ctx, status, code) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>\n`;
  sendBody(ctx, status, { 'Content-Type': 'application/xml' }, body);
}

// ------------------------------------------------------------------------------------------------
// Serving bytes: the stored prefix, then zeros up to the served length, with Range.

const UNSATISFIABLE = Symbol('unsatisfiable');

// {start, end} (inclusive) for one `bytes=` range, UNSATISFIABLE, or null for "the whole file"
// (no Range, several ranges, or a malformed one: RFC 9110 §14.2 lets a server ignore those).
export function parseRange(header, total) {
  if (typeof header !== 'string') return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || total === 0) return UNSATISFIABLE;
    return { start: Math.max(0, total - suffix), end: total - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Infinity : Number(match[2]);
  if (last < start) return null;
  if (start >= total) return UNSATISFIABLE;
  return { start, end: Math.min(last, total - 1) };
}

async function sendContent(ctx, file, headers) {
  const patched = await patchedConfig(ctx, file);
  if (patched !== null) return sendBody(ctx, 200, headers, patched);
  const pad = await headerPadding(ctx, file);
  const total = file.size + (pad ? pad.extra : 0);
  // A CDN that ignores Range answers 200 with the whole file (RFC 9110 §14.2 allows it).
  const range = activeFault(ctx, 'ignoreRange') ? null : parseRange(ctx.req.headers.range, total);
  if (range === UNSATISFIABLE) {
    return sendBody(ctx, 416, { ...headers, 'Accept-Ranges': 'bytes', 'Content-Range': `bytes */${total}` });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : total - 1;
  const length = end - start + 1;
  const all = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': String(length) };
  if (range) {
    all['Content-Range'] = activeFault(ctx, 'contentRangeMismatch')
      ? mismatchedContentRange(start, end, total)
      : `bytes ${start}-${end}/${total}`;
  }
  writeHead(ctx, range ? 206 : 200, all);
  if (ctx.req.method === 'HEAD' || length === 0) return void ctx.res.end();

  await writeBody(ctx, pad ? paddedBytes(file, pad, start, end) : servedBytes(file, start, end), length);
}

function hasBodyFault(ctx) {
  return activeFault(ctx, 'stallAfterBytes') !== undefined || activeFault(ctx, 'truncateBody') !== undefined;
}

// Streams `length` bytes of `source` with backpressure, as the body faults in scope allow. A client
// that stops reading (a capped read of a 200 GB answer) ends this with a premature close, which
// handle() recognises by the aborted signal.
async function writeBody(ctx, source, length) {
  let body = source;
  const stall = activeFault(ctx, 'stallAfterBytes');
  if (stall !== undefined) body = stallAfter(body, faultBytes(stall), ctx.signal);
  const truncate = activeFault(ctx, 'truncateBody');
  if (truncate !== undefined && faultBytes(truncate) < length) return sendTruncated(ctx, body, faultBytes(truncate));
  await pipeline(Readable.from(body), ctx.res);
}

// A Content-Range naming another length than the body has: twice as long where the file allows,
// otherwise half as long (or, for one last byte, a byte past a longer file).
export function mismatchedContentRange(start, end, total) {
  const length = end - start + 1;
  if (end + length <= total - 1) return `bytes ${start}-${end + length}/${total}`;
  if (length >= 2) return `bytes ${start}-${start + Math.floor(length / 2) - 1}/${total}`;
  return `bytes ${start}-${end + 1}/${total + 1}`;
}

// Sends the first `limit` bytes of a body whose full Content-Length went out, then ends the
// connection: the client sees the socket close with bytes still owed.
async function sendTruncated(ctx, body, limit) {
  const { res } = ctx;
  let sent = 0;
  for await (const chunk of body) {
    if (sent >= limit || ctx.signal.aborted) break;
    const part = chunk.subarray(0, limit - sent);
    await new Promise((resolve, reject) => res.write(part, (err) => (err ? reject(err) : resolve())));
    sent += part.length;
  }
  abortResponse(res);
}

async function* servedBytes(file, start, end) {
  let pos = start;
  const lastStored = Math.min(end, file.storedSize - 1);
  if (pos <= lastStored) {
    const handle = await fsp.open(file.abs, 'r');
    try {
      while (pos <= lastStored) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, lastStored - pos + 1));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos);
        if (bytesRead === 0) break; // the file shrank under us: zeros follow
        yield chunk.subarray(0, bytesRead);
        pos += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
  while (pos <= end) {
    const n = Math.min(CHUNK_BYTES, end - pos + 1);
    yield ZERO_CHUNK.subarray(0, n);
    pos += n;
  }
}

// Passes `limit` bytes of `source`, then waits for the signal (client gone or close()). A body no
// longer than `limit` is sent whole.
async function* stallAfter(source, limit, signal) {
  let sent = 0;
  let stalled = false;
  for await (const chunk of source) {
    if (chunk.length > limit - sent) {
      if (limit > sent) yield chunk.subarray(0, limit - sent);
      stalled = true;
      break;
    }
    yield chunk;
    sent += chunk.length;
  }
  if (!stalled) return;
  await new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', resolve, { once: true });
  });
}

// ------------------------------------------------------------------------------------------------
// The fixture tree: settings, repos, branches, files.

async function readJson(file, fallback) {
  let text;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  }
  return JSON.parse(text); // a malformed settings file is a fixture bug: answer 500 with the reason
}

async function isDirectory(dir) {
  try {
    return (await fsp.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function readHubSettings(state) {
  const settings = await readJson(path.join(state.root, HUB_SETTINGS_FILE), {});
  return { aliases: settings.aliases ?? {}, tokens: settings.tokens ?? {} };
}

// Checks the token and the access rules (hub-protocol §A7); sends the error and returns null when
// the request may not go on. `content` requests (resolve, raw) also need access to gated repos.
async function openRepo(ctx, idParts, { content }) {
  const settings = await readHubSettings(ctx.state);
  const { token } = ctx;
  if (token !== null && !Object.hasOwn(settings.tokens, token)) {
    sendError(ctx, 401, { message: MESSAGES.invalidCredentials });
    return null;
  }
  const alias = idParts.length === 1 && Object.hasOwn(settings.aliases, idParts[0]) ? settings.aliases[idParts[0]] : null;
  const repo = await loadRepo(ctx.state, alias ?? idParts.join('/'));
  const user = token === null ? null : settings.tokens[token];
  const granted = repo !== null && token !== null && (repo.tokens.includes(token) || repo.tokens.includes(user));
  if (repo === null || (repo.private && !granted)) {
    if (token === null) sendError(ctx, 401, { message: MESSAGES.invalidUser });
    else sendError(ctx, 404, { code: 'RepoNotFound', message: MESSAGES.repoNotFound });
    return null;
  }
  if (content && repo.gated !== false && !granted) {
    if (token === null) sendError(ctx, 401, { code: 'GatedRepo', message: MESSAGES.gatedNoToken(repo.id) });
    else sendError(ctx, 403, { code: 'GatedRepo', message: MESSAGES.gatedNotListed(repo.id) });
    return null;
  }
  return repo;
}

// The repo `org/name` with its branches, or null when it does not exist. Repo-wide settings (gated,
// private, tokens) come from the default branch; a branch's `.hub.json` overrides the rest.
async function loadRepo(state, id) {
  const parts = id.split('/');
  if (parts.length !== 2 || !parts.every((p) => REPO_ID_PART.test(p) && !p.includes('..'))) return null;
  const [org, name] = parts;
  const dir = path.join(state.root, org, name);
  if (!(await isDirectory(dir))) return null;
  const meta = await readJson(path.join(dir, HUB_META_FILE), {});
  const branches = new Map([['main', { name: 'main', dir, meta, sha: shaOf(meta, id, 'main') }]]);
  for (const entry of await fsp.readdir(path.join(state.root, org), { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(`${name}@`)) continue;
    const branchName = decodeBranchFolder(entry.name.slice(name.length + 1));
    if (!branchName || branches.has(branchName)) continue;
    const branchDir = path.join(state.root, org, entry.name);
    const branchMeta = await readJson(path.join(branchDir, HUB_META_FILE), {});
    branches.set(branchName, {
      name: branchName, dir: branchDir, meta: { ...meta, ...branchMeta }, sha: shaOf(branchMeta, id, branchName),
    });
  }
  return {
    id, org, name, branches,
    gated: meta.gated ?? false,
    private: meta.private === true,
    tokens: Array.isArray(meta.tokens) ? meta.tokens : [],
  };
}

// A branch folder `{name}@{branch}` names its branch percent-encoded, so `refs/pr/1` can be a folder.
function decodeBranchFolder(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

// The commit of a branch: `.hub.json` `sha`, or a stable stand-in when the fixture has none.
function shaOf(meta, id, branchName) {
  if (typeof meta.sha === 'string') return meta.sha.toLowerCase();
  return crypto.createHash('sha1').update(`${id}@${branchName}`).digest('hex');
}

// `main`/`HEAD`, a branch name, a full commit, or an unambiguous prefix of one.
function findBranch(repo, rev) {
  if (rev === 'HEAD') return repo.branches.get('main');
  if (repo.branches.has(rev)) return repo.branches.get(rev);
  const hex = rev.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length < MIN_SHORT_SHA_HEX || hex.length > 40) return null;
  const matches = [...repo.branches.values()].filter((b) => b.sha.startsWith(hex));
  return new Set(matches.map((b) => b.sha)).size === 1 ? matches[0] : null;
}

// Every file and folder of a branch, sorted by path, `.hub.json` left out. Symbolic links are not
// followed, so nothing outside the fixture tree is ever listed or served.
async function listEntries(dir) {
  const entries = [];
  async function walk(rel) {
    for (const entry of await fsp.readdir(rel ? path.join(dir, rel) : dir, { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (p === HUB_META_FILE) continue;
      if (entry.isDirectory()) {
        entries.push({ type: 'directory', path: p });
        await walk(p);
      } else if (entry.isFile()) {
        entries.push({ type: 'file', path: p });
      }
    }
  }
  await walk('');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function findFile(state, branch, rel) {
  if (rel === HUB_META_FILE) return null;
  const abs = path.join(branch.dir, rel);
  if (!abs.startsWith(branch.dir + path.sep)) return null;
  try {
    if (!(await fsp.lstat(abs)).isFile()) return null;
  } catch {
    return null;
  }
  return describeFile(state, branch, rel);
}

// What the Hub knows of a file: served size, git oid, LFS details. Cached while the file is unchanged.
async function describeFile(state, branch, rel) {
  const abs = path.join(branch.dir, rel);
  const stat = await fsp.stat(abs);
  const sizes = branch.meta.sizes;
  // Any whole size, also past 2^53: a crafted repo may list exact powers of two such as 2^61.
  const sizeOverride = sizes && Object.hasOwn(sizes, rel) && Number.isInteger(sizes[rel]) && sizes[rel] >= 0 ? sizes[rel] : null;
  const key = `${stat.mtimeMs}:${stat.size}:${sizeOverride}`;
  const cached = state.fileCache.get(abs);
  if (cached?.key === key) return cached.info;

  const bytes = await fsp.readFile(abs);
  const isLfs = sizeOverride !== null || WEIGHT_EXTENSIONS.includes(path.extname(rel).toLowerCase());
  const info = isLfs ? describeLfsFile(rel, bytes, sizeOverride) : { path: rel, size: bytes.length, oid: gitBlobOid(bytes), lfs: null };
  Object.assign(info, { abs, storedSize: bytes.length });
  state.fileCache.set(abs, { key, info });
  return info;
}

// A weight file: its served length, and an LFS pointer. The sha256 stands for the real file's; it is
// derived from the stored prefix and the served length, not from the served bytes.
function describeLfsFile(rel, bytes, sizeOverride) {
  const fullSize = rel.toLowerCase().endsWith('.safetensors') ? safetensorsFullSize(bytes) : null;
  const size = sizeOverride ?? Math.max(bytes.length, fullSize ?? 0);
  const sha256 = crypto.createHash('sha256').update(bytes).update(`\0${size}`).digest('hex');
  const pointer = Buffer.from(`${LFS_POINTER_VERSION}\noid sha256:${sha256}\nsize ${size}\n`);
  return { path: rel, size, oid: gitBlobOid(pointer), lfs: { oid: sha256, size, pointerSize: pointer.length }, pointer };
}

// 8 + N + max(data_offsets end) from a stored safetensors prefix, or null when the prefix holds no
// readable header (crafted malformed fixtures are then served as stored).
export function safetensorsFullSize(bytes) {
  if (bytes.length < 8) return null;
  const headerLength = bytes.readBigUInt64LE(0);
  if (headerLength > BigInt(bytes.length - 8)) return null;
  let header;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + Number(headerLength)).toString('utf8'));
  } catch {
    return null;
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return null;
  let dataEnd = 0;
  for (const [name, tensor] of Object.entries(header)) {
    const end = name === '__metadata__' ? undefined : tensor?.data_offsets?.[1];
    if (Number.isSafeInteger(end) && end > dataEnd) dataEnd = end;
  }
  return 8 + Number(headerLength) + dataEnd;
}

function gitBlobOid(bytes) {
  return crypto.createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

// ------------------------------------------------------------------------------------------------
// Command line (scripts/hub).

const DEFAULT_FIXTURES = fileURLToPath(new URL('../fixtures/hub/', import.meta.url));

const USAGE = `Usage: scripts/hub [--port PORT] [--fixtures DIR] [--cdn-port PORT] [--latency-ms N] [--page-size N]
                  [--protocol http1|h2] [--quiet]

Runs the local imitation of the Hugging Face Hub and its CDN in the foreground, and prints
  Hub: http://127.0.0.1:PORT
  CDN: http://127.0.0.1:PORT2
once both answer, then one line per request (unless --quiet). Ctrl-C or SIGTERM stops it.

  --port PORT        Hub port (default 0: any free port)
  --cdn-port PORT    CDN port (default 0: any free port)
  --fixtures DIR     fixture tree (default tests/fixtures/hub of this repo)
  --latency-ms N     wait N ms before every answer (default 0)
  --page-size N      tree entries per page (default 1000, as the Hub)
  --protocol P       http1: plain HTTP/1.1 (default); h2: HTTP/2 over TLS as huggingface.co, with a
                     self-signed certificate made at start-up (its SPKI hash and CA file are printed,
                     for Chromium's --ignore-certificate-errors-spki-list and curl's --cacert).
                     Default from $HUB_PROTOCOL when set.
  --quiet            no request log
  --help             this text

Faults can be switched at runtime: POST /_control/faults with a JSON object (see tests/hub/README.md).`;

function exitWithUsage(message) {
  console.error(`hub: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function intOption(values, name, fallback, min = 0) {
  if (values[name] === undefined) return fallback;
  const n = Number(values[name]);
  if (!isNonNegativeInteger(n) || n < min) exitWithUsage(`--${name} needs an integer >= ${min}, got "${values[name]}"`);
  return n;
}

async function main(args) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' }, 'cdn-port': { type: 'string' }, fixtures: { type: 'string' },
        'latency-ms': { type: 'string' }, 'page-size': { type: 'string' }, quiet: { type: 'boolean' },
        protocol: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    exitWithUsage(err.message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let hub;
  try {
    hub = await startHub({
      fixtures: values.fixtures ?? DEFAULT_FIXTURES,
      port: intOption(values, 'port', 0),
      cdnPort: intOption(values, 'cdn-port', 0),
      latencyMs: intOption(values, 'latency-ms', 0),
      pageSize: intOption(values, 'page-size', 1000, 1),
      protocol: values.protocol ?? (process.env.HUB_PROTOCOL || 'http1'),
      log: values.quiet ? null : (line) => console.log(line),
    });
  } catch (err) {
    console.error(`hub: ${err.message}`);
    process.exit(1);
  }
  console.log(`Hub: ${hub.hubUrl}`);
  console.log(`CDN: ${hub.cdnUrl}`);
  if (hub.certificate) console.log(`Certificate: SPKI sha256 ${hub.certificate.spkiSha256}, CA file ${hub.certificate.certFile}`);
  const stop = () => hub.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function isMainModule() {
  try {
    return import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMainModule()) main(process.argv.slice(2));
