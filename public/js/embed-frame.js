// Inside the embedded frame (?embed=1): tells the page around it how tall this page is, whenever that
// changes. It posts only to the origin the server allowed (data-embed-parent), never to '*'.
(function () {
  'use strict';
  var parentOrigin = document.documentElement.getAttribute('data-embed-parent');
  if (!parentOrigin || window.parent === window) return;
  var last = -1;
  var first = true;
  function send() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'tsunagaru:height', height: height, loaded: first }, parentOrigin);
    first = false;
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
  window.addEventListener('load', send);
  send();
})();
