import type { Config } from '../../src/config';
import { deliverDueMails, deliverMail, type DeliveryDeps } from '../../src/delivery/delivery.job';
import { SendGate } from '../../src/delivery/send-gate';
import { createPool } from '../../src/db/pool';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { eventDoc, importTestEvent, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { mintLinkToken } from '../../src/registrations';
import { unsubscribe } from '../../src/reminders';
import { fastRetries, mailConfig } from '../helpers/mail';
import { registerOnForm } from '../helpers/privacy';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { startTcpRelay } from '../helpers/tcp-relay';
import { waitUntil } from '../helpers/workers';

/**
 * Delivery under a lease: a mail is claimed in one short transaction, sent with no database connection
 * held, and its outcome recorded only under the claim that sent it. The SMTP server is real and holds
 * its answer to DATA until the test lets it go, so each test looks at the database mid-send.
 */
describe('mail delivery under a lease', () => {
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
    // A test that failed while the server held its answers leaves none held for the next.
    sink.release();
    sink.received.length = 0;
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  });

  const deps = (over: Partial<DeliveryDeps> = {}): DeliveryDeps => ({
    pool: t.db.pool,
    transport,
    config,
    now: t.clock.now,
    policy: fastRetries,
    ...over,
  });

  async function mails(): Promise<{ id: number; kind: string; status: string; message_id: string | null }[]> {
    const res = await t.db.pool.query(
      'SELECT id::int, kind, status, message_id FROM outgoing_mails ORDER BY id',
    );
    return res.rows;
  }

  /**
   * `count` registrants' confirmations, delivered through four connections to `server`, which holds its
   * answers: resolves once two messages have reached their end and the other two connections have
   * theirs under way, waiting before the end.
   */
  async function twoAtTheirEnd(server: SmtpSink, count: number, over: Partial<DeliveryDeps> = {}) {
    await makeEvent(t);
    for (let i = 0; i < count; i++) await registerOnForm(t, 'tsunagaru-test', { email: `p${i}@example.org` });
    server.hold();
    const delivering = deliverDueMails(deps({ gate: new SendGate(4), ...over }), count);
    await waitUntil('two messages have reached their end', () => server.held().length >= 2);
    await waitUntil('four connections send', () => server.connections().length === 4);
    return { delivering };
  }

  it('when a mail is being sent and the server has not answered yet, then no database connection is checked out and no transaction is open', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { locale: 'en' });
    const [mail] = await mails();
    sink.hold();
    const delivery = deliverMail(deps(), mail!.id);
    await waitUntil('the mail waits for its answer', () => sink.held().length === 1);

    // Read before any query of the test's own checks a client out.
    expect(t.db.pool.totalCount - t.db.pool.idleCount).toBe(0);
    const open = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`,
    );
    expect(open.rows[0]).toEqual({ n: 0 });
    const leased = await t.db.pool.query(
      'SELECT status, locked_until > now() AS leased FROM outgoing_mails WHERE id = $1',
      [mail!.id],
    );
    expect(leased.rows[0]).toEqual({ status: 'sending', leased: true });

    sink.release();
    expect(await delivery).toBe('sent');
    expect((await mails())[0]).toMatchObject({ status: 'sent' });
  });

  it('when a lease runs out mid-send and another worker takes the mail over, then the first worker’s late answer does not overwrite the second’s outcome', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { locale: 'en' });
    const [mail] = await mails();
    // The first worker's server hangs past its (one-second) lease.
    const slowSink = await startSmtpSink();
    const slowTransport = createTransport(mailConfig(t, slowSink.url));
    try {
      slowSink.hold();
      const first = deliverMail(deps({ transport: slowTransport, leaseSeconds: 1 }), mail!.id);
      await waitUntil('the first worker waits for its answer', () => slowSink.held().length === 1);
      expect(await deliverMail(deps(), mail!.id)).toBe('not_due');
      await new Promise((r) => setTimeout(r, 1200));

      // Its lease has run out: the mail is due again and a second worker sends it.
      expect(await deliverMail(deps(), mail!.id)).toBe('sent');
      const [second] = await sink.waitFor(1);
      const recorded = (await mails())[0]!;
      expect(recorded).toMatchObject({ status: 'sent', message_id: second!.parsed.messageId });

      slowSink.release();
      expect(await first).toBe('taken_over');
      expect((await mails())[0]).toEqual(recorded);
      expect(await deliverMail(deps(), mail!.id)).toBe('not_due');
    } finally {
      slowTransport.close();
      await slowSink.close();
    }
  });

  it('when the event changes while the confirmation is in flight, then the update waits for it, never two mails to the registrant are in flight, and the update goes second', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { locale: 'en' });
    const [confirmation] = await mails();
    sink.hold();
    const sending = deliverMail(deps(), confirmation!.id);
    await waitUntil('the confirmation is in flight', () => sink.held().length === 1);
    await importTestEvent(t, eventDoc({ startsAt: '2026-12-16T14:00:00+09:00' }));
    const update = (await mails())[1]!;
    expect(update.kind).toBe('event.updated');

    // Refused while the confirmation is leased, even with a worker on each job.
    expect(await Promise.all([deliverMail(deps(), update.id), deliverMail(deps(), update.id)])).toEqual([
      'busy',
      'busy',
    ]);
    expect(sink.held()).toHaveLength(1);

    sink.release();
    expect(await sending).toBe('sent');
    expect(await deliverMail(deps(), update.id)).toBe('sent');
    const received = await sink.waitFor(2);
    expect(received.map((m) => m.parsed.headers.get('x-tsunagaru-kind'))).toEqual([
      'registration.confirmed',
      'event.updated',
    ]);
    expect((await mails()).map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('when the worker sending the confirmation died and its lease ran out, then the update still waits until the confirmation has gone', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { locale: 'en' });
    const [confirmation] = await mails();
    // As a worker leaves it when it dies mid-send: claimed, its lease over, nothing recorded.
    await t.db.pool.query(
      `UPDATE outgoing_mails SET status = 'sending', attempts = 1, locked_until = now() - interval '1 second'
        WHERE id = $1`,
      [confirmation!.id],
    );
    await importTestEvent(t, eventDoc({ startsAt: '2026-12-16T14:00:00+09:00' }));
    const update = (await mails())[1]!;
    expect(await deliverMail(deps(), update.id)).toBe('busy');
    expect(sink.received).toHaveLength(0);
    // Taken again, the confirmation is decided first, then the update.
    expect(['sent', 'skipped']).toContain(await deliverMail(deps(), confirmation!.id));
    expect(['sent', 'skipped']).toContain(await deliverMail(deps(), update.id));
    expect((await mails()).map((m) => m.status)).not.toContain('sending');
  });

  it('when a batch is claimed from a queue holding each registrant’s confirmation and update, then it takes one mail per registrant, the confirmations, and the updates are decided in the next batch', async () => {
    await makeEvent(t);
    for (let i = 0; i < 5; i++) await registerOnForm(t, 'tsunagaru-test', { email: `p${i}@example.org` });
    await importTestEvent(t, eventDoc({ startsAt: '2026-12-16T14:00:00+09:00' }));
    expect((await mails()).map((m) => m.kind)).toEqual([
      ...Array(5).fill('registration.confirmed'),
      ...Array(5).fill('event.updated'),
    ]);

    // Room for all ten, yet only the five confirmations are taken: each registrant's update waits.
    expect(await deliverDueMails(deps(), 10)).toBe(5);
    const first = await sink.waitFor(5);
    expect(first.map((m) => m.parsed.headers.get('x-tsunagaru-kind'))).toEqual(
      Array(5).fill('registration.confirmed'),
    );
    // Then the updates, each decided after its registrant's confirmation was recorded: that
    // confirmation already carried the new time, so none is needed.
    expect(await deliverDueMails(deps(), 10)).toBe(5);
    const rows = await t.db.pool.query<{ kind: string; status: string; last_error: string | null }>(
      'SELECT kind, status, last_error FROM outgoing_mails ORDER BY id',
    );
    expect(rows.rows).toEqual([
      ...Array(5).fill({ kind: 'registration.confirmed', status: 'sent', last_error: null }),
      ...Array(5).fill({ kind: 'event.updated', status: 'skipped', last_error: 'calendar_up_to_date' }),
    ]);
    expect(sink.received).toHaveLength(5);
    expect(await deliverDueMails(deps(), 10)).toBe(0);
  });

  it('when a registrant’s confirmation waits for a retry, then their update waits behind it, and the mails blocked so do not keep others from being claimed', async () => {
    await makeEvent(t);
    for (let i = 0; i < 11; i++) await registerOnForm(t, 'tsunagaru-test', { email: `r${i}@example.org` });
    // Ten confirmations deferred after a failed attempt, as a retry leaves them; the eleventh is due.
    await t.db.pool.query(
      `UPDATE outgoing_mails SET next_attempt_at = now() + interval '1 hour', attempts = 1
        WHERE id IN (SELECT id FROM outgoing_mails ORDER BY id LIMIT 10)`,
    );
    await importTestEvent(t, eventDoc({ startsAt: '2026-12-16T14:00:00+09:00' }));
    // Their updates are due and the earliest in the queue, ahead of the eleventh confirmation.
    await t.db.pool.query(
      `UPDATE outgoing_mails SET next_attempt_at = now() - interval '1 hour' WHERE kind = 'event.updated'`,
    );
    const all = await mails();
    const deferred = all.filter((m) => m.kind === 'event.updated').slice(0, 10);
    expect(await deliverMail(deps(), deferred[0]!.id)).toBe('busy');

    // A batch of one looks past the ten blocked updates and takes the eleventh confirmation.
    expect(await deliverDueMails(deps(), 1)).toBe(1);
    const [sent] = await sink.waitFor(1);
    expect(sent!.to).toBe('r10@example.org');
    expect(sent!.parsed.headers.get('x-tsunagaru-kind')).toBe('registration.confirmed');
    expect((await mails()).filter((m) => m.status === 'sent')).toHaveLength(1);
  });

  it('when two workers claim batches from the same queue at once, then each mail is claimed by one of them and sent once', async () => {
    await makeEvent(t);
    for (let i = 0; i < 12; i++) await registerOnForm(t, 'tsunagaru-test', { email: `q${i}@example.org` });
    const claimed = await Promise.all([deliverDueMails(deps(), 8), deliverDueMails(deps(), 8)]);
    const rest = await deliverDueMails(deps(), 8);
    expect(claimed[0]! + claimed[1]! + rest).toBe(12);
    await sink.waitFor(12);
    expect(sink.received).toHaveLength(12);
    expect(new Set(sink.received.map((m) => m.parsed.messageId)).size).toBe(12);
    expect((await mails()).map((m) => m.status)).toEqual(Array(12).fill('sent'));
  });

  it('when a claimed mail waits longer than its lease for a free connection, then its lease is renewed meanwhile and no other worker takes it over', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { email: 'first@example.org' });
    await registerOnForm(t, 'tsunagaru-test', { email: 'second@example.org' });
    const [, second] = await mails();
    sink.hold();
    // One connection, a four-second lease: the second mail waits behind the first, held by the server.
    const delivering = deliverDueMails(deps({ gate: new SendGate(1), leaseSeconds: 4 }), 2);
    await waitUntil('the first mail is held', () => sink.held().length === 1);
    await new Promise((r) => setTimeout(r, 5000));

    // Past its first lease, the waiting mail is still leased: another worker finds nothing to take.
    const leased = await t.db.pool.query(
      'SELECT status, locked_until > now() AS leased FROM outgoing_mails WHERE id = $1',
      [second!.id],
    );
    expect(leased.rows[0]).toEqual({ status: 'sending', leased: true });
    expect(await deliverMail(deps(), second!.id)).toBe('not_due');

    sink.release();
    expect(await delivering).toBe(2);
    const received = await sink.waitFor(2);
    expect(received.map((m) => m.to).sort()).toEqual(['first@example.org', 'second@example.org']);
    expect((await mails()).map((m) => m.status)).toEqual(['sent', 'sent']);
  }, 20_000);

  it('when four connections send and the records cannot be written, then at most two mails are accepted and unrecorded at once: the other messages wait before their end', async () => {
    const { delivering } = await twoAtTheirEnd(sink, 8);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.held()).toHaveLength(2);

    // The records wait for the rows, which the test holds; the server accepts the two held messages.
    const blocker = await t.db.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM outgoing_mails FOR UPDATE');
      sink.release();
      await sink.waitFor(2);
      await new Promise((r) => setTimeout(r, 500));
      // Until one of them is recorded, no other message ends, though the server now answers at once.
      expect(sink.received).toHaveLength(2);
      expect(sink.held()).toHaveLength(0);
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }

    expect(await delivering).toBe(8);
    const received = await sink.waitFor(8);
    expect(new Set(received.map((m) => m.to)).size).toBe(8);
    expect((await mails()).map((m) => m.status)).toEqual(Array(8).fill('sent'));
  });

  it('when messages waiting for their turn to end lose their connection, then their turns are not kept: the next mails still end and are accepted', async () => {
    const gate = new SendGate(4);
    const relay = await startSmtpSink();
    const relayTransport = createTransport(mailConfig(t, relay.url));
    const blocker = await t.db.pool.connect();
    try {
      const { delivering } = await twoAtTheirEnd(relay, 4, { gate, transport: relayTransport });
      // The two accepted mails keep their places while their records wait for the rows the test holds.
      await blocker.query('BEGIN');
      await blocker.query(
        `SELECT m.id FROM outgoing_mails m JOIN registrations r ON r.id = m.registration_id
          WHERE r.email = ANY($1) FOR UPDATE OF m`,
        [relay.held().map((h) => h.to)],
      );
      relay.release();
      await relay.waitFor(2);
      await waitUntil('the other two are sent but for their end', () => relay.receiving() === 2);
      await new Promise((r) => setTimeout(r, 200));
      // The relay restarts: the two messages waiting for their turn lose their connections, and their
      // failures are recorded while the places are still taken.
      relay.dropConnections();
      await waitUntil('the two lost mails are recorded for a retry', async () => {
        const res = await t.db.pool.query(
          `SELECT count(*)::int AS n FROM outgoing_mails WHERE status = 'queued' AND attempts > 0`,
        );
        return res.rows[0].n === 2;
      });
      await blocker.query('COMMIT');
      expect(await delivering).toBe(4);
    } finally {
      blocker.release();
      relayTransport.close();
      await relay.close();
    }
    expect((await mails()).map((m) => m.status).sort()).toEqual(['queued', 'queued', 'sent', 'sent']);

    // Both places are free again: new mails through the same gate end and are accepted.
    for (let i = 4; i < 8; i++) await registerOnForm(t, 'tsunagaru-test', { email: `p${i}@example.org` });
    await deliverDueMails(deps({ gate }), 8);
    await waitUntil('the new mails are accepted', () =>
      ['p4', 'p5', 'p6', 'p7'].every((p) => sink.received.some((m) => m.to === `${p}@example.org`)),
    );
  });

  it('when the database goes away as the server accepts two mails, then their records are tried until it is back, and no other message ends meanwhile', async () => {
    // The worker reaches the database through a relay the test can cut, as a network or a restart would.
    const target = new URL(t.db.url);
    const relay = await startTcpRelay({ host: target.hostname, port: Number(target.port || 5432) });
    const pool = createPool(relay.via(t.db.url), 4);
    try {
      const { delivering } = await twoAtTheirEnd(sink, 4, { pool });
      relay.cut();
      sink.release();
      await sink.waitFor(2);
      // Past the record's first tries (1 + 2 + 4 + 8 s): the two keep their places, so the other two
      // messages still wait before their end, though the server would accept them at once.
      await new Promise((r) => setTimeout(r, 17_000));
      expect(sink.received).toHaveLength(2);
      expect(sink.held()).toHaveLength(0);

      relay.restore();
      expect(await delivering).toBe(4);
    } finally {
      await relay.close();
      await pool.end();
    }
    const received = await sink.waitFor(4);
    expect(received.map((m) => m.to).sort()).toEqual(['p0', 'p1', 'p2', 'p3'].map((p) => `${p}@example.org`));
    expect((await mails()).map((m) => m.status)).toEqual(Array(4).fill('sent'));
  }, 60_000);

  it('when the worker stops while claimed mails wait for a connection, then they go back to the queue at once and the one being sent is still recorded', async () => {
    await makeEvent(t);
    for (const who of ['first', 'second', 'third']) {
      await registerOnForm(t, 'tsunagaru-test', { email: `${who}@example.org` });
    }
    sink.hold();
    const gate = new SendGate(1);
    const delivering = deliverDueMails(deps({ gate }), 3);
    await waitUntil('the first mail is held', () => sink.held().length === 1);

    gate.close();
    await waitUntil('the waiting mails are given back', async () => {
      const res = await t.db.pool.query(
        `SELECT count(*)::int AS n FROM outgoing_mails
          WHERE status = 'queued' AND locked_until IS NULL AND next_attempt_at <= now()`,
      );
      return res.rows[0].n === 2;
    });
    // Another worker takes them straight away, without waiting for their lease to run out.
    const other = deliverDueMails(deps(), 3);
    await waitUntil('the other worker sends them', () => sink.held().length === 3);

    sink.release();
    expect(await other).toBe(2);
    expect(await delivering).toBe(3);
    const received = await sink.waitFor(3);
    expect(received.map((m) => m.to).sort()).toEqual([
      'first@example.org',
      'second@example.org',
      'third@example.org',
    ]);
    expect((await mails()).map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('when a registrant unsubscribes while a mail to them is in flight, then the answer waits until that mail is recorded', async () => {
    await makeEvent(t);
    await registerOnForm(t, 'tsunagaru-test', { locale: 'en' });
    const [mail] = await mails();
    const registration = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations');
    const token = await mintLinkToken(t.db.pool, {
      registrationId: Number(registration.rows[0]!.id),
      purpose: 'unsubscribe',
      mailId: null,
      at: t.clock.now(),
    });
    sink.hold();
    const sending = deliverMail(deps(), mail!.id);
    await waitUntil('the confirmation is in flight', () => sink.held().length === 1);

    let answered = false;
    const unsubscribing = unsubscribe(t.db.pool, token, t.clock.now()).then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 800));
    expect(answered).toBe(false);
    sink.release();
    expect(await sending).toBe('sent');
    await unsubscribing;
    expect((await mails())[0]).toMatchObject({ status: 'sent' });
  });
});
