import { addEventMember, type User } from '../../src/accounts';
import { eventBySlug, type EventInput } from '../../src/events';
import { fanOutMessage } from '../../src/messages';
import { registerAttendee } from '../../src/registrations';
import {
  delayOptions,
  followUpFieldErrors,
  followUpPatch,
  followUpValuesFromBody,
  offsetText,
} from '../../src/admin/mails.view';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { encodeForm, formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * The event's Mails tab: reminders and the follow-up with how their mails stand, the follow-up form,
 * and messages to registrants (form, preview, send, progress), driven through the signed-in workspace
 * against a real database.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

let t: TestApp;
let organiser: User;
let viewer: User;
let asOrganiser: Agent;
let asViewer: Agent;
let slugCounter = 0;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** A fresh event (its own slug) that the organiser edits and the viewer reads. */
async function eventForTeam(overrides: Partial<EventInput> = {}) {
  slugCounter += 1;
  const event = await makeEvent(t, { slug: `mails-${slugCounter}`, ...overrides });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
  await addEventMember(t.db.pool, event.id, viewer.id, t.clock.now());
  return event;
}

/** Registers one person through the registration service; returns the registration id. */
async function register(slug: string, data: Record<string, string> = {}) {
  t.clock.set(new Date(t.clock.now().getTime() + 60_000));
  const outcome = await registerAttendee(t.db.pool, {
    slug,
    body: formData(data),
    pageLang: 'en',
    now: t.clock.now(),
  });
  if (outcome.status !== 'confirmed' && outcome.status !== 'waitlisted')
    throw new Error(`registration was ${outcome.status}`);
  const [row] = await rows<{ id: string }>(
    `SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE e.slug = $1 AND lower(r.email) = lower($2) AND r.status <> 'cancelled'`,
    [slug, data.email ?? 'hanako@example.org'],
  );
  return Number(row!.id);
}

/** Writes a reminder or follow-up mail row directly, in the given state. */
async function mailRow(eventId: number, registrationId: number, topic: string, status: string) {
  await t.db.pool.query(
    `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, status, topic)
     VALUES ($1, $2, $3, 'someone@example.org', 'en', $4, $5)`,
    [topic === 'follow-up' ? 'event.follow_up' : 'event.reminder', eventId, registrationId, status, topic],
  );
}

/** The numbers in the table row whose header cell says `label`. */
function tallyCells(html: string, label: string): number[] {
  const row = html.split('<tr>').find((r) => r.includes(`<th scope="row">${label}</th>`)) ?? '';
  return [...row.matchAll(/<td class="num[^"]*">([\d,]+)<\/td>/g)].map((m) =>
    Number(m[1]!.replace(/,/g, '')),
  );
}

function postForm(who: Agent, path: string, data: Record<string, string>, csrf = true) {
  return who.agent
    .post(path)
    .type('form')
    .send(encodeForm(csrf ? { _csrf: who.csrf, ...data } : data));
}

/** A complete follow-up form: two versions in both languages, one material link, four blank rows. */
function followUpForm(overrides: Record<string, string> = {}): Record<string, string> {
  const form: Record<string, string> = {
    enabled: 'yes',
    after: 'P1D',
    attended_en: 'Thank you for joining us.',
    attended_ja: 'ご参加ありがとうございました。',
    absent_en: 'We missed you; the recording is below.',
    absent_ja: '当日お会いできず残念でした。録画をご覧ください。',
    m0_title_en: 'Recording',
    m0_title_ja: '',
    m0_url: 'https://video.example/rec',
  };
  for (let i = 1; i < 5; i++)
    Object.assign(form, { [`m${i}_title_en`]: '', [`m${i}_title_ja`]: '', [`m${i}_url`]: '' });
  return { ...form, ...overrides };
}

/** A complete new-message form with the given recipient filters. */
function messageForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    q: '',
    status: '',
    affiliation: '',
    country: '',
    language: '',
    interpretation: '',
    joined: '',
    subject_en: 'Room change',
    subject_ja: '会場変更のお知らせ',
    body_en: 'The webinar moves to a new meeting room.',
    body_ja: 'ウェビナーの会議室が変更になりました。',
    ...overrides,
  };
}

async function auditOf(eventId: number, action: string) {
  return rows<{ actor: string; data: Record<string, unknown> }>(
    'SELECT actor, data FROM audit_log WHERE event_id = $1 AND action = $2 ORDER BY id',
    [eventId, action],
  );
}

async function messageCount(eventId: number): Promise<number> {
  const [row] = await rows<{ n: string }>('SELECT count(*) AS n FROM event_messages WHERE event_id = $1', [
    eventId,
  ]);
  return Number(row!.n);
}

/**
 * Registrants for a message: Japanese mail A (confirmed), English E (confirmed), Japanese B (on the
 * waiting list), Japanese C (cancelled) and Japanese D (waiting list, unsubscribed).
 */
async function eventWithRegistrants() {
  const event = await eventForTeam({ capacity: 2, waitlist: true });
  const a = await register(event.slug, { email: 'a@example.org', locale: 'ja' });
  const e = await register(event.slug, { email: 'e@example.org', locale: 'en' });
  const b = await register(event.slug, { email: 'b@example.org', locale: 'ja' });
  const c = await register(event.slug, { email: 'c@example.org', locale: 'ja' });
  const d = await register(event.slug, { email: 'd@example.org', locale: 'ja' });
  await t.db.pool.query(`UPDATE registrations SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [
    c,
  ]);
  await t.db.pool.query('UPDATE registrations SET unsubscribed_at = now() WHERE id = $1', [d]);
  return { event, ids: { a, b, c, d, e } };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  organiser = await createTestAccount(t.db.pool, { email: 'organiser@ilo.example', role: 'organiser' });
  viewer = await createTestAccount(t.db.pool, { email: 'viewer@ilo.example', role: 'viewer' });
  asOrganiser = await signedInAgent(t.app, organiser.email);
  asViewer = await signedInAgent(t.app, viewer.email);
});
afterAll(() => t.close());

describe('reminders on the Mails tab', () => {
  it('when an event has reminders with mails in several states, then each shows its moment in JST and CET and its tallies', async () => {
    const event = await eventForTeam({ reminders: ['P1D', 'PT1H'] });
    const ids = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await register(event.slug, { email: `r${n}@example.org` }));
    await mailRow(event.id, ids[0]!, 'reminder:P1D', 'sent');
    await mailRow(event.id, ids[1]!, 'reminder:P1D', 'sent');
    await mailRow(event.id, ids[2]!, 'reminder:P1D', 'queued');
    await mailRow(event.id, ids[3]!, 'reminder:P1D', 'failed');
    await mailRow(event.id, ids[4]!, 'reminder:P1D', 'skipped');

    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails?lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/admin/events/${event.slug}/mails" aria-current="page">Mails</a>`);
    expect(res.text).toContain('Tue 15 Dec 2026, 15:00 JST / 07:00 CET');
    expect(res.text).toContain('Wed 16 Dec 2026, 14:00 JST / 06:00 CET');
    // Sent, waiting, failed, skipped.
    expect(tallyCells(res.text, '1 day before the start')).toEqual([2, 1, 1, 1]);
    expect(tallyCells(res.text, '1 hour before the start')).toEqual([0, 0, 0, 0]);
    expect(res.text).toContain(`href="/admin/events/${event.slug}/edit#reminders"`);

    const ja = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails?lang=ja`);
    expect(ja.text).toContain('開始の1日前');
    expect(ja.text).toContain('2026年12月15日(火) 15:00 JST / 07:00 CET');
    await asOrganiser.agent.get(`/admin/events/${event.slug}/mails?lang=en`);
  });

  it('when an event has no reminders and no follow-up, then the tab says so', async () => {
    const event = await eventForTeam({ reminders: [] });
    const res = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails`);
    expect(res.text).toContain('This event has no reminders.');
    expect(res.text).toContain('No follow-up is set: no mail goes after the event.');
    expect(res.text).toContain('No message has been sent yet.');
  });
});

describe('who may change mails', () => {
  it('when a viewer opens the tab, then it shows reminders without any form, and their POSTs are refused with 403', async () => {
    const event = await eventForTeam();
    await register(event.slug, { email: 'v@example.org' });
    const res = await asViewer.agent.get(`/admin/events/${event.slug}/mails`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('1 day before the start');
    expect(res.text).not.toContain('<form method="post" action="/admin/events/');
    expect(res.text).not.toContain('/mails/messages/new');
    expect(res.text).not.toContain('/edit#reminders');

    expect((await asViewer.agent.get(`/admin/events/${event.slug}/mails/messages/new`)).status).toBe(403);
    const base = `/admin/events/${event.slug}/mails`;
    expect((await postForm(asViewer, `${base}/follow-up`, followUpForm())).status).toBe(403);
    expect((await postForm(asViewer, `${base}/messages/preview`, messageForm())).status).toBe(403);
    expect((await postForm(asViewer, `${base}/messages`, messageForm({ expected: '1' }))).status).toBe(403);
    expect((await eventBySlug(t.db.pool, event.slug))!.followUp).toBeNull();
    expect(await messageCount(event.id)).toBe(0);
  });
});

describe('the follow-up', () => {
  it('when the organiser saves a follow-up, then the event holds it, the audit has before and after, and the tab shows when it goes with a preview', async () => {
    const event = await eventForTeam();
    const res = await postForm(asOrganiser, `/admin/events/${event.slug}/mails/follow-up`, followUpForm());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/mails?done=followUpSaved#follow-up`);

    const expected = {
      after: 'P1D',
      attended: { en: 'Thank you for joining us.', ja: 'ご参加ありがとうございました。' },
      absent: {
        en: 'We missed you; the recording is below.',
        ja: '当日お会いできず残念でした。録画をご覧ください。',
      },
      materials: [{ title: { en: 'Recording' }, url: 'https://video.example/rec' }],
    };
    expect((await eventBySlug(t.db.pool, event.slug))!.followUp).toEqual(expected);
    const [audit] = await auditOf(event.id, 'event.updated');
    expect(audit!.actor).toBe('organiser@ilo.example');
    expect(audit!.data.changed).toEqual(['followUp']);
    expect(audit!.data.before).toEqual({ followUp: null });
    expect(audit!.data.after).toEqual({ followUp: expected });

    const page = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails?done=followUpSaved&lang=en`);
    expect(page.text).toContain('The follow-up is saved.');
    expect(page.text).toContain('1 day after the end');
    expect(page.text).toContain('Thu 17 Dec 2026, 17:15 JST / 09:15 CET');
    expect(page.text).toMatch(/<pre class="mail-preview" lang="en">[^<]*Thank you for joining us\./);
    expect(page.text).toMatch(
      /<pre class="mail-preview" lang="en">[^<]*We missed you; the recording is below\./,
    );
    expect(page.text).toContain('https://video.example/rec');
    expect(page.text).toMatch(/<option value="P1D" selected>1 day after the end<\/option>/);
  });

  it('when the organiser chooses no follow-up, then it is removed and audited', async () => {
    const event = await eventForTeam();
    await postForm(asOrganiser, `/admin/events/${event.slug}/mails/follow-up`, followUpForm());
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/follow-up`,
      followUpForm({ enabled: 'no' }),
    );
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/mails?done=followUpRemoved#follow-up`);
    expect((await eventBySlug(t.db.pool, event.slug))!.followUp).toBeNull();
    const audits = await auditOf(event.id, 'event.updated');
    expect(audits).toHaveLength(2);
    expect(audits[1]!.data.after).toEqual({ followUp: null });
  });

  it('when the Japanese text for attendees is missing in a Japanese workspace, then the field says so in Japanese and nothing changes', async () => {
    const event = await eventForTeam();
    const before = await eventBySlug(t.db.pool, event.slug);
    const inJapanese = await signedInAgent(t.app, organiser.email);
    await inJapanese.agent.get(`/admin/events/${event.slug}/mails?lang=ja`);

    const res = await postForm(
      inJapanese,
      `/admin/events/${event.slug}/mails/follow-up`,
      followUpForm({ attended_ja: '  ' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '<p class="error-message" id="attended_ja-error">日本語の本文を入力してください。</p>',
    );
    expect(res.text).toContain('フォローアップは保存されていません');
    // What was typed stays in the form.
    expect(res.text).toContain('We missed you; the recording is below.');
    expect(await eventBySlug(t.db.pool, event.slug)).toEqual(before);
    expect(await auditOf(event.id, 'event.updated')).toHaveLength(0);
  });

  it('when a material link has an address but no title, then that row says so and nothing is saved', async () => {
    const event = await eventForTeam();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/follow-up`,
      followUpForm({ m0_title_en: '', m2_url: 'not a url', m2_title_en: 'Slides' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '<p class="error-message" id="m0_title-error">Please give this link a title in English or Japanese.</p>',
    );
    expect(res.text).toContain(
      '<p class="error-message" id="m2_url-error">Please enter a web address starting with http:// or https://.</p>',
    );
    expect((await eventBySlug(t.db.pool, event.slug))!.followUp).toBeNull();
  });

  it('when follow-up mails exist, then the tab counts them', async () => {
    const event = await eventForTeam();
    await postForm(asOrganiser, `/admin/events/${event.slug}/mails/follow-up`, followUpForm());
    const a = await register(event.slug, { email: 'f1@example.org' });
    const b = await register(event.slug, { email: 'f2@example.org' });
    await mailRow(event.id, a, 'follow-up', 'sent');
    await mailRow(event.id, b, 'follow-up', 'sending');
    const page = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails`);
    const table = page.text.split('id="follow-up"')[1]!.split('<tbody>')[1]!.split('</tbody>')[0]!;
    expect([...table.matchAll(/<td class="num[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([
      1, 1, 0, 0,
    ]);
  });
});

describe('messages to registrants', () => {
  it('when the attendee list is filtered, then its link opens the new-message form with the same filters and the live count', async () => {
    const { event } = await eventWithRegistrants();
    const list = await asOrganiser.agent.get(`/admin/events/${event.slug}/attendees?language=ja`);
    const href = `/admin/events/${event.slug}/mails/messages/new?language=ja`;
    expect(list.text).toContain(`href="${href}"`);

    const form = await asOrganiser.agent.get(href);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<option value="ja" selected>Japanese</option>');
    expect(form.text).toContain('2 registrants match these recipients now.');
  });

  it('when the organiser previews a message, then it shows the count and both languages, carries them to the send form, and saves nothing', async () => {
    const { event } = await eventWithRegistrants();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages/preview`,
      messageForm({ language: 'ja' }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('This message will go to 2 registrants.');
    expect(res.text).toContain('Mail language: Japanese');
    expect(res.text).toMatch(
      /<pre class="mail-preview" lang="en">[^<]*The webinar moves to a new meeting room\./,
    );
    expect(res.text).toMatch(
      /<pre class="mail-preview" lang="ja">[^<]*ウェビナーの会議室が変更になりました。/,
    );
    expect(res.text).toContain('Room change');
    expect(res.text).toContain('会場変更のお知らせ');
    expect(res.text).toContain('<input type="hidden" name="expected" value="2">');
    expect(res.text).toContain(
      '<input type="hidden" name="body_ja" value="ウェビナーの会議室が変更になりました。">',
    );
    expect(res.text).toContain('Send to 2 registrants');
    expect(await messageCount(event.id)).toBe(0);

    // "Change the message" goes back to the form with everything kept.
    const back = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages/new`,
      messageForm({ language: 'ja' }),
    );
    expect(back.status).toBe(200);
    expect(back.text).toContain('value="会場変更のお知らせ"');
    expect(back.text).toContain('<option value="ja" selected>Japanese</option>');
  });

  it('when the organiser sends to Japanese-mail registrants, then one message is recorded and audited, and only live, subscribed Japanese registrants get a mail', async () => {
    const { event, ids } = await eventWithRegistrants();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages`,
      messageForm({ language: 'ja', expected: '2' }),
    );
    expect(res.status).toBe(303);
    const [message] = await rows<{ id: string; expected: number; filters: unknown; subject: unknown }>(
      'SELECT id, expected, filters, subject FROM event_messages WHERE event_id = $1',
      [event.id],
    );
    expect(await messageCount(event.id)).toBe(1);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/mails/messages/${message!.id}?done=sent`);
    expect(message!.expected).toBe(2);
    expect(message!.filters).toEqual({ language: 'ja' });
    const [audit] = await auditOf(event.id, 'message.sent');
    expect(audit!.actor).toBe('organiser@ilo.example');
    expect(audit!.data).toMatchObject({
      messageId: Number(message!.id),
      recipients: 2,
      filters: { language: 'ja' },
    });

    await fanOutMessage(t.db.pool, Number(message!.id), t.clock.now());
    const mails = await rows<{ registration_id: string; kind: string; locale: string }>(
      'SELECT registration_id, kind, locale FROM outgoing_mails WHERE event_message_id = $1 ORDER BY registration_id',
      [message!.id],
    );
    expect(mails.map((m) => Number(m.registration_id))).toEqual([ids.a, ids.b]);
    expect(mails.every((m) => m.kind === 'event.message' && m.locale === 'ja')).toBe(true);

    const page = await asOrganiser.agent.get(res.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The message is on its way.');
    expect(page.text).toContain('Mail language: Japanese');
    expect(page.text).toContain('ウェビナーの会議室が変更になりました。');
    expect(page.text).toMatch(/Waiting <strong data-progress-queued>2<\/strong>/);
    expect(page.text).toMatch(/Sent <strong data-progress-sent>0<\/strong>/);
    expect(page.text).toContain('/assets/js/admin-mails.js');
    expect(page.text).toContain(
      `data-progress-url="/admin/events/${event.slug}/mails/messages/${message!.id}/progress"`,
    );

    // Once every mail went out, the same address no longer says "on its way".
    await t.db.pool.query(`UPDATE outgoing_mails SET status = 'sent' WHERE event_message_id = $1`, [
      message!.id,
    ]);
    const after = await asOrganiser.agent.get(res.headers.location!);
    expect(after.text).not.toContain('on its way');
    expect(after.text).toContain('The message has gone out: every mail of it has been handled');
  });

  it('when some of a message’s mails went out, then its page, its progress address and the list show numbers matching the rows', async () => {
    const { event, ids } = await eventWithRegistrants();
    const sent = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages`,
      messageForm({ expected: '3' }),
    );
    const id = Number(sent.headers.location!.split('/').pop()!.split('?')[0]);
    await fanOutMessage(t.db.pool, id, t.clock.now());
    // A, E and B get it (C cancelled, D unsubscribed); one sent, one failed, one waiting.
    await t.db.pool.query(
      `UPDATE outgoing_mails SET status = 'sent' WHERE event_message_id = $1 AND registration_id = $2`,
      [id, ids.a],
    );
    await t.db.pool.query(
      `UPDATE outgoing_mails SET status = 'failed' WHERE event_message_id = $1 AND registration_id = $2`,
      [id, ids.e],
    );

    const progress = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails/messages/${id}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({
      sent: 1,
      failed: 1,
      queued: 1,
      skipped: 0,
      total: 3,
      done: 2,
      finished: false,
      recipients: 3,
    });
    const page = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails/messages/${id}`);
    expect(page.text).toContain('<progress id="message-progress" max="3" value="2"');
    expect(page.text).toMatch(/Failed <strong data-progress-failed>1<\/strong>/);
    const tab = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails`);
    expect(tab.text).toContain(`href="/admin/events/${event.slug}/mails/messages/${id}">Room change</a>`);
    expect(tab.text).toContain('3 of 3');

    await t.db.pool.query(
      `UPDATE outgoing_mails SET status = 'sent' WHERE event_message_id = $1 AND status = 'queued'`,
      [id],
    );
    const done = await asOrganiser.agent.get(`/admin/events/${event.slug}/mails/messages/${id}`);
    expect(done.text).toContain('Every mail of this message has been handled.');
    expect(done.text).not.toContain('admin-mails.js');
    expect(done.text).not.toContain('data-progress-url');
  });

  it('when Send is pressed twice on one preview (a double click), then one message is recorded and both land on its page', async () => {
    const { event } = await eventWithRegistrants();
    const preview = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages/preview`,
      messageForm(),
    );
    const sendKey = /name="sendKey" value="([0-9a-f-]{36})"/.exec(preview.text)![1]!;
    const send = () =>
      postForm(
        asOrganiser,
        `/admin/events/${event.slug}/mails/messages`,
        messageForm({ expected: '3', sendKey }),
      );
    const [first, second] = await Promise.all([send(), send()]);
    expect(first.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const [count] = await rows<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_messages WHERE event_id = $1',
      [event.id],
    );
    expect(count!.n).toBe(1);
  });

  it('when the English text is missing on sending, then the form answers 422 on that field and nothing is saved', async () => {
    const { event } = await eventWithRegistrants();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages`,
      messageForm({ body_en: '', expected: '4' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '<p class="error-message" id="body_en-error">Please write the text in this language.</p>',
    );
    expect(res.text).toContain('value="会場変更のお知らせ"');
    expect(await messageCount(event.id)).toBe(0);
    expect(await auditOf(event.id, 'message.sent')).toHaveLength(0);
  });

  it('when nobody matches the recipients, then preview and send both say so on the form and nothing is saved', async () => {
    const { event } = await eventWithRegistrants();
    const preview = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages/preview`,
      messageForm({ country: 'FR' }),
    );
    expect(preview.status).toBe(422);
    expect(preview.text).toContain(
      'Nobody would receive this message: no live registrant matches the chosen recipients.',
    );
    const send = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages`,
      messageForm({ status: 'cancelled', expected: '1' }),
    );
    expect(send.status).toBe(422);
    expect(send.text).toContain('Nobody would receive this message');
    expect(await messageCount(event.id)).toBe(0);
  });

  it('when a filter value is not one the list knows, then the form says which and nothing is saved', async () => {
    const { event } = await eventWithRegistrants();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages/preview`,
      messageForm({ language: 'fr' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="language-error"');
    expect(await messageCount(event.id)).toBe(0);
  });

  it('when the CSRF token is missing, then sending is refused with 403 and nothing is saved', async () => {
    const { event } = await eventWithRegistrants();
    const res = await postForm(
      asOrganiser,
      `/admin/events/${event.slug}/mails/messages`,
      messageForm({ expected: '3' }),
      false,
    );
    expect(res.status).toBe(403);
    expect(await messageCount(event.id)).toBe(0);
  });

  it('when a message of another event is asked for under this one, then it is not found', async () => {
    const { event } = await eventWithRegistrants();
    const other = await eventWithRegistrants();
    const sent = await postForm(
      asOrganiser,
      `/admin/events/${other.event.slug}/mails/messages`,
      messageForm({ expected: '3' }),
    );
    const id = sent.headers.location!.split('/').pop()!.split('?')[0];
    expect((await asOrganiser.agent.get(`/admin/events/${event.slug}/mails/messages/${id}`)).status).toBe(
      404,
    );
    expect(
      (await asOrganiser.agent.get(`/admin/events/${event.slug}/mails/messages/${id}/progress`)).status,
    ).toBe(404);
    expect((await asViewer.agent.get(`/admin/events/${other.event.slug}/mails/messages/${id}`)).status).toBe(
      200,
    );
  });
});

describe('the Mails tab view (pure)', () => {
  it('when an offset mixes units, then it reads as words in each language', () => {
    expect(offsetText('P1DT12H', 'en')).toBe('1 day 12 hours');
    expect(offsetText('PT30M', 'en')).toBe('30 minutes');
    expect(offsetText('P2D', 'en')).toBe('2 days');
    expect(offsetText('P1DT12H', 'ja')).toBe('1日12時間');
  });

  it('when the stored delay is not one of the usual ones, then it is offered too, selected, in order', () => {
    const options = delayOptions('PT90M', 'en');
    expect(options.map((o) => o.value)).toEqual([
      'PT1H',
      'PT90M',
      'PT2H',
      'PT4H',
      'P1D',
      'P2D',
      'P3D',
      'P7D',
    ]);
    expect(options.find((o) => o.selected)).toEqual({
      value: 'PT90M',
      label: '1 hour 30 minutes after the end',
      selected: true,
    });
    expect(
      delayOptions('PT2H', 'en')
        .filter((o) => o.selected)
        .map((o) => o.value),
    ).toEqual(['PT2H']);
  });

  it('when blank material rows sit between filled ones, then a problem of a link is shown on its own form row', () => {
    const values = followUpValuesFromBody(
      followUpForm({ m0_title_en: '', m0_url: '', m3_title_en: 'Slides', m3_url: 'ftp://x' }),
    );
    const { patch, rows } = followUpPatch(values);
    expect(rows).toEqual([3]);
    expect((patch.followUp as { materials: unknown[] }).materials).toEqual([
      { title: { en: 'Slides' }, url: 'ftp://x' },
    ]);
    expect(
      followUpFieldErrors(
        {
          '$.followUp.materials[0].url': 'validation:event.materialUrl',
          '$.followUp.absent.en': 'validation:zod.too_small',
          '$.followUp.attended.ja': 'validation:zod.too_big',
        },
        rows,
      ),
    ).toEqual({
      m3_url: 'mails:followUp.errors.url',
      absent_en: 'mails:followUp.errors.text_en',
      attended_ja: 'mails:followUp.errors.tooLong',
    });
    expect(followUpPatch({ ...values, enabled: false }).patch).toEqual({ followUp: null });
  });
});
