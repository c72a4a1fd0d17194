// The full page refuses to run inside a frame (issue 16 item 7). Its token field and "remember"
// box would be clickable through another site's overlay (clickjacking), and a meta
// Content-Security-Policy cannot say frame-ancestors, nor can a static host be relied on to send
// X-Frame-Options. So this classic script, loaded synchronously in <head> before anything is
// drawn, hides the document when it is framed; once parsed, the body is replaced by a link that
// opens the page in its own tab, and app.js never starts (it waits on data-framed). The compact
// view for iframes is embed.html, which has no token field and does not load this script.
(function () {
  'use strict';
  var framed;
  try {
    framed = window.self !== window.top;
  } catch (e) {
    framed = true;  // a browser that hides window.top from a frame: assume the worst
  }
  if (!framed) return;
  var root = document.documentElement;
  root.dataset.framed = 'true';
  root.hidden = true;  // nothing is drawn, not even for a frame, until the body is replaced
  document.addEventListener('DOMContentLoaded', function () {
    var main = document.createElement('main');
    var card = document.createElement('section');
    card.className = 'card';
    card.id = 'framed';
    var title = document.createElement('h1');
    title.textContent = 'Will it fit?';
    var why = document.createElement('p');
    why.textContent = 'This page does not run inside another site\u2019s frame, so that nobody can place it under their own buttons. '
      + 'Open it in its own tab; to show an estimate in a frame, use embed.html.';
    var link = document.createElement('a');
    link.href = location.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.id = 'open-unframed';
    link.textContent = 'Open the estimator in a new tab \u2197';
    card.append(title, why, link);
    main.append(card);
    document.body.replaceChildren(main);
    document.body.dataset.state = 'framed';
    root.hidden = false;
  });
})();
