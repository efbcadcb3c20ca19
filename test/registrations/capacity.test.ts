import http from 'node:http';
import request from 'supertest';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** Counts registrations per status. */
async function byStatus(t: TestApp): Promise<Record<string, number>> {
  const res = await t.db.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM registrations GROUP BY status',
  );
  return Object.fromEntries(res.rows.map((r) => [r.status, r.n]));
}

describe('capacity under 200 simultaneous submissions', () => {
  let t: TestApp;
  let server: http.Server;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', poolSize: 20 });
    server = http.createServer(t.app).listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });
  beforeEach(() => t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE'));

  async function postMany(slug: string, n: number) {
    const { agent, token } = await formSession(t.app, slug);
    const cookie = (await agent.get(`/events/${slug}`)).request.cookies;
    return Promise.all(
      Array.from({ length: n }, (_, i) =>
        request(server)
          .post(`/events/${slug}/register?lang=en`)
          .set('Cookie', cookie)
          .type('form')
          .send(encodeForm({ _csrf: token, ...formData({ email: `attendee${i}@example.org` }) })),
      ),
    );
  }

  it('when 200 people submit at once for 50 seats without a waiting list, then exactly 50 are confirmed and the rest are refused', async () => {
    await makeEvent(t, { slug: 'full-no-waitlist', capacity: 50, waitlist: false });
    const responses = await postMany('full-no-waitlist', 200);
    const codes = responses.map((r) => r.status);
    expect(codes.filter((c) => c === 303)).toHaveLength(50);
    expect(codes.filter((c) => c === 409)).toHaveLength(150);
    const refusal = responses.find((r) => r.status === 409)!;
    expect(refusal.text).toContain('Sorry, this event is fully booked and has no waiting list.');
    expect(await byStatus(t)).toEqual({ confirmed: 50 });
    const mails = await t.db.pool.query('SELECT count(*)::int AS n FROM outgoing_mails');
    expect(mails.rows[0].n).toBe(50);
  });

  it('when 200 people submit at once for 50 seats with a waiting list, then 50 are confirmed and 150 waitlisted, each with the matching mail', async () => {
    await makeEvent(t, { slug: 'full-waitlist', capacity: 50, waitlist: true });
    const responses = await postMany('full-waitlist', 200);
    expect(responses.every((r) => r.status === 303)).toBe(true);
    expect(await byStatus(t)).toEqual({ confirmed: 50, waitlisted: 150 });
    const kinds = await t.db.pool.query<{ kind: string; n: number }>(
      'SELECT kind, count(*)::int AS n FROM outgoing_mails GROUP BY kind ORDER BY kind',
    );
    expect(kinds.rows).toEqual([
      { kind: 'registration.confirmed', n: 50 },
      { kind: 'registration.waitlisted', n: 150 },
    ]);
  });

  it('when the seats are taken, then the page says the event is full (no waiting list) or that new registrants go on the waiting list', async () => {
    await makeEvent(t, { slug: 'one-seat', capacity: 1, waitlist: false });
    await makeEvent(t, { slug: 'one-seat-waitlist', capacity: 1, waitlist: true });
    const before = await request(t.app).get('/events/one-seat?lang=en');
    expect(before.text).toContain('<form');
    expect(before.text).not.toContain('fully booked');
    await postMany('one-seat', 1);
    await postMany('one-seat-waitlist', 1);
    const full = await request(t.app).get('/events/one-seat?lang=ja');
    expect(full.text).not.toContain('<form');
    expect(full.text).toContain('定員に達したため、お申し込みの受付を終了しました。');
    const waitlist = await request(t.app).get('/events/one-seat-waitlist?lang=en');
    expect(waitlist.text).toContain('<form');
    expect(waitlist.text).toContain('If you register now, you will be placed on the waiting list.');
  });
});
