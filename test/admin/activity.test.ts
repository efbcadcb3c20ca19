import request from 'supertest';
import { addEventMember, createAccount, createApiToken, sessionActor, type User } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { registerAttendee } from '../../src/registrations';
import { signedInAgent, testPassword } from '../helpers/admin';
import { encodeForm, eventDoc, formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { expectDocumented } from '../helpers/openapi';

/**
 * The Activity tab, the registrant page's History and GET /api/v1/events/{slug}/activity speak the
 * organiser's language: actions in words, actors by name, "field: before → after", dates on one line.
 * Driven through the real workspace and API against a real database.
 */

let t: TestApp;
let organiser: User;
let asOrganiser: Awaited<ReturnType<typeof signedInAgent>>;
let token: string;
let n = 0;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  organiser = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email: 'keiko@ilo.example', name: 'Keiko Sato', role: 'organiser', password: testPassword },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  asOrganiser = await signedInAgent(t.app, organiser.email);
  token = (
    await createApiToken(t.db.pool, { name: 'CRM sync' }, { now: t.clock.now(), by: sessionActor(organiser) })
  ).token;
});
afterAll(() => t.close());

const bearer = () => ({ Authorization: `Bearer ${token}` });

/** An event the organiser works on, with Hanako registered, cancelled by the organiser, and a new title. */
async function eventWithHistory() {
  n += 1;
  const slug = `activity-${n}`;
  t.clock.set('2026-12-01T00:00:00Z');
  const event = await makeEvent(t, { slug });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
  t.clock.set('2026-12-01T00:01:00Z');
  const outcome = await registerAttendee(t.db.pool, {
    slug,
    body: formData({ email: `hanako${n}@example.org` }),
    pageLang: 'ja',
    now: t.clock.now(),
  });
  expect(outcome.status).toBe('confirmed');
  const [row] = (
    await t.db.pool.query<{ id: string }>('SELECT id FROM registrations WHERE event_id = $1', [event.id])
  ).rows;
  const id = Number(row!.id);
  t.clock.set('2026-12-01T00:02:00Z');
  const cancel = await asOrganiser.agent
    .post(`/admin/events/${slug}/attendees/${id}/cancel`)
    .type('form')
    .send(encodeForm({ _csrf: asOrganiser.csrf }));
  expect(cancel.status).toBe(303);
  expect(cancel.headers.location).toContain('done=cancelled');
  t.clock.set('2026-12-01T00:03:00Z');
  const patched = await request(t.app)
    .patch(`/api/v1/events/${slug}`)
    .set(bearer())
    .set('Content-Type', 'application/merge-patch+json')
    .send({ title: { en: 'Solidarity Economy Day', ja: '連帯経済デー' }, capacity: 40 });
  expect(patched.status).toBe(200);
  return { slug, id };
}

/** The text of a page without its tags, whitespace collapsed. */
function words(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the Activity tab', () => {
  it('when an organiser opens it in English, then actions, actors and changes read as words, not codes or JSON', async () => {
    const { slug, id } = await eventWithHistory();
    const res = await asOrganiser.agent.get(`/admin/events/${slug}/activity?lang=en`);
    expect(res.status).toBe(200);
    const text = words(res.text.slice(res.text.indexOf('<table')));
    expect(text).toContain('Registered');
    expect(text).toContain('Hanako Yamada (registrant)');
    expect(text).toContain(`Registration #${id}: Hanako Yamada`);
    expect(text).toContain('Registration cancelled');
    expect(text).toContain('Keiko Sato');
    expect(text).toContain('Status before: Confirmed');
    expect(text).toContain('Event changed');
    expect(text).toContain('Keiko Sato (API token “CRM sync”)');
    expect(text).toContain('Title: TSUNAGARU by Social &amp; Solidarity Economy → Solidarity Economy Day');
    expect(text).toContain('Seats: — → 40');
    // The time of each entry on one line, in the event's zone.
    expect(res.text).toMatch(
      /<td class="activity-when" data-label="When"><time datetime="2026-12-01T00:01:00.000Z">Tue 1 Dec 2026, 09:01 JST<\/time><\/td>/,
    );
    for (const raw of ['registration.created', 'attendee:', '{', 'previousStatus', 'keiko@ilo.example']) {
      expect(text).not.toContain(raw);
    }
  });

  it('when the organiser reads it in Japanese, then the same entries are in Japanese', async () => {
    const { slug } = await eventWithHistory();
    const text = words((await asOrganiser.agent.get(`/admin/events/${slug}/activity?lang=ja`)).text);
    expect(text).toContain('参加登録');
    expect(text).toContain('Hanako Yamada（登録者）');
    expect(text).toContain('登録を取り消し');
    expect(text).toContain('変更前の状態: 確定');
    expect(text).toContain('イベントを変更');
    expect(text).toContain('Keiko Sato（APIトークン「CRM sync」）');
    expect(text).toContain('連帯経済デー');
    expect(text).toContain('2026年12月1日(火) 09:01 JST');
    expect(text).not.toContain('Registered');
    expect(text).not.toContain('registration.cancelled');
  });
});

describe("the registrant page's History", () => {
  it('when the organiser opens a registrant, then History shows translated actions and fields without raw JSON', async () => {
    const { slug, id } = await eventWithHistory();
    const en = words((await asOrganiser.agent.get(`/admin/events/${slug}/attendees/${id}?lang=en`)).text);
    const history = en.slice(en.indexOf('History'));
    expect(history).toContain('Registration cancelled');
    expect(history).toContain('Status before: Confirmed');
    expect(history).toContain('Hanako Yamada (registrant)');
    expect(history).not.toContain('registration.created');
    expect(history).not.toContain('"previousStatus"');
    const ja = words((await asOrganiser.agent.get(`/admin/events/${slug}/attendees/${id}?lang=ja`)).text);
    expect(ja).toContain('変更前の状態: 確定');
    expect(ja).toContain('登録を取り消し');
  });
});

describe('GET /api/v1/events/{slug}/activity', () => {
  it('when asked in Japanese, then each entry has its codes and its words, as documented', async () => {
    const { slug, id } = await eventWithHistory();
    const res = await request(t.app).get(`/api/v1/events/${slug}/activity?lang=ja`).set(bearer());
    expect(res.status).toBe(200);
    expectDocumented(res, 'GET', '/api/v1/events/{slug}/activity');
    const actions = res.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'event.updated',
      'registration.cancelled',
      'registration.created',
      'event.created',
    ]);
    const cancelled = res.body.data[1];
    expect(cancelled).toMatchObject({
      actionLabel: '登録を取り消し',
      actor: 'keiko@ilo.example',
      actorLabel: 'Keiko Sato',
      registrationId: id,
      registrantName: 'Hanako Yamada',
      when: '2026年12月1日(火) 09:02 JST',
    });
    expect(cancelled.changes).toEqual([
      { field: 'previousStatus', label: '変更前の状態', after: '確定', text: '変更前の状態: 確定' },
    ]);
    const updated = res.body.data[0];
    expect(updated.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'capacity', before: '—', after: '40' }),
        expect.objectContaining({ field: 'notified', text: '通知した登録者: 0' }),
      ]),
    );
  });

  it("when asked for one registration's entries in English, then only those come, newest first", async () => {
    const { slug, id } = await eventWithHistory();
    const res = await request(t.app)
      .get(`/api/v1/events/${slug}/activity?registration=${id}&limit=1`)
      .set(bearer())
      .set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expectDocumented(res, 'GET', '/api/v1/events/{slug}/activity');
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      action: 'registration.cancelled',
      actionLabel: 'Registration cancelled',
    });
  });

  it('when the language, registration or limit is not valid, then 422 names the field; an unknown event is 404', async () => {
    const { slug } = await eventWithHistory();
    const bad = await request(t.app)
      .get(`/api/v1/events/${slug}/activity?lang=fr&registration=x&limit=0`)
      .set(bearer());
    expect(bad.status).toBe(422);
    expectDocumented(bad, 'GET', '/api/v1/events/{slug}/activity');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['lang', 'limit', 'registration']);
    const missing = await request(t.app).get('/api/v1/events/no-such-event/activity').set(bearer());
    expect(missing.status).toBe(404);
    expectDocumented(missing, 'GET', '/api/v1/events/{slug}/activity');
  });

  it('when a token has no right to the event, then it gets no entries', async () => {
    const other = await makeEvent(t, eventDoc({ slug: `activity-closed-${++n}` }));
    const res = await request(t.app).get(`/api/v1/events/${other.slug}/activity`).set(bearer());
    expect([403, 404]).toContain(res.status);
    expect(res.body.data).toBeUndefined();
  });
});
