import crypto from 'node:crypto';
import request from 'supertest';
import { createApiToken, sessionActor } from '../../src/accounts';
import { eventBySlug } from '../../src/events';
import { createTestAccount } from '../helpers/admin';
import { webhookSignature } from '../../src/zoom-api';
import {
  encodeForm,
  eventDoc,
  formData,
  formSession,
  importTestEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { FAKE_ZOOM_SECRETS } from '../helpers/fake-zoom';

/** Zoom's webhooks through HTTP: signatures, the 5-minute window, URL validation, joins and leaves. */

const SECRET = FAKE_ZOOM_SECRETS.ZOOM_WEBHOOK_SECRET;
const WEBINAR = '81234567890';
let t: TestApp;
let plain: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: '2026-12-16T06:00:00Z',
    env: {
      ...FAKE_ZOOM_SECRETS,
      ZOOM_API_URL: 'http://127.0.0.1:9/v2',
      ZOOM_OAUTH_URL: 'http://127.0.0.1:9/t',
    },
  });
  plain = await startTestApp({ now: '2026-12-16T06:00:00Z' });
});
afterAll(async () => {
  await t.close();
  await plain.close();
});

function signed(app: TestApp, body: object, opts: { secret?: string; at?: number } = {}) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor((opts.at ?? app.clock.now().getTime()) / 1000));
  return request(app.app)
    .post('/zoom/webhook')
    .set('content-type', 'application/json')
    .set('x-zm-request-timestamp', ts)
    .set('x-zm-signature', webhookSignature(opts.secret ?? SECRET, ts, raw))
    .send(raw);
}

function participant(event: string, p: Record<string, unknown>) {
  return {
    event,
    event_ts: Date.parse('2026-12-16T06:00:00Z'),
    payload: { account_id: 'acct-1', object: { id: WEBINAR, uuid: 'u==', topic: 'T', participant: p } },
  };
}

describe('Zoom webhook', () => {
  it('when Zoom validates the endpoint, then it gets the plain token and its HMAC', async () => {
    const res = await signed(t, { event: 'endpoint.url_validation', payload: { plainToken: 'abc123' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      plainToken: 'abc123',
      encryptedToken: crypto.createHmac('sha256', SECRET).update('abc123').digest('hex'),
    });
  });

  it('when the signature is wrong or missing, then 401 and nothing is recorded', async () => {
    await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: WEBINAR } }));
    const body = participant('webinar.participant_joined', {
      email: 'x@example.org',
      participant_uuid: 'p1',
    });
    expect((await signed(t, body, { secret: 'not-the-secret' })).status).toBe(401);
    const none = await request(t.app)
      .post('/zoom/webhook')
      .set('content-type', 'application/json')
      .send(body);
    expect(none.status).toBe(401);
    expect(none.text).toContain('The webhook signature or time is not valid.');
    const { rows } = await t.db.pool.query('SELECT * FROM zoom_presence');
    expect(rows).toHaveLength(0);
  });

  it('when the timestamp is more than five minutes off, then 401 (a replay)', async () => {
    const old = t.clock.now().getTime() - 301_000;
    const res = await signed(
      t,
      { event: 'endpoint.url_validation', payload: { plainToken: 'x' } },
      { at: old },
    );
    expect(res.status).toBe(401);
    const recent = t.clock.now().getTime() - 290_000;
    expect(
      (await signed(t, { event: 'endpoint.url_validation', payload: { plainToken: 'x' } }, { at: recent }))
        .status,
    ).toBe(200);
  });

  it('when participants join and leave, then their stays are recorded, matched to the registration by e-mail', async () => {
    await t.db.pool.query('TRUNCATE events, registrations CASCADE');
    await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: WEBINAR } }));
    t.clock.set('2026-12-01T00:00:00Z');
    const { agent, token } = await formSession(t.app, 'tsunagaru-test');
    const form = encodeForm({ _csrf: token, ...formData({ email: 'Hanako@Example.org' }) });
    expect((await agent.post('/events/tsunagaru-test/register').type('form').send(form)).status).toBe(303);
    t.clock.set('2026-12-16T06:00:00Z');
    const reg = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations');
    const id = Number(reg.rows[0]!.id);
    const joined = participant('webinar.participant_joined', {
      participant_uuid: 'p-1',
      user_name: 'Hanako',
      email: 'hanako@example.org',
      join_time: '2026-12-16T06:01:00Z',
    });
    expect((await signed(t, joined)).status).toBe(200);
    const left = participant('webinar.participant_left', {
      participant_uuid: 'p-1',
      email: 'hanako@example.org',
      leave_time: '2026-12-16T06:31:00Z',
    });
    expect((await signed(t, left)).status).toBe(200);
    const stranger = participant('webinar.participant_joined', {
      participant_uuid: 'p-2',
      email: 'who@example.org',
    });
    expect((await signed(t, stranger)).status).toBe(200);
    const { rows } = await t.db.pool.query(
      'SELECT registration_id, email, joined_at, left_at FROM zoom_presence ORDER BY id',
    );
    expect(rows).toEqual([
      {
        registration_id: String(id),
        email: 'hanako@example.org',
        joined_at: new Date('2026-12-16T06:01:00Z'),
        left_at: new Date('2026-12-16T06:31:00Z'),
      },
      { registration_id: null, email: 'who@example.org', joined_at: t.clock.now(), left_at: null },
    ]);
  });

  it('when a participant joins under another e-mail address, then their registrant id matches them to their own registration', async () => {
    await t.db.pool.query('TRUNCATE events, registrations CASCADE');
    const event = (await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: WEBINAR } }))).event;
    t.clock.set('2026-12-01T00:00:00Z');
    for (const email of ['taro@example.org', 'jiro@example.org']) {
      const { agent, token } = await formSession(t.app, 'tsunagaru-test');
      const form = encodeForm({ _csrf: token, ...formData({ email }) });
      expect((await agent.post('/events/tsunagaru-test/register').type('form').send(form)).status).toBe(303);
    }
    t.clock.set('2026-12-16T06:00:00Z');
    const ids = (
      await t.db.pool.query<{ id: string }>('SELECT id FROM registrations ORDER BY email')
    ).rows.map((r) => Number(r.id));
    const [jiro, taro] = ids as [number, number];
    // Taro was registered on Zoom (as the sync records it) and joins from a Zoom account under Jiro's address.
    await t.db.pool.query(
      `INSERT INTO zoom_registrants (registration_id, event_id, zoom_id, state, registrant_id, join_url, created_at, updated_at)
       VALUES ($1, $2, $3, 'registered', 'reg-taro', 'https://zoom.example/j/1', now(), now())`,
      [taro, event.id, WEBINAR],
    );
    const joined = participant('webinar.participant_joined', {
      participant_uuid: 'p-taro',
      registrant_id: 'reg-taro',
      email: 'jiro@example.org',
      join_time: '2026-12-16T06:02:00Z',
    });
    expect((await signed(t, joined)).status).toBe(200);
    const { rows } = await t.db.pool.query('SELECT registration_id FROM zoom_presence');
    expect(rows.map((r) => Number(r.registration_id))).toEqual([taro]);
    expect(rows.map((r) => Number(r.registration_id))).not.toContain(jiro);
  });

  it('when Zoom is not configured, then "create on Zoom" answers 409 and the event stays unlinked', async () => {
    const user = await createTestAccount(plain.db.pool, { role: 'admin' });
    const { token } = await createApiToken(
      plain.db.pool,
      { name: 'no zoom' },
      { now: plain.clock.now(), by: sessionActor(user) },
    );
    await importTestEvent(plain, eventDoc());
    const res = await request(plain.app)
      .post('/api/v1/events/tsunagaru-test/zoom')
      .set('Authorization', `Bearer ${token}`)
      .send({ kind: 'webinar' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('Zoom is not set up on this installation.');
    expect((await eventBySlug(plain.db.pool, 'tsunagaru-test'))!.zoom).toBeNull();
  });

  it('when Zoom is not configured, then the webhook does not exist', async () => {
    const res = await request(plain.app)
      .post('/zoom/webhook')
      .set('content-type', 'application/json')
      .send('{}');
    expect(res.status).toBe(404);
  });
});
