// Service worker: the app shell (HTML, JS, CSS, the .wasm) in a versioned cache, cache-first, so
// the page starts offline. Hub requests are never cached here: the page keeps the metadata of the
// models it looked up in IndexedDB (the Cache API refuses the Hub's 206 answers).
// scripts/build replaces VERSION with a hash of the shell (and lists its files; scripts/publish does the same with the
// content-hashed names), so every deploy gets a new cache and
// the page offers the update; paths are relative, so the site works from any sub-path.
const VERSION = '__SHELL_VERSION__';
const CACHE = `vram-shell-${VERSION}`;
// Every file of the built site (scripts/build writes the list), plus the directory URL itself.
const SHELL = ['./', ...__SHELL_FILES__];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)));
  // No skipWaiting here: a new version waits until the page asks for it (the update banner).
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('vram-shell-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'version') event.source?.postMessage({ version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;  // the Hub: network only
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, { ignoreSearch: true });
    if (hit) return hit;
    try {
      return await fetch(event.request);
    } catch {
      // Offline navigation to a URL with a query (a share link): serve the shell.
      if (event.request.mode === 'navigate') return (await cache.match('index.html')) || Response.error();
      return Response.error();
    }
  })());
});
