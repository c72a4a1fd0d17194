// Installable web app: registers the service worker (relative path, so any sub-path works),
// announces a new version and applies it on reload, and shows when the page is offline.
import { el } from './ui/dom.js';

export function registerServiceWorker(banner) {
  if (!('serviceWorker' in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloading) location.reload();
  });
  navigator.serviceWorker.register('sw.js').then((reg) => {
    const offer = (worker) => {
      banner.replaceChildren(el('span', { text: 'A new version of this page is available. ' }),
        el('button', { type: 'button', class: 'small', id: 'update-now', text: 'Reload to update', onclick: () => {
          reloading = true;
          worker.postMessage('skip-waiting');
        } }));
      banner.hidden = false;
    };
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
  }).catch(() => { /* no service worker (file://, private mode): the page works online */ });
}

export function watchOnline(indicator) {
  const update = () => { indicator.hidden = navigator.onLine; };
  addEventListener('online', update);
  addEventListener('offline', update);
  update();
}
