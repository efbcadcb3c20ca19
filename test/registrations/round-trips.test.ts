import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { watchStatements } from '../helpers/statements';
import { commitBehind, withTransaction } from '../../src/db/pool';
import { OVERSOLD, seatsWithinCapacity } from '../../src/registrations/registrations.queries';
import { registerAttendee } from '../../src/registrations';

describe('database round trips of a registration', () => {
  let t: TestApp;
  let watch: ReturnType<typeof watchStatements>;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    watch = watchStatements(t.db.pool);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query(
      'TRUNCATE events, registrations, outgoing_mails, audit_log, rate_limit_hits CASCADE',
    );
  });

  async function register(email: string) {
    const { agent, token } = await formSession(t.app, 'tsunagaru-test', 'ja');
    watch.reset();
    const res = await agent
      .post('/events/tsunagaru-test/register?lang=ja')
      .type('form')
      .send(encodeForm({ _csrf: token, ...formData({ email }) }));
    expect(res.status).toBe(303);
    return { statements: [...watch.seen.statements], roundTrips: watch.seen.roundTrips };
  }

  /** The first words of each statement, the transaction's writes in a stable order. */
  const heads = (statements: string[]) => statements.map((s) => s.split(' ').slice(0, 3).join(' '));

  it('when someone takes a seat of an event with a capacity, then the POST waits for the database 4 times, once while it holds the seat count', async () => {
    await makeEvent(t, { capacity: 10_000 });
    const { statements, roundTrips } = await register('hanako@example.org');
    // The rate limit; the event; [BEGIN, the event's lock, in one statement its seat count, the address's
    // registration and the registration's id]; [the registration, the exact seat count, its mail (its own delivery job: no
    // queue row beside it), the audit entry, COMMIT]. Nothing may follow the COMMIT: it would run outside the transaction.
    const all = heads(statements);
    expect(all.slice(0, 5)).toEqual([
      'INSERT INTO rate_limit_hits',
      'SELECT id, slug,',
      'BEGIN',
      'SELECT id, slug,',
      'SELECT (SELECT coalesce(sum(confirmed),',
    ]);
    expect(all.slice(5, 9).sort()).toEqual([
      'INSERT INTO audit_log',
      'INSERT INTO outgoing_mails',
      'INSERT INTO registrations',
      'SELECT seats_within_capacity($1, $2)',
    ]);
    expect(all.slice(5, 7)).toEqual(['INSERT INTO registrations', 'SELECT seats_within_capacity($1, $2)']);
    expect(all.slice(9)).toEqual(['COMMIT']);
    expect(roundTrips).toBe(4);
    const rows = await t.db.pool.query<{ status: string; mails: number; audits: number }>(
      `SELECT r.status, (SELECT count(*)::int FROM outgoing_mails m WHERE m.registration_id = r.id) AS mails,
              (SELECT count(*)::int FROM audit_log a WHERE a.registration_id = r.id) AS audits
         FROM registrations r`,
    );
    expect(rows.rows).toEqual([{ status: 'confirmed', mails: 1, audits: 1 }]);
  });

  it('when the event has no capacity, then the POST skips the exact seat count and still waits 4 times', async () => {
    await makeEvent(t, { capacity: null });
    const { statements, roundTrips } = await register('taro@example.org');
    expect(statements).toHaveLength(9);
    expect(heads(statements).at(-1)).toBe('COMMIT');
    expect(roundTrips).toBe(4);
  });

  it('when the seats left are fewer than the connections the server allows, then the registration is decided under the exclusive lock before it writes', async () => {
    const [{ unseen }] = (
      await t.db.pool.query<{ unseen: number }>(
        `SELECT current_setting('max_connections')::int - 1 AS unseen`,
      )
    ).rows as [{ unseen: number }];
    await makeEvent(t, { capacity: 10_000 });
    await register('first@example.org');
    // With one seat taken, the seats left (unseen + 1) outnumber the confirmations other connections
    // could be making unseen: the SHARE attempt is safe and goes ahead...
    await t.db.pool.query('UPDATE events SET capacity = $1', [unseen + 2]);
    const safe = await register('second@example.org');
    expect(safe.statements.some((s) => s.includes('FOR NO KEY UPDATE'))).toBe(false);
    // ...with two taken they no longer do: it goes no further than its reads, and the exclusive attempt
    // decides without the recount.
    const near = await register('third@example.org');
    const shared = near.statements.findIndex((s) => s.includes('FOR SHARE'));
    const exclusive = near.statements.findIndex((s) => s.includes('FOR NO KEY UPDATE'));
    expect(shared).toBeGreaterThanOrEqual(0);
    expect(exclusive).toBeGreaterThan(shared);
    expect(
      near.statements.slice(shared, exclusive).some((s) => s.startsWith('INSERT INTO registrations')),
    ).toBe(false);
    expect(near.statements.some((s) => s.includes('seats_within_capacity'))).toBe(false);
    const rows = await t.db.pool.query<{ status: string }>('SELECT status FROM registrations ORDER BY id');
    expect(rows.rows.map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('when the address is registered already, then the POST answers as before and writes only the mail that tells its owner', async () => {
    await makeEvent(t, { capacity: 100 });
    await register('hanako@example.org');
    const { statements, roundTrips } = await register('Hanako@example.org');
    expect(heads(statements).slice(5)).toEqual(['INSERT INTO outgoing_mails', 'COMMIT']);
    expect(roundTrips).toBe(5);
    const kinds = await t.db.pool.query<{ kind: string }>('SELECT kind FROM outgoing_mails ORDER BY id');
    expect(kinds.rows.map((r) => r.kind)).toEqual([
      'registration.confirmed',
      'registration.already_registered',
    ]);
  });

  it('when a confirmation takes the seats past the capacity, then the exact count refuses with its own code and the COMMIT sent behind it rolls back', async () => {
    const event = await makeEvent(t, { capacity: 1 });
    const outcome = await withTransaction(t.db.pool, async (tx) => {
      const insert = tx.query(
        `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country,
           locale, interpretation, consented_at, created_at, updated_at)
         SELECT $1, 'confirmed', 'p' || g || '@example.org', 'X', 'Y', 'cooperative', 'JP', 'en', 'en',
                now(), now(), now()
           FROM generate_series(1, 2) g`,
        [event.id],
      );
      const count = seatsWithinCapacity(tx, event.id, 1);
      const committed = commitBehind(tx);
      const [inserted, counted] = await Promise.allSettled([insert, count]);
      return { inserted: inserted.status, counted, committed: await committed };
    });
    expect(outcome.inserted).toBe('fulfilled');
    expect(outcome.counted).toMatchObject({ status: 'rejected', reason: { code: OVERSOLD } });
    expect(outcome.committed).toBe(false);
    const left = await t.db.pool.query('SELECT count(*)::int AS n FROM registrations');
    expect(left.rows[0].n).toBe(0);
    const seats = await t.db.pool.query(
      'SELECT sum(confirmed)::int AS n FROM event_seats WHERE event_id = $1',
      [event.id],
    );
    expect(seats.rows[0].n).toBe(0);
  });

  it('when another submission of the address commits between the look for it and the insert, then the registration is decided again and answered as a duplicate', async () => {
    const event = await makeEvent(t, { capacity: 10_000 });
    // A submission of the same address, written but not yet committed: the look does not see it, and
    // the insert waits for it at the unique index.
    const other = await t.db.pool.connect();
    await other.query('BEGIN');
    await other.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country,
         locale, interpretation, consented_at, created_at, updated_at)
       VALUES ($1, 'confirmed', 'same@example.org', 'X', 'Y', 'cooperative', 'JP', 'en', 'en', now(), now(), now())`,
      [event.id],
    );
    const registering = registerAttendee(t.db.pool, {
      slug: 'tsunagaru-test',
      body: formData({ email: 'same@example.org' }),
      pageLang: 'en',
      now: t.clock.now(),
    });
    for (let i = 0; i < 100; i++) {
      const waiting = await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (waiting.rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await other.query('COMMIT');
    other.release();
    const outcome = await registering;
    expect(outcome.status).toBe('duplicate');
    const rows = await t.db.pool.query<{ n: number; confirmed: number }>(
      `SELECT (SELECT count(*)::int FROM registrations) AS n,
              (SELECT sum(confirmed)::int FROM event_seats WHERE event_id = $1) AS confirmed`,
      [event.id],
    );
    expect(rows.rows[0]).toEqual({ n: 1, confirmed: 1 });
    const mails = await t.db.pool.query<{ kind: string }>('SELECT kind FROM outgoing_mails');
    expect(mails.rows.map((r) => r.kind)).toEqual(['registration.already_registered']);
  });

  it('when a statement is sent after a COMMIT sent behind the writes, then it is refused rather than run outside the transaction', async () => {
    const late = withTransaction(t.db.pool, async (tx) => {
      const committed = commitBehind(tx);
      await tx.query("INSERT INTO app_state (key, value) VALUES ('late', '1')");
      return committed;
    });
    await expect(late).rejects.toThrow('a statement was sent after the COMMIT of its transaction');
    const rows = await t.db.pool.query("SELECT 1 FROM app_state WHERE key = 'late'");
    expect(rows.rowCount).toBe(0);
    // The client went back to the pool able to run statements again.
    const clients = await Promise.all(Array.from({ length: 10 }, () => t.db.pool.query('SELECT 1')));
    expect(clients).toHaveLength(10);
  });
});
