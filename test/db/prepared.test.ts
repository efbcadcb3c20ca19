import type pg from 'pg';
import { createPool, prepared } from '../../src/db/pool';
import { registerAttendee } from '../../src/registrations';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** The statements of a registration are prepared once per connection (src/db/pool.ts `prepared`). */
describe('prepared statements', () => {
  let t: TestApp;
  let one: pg.Pool;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    // One connection, so that what it has prepared can be read on it afterwards.
    one = createPool(String(t.db.pool.options.connectionString), 1);
  });
  afterAll(async () => {
    await one.end();
    await t.close();
  });

  async function preparedOnConnection(): Promise<Map<string, number>> {
    // pg_prepared_statements lists this session's statements; generic_plans + custom_plans counts runs.
    const res = await one.query<{ name: string; runs: number }>(
      'SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements',
    );
    return new Map(res.rows.map((r) => [r.name, r.runs]));
  }

  it('when registrations are made, then their statements are prepared once on the connection and run again from there', async () => {
    await makeEvent(t, { capacity: 10_000 });
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      const outcome = await registerAttendee(one, {
        slug: 'tsunagaru-test',
        body: formData({ email }),
        pageLang: 'en',
        now: t.clock.now(),
      });
      expect(outcome.status).toBe('confirmed');
    }
    const runs = await preparedOnConnection();
    for (const name of [
      'events.by_slug',
      'events.terms_by_id_shared',
      'registrations.form_state',
      'registrations.insert',
      'registrations.seats_within_capacity',
      'outbox.insert_mail',
      'audit.insert',
    ]) {
      // Listed once by its name (prepared once), and run at least once per registration.
      expect([name, (runs.get(name) ?? 0) >= 3]).toEqual([name, true]);
    }
  });

  it('when prepared statements are off (DATABASE_PREPARED_STATEMENTS=false), then the same registrations prepare nothing', async () => {
    const off = createPool(String(t.db.pool.options.connectionString), 1, { preparedStatements: false });
    try {
      const outcome = await registerAttendee(off, {
        slug: 'tsunagaru-test',
        body: formData({ email: 'unprepared@example.org' }),
        pageLang: 'en',
        now: t.clock.now(),
      });
      expect(outcome.status).toBe('confirmed');
      const res = await off.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
      expect(res.rows[0].n).toBe(0);
    } finally {
      await off.end();
    }
  });

  it('when a name is given to two different statements, then the second is refused at once', () => {
    prepared('test.same_name', 'SELECT 1');
    expect(() => prepared('test.same_name', 'SELECT 1')).not.toThrow();
    expect(() => prepared('test.same_name', 'SELECT 2')).toThrow('two statements are named test.same_name');
  });
});
