import fs from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../../src/db/migrate';
import type { EventInput } from '../../src/events';
import { addEventMember, type User } from '../../src/accounts';
import { registerAttendee } from '../../src/registrations';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * The organiser's event overview, attendee list, attendee page, exports and actions, driven through
 * the real workspace (signed in through the sign-in form) against a real database.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

let t: TestApp;
let organiser: User;
let viewer: User;
let outsider: User;
let asOrganiser: Agent;
let asViewer: Agent;
let asOutsider: Agent;
let slugCounter = 0;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** A fresh event (its own slug) that the organiser edits and the viewer reads. */
async function eventForTeam(overrides: Partial<EventInput> = {}) {
  slugCounter += 1;
  const event = await makeEvent(t, { slug: `attendees-${slugCounter}`, ...overrides });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
  await addEventMember(t.db.pool, event.id, viewer.id, t.clock.now());
  return event;
}

/** Registers one person through the registration service, a minute after the previous one. */
async function register(slug: string, data: Record<string, string | string[]> = {}) {
  t.clock.set(new Date(t.clock.now().getTime() + 60_000));
  const outcome = await registerAttendee(t.db.pool, {
    slug,
    body: formData(data),
    pageLang: 'en',
    now: t.clock.now(),
  });
  if (outcome.status !== 'confirmed' && outcome.status !== 'waitlisted') {
    throw new Error(`registration was ${outcome.status}`);
  }
  const [row] = await rows<{ id: string }>(
    `SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE e.slug = $1 AND lower(r.email) = lower($2) AND r.status <> 'cancelled'`,
    [slug, data.email ?? 'hanako@example.org'],
  );
  return Number(row!.id);
}

async function registration(id: number) {
  const [row] = await rows<{ status: string; invite_revision: number; cancelled_at: Date | null }>(
    'SELECT status, invite_revision, cancelled_at FROM registrations WHERE id = $1',
    [id],
  );
  return row!;
}

async function mailKinds(id: number): Promise<string[]> {
  return (
    await rows<{ kind: string }>('SELECT kind FROM outgoing_mails WHERE registration_id = $1 ORDER BY id', [
      id,
    ])
  ).map((r) => r.kind);
}

async function auditOf(id: number, action: string) {
  return rows<{ actor: string; user_id: string | null; data: Record<string, unknown> }>(
    'SELECT actor, user_id, data FROM audit_log WHERE registration_id = $1 AND action = $2',
    [id, action],
  );
}

function post(who: Agent, slug: string, id: number, action: string) {
  return who.agent
    .post(`/admin/events/${slug}/attendees/${id}/${action}`)
    .type('form')
    .send(encodeForm({ _csrf: who.csrf }));
}

/** The e-mail addresses in the list's table body, in order. */
function listedEmails(html: string): string[] {
  const body = html.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
  return [...body.matchAll(/<td>([^<@\s]+@[^<\s]+)<\/td>/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  organiser = await createTestAccount(t.db.pool, { email: 'organiser@ilo.example', role: 'organiser' });
  viewer = await createTestAccount(t.db.pool, { email: 'viewer@ilo.example', role: 'viewer' });
  outsider = await createTestAccount(t.db.pool, { email: 'outsider@ilo.example', role: 'organiser' });
  asOrganiser = await signedInAgent(t.app, organiser.email);
  asViewer = await signedInAgent(t.app, viewer.email);
  asOutsider = await signedInAgent(t.app, outsider.email);
});
afterAll(() => t.close());

describe('the event overview', () => {
  it('when an organiser opens an event with registrations, then it shows the time in every zone, the counts, SVG charts with their tables, and export links', async () => {
    const event = await eventForTeam({ capacity: 2, waitlist: true });
    await register(event.slug, { email: 'a@example.org', country: 'CH', affiliation: 'academia' });
    await register(event.slug, { email: 'b@example.org' });
    await register(event.slug, { email: 'c@example.org' });

    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}?lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('15:00–17:15 JST / 07:00–09:15 CET');
    expect(res.text).toMatch(/<strong>2<\/strong> Confirmed/);
    expect(res.text).toMatch(/<strong>1<\/strong> Waiting list/);
    expect(res.text).toContain('0 seats left');
    expect(res.text).toContain('<svg');
    expect(res.text).toContain('<table class="chart-data">');
    expect(res.text).toContain('Switzerland');
    expect(res.text).toContain(`/admin/events/${event.slug}/attendees/export?format=excel-csv`);
    expect(res.text).toMatch(new RegExp(`href="http://localhost:\\d+/events/${event.slug}"`));
  });
});

describe('the attendee list', () => {
  it('when an organiser opens it, then every registrant is listed with a link to their page and the counts say how many match', async () => {
    const event = await eventForTeam();
    const a = await register(event.slug, { email: 'a@example.org', familyName: 'Sato', givenName: 'Aiko' });
    await register(event.slug, { email: 'b@example.org' });

    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees?lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('2 of 2 registrations match');
    expect(res.text).toContain(`href="/admin/events/${event.slug}/attendees/${a}">Aiko Sato</a>`);
    expect(listedEmails(res.text).sort()).toEqual(['a@example.org', 'b@example.org']);
  });

  it('when the search is in hiragana or katakana, then registrants whose reading is in the other script are found', async () => {
    const event = await eventForTeam();
    await register(event.slug, {
      email: 'yamada@example.org',
      familyName: '山田',
      givenName: '花子',
      familyNameKana: 'ヤマダ',
      givenNameKana: 'ハナコ',
    });
    await register(event.slug, {
      email: 'suzuki@example.org',
      familyName: '鈴木',
      givenName: '一郎',
      familyNameKana: 'すずき',
      givenNameKana: 'いちろう',
    });
    const base = `/admin/events/${event.slug}/attendees?lang=en&q=`;

    const hiragana = await asOrganiser.agent.get(base + encodeURIComponent('やまだ'));
    expect(listedEmails(hiragana.text)).toEqual(['yamada@example.org']);
    expect(hiragana.text).toContain('1 of 2 registrations matches');
    const katakana = await asOrganiser.agent.get(base + encodeURIComponent('スズキ'));
    expect(listedEmails(katakana.text)).toEqual(['suzuki@example.org']);
    // The search stays in the box, and the exports carry it.
    expect(katakana.text).toContain('value="スズキ"');
    expect(katakana.text).toContain(`export?q=${encodeURIComponent('スズキ')}&amp;format=excel-csv`);
  });

  it('when filtered by status, then only those registrations are listed and the filter stays selected', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: true });
    await register(event.slug, { email: 'first@example.org' });
    await register(event.slug, { email: 'second@example.org' });

    const res = await asOrganiser.agent.get(
      `/admin/events/${event.slug}/attendees?lang=en&status=waitlisted`,
    );
    expect(listedEmails(res.text)).toEqual(['second@example.org']);
    expect(res.text).toContain('<option value="waitlisted" selected>');
    expect(res.text).toContain('1 of 2 registrations matches');
  });

  it('when a column heading is followed, then the list is sorted by it, aria-sort says how, and the heading links to the other direction', async () => {
    const event = await eventForTeam();
    for (const email of ['b@example.org', 'c@example.org', 'a@example.org'])
      await register(event.slug, { email });
    const base = `/admin/events/${event.slug}/attendees`;

    const asc = await asOrganiser.agent.get(`${base}?lang=en&sort=email&dir=asc`);
    expect(listedEmails(asc.text)).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
    expect(asc.text).toMatch(
      /<th scope="col" aria-sort="ascending">\s*<a href="[^"]*sort=email&amp;dir=desc"/,
    );

    const desc = await asOrganiser.agent.get(`${base}?lang=en&sort=email&dir=desc`);
    expect(listedEmails(desc.text)).toEqual(['c@example.org', 'b@example.org', 'a@example.org']);
    expect(desc.text).toContain('aria-sort="descending"');
    expect((desc.text.match(/aria-sort=/g) ?? []).length).toBe(1);
  });

  it('when there are more than 50 matches, then they are split into pages of 50 with previous/next and numbered links', async () => {
    const event = await eventForTeam();
    for (let i = 0; i < 53; i++)
      await register(event.slug, { email: `p${String(i).padStart(2, '0')}@example.org` });
    const base = `/admin/events/${event.slug}/attendees`;

    const first = await asOrganiser.agent.get(`${base}?lang=en&sort=email&dir=asc`);
    expect(listedEmails(first.text)).toHaveLength(50);
    expect(first.text).toContain('53 of 53 registrations match');
    expect(first.text).toContain(`href="${base}?sort=email&amp;dir=asc&amp;page=2" rel="next"`);
    expect(first.text).not.toContain('rel="prev"');

    const second = await asOrganiser.agent.get(`${base}?lang=en&sort=email&dir=asc&page=2`);
    expect(listedEmails(second.text)).toEqual(['p50@example.org', 'p51@example.org', 'p52@example.org']);
    expect(second.text).toContain('rel="prev"');
    expect(second.text).toMatch(/page=2" aria-current="page"/);
  });

  it('when a filter value is not valid, then the page answers 422 saying so', async () => {
    const event = await eventForTeam();
    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees?lang=en&status=maybe`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Some filters are not valid.');
  });
});

describe('an attendee’s page', () => {
  it('when opened, then it shows every field, the answers with their question labels, and the mails with their delivery state, newest first', async () => {
    const event = await eventForTeam({
      questions: [
        {
          id: 'topic',
          type: 'single',
          label: { en: 'Main interest', ja: '主な関心' },
          required: false,
          options: [
            { value: 'finance', label: { en: 'Finance', ja: '金融' } },
            { value: 'care', label: { en: 'Care', ja: 'ケア' } },
          ],
        },
      ],
    });
    const id = await register(event.slug, {
      email: 'hanako@example.org',
      familyNameKana: 'ヤマダ',
      givenNameKana: 'ハナコ',
      q_topic: 'care',
    });
    await t.db.pool.query(
      `UPDATE outgoing_mails SET status = 'sent', attempts = 1, subject = 'Your registration', sent_at = $2
        WHERE registration_id = $1`,
      [id, t.clock.now()],
    );
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    await resendAndFail(event.slug, id);

    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/${id}?lang=en`);
    expect(res.status).toBe(200);
    for (const text of [
      'hanako@example.org',
      'ヤマダ',
      'ハナコ',
      'JCA',
      'Cooperative',
      'Japan',
      'Main interest',
      'Care',
    ]) {
      expect(res.text).toContain(text);
    }
    expect(res.text).toContain('Your registration');
    expect(res.text).toContain('550 mailbox unavailable');
    const states = [...res.text.matchAll(/data-mail-status="(\w+)"/g)].map((m) => m[1]);
    expect(states).toEqual(['failed', 'sent']);
    expect(res.text).toContain('registration.confirmation_resent');
    expect(res.text).toContain('Send it again');
    expect(res.text).toContain('data-reminders="on"');

    await t.db.pool.query(`UPDATE registrations SET unsubscribed_at = $2 WHERE id = $1`, [
      id,
      '2026-12-10T01:00:00Z',
    ]);
    const off = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/${id}?lang=en`);
    expect(off.text).toContain('data-reminders="off"');
    expect(off.text).toMatch(/Unsubscribed on [^<]*10:00/);
  });

  it('when the id is not a registration of this event, then it is 404', async () => {
    const event = await eventForTeam();
    const other = await eventForTeam();
    const id = await register(other.slug);
    expect((await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/${id}`)).status).toBe(404);
    expect((await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/abc`)).status).toBe(404);
  });
});

/** Resends through the page, then records that delivery failed for good. */
async function resendAndFail(slug: string, id: number) {
  expect((await post(asOrganiser, slug, id, 'resend')).status).toBe(303);
  await t.db.pool.query(
    `UPDATE outgoing_mails SET status = 'failed', attempts = 3, last_error = '550 mailbox unavailable'
      WHERE registration_id = $1 AND status = 'queued'`,
    [id],
  );
}

describe('why a mail was not sent', () => {
  it('when mails were skipped, then the detail page says why in the page language, and a mail server answer shows as it came', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug, { email: 'skipped@example.org' });
    await t.db.pool.query(
      `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, status, last_error)
       SELECT kind, event_id, registration_id, recipient, locale, 'skipped', note
         FROM outgoing_mails, unnest($2::text[]) AS note WHERE registration_id = $1`,
      [id, ['unsubscribed', 'later_reminder_due:PT3H', 'replaced:event.updated', '451 try again later']],
    );
    const en = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/${id}?lang=en`);
    expect(en.text).toContain('Not sent: the registrant unsubscribed.');
    expect(en.text).toContain('Not sent: the later reminder (PT3H) was due.');
    expect(en.text).toContain('Not sent: replaced by a later mail (');
    expect(en.text).toContain('451 try again later');
    const ja = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees/${id}?lang=ja`);
    expect(ja.text).toContain('未送信：登録者が配信を停止しました。');
    expect(ja.text).toContain('未送信：後のリマインダー（PT3H）の時刻になっていました。');
    expect(ja.text).not.toContain('the registrant unsubscribed');
    await asOrganiser.agent.get('/admin?lang=en');
  });

  it('when rows hold the English reasons written before codes, then the migration maps them to codes and leaves other notes alone', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug, { email: 'legacy@example.org' });
    const legacy = [
      'the registrant unsubscribed',
      "the registrant's calendar is already up to date",
      'the later reminder (PT3H) is due',
      'replaced by a later event.updated mail',
      '451 try again later',
    ];
    await t.db.pool.query(
      `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, status, last_error)
       SELECT kind, event_id, registration_id, recipient, locale, 'skipped', note
         FROM outgoing_mails, unnest($2::text[]) WITH ORDINALITY AS n(note, i) WHERE registration_id = $1
        ORDER BY i`,
      [id, legacy],
    );
    const sql = fs.readFileSync(
      path.join(migrationsDir, '20261201234025_mail_skip_reasons_as_codes.sql'),
      'utf8',
    );
    await t.db.pool.query(sql);
    const notes = await t.db.pool.query(
      `SELECT last_error FROM outgoing_mails WHERE registration_id = $1 AND status = 'skipped' ORDER BY id`,
      [id],
    );
    expect(notes.rows.map((r) => r.last_error)).toEqual([
      'unsubscribed',
      'calendar_up_to_date',
      'later_reminder_due:PT3H',
      'replaced:event.updated',
      '451 try again later',
    ]);
  });
});

describe('what an organiser does to a registration', () => {
  it('when they cancel a confirmed registration, then it is cancelled with its mail and audit entry, and the next on the waiting list gets the seat', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: true });
    const seated = await register(event.slug, { email: 'seated@example.org' });
    const waiting = await register(event.slug, { email: 'waiting@example.org' });

    const res = await post(asOrganiser, event.slug, seated, 'cancel');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/attendees/${seated}?done=cancelled`);
    expect(await registration(seated)).toMatchObject({ status: 'cancelled', invite_revision: 1 });
    expect(await mailKinds(seated)).toEqual(['registration.confirmed', 'registration.cancelled']);
    expect(await auditOf(seated, 'registration.cancelled')).toEqual([
      {
        actor: 'organiser@ilo.example',
        user_id: String(organiser.id),
        data: { previousStatus: 'confirmed' },
      },
    ]);
    expect((await registration(waiting)).status).toBe('confirmed');
    expect(await mailKinds(waiting)).toEqual(['registration.waitlisted', 'registration.promoted']);

    const page = await asOrganiser.agent.get(String(res.headers.location) + '&lang=en');
    expect(page.text).toContain('The registration was cancelled.');
  });

  it('when they restore a cancelled registration and a seat is free, then it is confirmed again with a higher invite revision and a new confirmation', async () => {
    const event = await eventForTeam({ capacity: 2 });
    const id = await register(event.slug, { email: 'back@example.org' });
    await post(asOrganiser, event.slug, id, 'cancel');

    const res = await post(asOrganiser, event.slug, id, 'restore');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('done=restored');
    expect(await registration(id)).toEqual({ status: 'confirmed', invite_revision: 2, cancelled_at: null });
    expect(await mailKinds(id)).toEqual([
      'registration.confirmed',
      'registration.cancelled',
      'registration.confirmed',
    ]);
    expect(await auditOf(id, 'registration.restored')).toEqual([
      { actor: 'organiser@ilo.example', user_id: String(organiser.id), data: { status: 'confirmed' } },
    ]);
  });

  it('when the event was taken back to draft, then restore and promote are refused because no mail could go out', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: true });
    const cancelled = await register(event.slug, { email: 'gone@example.org' });
    await post(asOrganiser, event.slug, cancelled, 'cancel');
    await register(event.slug, { email: 'seat@example.org' });
    const waiting = await register(event.slug, { email: 'wait@example.org' });
    await t.db.pool.query(`UPDATE events SET status = 'draft' WHERE id = $1`, [event.id]);

    for (const [id, action] of [
      [cancelled, 'restore'],
      [waiting, 'promote'],
    ] as const) {
      const res = await post(asOrganiser, event.slug, id, action);
      expect(res.status).toBe(409);
      expect(res.text).toContain('The event is not published, so no e-mail can go out for it.');
    }
    expect((await registration(cancelled)).status).toBe('cancelled');
    expect((await registration(waiting)).status).toBe('waitlisted');
  });

  it('when they restore a registration into a full event with a waiting list, then it goes on the waiting list', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: true });
    const id = await register(event.slug, { email: 'back@example.org' });
    await post(asOrganiser, event.slug, id, 'cancel');
    await register(event.slug, { email: 'took-the-seat@example.org' });

    const res = await post(asOrganiser, event.slug, id, 'restore');
    expect(res.headers.location).toContain('done=restoredWaitlisted');
    expect(await registration(id)).toMatchObject({ status: 'waitlisted', invite_revision: 2 });
    expect((await mailKinds(id)).at(-1)).toBe('registration.waitlisted');
  });

  it('when the seat is gone and the event has no waiting list, then restoring is refused with a localized message and nothing changes', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: false });
    const id = await register(event.slug, { email: 'back@example.org' });
    await post(asOrganiser, event.slug, id, 'cancel');
    await register(event.slug, { email: 'took-the-seat@example.org' });

    const res = await asOrganiser.agent
      .post(`/admin/events/${event.slug}/attendees/${id}/restore?lang=ja`)
      .type('form')
      .send(encodeForm({ _csrf: asOrganiser.csrf }));
    expect(res.status).toBe(409);
    expect(res.text).toContain('満席で、キャンセル待ちもないため');
    expect(await registration(id)).toMatchObject({ status: 'cancelled', invite_revision: 1 });
    expect(await auditOf(id, 'registration.restored')).toEqual([]);
    // ?lang= sticks in a cookie: switch this shared agent back to English for the tests after this one.
    await asOrganiser.agent.get('/admin?lang=en');
  });

  it('when the same address registered again meanwhile, then restoring is refused', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug, { email: 'twice@example.org' });
    await post(asOrganiser, event.slug, id, 'cancel');
    await register(event.slug, { email: 'TWICE@example.org' });

    const res = await post(asOrganiser, event.slug, id, 'restore');
    expect(res.status).toBe(409);
    expect(res.text).toContain('has registered again since');
    expect((await registration(id)).status).toBe('cancelled');
  });

  it('when they promote someone from the waiting list of a full event, then that person is confirmed beyond capacity with the promotion mail', async () => {
    const event = await eventForTeam({ capacity: 1, waitlist: true });
    await register(event.slug, { email: 'seated@example.org' });
    const waiting = await register(event.slug, { email: 'waiting@example.org' });

    const res = await post(asOrganiser, event.slug, waiting, 'promote');
    expect(res.headers.location).toContain('done=promoted');
    expect((await registration(waiting)).status).toBe('confirmed');
    expect((await mailKinds(waiting)).at(-1)).toBe('registration.promoted');
    expect(await auditOf(waiting, 'registration.promoted')).toEqual([
      { actor: 'organiser@ilo.example', user_id: String(organiser.id), data: { overCapacity: true } },
    ]);
    const [seats] = await rows<{ n: string }>(
      `SELECT count(*) AS n FROM registrations WHERE event_id = $1 AND status = 'confirmed'`,
      [event.id],
    );
    expect(Number(seats!.n)).toBe(2);
  });

  it('when they resend the confirmation, then a new confirmation mail is queued and the audit log says who asked', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug, { email: 'again@example.org' });

    const res = await post(asOrganiser, event.slug, id, 'resend');
    expect(res.headers.location).toContain('done=resent');
    expect(await mailKinds(id)).toEqual(['registration.confirmed', 'registration.confirmed']);
    expect(await auditOf(id, 'registration.confirmation_resent')).toEqual([
      {
        actor: 'organiser@ilo.example',
        user_id: String(organiser.id),
        data: { kind: 'registration.confirmed' },
      },
    ]);
  });

  it('when the CSRF token is missing, then the action is refused with 403 and nothing changes', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug);
    const res = await asOrganiser.agent
      .post(`/admin/events/${event.slug}/attendees/${id}/cancel`)
      .type('form')
      .send('');
    expect(res.status).toBe(403);
    expect((await registration(id)).status).toBe('confirmed');
  });
});

describe('who may see and do what', () => {
  it('when a viewer opens a registration, then there are no action buttons, and their POSTs are refused with 403', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug);

    const page = await asViewer.agent.get(`/admin/events/${event.slug}/attendees/${id}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/attendees/${id}/cancel`);
    expect(page.text).not.toContain('Send it again');
    for (const action of ['cancel', 'resend']) {
      expect((await post(asViewer, event.slug, id, action)).status).toBe(403);
    }
    expect((await registration(id)).status).toBe('confirmed');
    expect(await mailKinds(id)).toEqual(['registration.confirmed']);
  });

  it('when a viewer downloads the Excel CSV in Japanese, then it starts with the BOM and the Japanese header row, as an attachment never cached, and the export is audited', async () => {
    const event = await eventForTeam();
    await register(event.slug, { email: 'one@example.org', familyName: '山田' });
    await register(event.slug, { email: 'two@example.org' });

    const res = await asViewer.agent.get(
      `/admin/events/${event.slug}/attendees/export?format=excel-csv&lang=ja&q=${encodeURIComponent('山田')}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="tsunagaru-attendees-\d+-registrations-\d{8}\.csv"; filename\*=UTF-8''tsunagaru-/,
    );
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const [header, ...lines] = res.text.slice(1).trim().split('\r\n');
    expect(header).toContain('申込日時');
    expect(header).toContain('メールアドレス');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('one@example.org');

    const audit = await rows<{ actor: string; user_id: string; data: Record<string, unknown> }>(
      `SELECT actor, user_id, data FROM audit_log WHERE event_id = $1 AND action = 'registrations.exported'`,
      [event.id],
    );
    expect(audit).toEqual([
      {
        actor: 'viewer@ilo.example',
        user_id: String(viewer.id),
        data: { format: 'excel-csv', filters: { q: '山田' }, rows: 1 },
      },
    ]);
  });

  it('when the XLSX or JSON download is asked for, then each comes whole with its own type and extension', async () => {
    const event = await eventForTeam();
    await register(event.slug, { email: 'one@example.org' });
    const base = `/admin/events/${event.slug}/attendees/export?lang=en&format=`;

    const xlsx = await asViewer.agent
      .get(`${base}xlsx`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(xlsx.headers['content-disposition']).toMatch(/registrations-\d{8}\.xlsx"/);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');

    const json = await asViewer.agent.get(`${base}json`);
    expect(json.headers['content-disposition']).toMatch(/\.json"/);
    expect(JSON.parse(json.text as string)).toHaveLength(1);
  });

  it('when the export format is unknown, then the answer is a 422 page', async () => {
    const event = await eventForTeam();
    const res = await asViewer.agent.get(`/admin/events/${event.slug}/attendees/export?format=pdf&lang=en`);
    expect(res.status).toBe(422);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.text).toContain('Choose one of the download formats');
  });

  it('when an organiser of another event opens this one, then every page and action is 404', async () => {
    const event = await eventForTeam();
    const id = await register(event.slug);
    const base = `/admin/events/${event.slug}`;
    for (const path of [
      base,
      `${base}/attendees`,
      `${base}/attendees/${id}`,
      `${base}/attendees/export?format=csv`,
    ]) {
      expect((await asOutsider.agent.get(path)).status).toBe(404);
    }
    expect((await post(asOutsider, event.slug, id, 'cancel')).status).toBe(404);
    expect((await registration(id)).status).toBe('confirmed');
  });

  it('when nobody is signed in, then the pages send them to sign in', async () => {
    const event = await eventForTeam();
    const { agent } = await formSession(t.app, event.slug);
    const res = await agent.get(`/admin/events/${event.slug}/attendees`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(
      `/admin/login?next=${encodeURIComponent(`/admin/events/${event.slug}/attendees`)}`,
    );
  });
});
