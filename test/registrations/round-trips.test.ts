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

  it('when someone takes a seat of an event with a capacity, then the POST sends 11 statements in at most 7 round trips', async () => {
    await makeEvent(t, { capacity: 100 });
    const { statements, roundTrips } = await register('hanako@example.org');
    // The rate limit, the event, then the transaction: [BEGIN, lock, seat count], the insert,
    // [exact seat count, mail, audit entry], the mail's delivery job, COMMIT.
    expect(statements.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'INSERT INTO rate_limit_hits',
      'SELECT id, slug,',
      'BEGIN',
      'SELECT id, slug,',
      'SELECT confirmed AS',
      'INSERT INTO registrations',
      'SELECT confirmed AS',
      'INSERT INTO outgoing_mails',
      'INSERT INTO audit_log',
      'INSERT INTO pgboss.job',
      'COMMIT',
    ]);
    // The delivery job follows the mail it names, so it goes out behind the audit entry or on its own.
    expect(roundTrips).toBeLessThanOrEqual(7);
    const rows = await t.db.pool.query<{ status: string; mails: number; audits: number }>(
      `SELECT r.status, (SELECT count(*)::int FROM outgoing_mails m WHERE m.registration_id = r.id) AS mails,
              (SELECT count(*)::int FROM audit_log a WHERE a.registration_id = r.id) AS audits
         FROM registrations r`,
    );
    expect(rows.rows).toEqual([{ status: 'confirmed', mails: 1, audits: 1 }]);
  });

  it('when the event has no capacity, then the POST skips the exact seat count: 10 statements in at most 7 round trips', async () => {
    await makeEvent(t, { capacity: null });
    const { statements, roundTrips } = await register('taro@example.org');
    expect(statements).toHaveLength(10);
    expect(roundTrips).toBeLessThanOrEqual(7);
  });
});
