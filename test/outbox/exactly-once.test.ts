import request from 'supertest';
import { withTransaction } from '../../src/db/pool';
import { insertTopicMails } from '../../src/outbox';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * One mail per registration and topic (a reminder, the follow-up, one organiser message) is kept by the
 * database itself, the unique index `outgoing_mails_one_per_topic`, not only by the schedule's advisory
 * lock and its NOT EXISTS. These tests go around both, as two schedulers would if the lock were lost,
 * so they fail if the index is ever made a plain one.
 */
describe('one mail per registration and topic', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());

  async function registrant(email: string) {
    const event = await makeEvent(t, { slug: `once-${email.split('@')[0]}` });
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/registrations`)
      .send({ ...formData({ email }), consent: true });
    expect(res.status).toBe(202);
    const row = await t.db.pool.query<{ id: string; event_id: string; locale: 'en' | 'ja' }>(
      'SELECT id, event_id, locale FROM registrations WHERE email = $1',
      [email],
    );
    const r = row.rows[0]!;
    return { id: Number(r.id), eventId: Number(r.event_id), email, locale: r.locale };
  }

  it('when two transactions write the same reminder for the same registrant at once, then exactly one row exists and only one writer gets its id', async () => {
    const recipient = await registrant('twice@example.org');
    const at = new Date('2026-12-01T00:00:00Z');
    const write = () =>
      withTransaction(t.db.pool, (tx) =>
        insertTopicMails(tx, { kind: 'event.reminder', topic: 'reminder:PT1H', recipients: [recipient], at }),
      );
    const results = await Promise.all([write(), write(), write()]);
    expect(results.map((ids) => ids.length).sort()).toEqual([0, 0, 1]);
    const rows = await t.db.pool.query(
      `SELECT id FROM outgoing_mails WHERE registration_id = $1 AND topic = 'reminder:PT1H'`,
      [recipient.id],
    );
    expect(rows.rowCount).toBe(1);
    // Written again later (a worker catching up): still nothing new.
    expect(await write()).toEqual([]);
  });

  it('when a second row for the same registrant and topic is inserted directly, then the database refuses it', async () => {
    const recipient = await registrant('direct@example.org');
    const insert = () =>
      t.db.pool.query(
        `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at, next_attempt_at, topic)
         VALUES ('event.follow_up', $1, $2, $3, $4, now(), now(), 'follow-up')`,
        [recipient.eventId, recipient.id, recipient.email, recipient.locale],
      );
    await insert();
    await expect(insert()).rejects.toMatchObject({
      code: '23505',
      constraint: 'outgoing_mails_one_per_topic',
    });
  });
});
