import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { watchStatements } from '../helpers/statements';

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

  it('when someone takes a seat of an event with a capacity, then the POST waits for the database 5 times, twice while it holds the seat count', async () => {
    await makeEvent(t, { capacity: 100 });
    const { statements, roundTrips } = await register('hanako@example.org');
    // The rate limit; the event; [BEGIN, the event's lock, its seat count, the address's registration,
    // the new rows' ids]; [the registration, the exact seat count, its mail and the mail's delivery
    // job, the audit entry]; COMMIT.
    const all = heads(statements);
    expect(all.slice(0, 8)).toEqual([
      'INSERT INTO rate_limit_hits',
      'SELECT id, slug,',
      'BEGIN',
      'SELECT id, slug,',
      'SELECT confirmed AS',
      'SELECT id, status,',
      "SELECT nextval(pg_get_serial_sequence('registrations', 'id'))",
      "SELECT nextval(pg_get_serial_sequence('outgoing_mails', 'id'))",
    ]);
    expect(all.slice(8, 13).sort()).toEqual([
      'INSERT INTO audit_log',
      'INSERT INTO outgoing_mails',
      'INSERT INTO pgboss.job',
      'INSERT INTO registrations',
      'SELECT confirmed AS',
    ]);
    expect(all.slice(8, 10)).toEqual(['INSERT INTO registrations', 'SELECT confirmed AS']);
    expect(all.slice(13)).toEqual(['COMMIT']);
    expect(roundTrips).toBe(5);
    const rows = await t.db.pool.query<{ status: string; mails: number; audits: number }>(
      `SELECT r.status, (SELECT count(*)::int FROM outgoing_mails m WHERE m.registration_id = r.id) AS mails,
              (SELECT count(*)::int FROM audit_log a WHERE a.registration_id = r.id) AS audits
         FROM registrations r`,
    );
    expect(rows.rows).toEqual([{ status: 'confirmed', mails: 1, audits: 1 }]);
  });

  it('when the event has no capacity, then the POST skips the exact seat count and still waits 5 times', async () => {
    await makeEvent(t, { capacity: null });
    const { statements, roundTrips } = await register('taro@example.org');
    expect(statements).toHaveLength(13);
    expect(roundTrips).toBe(5);
  });

  it('when the address is registered already, then the POST answers as before and writes only the mail that tells its owner', async () => {
    await makeEvent(t, { capacity: 100 });
    await register('hanako@example.org');
    const { statements, roundTrips } = await register('Hanako@example.org');
    expect(heads(statements).slice(8)).toEqual([
      'INSERT INTO outgoing_mails',
      'INSERT INTO pgboss.job',
      'COMMIT',
    ]);
    expect(roundTrips).toBe(6);
    const kinds = await t.db.pool.query<{ kind: string }>('SELECT kind FROM outgoing_mails ORDER BY id');
    expect(kinds.rows.map((r) => r.kind)).toEqual([
      'registration.confirmed',
      'registration.already_registered',
    ]);
  });
});
