// Small enhancements; every page works without them.
(function () {
  'use strict';

  // Move focus to the error summary so screen readers announce it after a failed submit.
  var summary = document.querySelector('[data-focus-on-load]');
  if (summary) summary.focus();

  // A summary link focuses its field and brings the whole field (label, hint, message) into view,
  // rather than the browser's jump, which puts the box at the very top with its label cut off.
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('.error-summary a[href^="#"]');
    if (!link) return;
    var target = document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    e.preventDefault();
    var field = target.closest('.field') || target;
    field.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  });

  // Copy buttons: copy the text of the element they name, and say so in the button for two seconds.
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute('data-copied');
        setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });

  // Show the event time in the viewer's own zone when none of the display zones matches it.
  var el = document.querySelector('.local-time');
  if (!el || typeof Intl === 'undefined') return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var zones = JSON.parse(el.getAttribute('data-zones') || '[]');
  var start = new Date(el.getAttribute('data-start'));
  var end = new Date(el.getAttribute('data-end'));
  var lang = el.getAttribute('data-lang') === 'ja' ? 'ja-JP' : 'en-GB';

  function offsetAt(tz, date) {
    var parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(date);
    var get = function (t) {
      return Number(
        parts.find(function (p) {
          return p.type === t;
        }).value,
      );
    };
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - date.getTime();
  }
  var sameAsDisplayed = zones.some(function (z) {
    return (
      z === zone || (offsetAt(z, start) === offsetAt(zone, start) && offsetAt(z, end) === offsetAt(zone, end))
    );
  });
  if (!zone || sameAsDisplayed) return;

  var dateFmt = new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  // The zone's name as the server writes it (EST, CET, JST; else UTC−3), never Intl's "GMT-5".
  var naming = JSON.parse(el.getAttribute('data-zone-naming') || '{"fixedNames":{},"regionalLocales":[]}');
  function abbreviation(tz, date) {
    if (naming.fixedNames[tz]) return naming.fixedNames[tz];
    for (var i = 0; i < naming.regionalLocales.length; i++) {
      var found = new Intl.DateTimeFormat(naming.regionalLocales[i], { timeZone: tz, timeZoneName: 'short' })
        .formatToParts(date)
        .find(function (p) {
          return p.type === 'timeZoneName';
        });
      var name = found && found.value;
      if (name && !/^(GMT|UTC)[+\-−]\d/.test(name) && name !== 'GMT+0') return name;
    }
    var minutes = Math.round(offsetAt(tz, date) / 60000);
    if (!minutes) return 'UTC';
    var abs = Math.abs(minutes);
    var mm = abs % 60;
    return (
      'UTC' + (minutes > 0 ? '+' : '−') + Math.floor(abs / 60) + (mm ? ':' + String(mm).padStart(2, '0') : '')
    );
  }
  var endTime = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  var timeFmt = {
    format: function (date) {
      return endTime.format(date) + ' ' + abbreviation(zone, date);
    },
  };
  var sameDay = dateFmt.format(start) === dateFmt.format(end);
  var text =
    dateFmt.format(start) +
    (lang === 'ja-JP' ? ' ' : ', ') +
    endTime.format(start) +
    '–' +
    (sameDay ? '' : dateFmt.format(end) + ' ') +
    timeFmt.format(end) +
    ' (' +
    zone +
    ')';
  el.textContent = el.getAttribute('data-label') + (el.getAttribute('data-colon') || ': ') + text;
  el.hidden = false;
})();
