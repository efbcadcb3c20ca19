import http from 'node:http';
import request from 'supertest';
import { registerAttendee } from '../../src/registrations';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** The event's seat count beside the confirmed rows it must equal. */
async function counts(t: TestApp, eventId: number): Promise<{ kept: number; counted: number }> {
  const res = await t.db.pool.query<{ kept: number; counted: number }>(
    `SELECT (SELECT sum(confirmed)::int FROM event_seats WHERE event_id = $1) AS kept,
            (SELECT count(*)::int FROM registrations WHERE event_id = $1 AND status = 'confirmed') AS counted`,
    [eventId],
  );
  return res.rows[0]!;
}

const seed = `
INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
  interpretation, consented_at)
SELECT $1, CASE WHEN g % 3 = 0 THEN 'waitlisted' ELSE 'confirmed' END, 'seed' || g || '@example.org',
  'Yamada', 'Hanako', 'cooperative', 'JP', 'ja', 'ja', now()
FROM generate_series(1, $2) g`;

describe('the seat count of an event', () => {
  let t: TestApp;
  let server: http.Server;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', poolSize: 12 });
    server = http.createServer(t.app).listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });
  beforeEach(() => t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE'));

  it('when registrations are added in bulk, cancelled, promoted, restored and deleted (alone or with their event), then the count always equals the confirmed rows', async () => {
    const event = await makeEvent(t, { slug: 'counted', capacity: 1000, waitlist: true });
    const other = await makeEvent(t, { slug: 'other', capacity: 1000, waitlist: true });
    expect(await counts(t, event.id)).toEqual({ kept: 0, counted: 0 });
    await t.db.pool.query(seed, [event.id, 300]);
    await t.db.pool.query(seed, [other.id, 30]);
    expect(await counts(t, event.id)).toEqual({ kept: 200, counted: 200 });
    await t.db.pool.query(
      `UPDATE registrations SET status = 'cancelled' WHERE event_id = $1 AND status = 'confirmed' AND id % 4 = 0`,
      [event.id],
    );
    const afterCancel = await counts(t, event.id);
    expect(afterCancel.kept).toBe(afterCancel.counted);
    expect(afterCancel.kept).toBeLessThan(200);
    await t.db.pool.query(`UPDATE registrations SET status = 'confirmed' WHERE status = 'waitlisted'`);
    const afterPromote = await counts(t, event.id);
    expect(afterPromote).toEqual({ kept: afterCancel.counted + 100, counted: afterCancel.counted + 100 });
    await t.db.pool.query(`UPDATE registrations SET join_clicks = join_clicks + 1 WHERE event_id = $1`, [
      event.id,
    ]);
    expect(await counts(t, event.id)).toEqual(afterPromote);
    await t.db.pool.query(`DELETE FROM registrations WHERE event_id = $1 AND id % 2 = 0`, [event.id]);
    const afterDelete = await counts(t, event.id);
    expect(afterDelete.kept).toBe(afterDelete.counted);
    expect(await counts(t, other.id)).toEqual({ kept: 30, counted: 30 });
    // An event deleted with its registrations (cascade) takes its count with it; the other keeps its own.
    await t.db.pool.query('DELETE FROM events WHERE id = $1', [event.id]);
    expect(await counts(t, event.id)).toEqual({ kept: null, counted: 0 });
    expect(await counts(t, other.id)).toEqual({ kept: 30, counted: 30 });
    await t.db.pool.query('TRUNCATE registrations CASCADE');
    expect(await counts(t, other.id)).toEqual({ kept: 0, counted: 0 });
  });

  it('when registrations at once cross from side by side (far from the capacity) to one at a time (near it), then exactly the capacity is confirmed and the rest wait', async () => {
    const [{ unseen }] = (
      await t.db.pool.query<{ unseen: number }>(
        `SELECT current_setting('max_connections')::int - 1 AS unseen`,
      )
    ).rows as [{ unseen: number }];
    // The first 20 or so may go side by side under the SHARE lock; the rest are decided one at a time.
    const capacity = unseen + 20;
    const event = await makeEvent(t, { slug: 'crossing', capacity, waitlist: true });
    const outcomes = await Promise.all(
      Array.from({ length: capacity + 30 }, (_, i) =>
        registerAttendee(t.db.pool, {
          slug: 'crossing',
          body: formData({ email: `crowd${i}@example.org` }),
          pageLang: 'en',
          now: t.clock.now(),
        }),
      ),
    );
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.filter((s) => s === 'confirmed')).toHaveLength(capacity);
    expect(statuses.filter((s) => s === 'waitlisted')).toHaveLength(30);
    expect(await counts(t, event.id)).toEqual({ kept: capacity, counted: capacity });
  });

  it('when the same address is submitted 12 times at once, then each answer looks like success and one registration exists, counted once', async () => {
    const event = await makeEvent(t, { slug: 'same-address', capacity: 10, waitlist: false });
    const { agent, token } = await formSession(t.app, 'same-address');
    const cookie = (await agent.get('/events/same-address')).request.cookies;
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(server)
          .post('/events/same-address/register?lang=en')
          .set('Cookie', cookie)
          .type('form')
          .send(encodeForm({ _csrf: token, ...formData({ email: 'twice@example.org' }) })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(303));
    expect(await counts(t, event.id)).toEqual({ kept: 1, counted: 1 });
    const kinds = await t.db.pool.query<{ kind: string; n: number }>(
      'SELECT kind, count(*)::int AS n FROM outgoing_mails GROUP BY kind ORDER BY kind',
    );
    expect(kinds.rows).toEqual([
      { kind: 'registration.already_registered', n: 11 },
      { kind: 'registration.confirmed', n: 1 },
    ]);
  });

  it('when the event is full and someone already registered submits again, then they get the neutral answer and a newcomer is refused', async () => {
    const event = await makeEvent(t, { slug: 'one-seat', capacity: 1, waitlist: false });
    const { agent, token } = await formSession(t.app, 'one-seat');
    const send = (email: string) =>
      agent
        .post('/events/one-seat/register?lang=en')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email }) }));
    expect((await send('first@example.org')).status).toBe(303);
    const again = await send('FIRST@example.org');
    expect(again.status).toBe(303);
    const refused = await send('second@example.org');
    expect(refused.status).toBe(409);
    expect(await counts(t, event.id)).toEqual({ kept: 1, counted: 1 });
    const kinds = await t.db.pool.query<{ kind: string; n: number }>(
      'SELECT kind, count(*)::int AS n FROM outgoing_mails GROUP BY kind ORDER BY kind',
    );
    expect(kinds.rows).toEqual([
      { kind: 'registration.already_registered', n: 1 },
      { kind: 'registration.confirmed', n: 1 },
    ]);
  });
});
