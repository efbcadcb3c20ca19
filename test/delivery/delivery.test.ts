import request from 'supertest';
import { importEvent } from '../../src/events';
import { promoteWaitingForEvent, eventRegistrants } from '../../src/registrations';
import type { Config } from '../../src/config';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
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
import { deliverDue, inviteOf, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';

/**
 * The confirmation, update and cancellation mails as a registrant receives them: registered through
 * the real form, delivered through a real SMTP server, parsed with mailparser, the invite read with
 * Mozilla's ical.js.
 */
async function register(t: TestApp, data: Record<string, string>, slug = 'tsunagaru-test') {
  const { agent, token } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData(data) }));
  expect(res.status).toBe(303);
}

async function rows(t: TestApp, sql: string, params: unknown[] = []) {
  return (await t.db.pool.query(sql, params)).rows;
}

/** The path of an absolute link, to request it from the app under test. */
function pathOf(url: string): string {
  return new URL(url).pathname;
}

describe('mail delivery and calendar invites', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let config: Config;
  let transport: MailTransport;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    sink = await startSmtpSink();
    config = mailConfig(t, sink.url);
    transport = createTransport(config);
  });
  afterAll(async () => {
    transport.close();
    await sink.close();
    await t.close();
  });
  beforeEach(async () => {
    t.clock.set('2026-12-01T00:00:00Z');
    sink.received.length = 0;
    sink.refuse(undefined);
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  });

  it('when a registrant confirms, then one mail arrives in their language with the zone line, personal links, passcode, and a REQUEST invite at the exact instant', async () => {
    await makeEvent(t);
    await register(t, { locale: 'ja', familyName: '山田', givenName: '花子' });
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);

    const [mail] = await sink.waitFor(1);
    const m = mail!.parsed;
    expect(mail!.to).toBe('hanako@example.org');
    expect(m.subject).toContain('TSUNAGARU 社会的連帯経済');
    expect(m.text).toContain('15:00–17:15 JST / 07:00–09:15 CET');
    expect(m.html).toContain('15:00–17:15 JST / 07:00–09:15 CET');
    expect(m.text).toContain('secret-pass');
    expect(m.text).toContain('https://materials.example/slides.pdf');
    expect(m.messageId).toMatch(/^<[0-9a-f-]{36}@events\.example\.org>$/);
    expect(m.date?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(m.replyTo?.text).toBe('tokyo@ilo.example');
    expect(m.from?.value[0]).toEqual({ name: 'ILO駐日事務所', address: 'no-reply@events.example.org' });
    expect(m.to && !Array.isArray(m.to) && m.to.value[0]).toEqual({
      name: '山田 花子',
      address: 'hanako@example.org',
    });
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    // The Japanese subject travels RFC 2047-encoded, never as raw 8-bit header bytes.
    expect(mail!.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);

    const invite = inviteOf(m)!;
    expect(invite.method).toBe('REQUEST');
    expect(invite.contentType).toContain('"method":"REQUEST"');
    expect(invite.start.toISOString()).toBe('2026-12-16T06:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-12-16T08:15:00.000Z');
    expect(invite.sequence).toBe(0);
    expect(invite.attendees.map((a) => ({ ...a, value: a.value.toLowerCase() }))).toEqual([
      { value: 'mailto:hanako@example.org', rsvp: 'FALSE' },
    ]);
    expect(invite.alarms).toEqual(['-PT15M']);
    expect(invite.summary).toBe('TSUNAGARU 社会的連帯経済');

    const links = linksIn(m);
    expect(links.join).toBeDefined();
    expect(links.manage).toBeDefined();
    expect(invite.description).toContain(links.join);
    // Only hashes are stored: the tokens themselves appear nowhere in the database.
    const [mailRow] = await rows(t, 'SELECT status, payload, message_id, subject FROM outgoing_mails');
    expect(mailRow).toMatchObject({ status: 'sent', payload: {}, message_id: m.messageId });
    const dump = JSON.stringify(await rows(t, 'SELECT * FROM registration_tokens'));
    expect(dump).not.toContain(links.join!.split('/').pop());
    expect(await rows(t, 'SELECT purpose FROM registration_tokens ORDER BY purpose')).toEqual([
      { purpose: 'join' },
      { purpose: 'manage' },
    ]);
  });

  it('when the join link is followed, then it redirects to the CURRENT meeting URL and records the first and last click; a HEAD records nothing', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    await deliverDue(t, transport, config);
    const join = pathOf(linksIn((await sink.waitFor(1))[0]!.parsed).join!);

    const head = await request(t.app).head(join);
    expect(head.status).toBe(302);
    expect(await rows(t, 'SELECT join_clicks FROM registrations')).toEqual([{ join_clicks: 0 }]);

    t.clock.set('2026-12-16T05:58:00Z');
    const first = await request(t.app).get(join);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('https://zoom.example/j/123');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(first.headers['cache-control']).toBe('no-store');

    await importTestEvent(t, eventDoc({ meetingUrl: 'https://zoom.example/j/456' }));
    t.clock.set('2026-12-16T06:05:00Z');
    const second = await request(t.app).get(join);
    expect(second.headers.location).toBe('https://zoom.example/j/456');
    expect(await rows(t, 'SELECT first_joined_at, last_joined_at, join_clicks FROM registrations')).toEqual([
      {
        first_joined_at: new Date('2026-12-16T05:58:00Z'),
        last_joined_at: new Date('2026-12-16T06:05:00Z'),
        join_clicks: 2,
      },
    ]);
  });

  it('when a join or manage token is invalid, then a clear page answers (404), never a redirect', async () => {
    await makeEvent(t);
    for (const path of ['/join/not-a-token', `/join/${'A'.repeat(43)}`, `/manage/${'B'.repeat(43)}`]) {
      const res = await request(t.app).get(`${path}?lang=en`);
      expect(res.status).toBe(404);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('This link is not valid');
    }
  });

  it('when the organiser moves the event, then the confirmed registrant gets an update with the same UID, a higher SEQUENCE and the previous time', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    await deliverDue(t, transport, config);
    await importTestEvent(
      t,
      eventDoc({ startsAt: '2026-12-17T15:00:00+09:00', endsAt: '2026-12-17T17:15:00+09:00' }),
    );
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);
    const [confirm, update] = await sink.waitFor(2);
    const before = inviteOf(confirm!.parsed)!;
    const after = inviteOf(update!.parsed)!;
    expect(update!.parsed.headers.get('x-tsunagaru-kind')).toBe('event.updated');
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBeGreaterThan(before.sequence);
    expect(after.method).toBe('REQUEST');
    expect(after.start.toISOString()).toBe('2026-12-17T06:00:00.000Z');
    expect(update!.parsed.text).toContain('Thu 17 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET');
    expect(update!.parsed.text).toContain('Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET');
  });

  it('when the event changes twice before the update goes out, then one update mail carries both changes', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    await deliverDue(t, transport, config);
    const opts = { now: t.clock.now(), actor: 'test' };
    await importEvent(
      t.db.pool,
      eventDoc({ title: { en: 'TSUNAGARU II', ja: 'つながる II' } }),
      opts,
      eventRegistrants,
    );
    await importEvent(
      t.db.pool,
      eventDoc({
        title: { en: 'TSUNAGARU II', ja: 'つながる II' },
        startsAt: '2026-12-16T16:00:00+09:00',
        endsAt: '2026-12-16T18:00:00+09:00',
      }),
      opts,
      eventRegistrants,
    );
    expect((await deliverDue(t, transport, config)).sort()).toEqual(['sent']);
    expect(await rows(t, `SELECT kind, status FROM outgoing_mails ORDER BY id`)).toEqual([
      { kind: 'registration.confirmed', status: 'sent' },
      { kind: 'event.updated', status: 'skipped' },
      { kind: 'event.updated', status: 'sent' },
    ]);
    const update = (await sink.waitFor(2))[1]!.parsed;
    expect(inviteOf(update)!.sequence).toBe(2);
    expect(update.subject).toContain('TSUNAGARU II');
    expect(update.text).toContain('16:00–18:00 JST');
  });

  it('when the registrant cancels on the manage page, then they get a CANCEL with the same UID and a higher SEQUENCE, and the first on the waiting list is promoted with a REQUEST', async () => {
    await makeEvent(t, { capacity: 1, waitlist: true });
    await register(t, { locale: 'en', email: 'first@example.org' });
    await register(t, { locale: 'ja', email: 'second@example.org' });
    await deliverDue(t, transport, config);
    const [confirmed, waitlisted] = await sink.waitFor(2);
    expect(waitlisted!.parsed.headers.get('x-tsunagaru-kind')).toBe('registration.waitlisted');
    expect(inviteOf(waitlisted!.parsed)).toBeUndefined();
    expect(linksIn(waitlisted!.parsed).join).toBeUndefined();

    const manage = pathOf(linksIn(confirmed!.parsed).manage!);
    const agent = request.agent(t.app);
    const page = await agent.get(manage);
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('Confirmed');
    const confirmPage = await agent.get(`${manage}/cancel`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirmPage.text)![1]!;

    const forged = await request(t.app).post(`${manage}/cancel`).type('form').send('_csrf=forged');
    expect(forged.status).toBe(403);
    expect(await rows(t, `SELECT status FROM registrations ORDER BY id`)).toEqual([
      { status: 'confirmed' },
      { status: 'waitlisted' },
    ]);

    const done = await agent
      .post(`${manage}/cancel`)
      .type('form')
      .send(encodeForm({ _csrf: csrf }));
    expect(done.status).toBe(303);
    expect(await rows(t, `SELECT email, status FROM registrations ORDER BY id`)).toEqual([
      { email: 'first@example.org', status: 'cancelled' },
      { email: 'second@example.org', status: 'confirmed' },
    ]);
    expect((await agent.get(String(done.headers.location))).text).toContain(
      'Your registration has been cancelled',
    );

    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const [, , cancel, promoted] = await sink.waitFor(4);
    const original = inviteOf(confirmed!.parsed)!;
    const cancelInvite = inviteOf(cancel!.parsed)!;
    expect(cancel!.to).toBe('first@example.org');
    expect(cancelInvite.method).toBe('CANCEL');
    expect(cancelInvite.contentType).toContain('"method":"CANCEL"');
    expect(cancelInvite.status).toBe('CANCELLED');
    expect(cancelInvite.uid).toBe(original.uid);
    expect(cancelInvite.sequence).toBeGreaterThan(original.sequence);
    expect(promoted!.to).toBe('second@example.org');
    expect(promoted!.parsed.headers.get('x-tsunagaru-kind')).toBe('registration.promoted');
    expect(inviteOf(promoted!.parsed)!.method).toBe('REQUEST');
    expect(linksIn(promoted!.parsed).join).toBeDefined();

    // The cancelled registrant's join link no longer opens the meeting.
    const join = await request(t.app).get(`${pathOf(linksIn(confirmed!.parsed).join!)}?lang=en`);
    expect(join.status).toBe(200);
    expect(join.text).toContain('Your registration has been cancelled');
  });

  it('when the organiser cancels the event, then confirmed registrants get a CANCEL and waiting ones a plain notice', async () => {
    await makeEvent(t, { capacity: 1, waitlist: true });
    await register(t, { locale: 'en', email: 'first@example.org' });
    await register(t, { locale: 'en', email: 'second@example.org' });
    await deliverDue(t, transport, config);
    const saved = await importTestEvent(t, eventDoc({ capacity: 1, waitlist: true, status: 'cancelled' }));
    expect(saved.notified).toBe(2);
    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const [confirmed, , cancelled, notice] = await sink.waitFor(4);
    const c = inviteOf(cancelled!.parsed)!;
    expect(cancelled!.to).toBe('first@example.org');
    expect(c).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', uid: inviteOf(confirmed!.parsed)!.uid });
    expect(c.sequence).toBeGreaterThan(inviteOf(confirmed!.parsed)!.sequence);
    expect(notice!.to).toBe('second@example.org');
    expect(notice!.parsed.headers.get('x-tsunagaru-kind')).toBe('event.cancelled');
    expect(inviteOf(notice!.parsed)).toBeUndefined();
  });

  it('when the registrant changes their mail language on the manage page, then later mails come in that language', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    await deliverDue(t, transport, config);
    const manage = pathOf(linksIn((await sink.waitFor(1))[0]!.parsed).manage!);
    const agent = request.agent(t.app);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get(manage)).text)![1]!;

    const bad = await agent
      .post(manage)
      .type('form')
      .send(encodeForm({ _csrf: csrf, locale: 'fr', interpretation: 'ja' }));
    expect(bad.status).toBe(422);
    expect(await rows(t, 'SELECT locale, interpretation FROM registrations')).toEqual([
      { locale: 'en', interpretation: 'ja' },
    ]);

    const ok = await agent
      .post(manage)
      .type('form')
      .send(encodeForm({ _csrf: csrf, locale: 'ja', interpretation: 'en' }));
    expect(ok.status).toBe(303);
    expect(await rows(t, 'SELECT locale, interpretation FROM registrations')).toEqual([
      { locale: 'ja', interpretation: 'en' },
    ]);
    await importTestEvent(t, eventDoc({ startsAt: '2026-12-16T14:00:00+09:00' }));
    await deliverDue(t, transport, config);
    const update = (await sink.waitFor(2))[1]!.parsed;
    expect(update.subject).toContain('TSUNAGARU 社会的連帯経済');
    expect(update.text).toContain('14:00–17:15 JST');
  });

  it('when a registration is cancelled before its confirmation was delivered, then the confirmation is skipped with the reason and only the cancellation (without invite) goes out', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    const [{ id }] = await rows(t, 'SELECT id FROM registrations');
    // The state a cancellation leaves (status, a higher invite revision, the cancellation mail) while the
    // confirmation still waits: no manage link exists yet to cancel through.
    await t.db.pool.query(
      `UPDATE registrations SET status = 'cancelled', invite_revision = 1 WHERE id = $1`,
      [id],
    );
    await t.db.pool.query(
      `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale)
       SELECT 'registration.cancelled', event_id, id, email, locale FROM registrations`,
    );
    expect(await deliverDue(t, transport, config)).toEqual(['skipped', 'sent']);
    expect(await rows(t, `SELECT kind, status, last_error FROM outgoing_mails ORDER BY id`)).toEqual([
      {
        kind: 'registration.confirmed',
        status: 'skipped',
        last_error: 'registration_not_confirmed',
      },
      { kind: 'registration.cancelled', status: 'sent', last_error: null },
    ]);
    const [cancel] = await sink.waitFor(1);
    expect(inviteOf(cancel!.parsed)).toBeUndefined();
  });

  it('when someone registers again with the same address, then the registered address gets a mail with its manage link, and no second registration exists', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en', email: 'Hanako@Example.org' });
    await register(t, { locale: 'ja', email: 'hanako@example.org' });
    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const [, again] = await sink.waitFor(2);
    // The form keeps the local part as typed and lower-cases the domain.
    expect(again!.to).toBe('Hanako@example.org');
    expect(again!.parsed.headers.get('x-tsunagaru-kind')).toBe('registration.already_registered');
    expect(linksIn(again!.parsed).manage).toBeDefined();
    expect(await rows(t, 'SELECT count(*)::int AS n FROM registrations')).toEqual([{ n: 1 }]);
  });

  it('when the organiser raises the capacity, then a promotion job is queued with the change and the first waiting registrant gets the seat and a confirmation', async () => {
    const event = await makeEvent(t, { capacity: 1, waitlist: true });
    await register(t, { email: 'first@example.org' });
    await register(t, { email: 'second@example.org' });
    await register(t, { email: 'third@example.org' });
    await t.db.pool.query(`DELETE FROM pgboss.job WHERE name = 'waitlist-promote'`);
    await importTestEvent(t, eventDoc({ capacity: 2, waitlist: true }));
    expect(await rows(t, `SELECT data FROM pgboss.job WHERE name = 'waitlist-promote'`)).toEqual([
      { data: { eventId: event.id } },
    ]);
    expect(await promoteWaitingForEvent(t.db.pool, event.id, t.clock.now())).toBe(1);
    expect(await rows(t, 'SELECT email, status FROM registrations ORDER BY id')).toEqual([
      { email: 'first@example.org', status: 'confirmed' },
      { email: 'second@example.org', status: 'confirmed' },
      { email: 'third@example.org', status: 'waitlisted' },
    ]);
    expect(
      await rows(t, `SELECT recipient FROM outgoing_mails WHERE kind = 'registration.promoted'`),
    ).toEqual([{ recipient: 'second@example.org' }]);
  });

  it('when the registrant cancels while a mail to them is being sent, then neither waits for the other, and the cancellation that follows carries the CANCEL', async () => {
    await makeEvent(t, { capacity: 1, waitlist: true });
    await register(t, { email: 'first@example.org' });
    await register(t, { email: 'second@example.org' });
    await deliverDue(t, transport, config);
    const [confirmed, waitlisted] = await sink.waitFor(2);
    await importTestEvent(
      t,
      eventDoc({ capacity: 1, waitlist: true, startsAt: '2026-12-16T14:00:00+09:00' }),
    );

    // A mail server that holds the update until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let sending!: () => void;
    const started = new Promise<void>((r) => (sending = r));
    const slow: MailTransport = {
      ...transport,
      async send(message, meta) {
        sending();
        await held;
        return transport.send(message, meta);
      },
    };
    const delivery = deliverDue(t, slow, config);
    await started;

    const within = <T>(p: Promise<T>) =>
      Promise.race([
        p,
        new Promise<never>((_, no) => setTimeout(() => no(new Error('blocked by the delivery')), 3000)),
      ]);
    const manage = pathOf(linksIn(confirmed!.parsed).manage!);
    const agent = request.agent(t.app);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get(`${manage}/cancel`)).text)![1]!;
    const cancelled = await within(
      agent
        .post(`${manage}/cancel`)
        .type('form')
        .send(encodeForm({ _csrf: csrf })),
    );
    expect(cancelled.status).toBe(303);
    const waiting = pathOf(linksIn(waitlisted!.parsed).manage!);
    const other = request.agent(t.app);
    const csrf2 = /name="_csrf" value="([^"]+)"/.exec((await other.get(waiting)).text)![1]!;
    const saved = await within(
      other
        .post(waiting)
        .type('form')
        .send(encodeForm({ _csrf: csrf2, locale: 'en', interpretation: 'en' })),
    );
    expect(saved.status).toBe(303);

    release();
    expect(await delivery).toEqual(['sent']);
    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const [, , update, cancel, promoted] = await sink.waitFor(5);
    expect(update!.to).toBe('first@example.org');
    expect(cancel!.to).toBe('first@example.org');
    const c = inviteOf(cancel!.parsed)!;
    expect(c.method).toBe('CANCEL');
    expect(c.sequence).toBeGreaterThan(inviteOf(update!.parsed)!.sequence);
    expect(promoted!.to).toBe('second@example.org');
  });

  it('when a mail cannot be rendered, then it is marked failed with the reason instead of being retried', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    // A kind this version has no templates for (say, written by a newer version before a rollback).
    await t.db.pool.query(`UPDATE outgoing_mails SET kind = 'registration.unheard-of'`);
    expect(await deliverDue(t, transport, config)).toEqual(['failed']);
    const [row] = await rows(t, 'SELECT status, last_error FROM outgoing_mails');
    expect(row).toMatchObject({ status: 'failed' });
    expect(String(row!.last_error)).toMatch(/^could not prepare the mail: /);
    expect(sink.received).toHaveLength(0);
  });

  it('when a published event goes back to draft, changes time, and is published again, then confirmed registrants get one update with the new time', async () => {
    await makeEvent(t);
    await register(t, { locale: 'en' });
    await deliverDue(t, transport, config);
    const opts = { now: t.clock.now(), actor: 'test' };
    await importEvent(
      t.db.pool,
      eventDoc({ status: 'draft', startsAt: '2026-12-16T13:00:00+09:00' }),
      opts,
      eventRegistrants,
    );
    expect(await deliverDue(t, transport, config)).toEqual([]);
    const join = pathOf(linksIn((await sink.waitFor(1))[0]!.parsed).join!);
    const page = await request(t.app).get(`${join}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The meeting link is not available yet');

    const republished = await importEvent(
      t.db.pool,
      eventDoc({ startsAt: '2026-12-16T13:00:00+09:00' }),
      opts,
      eventRegistrants,
    );
    expect(republished.notified).toBe(1);
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);
    const update = (await sink.waitFor(2))[1]!.parsed;
    expect(inviteOf(update)!.start.toISOString()).toBe('2026-12-16T04:00:00.000Z');
    expect(update.text).toContain('13:00–17:15 JST');
  });
});
