// The shipped pages (web/index.html, web/embed.html) carry a meta Content-Security-Policy whose
// connect-src names only the Hub and its CDN. The demo, the tests and a deployment that serves a
// mirror widen that one directive when they serve or build the site — never in the shipped files.
//
//   node scripts/lib/csp.mjs --connect-src "https://hf-mirror.com https://cdn.example" FILE.html…
//
// rewrites the files in place (scripts/build --connect-src uses this on build/site).

// A CSP host source with a scheme: http(s)://host or *.host, an optional :port or :*, nothing else
// (no path, quote, semicolon or space that could end the directive and start another).
const SOURCE = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?$/i;

/** Checks a list of origins (array or space-separated text); returns the array or throws. */
export function connectSources(origins) {
  const list = (Array.isArray(origins) ? origins : String(origins).split(/\s+/)).filter(Boolean);
  for (const o of list) if (!SOURCE.test(o)) throw new Error(`connect-src: "${o}" is not an origin such as http://127.0.0.1:8081 or https://*.example.org`);
  return list;
}

/** The page text with `origins` appended to the connect-src of its meta Content-Security-Policy. */
export function widenConnectSrc(html, origins) {
  const list = connectSources(origins);
  if (!list.length) return html;
  let found = 0;
  const out = html.replace(/(<meta http-equiv="Content-Security-Policy" content="[^"]*?connect-src )([^;"]*)/g, (_, head, sources) => {
    found++;
    const have = sources.trim().split(/\s+/);
    return head + [...have, ...list.filter((o) => !have.includes(o))].join(' ');
  });
  if (found !== 1) throw new Error(`expected one meta Content-Security-Policy with connect-src, found ${found}`);
  return out;
}

// Command line: rewrite files in place.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [flag, origins, ...files] = process.argv.slice(2);
  if (flag !== '--connect-src' || origins === undefined || !files.length) {
    console.error('usage: node scripts/lib/csp.mjs --connect-src "ORIGIN …" FILE.html…');
    process.exit(2);
  }
  const fs = await import('node:fs');
  try {
    for (const f of files) fs.writeFileSync(f, widenConnectSrc(fs.readFileSync(f, 'utf8'), origins));
  } catch (e) {
    console.error(`csp: ${e.message}`);
    process.exit(2);
  }
}
