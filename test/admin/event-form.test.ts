import fs from 'node:fs';
import path from 'node:path';
import {
  docFromValues,
  duplicateSlug,
  fromLocalInput,
  readEventForm,
  slugify,
} from '../../src/admin/event-form';
import { fieldForPath } from '../../src/admin/event-form.errors';
import {
  formValuesFromEvent,
  localInputValue,
  newEventValues,
  type EventFormValues,
  type FormBody,
} from '../../src/admin/event-form.values';
import { echoLine, editorView, markPreview } from '../../src/admin/event-form.view';
import { parseEventInput, type EventInput } from '../../src/events';
import { tFor } from '../../src/i18n';
import { eventDoc } from '../helpers/events';

/**
 * The event form as pure functions: wall-clock times in the event zone (and the DST gap), the round
 * trip event JSON -> form -> event JSON, problems put back on the field (and line) that caused them,
 * and the view model's words in both languages.
 */

/** The body a browser sends for these values: the names edit.ejs gives its fields. */
function bodyOf(v: EventFormValues): FormBody {
  const body: FormBody = {
    slug: v.slug,
    timezone: v.timezone,
    displayZones: v.displayZones,
    displayZonesOther: v.displayZonesOther,
    capacity: v.capacity,
    attendanceMinutes: v.attendanceMinutes,
    meetingUrl: v.meetingUrl,
    meetingPasscode: v.meetingPasscode,
    contactEmail: v.contactEmail,
    reminders: v.reminders,
    embedOrigins: v.embedOrigins.replace(/\n/g, '\r\n'),
    ...v.times,
  };
  if (v.waitlist) body.waitlist = 'yes';
  if (v.approval) body.approval = 'yes';
  if (v.bilingualMail) body.bilingualMail = 'yes';
  for (const [f, pair] of Object.entries(v.texts)) {
    body[`${f}_en`] = pair.en;
    body[`${f}_ja`] = pair.ja;
  }
  v.materials.forEach((m, i) => {
    Object.assign(body, {
      [`m${i}_title_en`]: m.titleEn,
      [`m${i}_title_ja`]: m.titleJa,
      [`m${i}_url`]: m.url,
    });
  });
  v.questions.forEach((q, i) => {
    Object.assign(body, {
      [`q${i}_id`]: q.id,
      [`q${i}_type`]: q.type,
      [`q${i}_label_en`]: q.labelEn,
      [`q${i}_label_ja`]: q.labelJa,
    });
    q.options.forEach((o, j) => {
      Object.assign(body, {
        [`q${i}_o${j}_value`]: o.value,
        [`q${i}_o${j}_en`]: o.en,
        [`q${i}_o${j}_ja`]: o.ja,
      });
    });
    if (q.required) body[`q${i}_required`] = 'yes';
  });
  return body;
}

const instants = ['startsAt', 'endsAt', 'registrationOpensAt', 'registrationClosesAt'] as const;

/** The document with every instant in UTC, so equal instants compare equal. */
function normal(doc: EventInput): EventInput {
  const out: Record<string, unknown> = { ...doc };
  for (const f of instants) out[f] = doc[f] && new Date(doc[f]).toISOString();
  return out as EventInput;
}

const richDoc = () =>
  eventDoc({
    displayTimezones: ['Europe/Zurich', 'Asia/Tokyo', 'America/Sao_Paulo'],
    registrationOpensAt: '2026-11-20T09:00:00+09:00',
    registrationClosesAt: '2026-12-14T23:59:30+09:00',
    capacity: 120,
    attendanceMinutes: 25,
    waitlist: true,
    bilingualMail: true,
    reminders: ['P2D', 'PT30M'],
    embedOrigins: ['https://www.coop.example', 'http://127.0.0.1:8080'],
    materials: [
      { title: { en: 'Slides' }, url: 'https://materials.example/slides.pdf' },
      { title: { ja: '録画' }, url: 'https://materials.example/recording' },
    ],
    questions: [
      {
        id: 'sessions',
        type: 'multiple',
        label: { en: 'Sessions', ja: 'セッション' },
        required: true,
        options: [
          { value: 'a', label: { en: 'Morning | early', ja: '午前' } },
          { value: 'b', label: { ja: '午後' } },
          { value: 'c', label: { en: 'Evening' } },
        ],
      },
      { id: 'note', type: 'text', label: { en: 'Note' }, required: false, options: [] },
    ],
  });

describe('wall-clock times in the event zone', () => {
  it('when 15:00 is typed for an event in Tokyo, then the instant is 15:00+09:00 (06:00 UTC)', () => {
    const r = fromLocalInput('2026-12-16T15:00', 'Asia/Tokyo');
    expect(r).toEqual({ ok: true, iso: '2026-12-16T15:00:00+09:00' });
    expect(r.ok && new Date(r.iso).toISOString()).toBe('2026-12-16T06:00:00.000Z');
  });

  it('when the time falls in the spring-forward gap of Zurich, then it is refused with the first valid time as suggestion', () => {
    expect(fromLocalInput('2027-03-28T02:30', 'Europe/Zurich')).toEqual({
      ok: false,
      reason: 'gap',
      suggestion: '03:30',
    });
    expect(fromLocalInput('2027-03-28T03:00', 'Europe/Zurich')).toEqual({
      ok: true,
      iso: '2027-03-28T03:00:00+02:00',
    });
  });

  it('when the time is ambiguous (autumn) or has seconds, then it is accepted', () => {
    expect(fromLocalInput('2026-10-25T02:30', 'Europe/Zurich').ok).toBe(true);
    expect(fromLocalInput('2026-12-14T23:59:30', 'Asia/Tokyo')).toEqual({
      ok: true,
      iso: '2026-12-14T23:59:30+09:00',
    });
  });

  it('when the value is not a date-time or an impossible date, then it is a format problem', () => {
    for (const v of ['16/12/2026 15:00', '2026-02-30T10:00', '2026-12-16', '2026-12-16T25:00']) {
      expect(fromLocalInput(v, 'Asia/Tokyo')).toEqual({ ok: false, reason: 'format' });
    }
  });

  it('when a stored instant is shown, then it is the event zone wall clock, with seconds only when there are some', () => {
    expect(localInputValue('2026-12-16T06:00:00.000Z', 'Asia/Tokyo')).toBe('2026-12-16T15:00');
    expect(localInputValue('2026-12-16T06:00:00.000Z', 'Europe/Zurich')).toBe('2026-12-16T07:00');
    expect(localInputValue('2026-12-14T14:59:30.000Z', 'Asia/Tokyo')).toBe('2026-12-14T23:59:30');
    expect(localInputValue(null, 'Asia/Tokyo')).toBe('');
  });
});

describe('event JSON <-> form', () => {
  it('when a rich event goes to the form and back, then the document is the same', () => {
    const doc = parseEventInput(richDoc());
    const values = formValuesFromEvent(doc, 'en');
    expect(values.times.startsAt).toBe('2026-12-16T15:00');
    expect(values.displayZones).toEqual(['Europe/Zurich', 'Asia/Tokyo']);
    expect(values.displayZonesOther).toBe('America/Sao_Paulo');
    expect(values.questions[0]!.options).toEqual([
      { value: 'a', en: 'Morning | early', ja: '午前' },
      { value: 'b', en: '', ja: '午後' },
      { value: 'c', en: 'Evening', ja: '' },
    ]);
    expect(values.embedOrigins).toBe('https://www.coop.example\nhttp://127.0.0.1:8080');
    const read = readEventForm(bodyOf(values), { slug: doc.slug, status: doc.status });
    expect(read.errors).toEqual([]);
    expect(normal(read.input!)).toEqual(normal(doc));
  });

  it('when approval is on or off, then the form box shows it and the document comes back the same', () => {
    for (const approval of [true, false]) {
      const doc = parseEventInput({ ...richDoc(), approval });
      const values = formValuesFromEvent(doc, 'ja');
      expect(values.approval).toBe(approval);
      const read = readEventForm(bodyOf(values), { slug: doc.slug, status: doc.status });
      expect(read.input!.approval).toBe(approval);
    }
    expect(parseEventInput(richDoc()).approval).toBe(false);
  });

  it('when reminders go to the form, then they read as typed in the page language, and come back the same', () => {
    const doc = parseEventInput({ ...richDoc(), reminders: ['P7D', 'P1D', 'PT3H', 'PT30M', 'PT90M'] });
    expect(formValuesFromEvent(doc, 'en').reminders).toBe('7d, 1d, 3h, 90m, 30m');
    expect(formValuesFromEvent(doc, 'ja').reminders).toBe('7日、1日、3時間、90分、30分');
    expect(newEventValues('en').reminders).toBe('1d, 1h');
    expect(newEventValues('ja').reminders).toBe('1日、1時間');
    for (const lang of ['en', 'ja'] as const) {
      const read = readEventForm(bodyOf(formValuesFromEvent(doc, lang)), {
        slug: doc.slug,
        status: doc.status,
      });
      expect(read.errors).toEqual([]);
      expect(read.input!.reminders).toEqual(['P7D', 'P1D', 'PT3H', 'PT90M', 'PT30M']);
    }
  });

  it('when the new-event defaults are read, then they need only a slug, a title and times', () => {
    const values = newEventValues('en');
    Object.assign(values, { slug: 'new-event' });
    values.texts.title.ja = '新しいイベント';
    values.times.startsAt = '2026-12-16T15:00';
    values.times.endsAt = '2026-12-16T16:00';
    const read = readEventForm(bodyOf(values), { status: 'draft' });
    expect(read.errors).toEqual([]);
    expect(read.input).toMatchObject({
      title: { ja: '新しいイベント' },
      timezone: 'Asia/Tokyo',
      displayTimezones: ['Asia/Tokyo', 'Europe/Zurich'],
      reminders: ['P1D', 'PT1H'],
      registrationClosesAt: null,
      capacity: null,
      questions: [],
      materials: [],
    });
  });

  it('when question ids are left empty, then they are made from the English label, unique, and shown back in the form', () => {
    const values = newEventValues('en');
    values.questions = [
      {
        id: '',
        type: 'text',
        labelEn: 'Your organisation’s name',
        labelJa: '',
        required: false,
        options: [],
        remove: false,
      },
      {
        id: '',
        type: 'text',
        labelEn: 'Your organisation’s name',
        labelJa: '',
        required: false,
        options: [],
        remove: false,
      },
      {
        id: '',
        type: 'single',
        labelEn: '',
        labelJa: '昼食',
        required: false,
        options: [
          { value: '', en: '', ja: 'はい' },
          { value: '', en: 'No thanks', ja: '' },
        ],
        remove: false,
      },
    ];
    const { doc } = docFromValues(values, { status: 'draft' });
    expect((doc.questions as { id: string }[]).map((q) => q.id)).toEqual([
      'your_organisation_s_name',
      'your_organisation_s_name_2',
      'q3',
    ]);
    expect((doc.questions as { options: unknown }[])[2]!.options).toEqual([
      { value: 'o1', label: { ja: 'はい' } },
      { value: 'no_thanks', label: { en: 'No thanks' } },
    ]);
    expect(values.questions.map((q) => q.id)).toEqual([
      'your_organisation_s_name',
      'your_organisation_s_name_2',
      'q3',
    ]);
  });

  it('when blank rows and removed questions are posted, then they are left out', () => {
    const read = readEventForm(
      {
        ...bodyOf(formValuesFromEvent(parseEventInput(richDoc()), 'en')),
        m0_title_en: '',
        m0_title_ja: '',
        m0_url: '',
        m5_title_en: '',
        q1_remove: 'yes',
        q7_id: '',
        q7_label_en: ' ',
      },
      { slug: 'tsunagaru-test', status: 'published' },
    );
    expect(read.input!.materials.map((m) => m.url)).toEqual(['https://materials.example/recording']);
    expect(read.input!.questions.map((q) => q.id)).toEqual(['sessions']);
  });

  it('when option rows are posted with blank rows and gaps (a row removed), then the filled rows are the options, in order', () => {
    const body = {
      ...bodyOf(formValuesFromEvent(parseEventInput(richDoc()), 'en')),
      q0_o1_value: '',
      q0_o1_en: ' ',
      q0_o1_ja: '',
      q0_o4_value: '',
      q0_o4_en: '',
      q0_o4_ja: '',
      q0_o9_en: 'Night owls',
    };
    const read = readEventForm(body, { slug: 'tsunagaru-test', status: 'published' });
    expect(read.input!.questions[0]!.options).toEqual([
      { value: 'a', label: { en: 'Morning | early', ja: '午前' } },
      { value: 'c', label: { en: 'Evening' } },
      { value: 'night_owls', label: { en: 'Night owls' } },
    ]);
  });

  it('when the slug is fixed (editing), then a posted slug is ignored', () => {
    const body = { ...bodyOf(formValuesFromEvent(parseEventInput(richDoc()), 'en')), slug: 'hijacked' };
    expect(readEventForm(body, { slug: 'tsunagaru-test', status: 'published' }).input!.slug).toBe(
      'tsunagaru-test',
    );
  });

  it.each([
    ['tsunagaru-2026', 'tsunagaru-2027'],
    ['ilo-webinar', 'ilo-webinar-copy'],
    ['2026', '2026-copy'],
  ])('when %s is duplicated, then the suggested slug is %s', (slug, expected) => {
    expect(duplicateSlug(slug)).toBe(expected);
  });

  it('when labels are made into ids, then only a-z, 0-9, _ and - remain', () => {
    expect(slugify('Café — Which session?')).toBe('cafe_which_session');
    expect(slugify('  --Hello--  ')).toBe('hello');
    expect(slugify('日本語')).toBe('');
  });
});

describe('problems on the right field', () => {
  const rows = { materials: [0, 2], questions: [1], checkedZones: 2 };

  it.each([
    ['$.title', 'title_en'],
    ['$.title.ja', 'title_ja'],
    ['$.description.en', 'description_en'],
    ['$.startsAt', 'startsAt'],
    ['$.endsAt', 'endsAt'],
    ['$.registrationClosesAt', 'registrationClosesAt'],
    ['$.displayTimezones', 'displayZones'],
    ['$.displayTimezones[1]', 'displayZones'],
    ['$.displayTimezones[2]', 'displayZonesOther'],
    ['$.materials[1].url', 'm2_url'],
    ['$.materials[1].title', 'm2_title_en'],
    ['$.materials[0].title.ja', 'm0_title_ja'],
    ['$.questions[0].id', 'q1_id'],
    ['$.questions[0].label', 'q1_label_en'],
    ['$.questions[0].type', 'q1_type'],
    ['$.questions[0].options', 'q1_options'],
    ['$.reminders[1]', 'reminders'],
    ['$.meetingUrl', 'meetingUrl'],
    ['$.somethingElse', 'form'],
  ])('when the schema reports %s, then the form shows it at %s', (p, field) => {
    expect(fieldForPath(p, rows).field).toBe(field);
  });

  it.each([
    ['$.questions[0].options[1].value', 'q1_o1_value'],
    ['$.questions[0].options[1].label', 'q1_o1_en'],
    ['$.questions[0].options[2].label.ja', 'q1_o2_ja'],
  ])('when the schema reports %s, then the box of that option row shows it: %s', (p, field) => {
    expect(fieldForPath(p, rows)).toEqual({ field });
  });

  it.each([
    ['1日、3時間、30分', ['P1D', 'PT3H', 'PT30M']],
    ['1 day, 3 hours, 30 min', ['P1D', 'PT3H', 'PT30M']],
    ['1d 3h 30m', ['P1D', 'PT3H', 'PT30M']],
    ['P1D PT1H', ['P1D', 'PT1H']],
    ['', []],
  ])('when the reminders box holds %p, then the event gets %p', (text, reminders) => {
    const values = formValuesFromEvent(parseEventInput(richDoc()), 'en');
    values.reminders = text;
    const read = readEventForm(bodyOf(values), { slug: 'tsunagaru-test', status: 'published' });
    expect(read.input?.reminders).toEqual(reminders);
  });

  it('when several fields are wrong, then every problem is listed once, in form order, with our wording', () => {
    const values = formValuesFromEvent(parseEventInput(richDoc()), 'en');
    values.texts.title = { en: '', ja: '' };
    values.times.endsAt = '2026-12-16T14:00';
    values.times.registrationOpensAt = 'soon';
    values.reminders = 'P1D, tomorrow';
    values.materials[1]!.url = 'ftp://x';
    values.questions[0]!.options = [
      { value: 'a', en: 'A', ja: '' },
      { value: 'b c', en: 'B', ja: '' },
      { value: 'a', en: '', ja: '' },
    ];
    const read = readEventForm(bodyOf(values), { slug: 'tsunagaru-test', status: 'published' });
    expect(read.input).toBeUndefined();
    const view = editorView({
      values: read.values,
      errors: read.errors,
      lang: 'en',
      t: tFor('en'),
      at: new Date(),
    });
    expect(view.summary.map((s) => s.text)).toEqual([
      'Title (English): Write it in English, Japanese or both.',
      'Ends: The end must be after the start.',
      'Registration opens: Enter a date and time.',
      'Reminders: Each reminder must be a duration from 1 minute to 90 days, like P1D, PT1H or PT30M.',
      'Material 2: Link: Enter a link starting with http:// or https://.',
      'Question 1: Option 2: Value: This value is not valid.',
      'Question 1: Option 3: Value: Another option of this question already has this value.',
      'Question 1: Option 3: English: Write it in English, Japanese or both.',
    ]);
    const ja = editorView({
      values: read.values,
      errors: read.errors,
      lang: 'ja',
      t: tFor('ja'),
      at: new Date(),
    });
    expect(ja.summary[0]!.text).toBe(
      'タイトル（英語）：英語・日本語のどちらか、または両方で入力してください。',
    );
    expect(ja.errors.endsAt).toBe('終了は開始より後にしてください。');
  });

  it('when the capacity is not a whole number, then the form says so in its own words', () => {
    const values = formValuesFromEvent(parseEventInput(richDoc()), 'en');
    for (const capacity of ['many', '0', '1.5']) {
      values.capacity = capacity;
      const read = readEventForm(bodyOf(values), { slug: 'tsunagaru-test', status: 'published' });
      expect(read.errors).toEqual([{ field: 'capacity', key: 'editor:errors.capacity', params: {} }]);
    }
  });

  it('when more than six display zones are chosen, then the zones box says at most six', () => {
    const values = formValuesFromEvent(parseEventInput(richDoc()), 'en');
    values.displayZonesOther = 'Asia/Seoul, Asia/Bangkok, Europe/London, Europe/Paris, UTC';
    const read = readEventForm(bodyOf(values), { slug: 'tsunagaru-test', status: 'published' });
    expect(read.errors).toEqual([
      expect.objectContaining({ field: 'displayZones', key: 'editor:issues.tooManyZones' }),
    ]);
  });
});

describe('the view model', () => {
  it('when a time is shown, then the echo gives it in every display zone, in the page language', () => {
    const at = new Date('2026-12-16T06:00:00Z');
    expect(echoLine(at, ['Asia/Tokyo', 'Europe/Zurich'], 'en')).toBe(
      'JST: Wed 16 Dec 15:00 · CET: Wed 16 Dec 07:00',
    );
    expect(echoLine(at, ['Asia/Tokyo', 'Europe/Zurich'], 'ja')).toBe(
      'JST: 12月16日(水) 15:00 · CET: 12月16日(水) 07:00',
    );
    expect(echoLine(new Date('2026-07-01T00:30:00Z'), ['Asia/Tokyo', 'America/New_York'], 'en')).toBe(
      'JST: Wed 1 Jul 09:30 · EDT: Tue 30 Jun 20:30',
    );
  });

  it('when the form is shown, then checked zones come first in their order, two blank materials and one blank question follow the rows', () => {
    const values = formValuesFromEvent(parseEventInput(richDoc()), 'en');
    const view = editorView({
      values,
      errors: [],
      lang: 'en',
      t: tFor('en'),
      at: new Date('2026-12-01T00:00:00Z'),
    });
    expect(view.commonZones.slice(0, 3)).toEqual([
      { value: 'Europe/Zurich', label: 'Europe/Zurich (CET)', checked: true },
      { value: 'Asia/Tokyo', label: 'Asia/Tokyo (JST)', checked: true },
      { value: 'Europe/Brussels', label: 'Europe/Brussels (CET)', checked: false },
    ]);
    expect(view.materialRows).toHaveLength(4);
    expect(view.questionRows).toHaveLength(3);
    // Each question's options, then blank rows to type more without scripts: two more, three at least.
    expect(view.questionRows.map((q) => q.options.length)).toEqual([5, 3, 3]);
    expect(view.echo.startsAt).toEqual([
      'CET: Wed 16 Dec 07:00',
      'JST: Wed 16 Dec 15:00',
      'UTC−3: Wed 16 Dec 03:00',
    ]);
    expect(view.zoneGroups.find((g) => g.region === 'Asia')!.zones).toContain('Asia/Tokyo');
    expect(view.zoneGroups.find((g) => g.region === 'UTC')!.zones).toEqual(['UTC']);
  });

  it('when the public page is marked as a preview, then the banner opens <main> and the registration form cannot post', () => {
    const page = [
      '<html><head><title>x</title></head><body><main id="main" class="wrap">',
      '<h1>Event</h1>',
      '<form method="post" action="/events/x/register" class="reg-form" novalidate><input name="email"><button type="submit">Register</button></form>',
      '</main></body></html>',
    ].join('');
    const html = markPreview(page, '<div class="preview-banner">Preview</div>');
    expect(html).toContain('<main id="main" class="wrap">\n<div class="preview-banner">Preview</div><h1>');
    expect(html).toContain('<link rel="stylesheet" href="/assets/css/admin-event.css">\n</head>');
    expect(html).toContain(
      '<form class="reg-form" novalidate data-preview><fieldset class="preview-off" disabled><input name="email"><button type="submit">Register</button></fieldset></form>',
    );
    expect(html).not.toContain('action=');
  });
});

describe('editor texts', () => {
  function keys(lang: string): string[] {
    const walk = (o: object, prefix: string): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' ? walk(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    const file = path.resolve(__dirname, `../../locales/${lang}/editor.json`);
    return walk(JSON.parse(fs.readFileSync(file, 'utf8')), '').sort();
  }

  it('when the English and Japanese editor texts are compared, then both have the same keys, plural forms included', () => {
    expect(keys('ja')).toEqual(keys('en'));
    expect(keys('en')).toEqual(expect.arrayContaining(['impact.update_one', 'impact.update_other']));
  });

  it('when a count is put in the notice, then English says registrant or registrants', () => {
    expect(tFor('en')('editor:impact.update', { count: 1 })).toBe(
      '1 registrant will be sent an updated invite.',
    );
    expect(tFor('en')('editor:impact.update', { count: 312 })).toBe(
      '312 registrants will be sent an updated invite.',
    );
    expect(tFor('ja')('editor:impact.update', { count: 312 })).toBe(
      '312人の申込者に更新された招待が送られます。',
    );
  });
});
