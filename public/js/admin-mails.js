// A message's page while its mails are still being written or sent: asks the server every 2 seconds
// how far it has gone and updates the numbers and the bar, until every mail has reached an end. The
// page works without it (it shows the numbers of when it was loaded; reload for newer ones).
(function () {
  'use strict';

  var box = document.querySelector('[data-progress-url]');
  if (!box || typeof fetch === 'undefined') return;
  var url = box.getAttribute('data-progress-url');
  var format = new Intl.NumberFormat(document.documentElement.lang || 'en');
  var bar = box.querySelector('[data-progress-bar]');
  var note = box.querySelector('[data-progress-note]');

  function show(p) {
    ['sent', 'queued', 'failed', 'skipped'].forEach(function (k) {
      var el = box.querySelector('[data-progress-' + k + ']');
      if (el) el.textContent = format.format(p[k]);
    });
    if (bar) {
      bar.max = Math.max(p.total, 1);
      bar.value = p.done;
      bar.textContent = p.done + ' / ' + p.total;
    }
    // Outside the progress box: the number of mails written, once every recipient has one.
    var recipients = document.querySelector('[data-progress-recipients]');
    if (recipients && p.recipients !== null && p.recipients !== undefined) {
      recipients.textContent = format.format(p.recipients);
    }
    if (p.finished && note) note.textContent = note.getAttribute('data-finished') || '';
    // The "on its way" banner after sending becomes "all sent" once the last mail is handled.
    var flash = document.querySelector('[data-flash-finished]');
    if (p.finished && flash) flash.textContent = flash.getAttribute('data-flash-finished');
  }

  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('status ' + res.status);
        return res.json();
      })
      .then(function (p) {
        show(p);
        if (!p.finished) setTimeout(poll, 2000);
      })
      .catch(function () {
        // A dropped connection or an expired session: try again a little later.
        setTimeout(poll, 10000);
      });
  }

  setTimeout(poll, 2000);
})();
