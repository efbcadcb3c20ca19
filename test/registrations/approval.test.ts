import request from 'supertest';
import { addEventMember, createAccount, createApiToken, sessionActor, type User } from '../../src/accounts';
import type { Config } from '../../src/config';
import { withTransaction } from '../../src/db/pool';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { queueDueMails } from '../../src/reminders';
import { signedInAgent, testPassword } from '../helpers/admin';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { deliverDue, inviteOf, linksIn, mailConfig } from '../helpers/mail';
import { expectDocumented } from '../helpers/openapi';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp';

/**
 * Approval of registrations, through every surface: the public form of an event with `approval`, the
 * organiser's Attendees tab (many at once) and the REST API (one at a time). Real PostgreSQL and a real
 * SMTP server: what each registrant receives, and what holds a seat.
 */

let t: TestApp;
let sink: SmtpSink;
let config: Config;
let transport: MailTransport;
let organiser: User;
let asOrganiser: Awaited<ReturnType<typeof signedInAgent>>;
let token: string;
let n = 0;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  sink = await startSmtpSink();
  config = mailConfig(t, sink.url);
  transport = createTransport(config);
  organiser = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email: 'keiko@ilo.example', name: 'Keiko Sato', role: 'organiser', password: testPassword },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  asOrganiser = await signedInAgent(t.app, organiser.email);
  token = (
    await createApiToken(t.db.pool, { name: 'CRM' }, { now: t.clock.now(), by: sessionActor(organiser) })
  ).token;
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await t.close();
});

const bearer = () => ({ Authorization: `Bearer ${token}` });

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** The one mail of `mails` addressed to `address`. */
function mailTo(mails: ReceivedMail[], address: string): ReceivedMail {
  const found = mails.filter((m) => JSON.stringify(m.parsed.to).includes(`"address":"${address}"`));
  expect(found).toHaveLength(1);
  return found[0]!;
}

const kindOf = (m: ReceivedMail) => String(m.parsed.headers.get('x-tsunagaru-kind') ?? '');

/** A fresh event of the organiser's with approval (and whatever else `overrides` says). */
async function approvalEvent(overrides: Parameters<typeof makeEvent>[1] = {}) {
  n += 1;
  t.clock.set('2026-12-01T00:00:00Z');
  const slug = `approval-${n}`;
  const event = await makeEvent(t, { slug, approval: true, ...overrides });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
  return { event, slug };
}

/** Registers through the public form and returns the new registration's id. */
async function register(slug: string, data: Record<string, string> = {}): Promise<number> {
  const { agent, token: csrf } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: csrf, ...formData(data) }));
  expect(res.status).toBe(303);
  const [row] = await rows<{ id: string }>(
    `SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE e.slug = $1 AND r.email = $2`,
    [slug, data.email ?? 'hanako@example.org'],
  );
  return Number(row!.id);
}

/** Delivers what is due and returns the mails that arrived, emptying the sink. */
async function delivered(): Promise<ReceivedMail[]> {
  await deliverDue(t, transport, config);
  return sink.received.splice(0);
}

async function statusOf(id: number): Promise<string> {
  return (await rows<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [id]))[0]!.status;
}

async function seats(eventId: number): Promise<number> {
  return (
    await rows<{ n: number }>('SELECT sum(confirmed)::int AS n FROM event_seats WHERE event_id = $1', [
      eventId,
    ])
  )[0]!.n;
}

describe('a registration at an event with approval', () => {
  it('when someone registers, then they are pending, hold no seat and get the received mail without join link or invite', async () => {
    const { event, slug } = await approvalEvent({ capacity: 1 });
    const id = await register(slug, { email: 'hanako@example.org', locale: 'en' });
    expect(await statusOf(id)).toBe('pending');
    expect(await seats(event.id)).toBe(0);
    const [mail] = await delivered();
    expect(kindOf(mail!)).toBe('registration.pending');
    expect(mail!.parsed.subject).toContain('Registration received');
    expect(mail!.parsed.text).toContain('your place is not confirmed yet');
    expect(linksIn(mail!.parsed).join).toBeUndefined();
    expect(linksIn(mail!.parsed).manage).toBeDefined();
    expect(inviteOf(mail!.parsed)).toBeUndefined();
    const [audit] = await rows<{ action: string }>(
      'SELECT action FROM audit_log WHERE registration_id = $1',
      [id],
    );
    expect(audit!.action).toBe('registration.requested');
    // A second registrant is pending too, although the one seat is still free: nobody took it.
    const other = await register(slug, { email: 'taro@example.org' });
    expect(await statusOf(other)).toBe('pending');
    expect(kindOf(mailTo(await delivered(), 'taro@example.org'))).toBe('registration.pending');
  });

  it('when the registrant opens their links while pending, then the page says it awaits approval, the join link leads nowhere, and they can withdraw', async () => {
    const { slug } = await approvalEvent();
    await register(slug, { locale: 'en' });
    const mail = mailTo(await delivered(), 'hanako@example.org');
    const manage = linksIn(mail.parsed).manage!.replace('https://events.example.org', '');
    const agent = request.agent(t.app);
    const page = await agent.get(`${manage}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Awaiting approval');
    expect(page.text).toContain('Withdraw my registration');
    const ja = await agent.get(`${manage}?lang=ja`);
    expect(ja.text).toContain('承認待ち');
    const join = await agent.get(`${manage}/join?lang=en`);
    expect(join.status).not.toBe(302);
    const confirm = await agent.get(`${manage}/cancel?lang=en`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const cancelled = await agent
      .post(`${manage}/cancel`)
      .type('form')
      .send(encodeForm({ _csrf: csrf }));
    expect(cancelled.status).toBe(303);
    expect(
      (
        await rows<{ status: string }>(
          `SELECT status FROM registrations WHERE email = 'hanako@example.org' AND event_id = (SELECT id FROM events WHERE slug = $1)`,
          [slug],
        )
      )[0]!.status,
    ).toBe('cancelled');
  });
});

describe('approving and declining through the API', () => {
  it('when a pending registration is approved with a seat free, then it is confirmed with the confirmation and invite; again it is 409', async () => {
    const { event, slug } = await approvalEvent({ capacity: 1 });
    const id = await register(slug, { locale: 'en' });
    await delivered();
    const res = await request(t.app).post(`/api/v1/events/${slug}/registrations/${id}/approve`).set(bearer());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, status: 'confirmed' });
    expectDocumented(res, 'post', '/api/v1/events/{slug}/registrations/{id}/approve');
    expect(await seats(event.id)).toBe(1);
    const [mail] = await delivered();
    expect(kindOf(mail!)).toBe('registration.confirmed');
    expect(linksIn(mail!.parsed).join).toBeDefined();
    expect(inviteOf(mail!.parsed)?.method).toBe('REQUEST');
    const [audit] = await rows<{ actor: string; data: { status: string } }>(
      `SELECT actor, data FROM audit_log WHERE registration_id = $1 AND action = 'registration.approved'`,
      [id],
    );
    expect(audit!.data.status).toBe('confirmed');

    const again = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${id}/approve`)
      .set(bearer());
    expect(again.status).toBe(409);
    expectDocumented(again, 'post', '/api/v1/events/{slug}/registrations/{id}/approve');
    const declineConfirmed = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${id}/decline`)
      .set(bearer());
    expect(declineConfirmed.status).toBe(409);
    expect(await statusOf(id)).toBe('confirmed');
    const unknown = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/999999/approve`)
      .set(bearer());
    expect(unknown.status).toBe(404);
    expectDocumented(unknown, 'post', '/api/v1/events/{slug}/registrations/{id}/approve');
    expect(await delivered()).toHaveLength(0);
  });

  it('when no seat is free, then approval puts them on the waiting list with its mail', async () => {
    const { event, slug } = await approvalEvent({ capacity: 1, waitlist: true });
    const first = await register(slug, { email: 'first@example.org' });
    const second = await register(slug, { email: 'second@example.org' });
    await delivered();
    await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${first}/approve`)
      .set(bearer())
      .expect(200);
    const res = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${second}/approve`)
      .set(bearer());
    expect(res.body).toEqual({ id: second, status: 'waitlisted' });
    expect(await seats(event.id)).toBe(1);
    const mails = await delivered();
    expect(mails.map(kindOf).sort()).toEqual(['registration.confirmed', 'registration.waitlisted']);
    const waiting = mails.find((m) => kindOf(m) === 'registration.waitlisted')!;
    expect(inviteOf(waiting.parsed)).toBeUndefined();
  });

  it('when the event is full without a waiting list, then approval is refused and the registration stays pending', async () => {
    const { slug } = await approvalEvent({ capacity: 1, waitlist: false });
    const first = await register(slug, { email: 'first@example.org' });
    const second = await register(slug, { email: 'second@example.org' });
    await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${first}/approve`)
      .set(bearer())
      .expect(200);
    const res = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${second}/approve`)
      .set(bearer());
    expect(res.status).toBe(409);
    expect(await statusOf(second)).toBe('pending');
  });

  it('when registrations are declined with a reason, then each gets the mail in their language with the reason in it (or in the other language)', async () => {
    const { slug } = await approvalEvent();
    const ja = await register(slug, { email: 'hanako@example.org', locale: 'ja' });
    const en = await register(slug, { email: 'jane@example.org', locale: 'en' });
    await delivered();
    const both = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${ja}/decline`)
      .set(bearer())
      .send({ reason: { en: 'This seminar is for members only.', ja: '会員限定のセミナーです。' } });
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ id: ja, status: 'declined' });
    expectDocumented(both, 'post', '/api/v1/events/{slug}/registrations/{id}/decline');
    const onlyJa = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${en}/decline`)
      .set(bearer())
      .send({ reason: { ja: '会員限定のセミナーです。' } });
    expect(onlyJa.status).toBe(200);
    const mails = await delivered();
    const toJa = mailTo(mails, 'hanako@example.org');
    const toEn = mailTo(mails, 'jane@example.org');
    expect(kindOf(toJa)).toBe('registration.declined');
    expect(toJa.parsed.subject).toContain('お申し込みについてのご連絡');
    expect(toJa.parsed.text).toContain('会員限定のセミナーです。');
    expect(toJa.parsed.text).not.toContain('members only');
    expect(toEn.parsed.subject).toContain('Registration not accepted');
    expect(toEn.parsed.text).toContain('会員限定のセミナーです。');
    for (const m of [toJa, toEn]) {
      expect(linksIn(m.parsed)).toEqual({ join: undefined, manage: undefined });
      expect(inviteOf(m.parsed)).toBeUndefined();
    }
    const [audit] = await rows<{ data: { reason: { en: string } } }>(
      `SELECT data FROM audit_log WHERE registration_id = $1 AND action = 'registration.declined'`,
      [ja],
    );
    expect(audit!.data.reason.en).toBe('This seminar is for members only.');
    const activity = await asOrganiser.agent.get(`/admin/events/${slug}/activity?lang=ja`);
    expect(activity.text).toContain('お申し込みを見送り');
  });

  it('when the reason is not text in en or ja, then 422 and nothing changes', async () => {
    const { slug } = await approvalEvent();
    const id = await register(slug);
    const res = await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${id}/decline`)
      .set(bearer())
      .send({ reason: { fr: 'Non.' } });
    expect(res.status).toBe(422);
    expectDocumented(res, 'post', '/api/v1/events/{slug}/registrations/{id}/decline');
    expect(await statusOf(id)).toBe('pending');
  });
});

describe('approving on the Attendees tab', () => {
  it('when the organiser ticks two pending registrations and one confirmed and approves, then the two are confirmed and the list says what happened', async () => {
    const { event, slug } = await approvalEvent({ capacity: 10 });
    const a = await register(slug, { email: 'a@example.org' });
    const b = await register(slug, { email: 'b@example.org' });
    const c = await register(slug, { email: 'c@example.org' });
    await request(t.app).post(`/api/v1/events/${slug}/registrations/${c}/approve`).set(bearer()).expect(200);
    await delivered();
    const list = await asOrganiser.agent.get(`/admin/events/${slug}/attendees?lang=en`);
    expect(list.text).toContain('Approve selected');
    expect(list.text).toContain(`name="id" value="${a}"`);
    expect(list.text).not.toContain(`name="id" value="${c}"`);
    const res = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/decide`)
      .type('form')
      .send(
        encodeForm({
          _csrf: asOrganiser.csrf,
          decision: 'approve',
          id: [String(a), String(b), String(c)],
          back: '?status=pending',
        }),
      );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${slug}/attendees?status=pending&decided=2.0.0.1.0`);
    expect(await statusOf(a)).toBe('confirmed');
    expect(await statusOf(b)).toBe('confirmed');
    expect(await seats(event.id)).toBe(3);
    expect((await delivered()).map(kindOf)).toEqual(['registration.confirmed', 'registration.confirmed']);
    const after = await asOrganiser.agent.get(`${res.headers.location}&lang=ja`);
    expect(after.text).toContain('2件を承認し、参加確定としました。');
    expect(after.text).toContain('1件は承認待ちではないため');
  });

  it('when the organiser declines with a reason from the list, then the registrant is declined; without CSRF nothing changes', async () => {
    const { slug } = await approvalEvent();
    const a = await register(slug, { email: 'a@example.org', locale: 'en' });
    const forged = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/decide`)
      .type('form')
      .send(encodeForm({ decision: 'decline', id: String(a) }));
    expect(forged.status).toBe(403);
    expect(await statusOf(a)).toBe('pending');
    const res = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/decide`)
      .type('form')
      .send(
        encodeForm({
          _csrf: asOrganiser.csrf,
          decision: 'decline',
          id: String(a),
          reason_en: 'Members only.',
          reason_ja: '',
        }),
      );
    expect(res.status).toBe(303);
    expect(await statusOf(a)).toBe('declined');
    const mails = (await delivered()).filter((m) => kindOf(m) === 'registration.declined');
    expect(mails[0]!.parsed.text).toContain('Members only.');
    const none = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/decide`)
      .type('form')
      .send(encodeForm({ _csrf: asOrganiser.csrf, decision: 'approve' }));
    expect(none.headers.location).toContain('decided=none');
  });

  it('when the decision form is tampered with, then a Japanese 422 answers, a foreign back address is dropped and nothing changes', async () => {
    const { slug } = await approvalEvent();
    const a = await register(slug, { email: 'a@example.org' });
    const decide = (fields: Record<string, string | string[]>) =>
      asOrganiser.agent
        .post(`/admin/events/${slug}/attendees/decide`)
        .set('Accept-Language', 'ja')
        .type('form')
        .send(encodeForm({ _csrf: asOrganiser.csrf, ...fields }));
    const tampered: Record<string, string | string[]>[] = [
      { decision: 'delete', id: String(a) },
      { id: String(a) },
      { decision: 'approve', id: 'abc' },
      { decision: 'approve', id: [String(a), '-1'] },
      { decision: 'approve', id: '99999999999999999999' },
    ];
    for (const fields of tampered) {
      const res = await decide(fields);
      expect(res.status).toBe(422);
      expect(res.text).toContain('lang="ja"');
      expect(await statusOf(a)).toBe('pending');
    }
    const long = await decide({ decision: 'decline', id: String(a), reason_ja: 'あ'.repeat(2001) });
    expect(long.status).toBe(422);
    expect(long.text).toContain('lang="ja"');
    expect(await statusOf(a)).toBe('pending');
    const elsewhere = await decide({ decision: 'approve', id: '424242', back: '//evil.example/x' });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.location).toBe(`/admin/events/${slug}/attendees?decided=0.0.0.1.0`);
    expect(await statusOf(a)).toBe('pending');
    expect((await delivered()).filter((m) => kindOf(m) !== 'registration.pending')).toEqual([]);
  });
});

describe('what pending registrations count in and what they never get', () => {
  it('when reminders fall due, then pending and declined registrants get none and confirmed ones do', async () => {
    const { slug } = await approvalEvent();
    const confirmed = await register(slug, { email: 'yes@example.org' });
    await register(slug, { email: 'wait@example.org' });
    const declined = await register(slug, { email: 'no@example.org' });
    await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${confirmed}/approve`)
      .set(bearer())
      .expect(200);
    await request(t.app)
      .post(`/api/v1/events/${slug}/registrations/${declined}/decline`)
      .set(bearer())
      .expect(200);
    await delivered();
    t.clock.set('2026-12-15T06:30:00Z'); // the day before the start, after the P1D reminder's moment
    await queueDueMails(t.db.pool, t.clock.now());
    const to = (await delivered())
      .filter((m) => kindOf(m) === 'event.reminder')
      .map((m) => m.parsed.to && !Array.isArray(m.parsed.to) && m.parsed.to.value[0]!.address);
    expect(to).toContain('yes@example.org');
    expect(to).not.toContain('wait@example.org');
    expect(to).not.toContain('no@example.org');
  });

  it('when the organiser lists, counts and exports, then pending registrations are there with their status', async () => {
    const { slug } = await approvalEvent();
    await register(slug, { email: 'a@example.org' });
    const b = await register(slug, { email: 'b@example.org' });
    await request(t.app).post(`/api/v1/events/${slug}/registrations/${b}/decline`).set(bearer()).expect(200);
    const events = await request(t.app).get('/api/v1/events').set(bearer());
    expectDocumented(events, 'get', '/api/v1/events');
    const mine = events.body.data.find((e: { slug: string }) => e.slug === slug);
    expect(mine.approval).toBe(true);
    expect(mine.registrations).toEqual({
      confirmed: 0,
      waitlisted: 0,
      cancelled: 0,
      pending: 1,
      declined: 1,
    });
    const pending = await request(t.app)
      .get(`/api/v1/events/${slug}/registrations?status=pending`)
      .set(bearer());
    expect(pending.status).toBe(200);
    expect(pending.body.data.map((r: { email: string; status: string }) => [r.email, r.status])).toEqual([
      ['a@example.org', 'pending'],
    ]);
    const csv = await request(t.app)
      .get(`/api/v1/events/${slug}/registrations/export?format=csv&lang=en`)
      .set(bearer());
    expect(csv.text).toContain('Awaiting approval');
    expect(csv.text).toContain('Not accepted');
    const overview = await asOrganiser.agent.get(`/admin/events/${slug}?lang=en`);
    expect(overview.text).toMatch(/<strong>1<\/strong> Awaiting approval/);
    const list = await asOrganiser.agent.get(`/admin/events/${slug}/attendees?lang=ja&status=pending`);
    expect(list.text).toContain('承認待ち1件、見送り1件。');
  });
});

describe('the event JSON field', () => {
  it('when an event is created with approval through the API and patched, then the document carries it both ways', async () => {
    const doc = (await request(t.app).get('/api/v1/events').set(bearer())).body.data[0];
    const slug = `approval-json-${++n}`;
    const event = { ...doc };
    delete event.registrations;
    const created = await request(t.app)
      .post('/api/v1/events')
      .set(bearer())
      .send({ ...event, slug, approval: true });
    expect(created.status).toBe(201);
    expect(created.body.approval).toBe(true);
    const patched = await request(t.app)
      .patch(`/api/v1/events/${slug}`)
      .set({ ...bearer(), 'Content-Type': 'application/merge-patch+json' })
      .send({ approval: false });
    expect(patched.status).toBe(200);
    expect((await request(t.app).get(`/api/v1/events/${slug}`).set(bearer())).body.approval).toBe(false);
    const bad = await request(t.app)
      .patch(`/api/v1/events/${slug}`)
      .set({ ...bearer(), 'Content-Type': 'application/merge-patch+json' })
      .send({ approval: 'yes' });
    expect(bad.status).toBe(422);
  });
});
