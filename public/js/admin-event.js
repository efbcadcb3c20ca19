// The event editor's live help; the form works without it (the server renders the same echo).
// - Under each date-time field: the same instant in every display zone, as you type
//   ("JST: Wed 16 Dec 15:00 · CET: Wed 16 Dec 07:00"), or a warning when the time falls in a
//   spring-forward gap of the event zone (the server refuses those too).
// - On a new event, the address (slug) is suggested from the English title until typed by hand.
(function () {
  'use strict';

  var form = document.getElementById('event-form');
  if (!form || typeof Intl === 'undefined') return;
  var lang = form.getAttribute('data-lang') === 'ja' ? 'ja' : 'en';
  var gapMessage = form.getAttribute('data-gap') || '';

  // How zones are named (src/time/zone-labels.ts): a table for zones no English locale names well, and
  // the English locales that know each region's names. The server passes both, so there is one table.
  var naming = JSON.parse(
    form.getAttribute('data-zone-naming') || '{"fixedNames":{},"regionalLocales":["en-GB"]}',
  );
  var fixedNames = naming.fixedNames;
  var regionalLocales = naming.regionalLocales;

  function validZone(zone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }

  function part(parts, type) {
    var p = parts.find(function (x) {
      return x.type === type;
    });
    return p ? p.value : '';
  }

  // Wall-clock fields of an instant in a zone.
  function fieldsAt(zone, date) {
    var parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(date);
    return ['year', 'month', 'day', 'hour', 'minute'].map(function (t) {
      return Number(part(parts, t));
    });
  }

  function offsetAt(zone, date) {
    var f = fieldsAt(zone, date);
    return Date.UTC(f[0], f[1] - 1, f[2], f[3], f[4]) - Math.floor(date.getTime() / 60000) * 60000;
  }

  // "2026-12-16T15:00" in `zone` -> Date, or {gap: true} when that wall time does not exist there.
  function fromLocal(value, zone) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m) return null;
    var wanted = m.slice(1, 6).map(Number);
    var guess = Date.UTC(wanted[0], wanted[1] - 1, wanted[2], wanted[3], wanted[4]);
    var at = guess - offsetAt(zone, new Date(guess));
    at = guess - offsetAt(zone, new Date(at));
    var got = fieldsAt(zone, new Date(at));
    var same = wanted.every(function (n, i) {
      return n === got[i];
    });
    return same ? { date: new Date(at) } : { gap: true };
  }

  function abbreviation(zone, date) {
    if (fixedNames[zone]) return fixedNames[zone];
    for (var i = 0; i < regionalLocales.length; i++) {
      var name = part(
        new Intl.DateTimeFormat(regionalLocales[i], { timeZone: zone, timeZoneName: 'short' }).formatToParts(
          date,
        ),
        'timeZoneName',
      );
      if (name && !/^(GMT|UTC)[+\-−]\d/.test(name) && name !== 'GMT+0') return name;
    }
    var minutes = offsetAt(zone, date) / 60000;
    if (!minutes) return 'UTC';
    var abs = Math.abs(minutes);
    var mm = abs % 60;
    return (
      'UTC' + (minutes > 0 ? '+' : '−') + Math.floor(abs / 60) + (mm ? ':' + String(mm).padStart(2, '0') : '')
    );
  }

  // "JST: Wed 16 Dec 15:00" (English) or "JST: 12月16日(水) 15:00" (Japanese), as the server writes it.
  function label(zone, date) {
    var parts = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      month: lang === 'ja' ? 'numeric' : 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(date);
    var wd = part(parts, 'weekday');
    var day = part(parts, 'day');
    var month = part(parts, 'month');
    var time = part(parts, 'hour') + ':' + part(parts, 'minute');
    var when = lang === 'ja' ? month + '月' + day + '日(' + wd + ')' : wd + ' ' + day + ' ' + month;
    return abbreviation(zone, date) + ': ' + when + ' ' + time;
  }

  function eventZone() {
    var select = form.querySelector('#timezone');
    var zone = select ? select.value : 'UTC';
    return validZone(zone) ? zone : 'UTC';
  }

  function displayZones() {
    var zones = [];
    form.querySelectorAll('input[name="displayZones"]').forEach(function (box) {
      if (box.checked) zones.push(box.value);
    });
    var other = form.querySelector('#displayZonesOther');
    if (other) zones = zones.concat(other.value.split(/[\s,、]+/));
    zones = zones.filter(function (z, i) {
      return z && zones.indexOf(z) === i && validZone(z);
    });
    return zones.length ? zones.slice(0, 6) : [eventZone()];
  }

  function refresh() {
    var zone = eventZone();
    var zones = displayZones();
    form.querySelectorAll('input[data-echo]').forEach(function (input) {
      var out = document.getElementById(input.id + '-echo');
      if (!out) return;
      var r = input.value ? fromLocal(input.value, zone) : null;
      out.classList.toggle('zone-echo--warning', Boolean(r && r.gap));
      out.textContent = r && r.gap ? gapMessage.replace('{{zone}}', zone) : '';
      if (!r || r.gap) return;
      // One unbreakable item per zone, as the server renders it, so a line breaks between zones.
      zones.forEach(function (z, i) {
        if (i) out.appendChild(document.createTextNode(' · '));
        var item = document.createElement('span');
        item.className = 'zone-echo-item';
        item.textContent = label(z, r.date);
        out.appendChild(item);
      });
    });
  }

  form.addEventListener('input', function (e) {
    var t = e.target;
    if (t.matches('input[data-echo], #timezone, input[name="displayZones"], #displayZonesOther')) refresh();
  });
  form.addEventListener('change', function (e) {
    if (e.target.matches('input[data-echo], #timezone, input[name="displayZones"], #displayZonesOther'))
      refresh();
  });

  // Suggest the address from the English title on a new event, until the organiser types one.
  var slug = form.querySelector('input[data-slug-auto]');
  var title = form.querySelector('#title_en');
  if (slug && title) {
    var auto = !slug.value;
    slug.addEventListener('input', function () {
      auto = !slug.value;
    });
    title.addEventListener('input', function () {
      if (!auto) return;
      slug.value = title.value
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+/, '')
        .slice(0, 80)
        .replace(/-+$/, '');
    });
  }
})();

// Option rows of choice questions: "Add an option" copies the last row (empty, numbered next) and
// each row's "Remove" takes it away. Without scripts the form offers blank rows instead.
(function () {
  'use strict';

  function renumber(row, n) {
    row.querySelectorAll('[id], [name], [for], [aria-describedby]').forEach(function (el) {
      ['id', 'name', 'for'].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/_o\d+_/, '_o' + n + '_'));
      });
    });
    row.querySelectorAll('label, [data-remove-option]').forEach(function (el) {
      el.textContent = el.textContent.replace(/\d+/, String(n + 1));
    });
  }

  function clear(row) {
    row.classList.remove('field--error');
    row.querySelectorAll('.error-message').forEach(function (el) {
      el.remove();
    });
    row.querySelectorAll('input').forEach(function (input) {
      input.value = '';
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    });
  }

  function remove(row) {
    var list = row.parentNode;
    if (list.children.length === 1) {
      clear(row);
      row.querySelector('input').focus();
      return;
    }
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    next.querySelector('input').focus();
  }

  document.querySelectorAll('.option-rows').forEach(function (group) {
    var list = group.querySelector('.option-list');
    var add = group.querySelector('[data-add-option]');
    if (!list || !add) return;
    var next = list.children.length;
    group.querySelectorAll('[data-remove-option]').forEach(function (b) {
      b.hidden = false;
    });
    add.hidden = false;
    add.addEventListener('click', function () {
      var row = list.lastElementChild.cloneNode(true);
      clear(row);
      renumber(row, next++);
      list.appendChild(row);
      row.querySelector('input').focus();
    });
    list.addEventListener('click', function (e) {
      var button = e.target.closest('[data-remove-option]');
      if (button) remove(button.closest('.option-row'));
    });
  });
})();
