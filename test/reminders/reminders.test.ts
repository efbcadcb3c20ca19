import request from 'supertest';
import type { Config } from '../../src/config';
import { patchEvent } from '../../src/events';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { queueDueMails } from '../../src/reminders';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { deliverDue, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp';
import { eventRegistrants } from '../../src/registrations';

/**
 * Reminders and the follow-up with a hand-moved clock: registered through the real form, written by
 * the schedule (queueDueMails, as the worker's ticker runs it), delivered through a real SMTP server.
 * The event starts 2026-12-16 15:00 JST (06:00 UTC) and ends 17:15 JST.
 */
const START = Date.parse('2026-12-16T06:00:00Z');
const END = Date.parse('2026-12-16T08:15:00Z');
const minutes = (n: number) => n * 60_000;
const before = (ms: number) => new Date(START - ms).toISOString();

async function register(t: TestApp, data: Record<string, string>, slug = 'tsunagaru-test') {
  const { agent, token } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData(data) }));
  expect(res.status).toBe(303);
}

async function rows<T = Record<string, unknown>>(t: TestApp, sql: string, params: unknown[] = []) {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** A header as it was sent (unfolded), read from the raw message: mailparser reshapes the List-* ones. */
const header = (m: ReceivedMail, name: string) => {
  const head = m.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
};
const kindOf = (m: ReceivedMail) => header(m, 'X-Tsunagaru-Kind');
const reminders = (mails: ReceivedMail[]) => mails.filter((m) => kindOf(m) === 'event.reminder');

describe('reminders and the follow-up', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let config: Config;
  let transport: MailTransport;

  /** Moves the clock, runs the schedule as the worker would, and delivers what is due. */
  async function at(instant: string) {
    t.clock.set(instant);
    const written = await queueDueMails(t.db.pool, t.clock.now());
    const outcomes = await deliverDue(t, transport, config);
    return { written, outcomes };
  }

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
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    await deliverDue(t, transport, config);
    sink.received.length = 0;
  });

  /** An event with reminders 1 day, 3 hours and 30 minutes before, and one registrant who confirmed. */
  async function eventWithRegistrant(reminderOffsets = ['P1D', 'PT3H', 'PT30M']) {
    await makeEvent(t, { reminders: reminderOffsets, registrationClosesAt: null });
    await register(t, { email: 'hanako@example.org', locale: 'ja' });
    await deliverDue(t, transport, config);
    sink.received.length = 0;
  }

  it('when each moment comes (1 day, 3 hours, 30 minutes before), then that reminder goes once, in the registrant language, with times in JST and CET, join link, passcode, manage and unsubscribe links', async () => {
    await eventWithRegistrant();

    expect((await at(before(minutes(24 * 60 + 1)))).written).toBe(0);
    expect(sink.received).toHaveLength(0);

    const day = await at(before(minutes(24 * 60)));
    expect(day.written).toBe(1);
    expect(day.outcomes).toEqual(['sent']);
    const [first] = reminders(sink.received);
    expect(first!.to).toBe('hanako@example.org');
    expect(first!.parsed.subject).toContain('【リマインダー】');
    expect(first!.parsed.subject).toContain('1日後');
    expect(first!.parsed.text).toContain('15:00–17:15 JST / 07:00–09:15 CET');
    expect(first!.parsed.text).toContain('secret-pass');
    expect(linksIn(first!.parsed).join).toBeDefined();
    expect(linksIn(first!.parsed).manage).toBeDefined();
    const unsubscribeUrl = /https:\/\/events\.example\.org\/unsubscribe\/[A-Za-z0-9_-]{43}/.exec(
      header(first!, 'List-Unsubscribe') ?? '',
    )?.[0];
    expect(unsubscribeUrl).toBeDefined();
    expect(first!.parsed.text).toContain(unsubscribeUrl);

    // The schedule runs every few seconds: running it again at the same moment writes nothing new.
    expect((await at(before(minutes(24 * 60 - 5)))).written).toBe(0);
    expect(reminders(sink.received)).toHaveLength(1);

    await at(before(minutes(3 * 60)));
    await at(before(minutes(30)));
    await at(before(minutes(29)));
    const subjects = reminders(sink.received).map((m) => m.parsed.subject);
    expect(subjects).toHaveLength(3);
    expect(subjects[1]).toContain('3時間後');
    expect(subjects[2]).toContain('30分後');
    const topics = await rows(
      t,
      `SELECT topic, status FROM outgoing_mails WHERE topic IS NOT NULL ORDER BY id`,
    );
    expect(topics).toEqual([
      { topic: 'reminder:P1D', status: 'sent' },
      { topic: 'reminder:PT3H', status: 'sent' },
      { topic: 'reminder:PT30M', status: 'sent' },
    ]);
  });

  it('when an English registrant is reminded, then the mail is in English and says how long until the start', async () => {
    await makeEvent(t, { reminders: ['PT1H'], registrationClosesAt: null });
    await register(t, { email: 'alex@example.org', locale: 'en', familyName: 'Smith', givenName: 'Alex' });
    await deliverDue(t, transport, config);
    sink.received.length = 0;
    await at(before(minutes(60)));
    const [mail] = reminders(sink.received);
    expect(mail!.parsed.subject).toBe('Reminder: TSUNAGARU by Social & Solidarity Economy starts in 1 hour');
    expect(header(mail!, 'Content-Language')).toBe('en');
  });

  it('when someone registers after the 1-day moment, then they get no stale 1-day reminder but do get the later ones', async () => {
    await makeEvent(t, { reminders: ['P1D', 'PT1H'], registrationClosesAt: null });
    await register(t, { email: 'early@example.org' });
    await at(before(minutes(24 * 60)));
    t.clock.set(before(minutes(20 * 60)));
    await register(t, { email: 'late@example.org' });
    await at(before(minutes(20 * 60 - 1)));
    await at(before(minutes(60)));

    const got = reminders(sink.received).map(
      (m) => `${m.to} ${m.parsed.subject?.includes('1日後') ? 'P1D' : 'PT1H'}`,
    );
    expect(got.sort()).toEqual(['early@example.org P1D', 'early@example.org PT1H', 'late@example.org PT1H']);
  });

  it('when the event moves a day later after the 1-day reminder went, then it is not repeated and the 1-hour reminder follows the new start', async () => {
    await eventWithRegistrant(['P1D', 'PT1H']);
    await at(before(minutes(24 * 60)));
    expect(reminders(sink.received)).toHaveLength(1);

    await patchEvent(
      t.db.pool,
      'tsunagaru-test',
      { startsAt: '2026-12-17T15:00:00+09:00', endsAt: '2026-12-17T17:15:00+09:00' },
      { now: t.clock.now(), actor: 'test' },
      eventRegistrants,
    );
    // The old 1-hour moment: nothing (the update mail goes, no reminder).
    await at(before(minutes(60)));
    expect(reminders(sink.received)).toHaveLength(1);
    // A day later the 1-day moment comes again for the new start; it was sent already, so nothing.
    await at(new Date(START + minutes(60)).toISOString());
    expect(reminders(sink.received)).toHaveLength(1);
    // The new 1-hour moment.
    await at(new Date(START + minutes(23 * 60)).toISOString());
    const sent = reminders(sink.received);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.parsed.subject).toContain('1時間後');
    expect(sent[1]!.parsed.text).toContain('12月17日');
  });

  it('when the event moves later while a due reminder waits to be delivered, then it is taken back and goes at its new moment; moved back, it goes at the old one', async () => {
    await eventWithRegistrant(['PT1H']);
    t.clock.set(before(minutes(60)));
    expect(await queueDueMails(t.db.pool, t.clock.now())).toBe(1);
    const move = (startsAt: string, endsAt: string) =>
      patchEvent(
        t.db.pool,
        'tsunagaru-test',
        { startsAt, endsAt },
        { now: t.clock.now(), actor: 'test' },
        eventRegistrants,
      );
    await move('2026-12-16T18:00:00+09:00', '2026-12-16T19:00:00+09:00');
    expect(await deliverDue(t, transport, config)).toContain('retracted');
    expect(reminders(sink.received)).toHaveLength(0);
    expect(await rows(t, `SELECT id FROM outgoing_mails WHERE topic = 'reminder:PT1H'`)).toEqual([]);

    // Moved back a few minutes later: the reminder is due again at once, and goes.
    t.clock.set(before(minutes(55)));
    await move('2026-12-16T15:00:00+09:00', '2026-12-16T17:15:00+09:00');
    await at(before(minutes(54)));
    expect(reminders(sink.received)).toHaveLength(1);

    // Moved later again after it went: nothing more at the new 1-hour moment.
    await move('2026-12-16T18:00:00+09:00', '2026-12-16T19:00:00+09:00');
    await at(new Date(START + minutes(120)).toISOString());
    expect(reminders(sink.received)).toHaveLength(1);
  });

  it('when a registrant is cancelled while their reminder waits and then restored, then the reminder still reaches them', async () => {
    await eventWithRegistrant(['PT1H']);
    t.clock.set(before(minutes(60)));
    await queueDueMails(t.db.pool, t.clock.now());
    await t.db.pool.query(`UPDATE registrations SET status = 'cancelled', cancelled_at = now()`);
    expect(await deliverDue(t, transport, config)).toContain('retracted');
    await t.db.pool.query(`UPDATE registrations SET status = 'confirmed', cancelled_at = NULL`);
    await at(before(minutes(50)));
    expect(reminders(sink.received)).toHaveLength(1);
  });

  it('when the registration is cancelled or on the waiting list, or the event is cancelled, then no reminder goes to them', async () => {
    await makeEvent(t, { reminders: ['PT2H', 'PT1H'], registrationClosesAt: null });
    await register(t, { email: 'left@example.org' });
    await register(t, { email: 'waiting@example.org' });
    await register(t, { email: 'seat@example.org' });
    await t.db.pool.query(
      `UPDATE registrations SET status = 'cancelled', cancelled_at = now() WHERE email = 'left@example.org'`,
    );
    await t.db.pool.query(
      `UPDATE registrations SET status = 'waitlisted' WHERE email = 'waiting@example.org'`,
    );
    await deliverDue(t, transport, config);
    sink.received.length = 0;

    await at(before(minutes(120)));
    expect(reminders(sink.received).map((m) => m.to)).toEqual(['seat@example.org']);

    await t.db.pool.query(`UPDATE events SET status = 'cancelled'`);
    await at(before(minutes(60)));
    expect(reminders(sink.received)).toHaveLength(1);
  });

  it('when the worker was down through the 1-day and 3-hour moments, then only the latest due reminder goes, the earlier ones are skipped with the reason', async () => {
    await eventWithRegistrant();
    await at(before(minutes(2 * 60)));
    const sent = reminders(sink.received);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.parsed.subject).toContain('2時間後');
    const topics = await rows(
      t,
      `SELECT topic, status, last_error FROM outgoing_mails WHERE topic IS NOT NULL ORDER BY topic`,
    );
    expect(topics).toEqual([
      { topic: 'reminder:P1D', status: 'skipped', last_error: 'later_reminder_due:PT3H' },
      { topic: 'reminder:PT3H', status: 'sent', last_error: null },
    ]);
  });

  it('when the organiser removes a reminder that is waiting to be delivered, then it is skipped', async () => {
    await eventWithRegistrant(['PT1H']);
    t.clock.set(before(minutes(60)));
    await queueDueMails(t.db.pool, t.clock.now());
    await patchEvent(
      t.db.pool,
      'tsunagaru-test',
      { reminders: [] },
      { now: t.clock.now(), actor: 'test' },
      eventRegistrants,
    );
    expect(await deliverDue(t, transport, config)).toEqual(['skipped']);
    expect(reminders(sink.received)).toHaveLength(0);
  });

  it('when the schedule runs in four workers at once over 1,200 registrants, then each gets exactly one row per reminder', async () => {
    await makeEvent(t, { reminders: ['PT1H'], registrationClosesAt: null });
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
         interpretation, consented_at, created_at)
       SELECT (SELECT id FROM events), 'confirmed', 'r' || g || '@example.org', 'Family', 'Given', 'cooperative', 'JP',
              'en', 'en', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'
         FROM generate_series(1, 1200) AS g`,
    );
    const now = new Date(before(minutes(60)));
    const counts = await Promise.all(
      [1, 2, 3, 4].map(() => queueDueMails(t.db.pool, now, { batchSize: 100 })),
    );
    // Each worker either wrote batches or found the topic taken; between them, everyone once.
    await queueDueMails(t.db.pool, now, { batchSize: 100 });
    const [tally] = await rows<{ n: string; distinct: string }>(
      t,
      `SELECT count(*) AS n, count(DISTINCT registration_id) AS distinct FROM outgoing_mails WHERE topic = 'reminder:PT1H'`,
    );
    expect(tally).toEqual({ n: '1200', distinct: '1200' });
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1200);
    // Each row is its own delivery job: queued and due at once.
    const [due] = await rows<{ n: string }>(
      t,
      `SELECT count(*) AS n FROM outgoing_mails
        WHERE topic = 'reminder:PT1H' AND status = 'queued' AND next_attempt_at <= now()`,
    );
    expect(due).toEqual({ n: '1200' });
  });

  describe('unsubscribing (RFC 8058)', () => {
    async function unsubscribeLink() {
      await eventWithRegistrant(['P1D', 'PT1H']);
      await at(before(minutes(24 * 60)));
      const [mail] = reminders(sink.received);
      expect(header(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const list = header(mail!, 'List-Unsubscribe')!;
      expect(list).toMatch(
        /^<https:\/\/events\.example\.org\/unsubscribe\/[A-Za-z0-9_-]{43}>, <mailto:tokyo@ilo\.example\?subject=Unsubscribe&body=https/,
      );
      return new URL(/<(https:[^>]+)>/.exec(list)![1]!).pathname;
    }

    it('when a mail provider POSTs List-Unsubscribe=One-Click with no cookie, then no further reminder goes, and confirmation and update mails still do', async () => {
      const path = await unsubscribeLink();
      const res = await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click');
      expect(res.status).toBe(200);
      expect(res.text).toContain('配信を停止しました');
      const [reg] = await rows<{ unsubscribed_at: Date | null }>(
        t,
        'SELECT unsubscribed_at FROM registrations',
      );
      expect(reg!.unsubscribed_at).not.toBeNull();
      const [audit] = await rows(
        t,
        `SELECT actor, action FROM audit_log WHERE action = 'registration.unsubscribed'`,
      );
      expect(audit).toEqual({ actor: 'attendee:hanako@example.org', action: 'registration.unsubscribed' });

      await at(before(minutes(60)));
      expect(reminders(sink.received)).toHaveLength(1);
      // A change is transactional: it still reaches them.
      await patchEvent(
        t.db.pool,
        'tsunagaru-test',
        { meetingUrl: 'https://zoom.example/j/456' },
        { now: t.clock.now(), actor: 'test' },
        eventRegistrants,
      );
      await deliverDue(t, transport, config);
      expect(sink.received.map(kindOf)).toContain('event.updated');
      const updated = sink.received.find((m) => kindOf(m) === 'event.updated')!;
      expect(header(updated, 'List-Unsubscribe')).toBeUndefined();
    });

    it('when a reminder row is already waiting at the moment of the POST, then it is skipped at once', async () => {
      const path = await unsubscribeLink();
      t.clock.set(before(minutes(60)));
      await queueDueMails(t.db.pool, t.clock.now());
      await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
      const [row] = await rows(
        t,
        `SELECT status, last_error FROM outgoing_mails WHERE topic = 'reminder:PT1H'`,
      );
      expect(row).toEqual({ status: 'skipped', last_error: 'unsubscribed' });
      expect(await deliverDue(t, transport, config)).toEqual([]);
    });

    it('when the link is opened (GET), then a confirmation page in the registrant language asks first and changes nothing; resuming brings reminders back', async () => {
      const path = await unsubscribeLink();
      const page = await request(t.app).get(path);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('配信を停止する');
      expect(page.text).toContain('TSUNAGARU 社会的連帯経済');
      expect(page.text).toContain('data-state="subscribed"');
      const [reg] = await rows<{ unsubscribed_at: Date | null }>(
        t,
        'SELECT unsubscribed_at FROM registrations',
      );
      expect(reg!.unsubscribed_at).toBeNull();

      await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
      const again = await request(t.app).get(`${path}?lang=en`);
      expect(again.text).toContain('data-state="unsubscribed"');
      expect(again.text).toContain('Receive them again');
      await request(t.app).post(`${path}/resume`).type('form').send('').expect(200);
      await at(before(minutes(60)));
      expect(reminders(sink.received)).toHaveLength(2);
    });

    it('when the token is unknown, or an unsubscribe token is used as a manage link, then the link is refused and nothing changes', async () => {
      const path = await unsubscribeLink();
      const token = path.split('/').pop()!;
      await request(t.app).post('/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
      await request(t.app).get(`/manage/${token}`).expect(404);
      await request(t.app).get(`/join/${token}`).expect(404);
      const [reg] = await rows<{ unsubscribed_at: Date | null }>(
        t,
        'SELECT unsubscribed_at FROM registrations',
      );
      expect(reg!.unsubscribed_at).toBeNull();
    });

    it('when the registrant unticks reminders on their manage page, then none come until they tick the box again', async () => {
      await makeEvent(t, { reminders: ['PT2H', 'PT1H'], registrationClosesAt: null });
      await register(t, { email: 'hanako@example.org', locale: 'en' });
      await deliverDue(t, transport, config);
      const manage = new URL(linksIn(sink.received[0]!.parsed).manage!).pathname;
      const agent = request.agent(t.app);
      const page = await agent.get(manage);
      expect(page.text).toMatch(
        /name="reminders" type="checkbox" value="yes" aria-describedby="reminders-hint" checked/,
      );
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const save = (extra: Record<string, string>) =>
        agent
          .post(manage)
          .type('form')
          .send(
            encodeForm({ _csrf: csrf, locale: 'en', interpretation: 'en', remindersShown: '1', ...extra }),
          );
      expect((await save({})).status).toBe(303);
      await at(before(minutes(120)));
      expect(reminders(sink.received)).toHaveLength(0);
      const [audit] = await rows<{ data: unknown }>(
        t,
        `SELECT data FROM audit_log WHERE action = 'registration.preferences_changed'`,
      );
      expect(audit!.data).toMatchObject({ before: { reminders: true }, after: { reminders: false } });

      expect((await save({ reminders: 'yes' })).status).toBe(303);
      await at(before(minutes(60)));
      expect(reminders(sink.received)).toHaveLength(1);
    });

    it('when a confirmation goes out, then it carries no List-Unsubscribe: it is transactional', async () => {
      await makeEvent(t, { registrationClosesAt: null });
      await register(t, { email: 'hanako@example.org' });
      await deliverDue(t, transport, config);
      const [confirmation] = sink.received;
      expect(kindOf(confirmation!)).toBe('registration.confirmed');
      expect(header(confirmation!, 'List-Unsubscribe')).toBeUndefined();
      expect(header(confirmation!, 'List-Unsubscribe-Post')).toBeUndefined();
    });
  });

  describe('the follow-up', () => {
    const followUp = {
      after: 'PT2H',
      attended: { en: 'Thank you for being with us.', ja: 'ご参加ありがとうございました。' },
      absent: { en: 'The recording is below for you.', ja: '録画を下記からご覧いただけます。' },
      materials: [{ title: { en: 'Recording', ja: '録画' }, url: 'https://materials.example/recording' }],
    };

    it('when the follow-up moment comes, then those who used their join link get the thank-you version and the others the version for those who missed it, each once', async () => {
      await makeEvent(t, { registrationClosesAt: null, reminders: [], followUp });
      await register(t, { email: 'came@example.org', locale: 'en' });
      await register(t, { email: 'missed@example.org', locale: 'ja' });
      await register(t, { email: 'left@example.org', locale: 'en' });
      await deliverDue(t, transport, config);
      const confirmation = sink.received.find((m) => m.to === 'came@example.org')!;
      sink.received.length = 0;
      await t.db.pool.query(`UPDATE registrations SET status = 'cancelled' WHERE email = 'left@example.org'`);

      // The registrant follows their join link during the event.
      t.clock.set(new Date(START + minutes(5)).toISOString());
      const join = await request(t.app).get(new URL(linksIn(confirmation.parsed).join!).pathname);
      expect(join.status).toBe(302);

      expect((await at(new Date(END + minutes(119)).toISOString())).written).toBe(0);
      await at(new Date(END + minutes(120)).toISOString());
      await at(new Date(END + minutes(180)).toISOString());

      const followUps = sink.received.filter((m) => kindOf(m) === 'event.follow_up');
      expect(followUps.map((m) => m.to).sort()).toEqual(['came@example.org', 'missed@example.org']);
      const came = followUps.find((m) => m.to === 'came@example.org')!;
      const missed = followUps.find((m) => m.to === 'missed@example.org')!;
      expect(came.parsed.subject).toBe('Thank you for joining: TSUNAGARU by Social & Solidarity Economy');
      expect(came.parsed.text).toContain('Thank you for being with us.');
      expect(came.parsed.text).not.toContain('The recording is below for you.');
      expect(came.parsed.text).toContain('https://materials.example/recording');
      expect(missed.parsed.text).toContain('録画を下記からご覧いただけます。');
      expect(missed.parsed.text).not.toContain('ご参加ありがとうございました。');
      expect(header(missed, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    });

    it('when the event has no follow-up, or it is removed before its moment, then none goes', async () => {
      await makeEvent(t, { registrationClosesAt: null, reminders: [], followUp });
      await register(t, { email: 'came@example.org' });
      await deliverDue(t, transport, config);
      sink.received.length = 0;
      t.clock.set(new Date(END + minutes(120)).toISOString());
      await queueDueMails(t.db.pool, t.clock.now());
      await patchEvent(
        t.db.pool,
        'tsunagaru-test',
        { followUp: null },
        { now: t.clock.now(), actor: 'test' },
        eventRegistrants,
      );
      await deliverDue(t, transport, config);
      await at(new Date(END + minutes(240)).toISOString());
      expect(sink.received.filter((m) => kindOf(m) === 'event.follow_up')).toHaveLength(0);
    });
  });
});
