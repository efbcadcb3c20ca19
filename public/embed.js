/*
 * Tsunagaru embed: shows an event's registration form inside the organiser's own page.
 *   <script src="https://events.example.org/embed.js" data-event="my-event" data-lang="ja" async></script>
 * Inserts an iframe right after this script; the framed page posts its height, and we set it, so the
 * form never scrolls inside its frame. Messages count only from our own origin and from that frame;
 * the framed page, in turn, posts only to the origin it was told about and the server allowed.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var home = new URL(script.src).origin;
  var slug = script.getAttribute('data-event') || '';
  if (!/^[a-z0-9-]{1,80}$/.test(slug)) return;
  var lang = script.getAttribute('data-lang') === 'ja' ? 'ja' : 'en';
  var url = new URL('/events/' + slug, home);
  url.searchParams.set('embed', '1');
  url.searchParams.set('origin', window.location.origin);
  url.searchParams.set('lang', lang);

  var frame = document.createElement('iframe');
  frame.src = url.href;
  frame.title =
    script.getAttribute('data-title') || (lang === 'ja' ? 'お申し込みフォーム' : 'Registration form');
  frame.style.cssText = 'display:block;width:100%;min-height:24rem;border:0;overflow:hidden;';
  frame.setAttribute('scrolling', 'no');
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener('message', function (e) {
    if (e.origin !== home || e.source !== frame.contentWindow) return;
    var data = e.data;
    if (!data || data.type !== 'tsunagaru:height' || typeof data.height !== 'number') return;
    frame.style.minHeight = '0';
    frame.style.height = Math.max(100, Math.min(Math.ceil(data.height), 20000)) + 'px';
    // A new page in the frame (after sending the form) starts at its top, so bring that into view.
    if (data.loaded && frame.getBoundingClientRect().top < 0) frame.scrollIntoView({ block: 'start' });
  });
})();
