import request from 'supertest';
import { addEventMember, createAccount, type Role } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { eventBySlug } from '../../src/events';
import {
  encodeForm,
  eventDoc,
  formData,
  formSession,
  importTestEvent,
  makeEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';

/**
 * The workspace's event editor over HTTP against a real PostgreSQL: creating a bilingual event through
 * the form, refusing bad input without saving anything, telling the organiser how many registrants a
 * change will mail before saving it, duplicating, publishing, cancelling with a confirmation, and the
 * preview of the public page.
 */
type Agent = ReturnType<typeof request.agent>;
const PASSWORD = 'correct horse battery staple';

/** Creates an account and signs it in; returns the agent (with session and CSRF cookies) and the token. */
async function signedIn(t: TestApp, email: string, role: Role): Promise<{ agent: Agent; token: string }> {
  await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email, name: '', role, password: PASSWORD, locale: 'en' },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  const agent = request.agent(t.app);
  const page = await agent.get('/admin/login');
  const token = csrfIn(page.text);
  const res = await agent.post('/admin/login').type('form').send({ email, password: PASSWORD, _csrf: token });
  expect(res.status).toBe(303);
  // The workspace's token is bound to the session that signing in started.
  return { agent, token: csrfIn((await agent.get('/admin/tokens')).text) };
}

function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

const unescape = (s: string) =>
  s
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) out[m[1]!] = unescape(m[2] ?? '');
  return out;
}

/**
 * What a browser would send for the event form on a page, pressing the plain Save button: every
 * named input (check boxes only when checked), textarea and select, in document order.
 */
function formFields(html: string): [string, string][] {
  const start = html.indexOf('<form method="post" action="/admin/events/');
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: [string, string, number][] = [];
  for (const m of form.matchAll(/<input\b([^>]*)>/g)) {
    const a = attrs(m[1]!);
    if (!a.name || (a.type === 'checkbox' && !('checked' in a))) continue;
    fields.push([a.name, a.value ?? '', m.index]);
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>\n?([\s\S]*?)<\/textarea>/g)) {
    fields.push([attrs(m[1]!).name!, unescape(m[2]!), m.index]);
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>/g)].map((o) => attrs(o[1]!));
    const chosen = options.find((o) => 'selected' in o) ?? options[0];
    fields.push([attrs(m[1]!).name!, chosen?.value ?? '', m.index]);
  }
  return fields.sort((a, b) => a[2] - b[2]).map(([k, v]) => [k, v]);
}

/** The form's fields with some replaced (or added); `undefined` removes a field. */
function withChanges(fields: [string, string][], changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of fields) if (!(k in changes)) params.append(k, v);
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) params.append(k, v);
  return params.toString();
}

/** The text of a field's error message on the page. */
function fieldError(html: string, id: string): string | undefined {
  const m = new RegExp(`<p class="error-message" id="${id}-error"[^>]*>([^<]*)</p>`).exec(html);
  return m?.[1] && unescape(m[1]);
}

/** The text of the element with this id, tags removed. */
function textOf(html: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)[^>]* id="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m?.[2] && unescape(m[2].replace(/<[^>]+>/g, ''));
}

const newEventForm = (token: string, extra: Record<string, string | string[]> = {}) =>
  encodeForm({
    _csrf: token,
    slug: 'ilo-webinar-2026',
    title_en: 'Social and Solidarity Economy in Japan',
    title_ja: '日本における社会的連帯経済',
    summary_en: 'A webinar.',
    summary_ja: 'ウェビナーです。',
    description_en: 'First paragraph.\r\n\r\nSecond paragraph.',
    description_ja: '第一段落。',
    programme_en: 'Opening\r\nKeynote',
    programme_ja: '',
    organisers_en: 'ILO Office for Japan',
    organisers_ja: 'ILO駐日事務所',
    timezone: 'Asia/Tokyo',
    displayZones: ['Asia/Tokyo', 'Europe/Zurich'],
    displayZonesOther: 'America/New_York',
    startsAt: '2026-12-16T15:00',
    endsAt: '2026-12-16T17:15',
    registrationOpensAt: '',
    registrationClosesAt: '2026-12-14T23:59',
    capacity: '300',
    waitlist: 'yes',
    meetingUrl: 'https://zoom.example/j/123',
    meetingPasscode: 'pass-1',
    contactEmail: 'tokyo@ilo.example',
    attendanceMinutes: '15',
    bilingualMail: 'yes',
    reminders: 'P1D, pt1h',
    m0_title_en: 'Slides',
    m0_title_ja: 'スライド',
    m0_url: 'https://materials.example/slides.pdf',
    m1_title_en: '',
    m1_title_ja: '',
    m1_url: '',
    q0_id: '',
    q0_type: 'single',
    q0_label_en: 'Which session will you join?',
    q0_label_ja: '参加するセッション',
    q0_required: 'yes',
    q0_o0_value: 'am',
    q0_o0_en: 'Morning',
    q0_o0_ja: '午前',
    q0_o1_value: 'pm',
    q0_o1_en: 'Afternoon',
    q0_o1_ja: '午後',
    q0_o2_value: '',
    q0_o2_en: '',
    q0_o2_ja: '',
    q1_id: '',
    q1_type: 'text',
    q1_label_en: '',
    q1_label_ja: '',
    q1_o0_value: '',
    q1_o0_en: '',
    q1_o0_ja: '',
    ...extra,
  });

describe('the event editor', () => {
  let t: TestApp;
  let organiser: { agent: Agent; token: string };
  let other: { agent: Agent; token: string };
  let viewer: { agent: Agent; token: string };
  let organiserId: number;
  let viewerId: number;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
    organiser = await signedIn(t, 'hanako@ilo.example', 'organiser');
    other = await signedIn(t, 'taro@ilo.example', 'organiser');
    viewer = await signedIn(t, 'viewer@ilo.example', 'viewer');
    const ids = await t.db.pool.query<{ id: number; email: string }>('SELECT id, email FROM users');
    organiserId = Number(ids.rows.find((r) => r.email === 'hanako@ilo.example')!.id);
    viewerId = Number(ids.rows.find((r) => r.email === 'viewer@ilo.example')!.id);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    // One test switches the organiser's workspace to Japanese; every test starts in English.
    await organiser.agent.get('/admin/login?lang=en');
  });

  /** The reference event, with the organiser (and optionally the viewer) on its team. */
  async function teamEvent(overrides: Parameters<typeof makeEvent>[1] = {}) {
    const event = await makeEvent(t, overrides);
    await addEventMember(t.db.pool, event.id, organiserId, t.clock.now());
    await addEventMember(t.db.pool, event.id, viewerId, t.clock.now());
    return event;
  }

  async function register(slug: string, email: string, answers: Record<string, string | string[]> = {}) {
    const { agent, token } = await formSession(t.app, slug);
    const res = await agent
      .post(`/events/${slug}/register`)
      .type('form')
      .send(encodeForm({ _csrf: token, ...formData({ email, ...answers }) }));
    expect(res.status).toBe(303);
  }

  const mailKinds = async () =>
    (await t.db.pool.query<{ kind: string }>('SELECT kind FROM outgoing_mails ORDER BY id')).rows.map(
      (r) => r.kind,
    );

  describe('creating', () => {
    it('when the new-event form is opened, then it offers English and Japanese side by side, Tokyo as event zone and Tokyo + Zurich as display zones', async () => {
      const res = await organiser.agent.get('/admin/events/new');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<label for="title_en">Title (English)</label>');
      expect(res.text).toMatch(/id="title_ja" name="title_ja" value=""\s+lang="ja"/);
      expect(res.text).toContain('<option value="Asia/Tokyo" selected>Asia/Tokyo</option>');
      expect(res.text).toMatch(/value="Asia\/Tokyo" checked/);
      expect(res.text).toMatch(/value="Europe\/Zurich" checked/);
      expect(res.text).toMatch(/value="Europe\/London"\s+>/);
      expect(res.text).toContain('type="datetime-local" id="startsAt"');
      expect(res.text).toContain('src="/assets/js/admin-event.js"');
    });

    it('when a complete bilingual form is posted, then the event is stored exactly (15:00 Tokyo = 06:00 UTC) as a draft owned by its creator', async () => {
      const res = await organiser.agent
        .post('/admin/events/new')
        .type('form')
        .send(newEventForm(organiser.token));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/events/ilo-webinar-2026/edit?saved=1');

      const event = (await eventBySlug(t.db.pool, 'ilo-webinar-2026'))!;
      expect(event.startsAt.toISOString()).toBe('2026-12-16T06:00:00.000Z');
      expect(event.endsAt.toISOString()).toBe('2026-12-16T08:15:00.000Z');
      expect(event.registrationClosesAt?.toISOString()).toBe('2026-12-14T14:59:00.000Z');
      expect(event).toMatchObject({
        status: 'draft',
        title: { en: 'Social and Solidarity Economy in Japan', ja: '日本における社会的連帯経済' },
        description: { en: 'First paragraph.\n\nSecond paragraph.', ja: '第一段落。' },
        programme: { en: 'Opening\nKeynote' },
        timezone: 'Asia/Tokyo',
        displayTimezones: ['Asia/Tokyo', 'Europe/Zurich', 'America/New_York'],
        registrationOpensAt: null,
        capacity: 300,
        waitlist: true,
        meetingUrl: 'https://zoom.example/j/123',
        attendanceMinutes: 15,
        contactEmail: 'tokyo@ilo.example',
        bilingualMail: true,
        reminders: ['P1D', 'PT1H'],
        materials: [{ title: { en: 'Slides', ja: 'スライド' }, url: 'https://materials.example/slides.pdf' }],
      });
      expect(event.questions).toEqual([
        {
          id: 'which_session_will_you_join',
          type: 'single',
          label: { en: 'Which session will you join?', ja: '参加するセッション' },
          required: true,
          options: [
            { value: 'am', label: { en: 'Morning', ja: '午前' } },
            { value: 'pm', label: { en: 'Afternoon', ja: '午後' } },
          ],
        },
      ]);
      const { rows } = await t.db.pool.query('SELECT owner_id FROM events WHERE slug = $1', [
        'ilo-webinar-2026',
      ]);
      expect(Number(rows[0].owner_id)).toBe(organiserId);

      const page = await organiser.agent.get(res.headers.location!);
      expect(page.text).toContain('<p class="flash" role="status">Saved.</p>');
      // The stored instants come back as the event zone's wall clock, with the echo in every display zone.
      expect(page.text).toContain('value="2026-12-16T15:00"');
      expect(textOf(page.text, 'startsAt-echo')).toBe(
        'JST: Wed 16 Dec 15:00 · CET: Wed 16 Dec 07:00 · EST: Wed 16 Dec 01:00',
      );
    });

    it('when the slug is taken, then the form comes back (409) with the message at the slug and nothing else is created', async () => {
      await makeEvent(t, { slug: 'ilo-webinar-2026' });
      const res = await organiser.agent
        .post('/admin/events/new')
        .type('form')
        .send(newEventForm(organiser.token));
      expect(res.status).toBe(409);
      expect(fieldError(res.text, 'slug')).toBe('An event with the slug “ilo-webinar-2026” already exists.');
      expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(1);
    });

    it('when the start falls in the spring-forward gap of Europe/Zurich, then it is refused with a clear message, not moved an hour', async () => {
      const res = await organiser.agent
        .post('/admin/events/new')
        .type('form')
        .send(
          newEventForm(organiser.token, {
            timezone: 'Europe/Zurich',
            startsAt: '2027-03-28T02:30',
            endsAt: '2027-03-28T04:00',
            registrationClosesAt: '',
          }),
        );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'startsAt')).toBe(
        '02:30 does not exist in Europe/Zurich on that day: the clocks go forward an hour then. Choose another time, such as 03:30.',
      );
      expect(res.text).toContain('<a href="#startsAt">Starts: 02:30 does not exist');
      expect(res.text).toContain('value="2027-03-28T02:30"');
      expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
    });

    it('when "Add another question" is pressed, then the form comes back with the values and one more empty question, and nothing is saved', async () => {
      const res = await organiser.agent
        .post('/admin/events/new')
        .type('form')
        .send(newEventForm(organiser.token, { action: 'addQuestion', blankQuestions: '1' }));
      expect(res.status).toBe(200);
      expect(res.text).toContain('value="Which session will you join?"');
      expect(res.text).toContain('id="q1_label_en"');
      expect(res.text).toContain('id="q2_label_en"');
      expect(res.text).not.toContain('id="q3_label_en"');
      expect(res.text).not.toContain('class="error-summary"');
      expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
    });

    it('when a viewer opens or posts the new-event form, then it is forbidden (403)', async () => {
      expect((await viewer.agent.get('/admin/events/new')).status).toBe(403);
      const res = await viewer.agent.post('/admin/events/new').type('form').send(newEventForm(viewer.token));
      expect(res.status).toBe(403);
      expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
    });
  });

  describe('editing', () => {
    it('when the edit form is posted back unchanged, then nothing changes: no new revision, no audit entry, no mail', async () => {
      const before = await teamEvent({
        questions: [
          {
            id: 'sessions',
            type: 'multiple',
            label: { en: 'Sessions', ja: 'セッション' },
            required: true,
            options: [
              { value: 'a', label: { en: 'A', ja: 'エー' } },
              { value: 'b', label: { en: 'B' } },
            ],
          },
        ],
        displayTimezones: ['Europe/Zurich', 'Asia/Tokyo', 'America/Sao_Paulo'],
        registrationClosesAt: '2026-12-14T23:59:30+09:00',
      });
      await register('tsunagaru-test', 'a@example.org', { q_sessions: ['a', 'b'] });
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      expect(page.status).toBe(200);
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(page.text), {}));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/events/tsunagaru-test/edit?saved=1&notified=0');
      const audit = await t.db.pool.query(
        "SELECT action FROM audit_log WHERE action LIKE 'event.%' AND action <> 'event.created'",
      );
      expect(audit.rows).toEqual([]);
      expect(await eventBySlug(t.db.pool, 'tsunagaru-test')).toEqual(before);
      expect(await mailKinds()).toEqual(['registration.confirmed']);
    });

    it('when both titles are emptied and the end is put before the start, then nothing is saved and each problem shows at its field and in the summary', async () => {
      const before = await teamEvent();
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(
          withChanges(formFields(page.text), { title_en: '', title_ja: ' ', endsAt: '2026-12-16T14:00' }),
        );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'title_en')).toBe('Write it in English, Japanese or both.');
      expect(fieldError(res.text, 'endsAt')).toBe('The end must be after the start.');
      expect(res.text).toContain(
        '<a href="#title_en">Title (English): Write it in English, Japanese or both.</a>',
      );
      expect(res.text).toContain('<a href="#endsAt">Ends: The end must be after the start.</a>');
      expect(res.text.indexOf('href="#title_en"')).toBeLessThan(res.text.indexOf('href="#endsAt"'));
      expect(res.text).toContain('value="2026-12-16T14:00"');
      const after = (await eventBySlug(t.db.pool, 'tsunagaru-test'))!;
      expect(after).toEqual(before);
    });

    it('when the page is in Japanese, then the problems are in Japanese', async () => {
      await teamEvent();
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit?lang=ja')
        .type('form')
        .send(
          withChanges(formFields(page.text), {
            title_en: '',
            title_ja: '',
            capacity: 'lots',
            attendanceMinutes: '0',
          }),
        );
      expect(res.status).toBe(422);
      expect(res.text).toContain('<html lang="ja">');
      expect(fieldError(res.text, 'attendanceMinutes')).toBe(
        '1 から 1440 までの整数（分）を入力してください。',
      );
      expect(fieldError(res.text, 'title_en')).toBe('英語・日本語のどちらか、または両方で入力してください。');
      expect(fieldError(res.text, 'capacity')).toBe(
        '定員は1以上の整数で入力してください。定員なしの場合は空欄にしてください。',
      );
      expect(res.text).toContain('<a href="#title_en">タイトル（英語）：');
      expect(res.text).toContain('保存されていません。次の問題を修正してください：');
    });

    it('when a choice question has a bad option, then the error is on that option row and the rows come back as typed', async () => {
      await teamEvent();
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(
          withChanges(formFields(page.text), {
            q0_type: 'single',
            q0_label_en: 'Lunch',
            q0_o0_value: 'veg',
            q0_o0_en: 'Vegetarian',
            q0_o1_en: '',
            q0_o2_value: 'b@d',
            q0_o2_en: 'Other',
          }),
        );
      expect(res.status).toBe(422);
      // The blank middle row is dropped, so the bad option is the second row when the form comes back.
      expect(fieldError(res.text, 'q0_o1_value')).toBe('This value is not valid.');
      expect(res.text).toContain('id="q0_o1_value" name="q0_o1_value" value="b@d"');
      expect(res.text).toContain('Question 1: Option 2: Value: This value is not valid.');
      expect(res.text).toContain('value="lunch"');
    });

    it('when a published event with registrants gets a new start time, then the editor first says how many will be mailed and saves only on "Save and send"', async () => {
      await teamEvent();
      await register('tsunagaru-test', 'a@example.org');
      await register('tsunagaru-test', 'b@example.org');
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      expect(page.text).toContain(
        'Changing the time, title or meeting link sends an updated invite to 2 registrants.',
      );
      const fields = formFields(page.text);

      const first = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(fields, { startsAt: '2026-12-16T16:00' }));
      expect(first.status).toBe(409);
      expect(first.text).toContain('2 registrants will be sent an updated invite.');
      expect(first.text).toContain('name="confirmMail" value="yes"');
      expect(first.text).toContain('value="2026-12-16T16:00"');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.startsAt.toISOString()).toBe(
        '2026-12-16T06:00:00.000Z',
      );
      expect(await mailKinds()).toEqual(['registration.confirmed', 'registration.confirmed']);

      const second = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(first.text), { confirmMail: 'yes' }));
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe('/admin/events/tsunagaru-test/edit?saved=1&notified=2');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.startsAt.toISOString()).toBe(
        '2026-12-16T07:00:00.000Z',
      );
      const updates = await t.db.pool.query(
        "SELECT recipient FROM outgoing_mails WHERE kind = 'event.updated' ORDER BY recipient",
      );
      expect(updates.rows.map((r) => r.recipient)).toEqual(['a@example.org', 'b@example.org']);
      const flash = await organiser.agent.get(second.headers.location!);
      expect(flash.text).toContain('Saved. 2 registrants will be sent an updated invite.');
    });

    it('when only the summary changes on a published event with registrants, then it saves at once and mails nobody', async () => {
      await teamEvent();
      await register('tsunagaru-test', 'a@example.org');
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(page.text), { summary_en: 'A new summary.' }));
      expect(res.status).toBe(303);
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.summary.en).toBe('A new summary.');
      expect(await mailKinds()).toEqual(['registration.confirmed']);
    });

    it('when the event has a follow-up, then saving the editor form keeps it (it is edited on the Mails tab)', async () => {
      const followUp = {
        after: 'PT2H',
        attended: { en: 'Thanks for coming.', ja: 'ご参加ありがとうございました。' },
        absent: { en: 'Sorry we missed you.', ja: 'またの機会にお会いしましょう。' },
        materials: [],
      };
      await teamEvent({ followUp });
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(page.text), { summary_en: 'Another summary.' }));
      expect(res.status).toBe(303);
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.followUp).toEqual(followUp);
    });

    it('when a question is marked for removal, then it is gone after saving', async () => {
      await teamEvent({
        questions: [{ id: 'note', type: 'text', label: { en: 'Note' }, required: false, options: [] }],
      });
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(page.text), { q0_remove: 'yes' }));
      expect(res.status).toBe(303);
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.questions).toEqual([]);
    });
  });

  describe('rights', () => {
    it('when a viewer on the team opens the editor, then it is forbidden (403)', async () => {
      await teamEvent();
      expect((await viewer.agent.get('/admin/events/tsunagaru-test/edit')).status).toBe(403);
    });

    it('when an organiser who is not on the team opens or posts the editor, then the event does not exist for them (404)', async () => {
      await teamEvent();
      expect((await other.agent.get('/admin/events/tsunagaru-test/edit')).status).toBe(404);
      expect((await other.agent.get('/admin/events/tsunagaru-test/preview')).status).toBe(404);
      const res = await other.agent
        .post('/admin/events/tsunagaru-test/cancel')
        .type('form')
        .send({ _csrf: other.token, confirm: 'yes' });
      expect(res.status).toBe(404);
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.status).toBe('published');
    });

    it('when a form is posted without its CSRF token, then it is refused (403) and nothing changes', async () => {
      const before = await teamEvent();
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/edit')
        .type('form')
        .send(withChanges(formFields(page.text), { _csrf: undefined, summary_en: 'Changed' }));
      expect(res.status).toBe(403);
      const cancel = await organiser.agent
        .post('/admin/events/tsunagaru-test/cancel')
        .type('form')
        .send({ confirm: 'yes' });
      expect(cancel.status).toBe(403);
      expect(await eventBySlug(t.db.pool, 'tsunagaru-test')).toEqual(before);
    });

    it('when nobody is signed in, then the editor sends them to the sign-in page', async () => {
      const res = await request(t.app).get('/admin/events/new');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/login?next=%2Fadmin%2Fevents%2Fnew');
    });
  });

  describe('duplicate, publish, cancel', () => {
    it('when an event is duplicated, then the copy is a draft under the new slug, owned by the organiser, without registrations', async () => {
      await teamEvent({ slug: 'tsunagaru-2026' });
      await register('tsunagaru-2026', 'a@example.org');
      const page = await organiser.agent.get('/admin/events/tsunagaru-2026/edit');
      expect(page.text).toContain('id="newSlug" name="newSlug" value="tsunagaru-2027"');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-2026/duplicate')
        .type('form')
        .send({ _csrf: organiser.token, newSlug: 'tsunagaru-2027' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/events/tsunagaru-2027/edit?duplicated=1');
      const copy = (await eventBySlug(t.db.pool, 'tsunagaru-2027'))!;
      expect(copy).toMatchObject({
        status: 'draft',
        title: { en: 'TSUNAGARU by Social & Solidarity Economy' },
      });
      const { rows } = await t.db.pool.query(
        'SELECT owner_id, (SELECT count(*)::int FROM registrations r WHERE r.event_id = e.id) AS n FROM events e WHERE slug = $1',
        ['tsunagaru-2027'],
      );
      expect(rows[0]).toEqual({ owner_id: String(organiserId), n: 0 });
      const next = await organiser.agent.get(res.headers.location!);
      expect(next.text).toContain('This is a new draft copied from another event.');
    });

    it('when the duplicate slug is taken or malformed, then the editor says so at the slug box and creates nothing', async () => {
      await teamEvent();
      const taken = await organiser.agent
        .post('/admin/events/tsunagaru-test/duplicate')
        .type('form')
        .send({ _csrf: organiser.token, newSlug: 'tsunagaru-test' });
      expect(taken.status).toBe(409);
      expect(taken.text).toContain('An event with the slug “tsunagaru-test” already exists.');
      const bad = await organiser.agent
        .post('/admin/events/tsunagaru-test/duplicate')
        .type('form')
        .send({ _csrf: organiser.token, newSlug: 'Not A Slug' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('id="newSlug-error"');
      expect(bad.text).toContain('value="Not A Slug"');
      expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(1);
    });

    it('when a viewer tries to duplicate, then it is forbidden (403)', async () => {
      await teamEvent();
      const res = await viewer.agent
        .post('/admin/events/tsunagaru-test/duplicate')
        .type('form')
        .send({ _csrf: viewer.token, newSlug: 'copy' });
      expect(res.status).toBe(403);
    });

    it('when a draft is published, then its status is published and the public page exists', async () => {
      await teamEvent({ status: 'draft' });
      expect((await request(t.app).get('/events/tsunagaru-test')).status).toBe(404);
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/publish')
        .type('form')
        .send({ _csrf: organiser.token });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/events/tsunagaru-test/edit?published=1&notified=0');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.status).toBe('published');
      expect((await request(t.app).get('/events/tsunagaru-test')).status).toBe(200);
      const audit = await t.db.pool.query("SELECT action FROM audit_log WHERE action = 'event.published'");
      expect(audit.rowCount).toBe(1);
    });

    it('when a draft that people registered for is published again, then a confirmation page says how many get an updated invite first', async () => {
      await teamEvent();
      await register('tsunagaru-test', 'a@example.org');
      await importTestEvent(t, eventDoc({ status: 'draft' }));
      const ask = await organiser.agent
        .post('/admin/events/tsunagaru-test/publish')
        .type('form')
        .send({ _csrf: organiser.token });
      expect(ask.status).toBe(200);
      expect(ask.text).toContain('1 registrant will be sent an updated invite');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.status).toBe('draft');
      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/publish')
        .type('form')
        .send({ _csrf: organiser.token, confirm: 'yes' });
      expect(res.headers.location).toBe('/admin/events/tsunagaru-test/edit?published=1&notified=1');
      expect(await mailKinds()).toEqual(['registration.confirmed', 'event.updated']);
    });

    it('when cancel is pressed, then a confirmation page states how many registrants get the cancellation; only "Yes" cancels and queues their mails', async () => {
      await teamEvent();
      await register('tsunagaru-test', 'a@example.org');
      await register('tsunagaru-test', 'b@example.org');
      await register('tsunagaru-test', 'c@example.org');
      const ask = await organiser.agent
        .post('/admin/events/tsunagaru-test/cancel')
        .type('form')
        .send({ _csrf: organiser.token });
      expect(ask.status).toBe(200);
      expect(ask.text).toContain('3 registrants will be sent a cancellation');
      expect(ask.text).toContain('name="confirm" value="yes"');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.status).toBe('published');

      const res = await organiser.agent
        .post('/admin/events/tsunagaru-test/cancel')
        .type('form')
        .send({ _csrf: organiser.token, confirm: 'yes' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/events/tsunagaru-test/edit?cancelled=1&notified=3');
      expect((await eventBySlug(t.db.pool, 'tsunagaru-test'))!.status).toBe('cancelled');
      expect((await mailKinds()).filter((k) => k === 'event.cancelled')).toHaveLength(3);
      const page = await organiser.agent.get(res.headers.location!);
      expect(page.text).toContain('Cancelled. 3 registrants will be sent a cancellation.');
    });

    it('when the draft is cancelled or a published event published, then the request is refused (409)', async () => {
      await teamEvent();
      const publish = await organiser.agent
        .post('/admin/events/tsunagaru-test/publish')
        .type('form')
        .send({ _csrf: organiser.token });
      expect(publish.status).toBe(409);
      expect(publish.text).toContain('Only a draft can be published.');
    });
  });

  describe('preview', () => {
    it.each([
      {
        lang: 'en',
        banner: 'Preview — not published',
        title: 'TSUNAGARU by Social &amp; Solidarity Economy',
      },
      { lang: 'ja', banner: 'プレビュー — 未公開', title: 'TSUNAGARU 社会的連帯経済' },
    ])(
      'when a draft is previewed in $lang, then the public page shows with a preview banner and registration switched off, and the workspace language stays',
      async ({ lang, banner, title }) => {
        await teamEvent({ status: 'draft' });
        const res = await viewer.agent.get(`/admin/events/tsunagaru-test/preview?lang=${lang}`);
        expect(res.status).toBe(200);
        expect(res.text).toContain(`<html lang="${lang}">`);
        expect(res.text).toContain(`<strong>${banner}</strong>`);
        expect(res.text.replaceAll('<wbr>', '')).toContain(
          `<h1 class="phrased" lang="${lang}">${title}</h1>`,
        );
        expect(res.text).toContain('<fieldset class="preview-off" disabled>');
        expect(res.text).not.toContain('action="/events/tsunagaru-test/register"');
        expect(res.text).toContain('href="/assets/css/admin-event.css"');
        expect(res.text).not.toContain('secret-pass');
        expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/(^|,)\s*lang=/);
        expect(res.headers['cache-control']).toBe('no-store');
      },
    );

    it('when the editor is shown, then it links to the preview in English and in Japanese', async () => {
      await teamEvent({ status: 'draft' });
      const page = await organiser.agent.get('/admin/events/tsunagaru-test/edit');
      expect(page.text).toContain('href="/admin/events/tsunagaru-test/preview?lang=en"');
      expect(page.text).toContain('href="/admin/events/tsunagaru-test/preview?lang=ja"');
    });
  });
});
