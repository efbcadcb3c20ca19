import request from 'supertest';
import { createAccount, createApiToken, sessionActor, type Role } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { fanOutMessage } from '../../src/messages';
import { eventDoc, startTestApp, type TestApp } from '../helpers/app';
import { expectDocumented } from '../helpers/openapi';

/** The organiser's messages through REST API v1: count, send, progress, refusals. */
let t: TestApp;
let n = 0;

async function tokenFor(role: Role): Promise<string> {
  n += 1;
  const user = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email: `m-${role}${n}@example.org`, role, password: 'correct horse battery' },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  const { token } = await createApiToken(
    t.db.pool,
    { name: `msg ${n}` },
    { now: t.clock.now(), by: sessionActor(user) },
  );
  return token;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const message = {
  subject: { en: 'Room change', ja: '会場変更のお知らせ' },
  body: { en: 'The breakout rooms open at 14:45.', ja: 'ブレイクアウトルームは14:45に開きます。' },
};

let organiser: string;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
  organiser = await tokenFor('organiser');
  const created = await request(t.app)
    .post('/api/v1/events')
    .set(bearer(organiser))
    .send(eventDoc({ slug: 'api-messages', status: 'published', registrationClosesAt: null }));
  expect(created.status).toBe(201);
  await t.db.pool.query(
    `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
       interpretation, consented_at, unsubscribed_at)
     SELECT (SELECT id FROM events WHERE slug = 'api-messages'), s.status, s.email, 'F', 'G', 'cooperative', 'JP', s.locale,
            'en', now(), s.unsub
       FROM (VALUES ('a@example.org', 'confirmed', 'en', NULL::timestamptz),
                    ('b@example.org', 'confirmed', 'ja', NULL),
                    ('c@example.org', 'waitlisted', 'ja', NULL),
                    ('d@example.org', 'cancelled', 'ja', NULL),
                    ('e@example.org', 'confirmed', 'ja', now())) AS s(email, status, locale, unsub)`,
  );
});
afterAll(() => t.close());

describe('REST API v1 messages', () => {
  it('when the recipients are counted, then only live, subscribed registrants matching the filters count', async () => {
    const all = await request(t.app)
      .get('/api/v1/events/api-messages/messages/recipients')
      .set(bearer(organiser));
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ recipients: 3 });
    expectDocumented(all, 'get', '/api/v1/events/{slug}/messages/recipients');
    const ja = await request(t.app)
      .get('/api/v1/events/api-messages/messages/recipients?language=ja')
      .set(bearer(organiser));
    expect(ja.body).toEqual({ recipients: 2 });
  });

  it('when a message is sent to Japanese-mail registrants, then 202, it is recorded and audited, and its mails go to exactly those registrants', async () => {
    const sent = await request(t.app)
      .post('/api/v1/events/api-messages/messages')
      .set(bearer(organiser))
      .send({ ...message, filters: { language: 'ja' } });
    expect(sent.status).toBe(202);
    expectDocumented(sent, 'post', '/api/v1/events/{slug}/messages');
    expect(sent.body).toMatchObject({ subject: message.subject, expected: 2, filters: { language: 'ja' } });
    expect(sent.headers.location).toBe(`/api/v1/events/api-messages/messages/${sent.body.id}`);

    await fanOutMessage(t.db.pool, sent.body.id, t.clock.now());
    const mails = await t.db.pool.query(
      `SELECT recipient, kind, topic FROM outgoing_mails WHERE event_message_id = $1 ORDER BY recipient`,
      [sent.body.id],
    );
    expect(mails.rows).toEqual([
      { recipient: 'b@example.org', kind: 'event.message', topic: `message:${sent.body.id}` },
      { recipient: 'c@example.org', kind: 'event.message', topic: `message:${sent.body.id}` },
    ]);
    // A second fan-out (a worker that was cut off and retried) writes nobody twice.
    await fanOutMessage(t.db.pool, sent.body.id, t.clock.now());
    const again = await request(t.app)
      .get(`/api/v1/events/api-messages/messages/${sent.body.id}`)
      .set(bearer(organiser));
    expect(again.status).toBe(200);
    expectDocumented(again, 'get', '/api/v1/events/{slug}/messages/{id}');
    expect(again.body.recipients).toBe(2);
    expect(again.body.queuedAt).not.toBeNull();
    expect(again.body.progress).toEqual({ queued: 2, sent: 0, failed: 0, skipped: 0 });

    const audit = await t.db.pool.query(`SELECT actor, data FROM audit_log WHERE action = 'message.sent'`);
    expect(audit.rows[0].actor).toMatch(/\(API: msg \d+\)$/);
    expect(audit.rows[0].data).toMatchObject({ messageId: sent.body.id, recipients: 2 });

    const list = await request(t.app).get('/api/v1/events/api-messages/messages').set(bearer(organiser));
    expectDocumented(list, 'get', '/api/v1/events/{slug}/messages');
    expect(list.body.data.map((m: { id: number }) => m.id)).toContain(sent.body.id);
  });

  it('when the Japanese body is missing, then 422 names that field in the Accept-Language language and nothing is recorded', async () => {
    const before = await t.db.pool.query('SELECT count(*)::int AS n FROM event_messages');
    const res = await request(t.app)
      .post('/api/v1/events/api-messages/messages')
      .set(bearer(organiser))
      .set('Accept-Language', 'ja')
      .send({ subject: message.subject, body: { en: 'Only English.' } });
    expect(res.status).toBe(422);
    expectDocumented(res, 'post', '/api/v1/events/{slug}/messages');
    expect(res.body.error.fields['body.ja']).toBe('この言語の本文を入力してください。');
    const after = await t.db.pool.query('SELECT count(*)::int AS n FROM event_messages');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('when the same Idempotency-Key is sent twice (a client retrying after a timeout), then one message is recorded and both answers name it', async () => {
    const send = () =>
      request(t.app)
        .post('/api/v1/events/api-messages/messages')
        .set(bearer(organiser))
        .set('Idempotency-Key', 'retry-7f3a')
        .send(message);
    const [first, second] = [await send(), await send()];
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    const rows = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM event_messages WHERE send_key = 'retry-7f3a'`,
    );
    expect(rows.rows[0].n).toBe(1);
    const audits = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'message.sent' AND (data->>'messageId')::int = $1`,
      [first.body.id],
    );
    expect(audits.rows[0].n).toBe(1);
  });

  it('when nobody matches, or the token is read-only, then the message is refused', async () => {
    const nobody = await request(t.app)
      .post('/api/v1/events/api-messages/messages')
      .set(bearer(organiser))
      .send({ ...message, filters: { status: 'cancelled' } });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.message).toMatch(/Nobody would receive this message/);

    const viewer = await tokenFor('viewer');
    const eventId = (await t.db.pool.query(`SELECT id FROM events WHERE slug = 'api-messages'`)).rows[0].id;
    const viewerId = (
      await t.db.pool.query(`SELECT id FROM users WHERE email = $1`, [`m-viewer${n}@example.org`])
    ).rows[0].id;
    await t.db.pool.query('INSERT INTO event_members (event_id, user_id) VALUES ($1, $2)', [
      eventId,
      viewerId,
    ]);
    const refused = await request(t.app)
      .post('/api/v1/events/api-messages/messages')
      .set(bearer(viewer))
      .send(message);
    expect(refused.status).toBe(403);
  });
});
