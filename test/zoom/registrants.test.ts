import request from 'supertest';
import { createApiToken, sessionActor } from '../../src/accounts';
import type { Config } from '../../src/config';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { eventBySlug } from '../../src/events';
import { ZoomClient } from '../../src/zoom-api';
import { moveOnZoom, syncEventRegistrants, type ZoomDeps } from '../../src/zoom';
import { zoomReportsTask, zoomResyncTask } from '../../src/worker/zoom-jobs';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import {
  encodeForm,
  formData,
  formSession,
  importTestEvent,
  eventDoc,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { deliverDue, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';
import { expectDocumented } from '../helpers/openapi';

/**
 * Zoom registrants against a fake Zoom on 127.0.0.1: the form registers, the worker's sync job registers
 * on Zoom, the mail and the /join link carry the personal join URL; backlogs go in batches; cancellations
 * and refusals are passed on or recorded.
 */

const WEBINAR = '81234567890';
let zoom: FakeZoom;
let t: TestApp;
let sink: SmtpSink;
let config: Config;
let transport: MailTransport;
let deps: ZoomDeps;

beforeAll(async () => {
  zoom = await startFakeZoom();
  t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: zoom.env });
  sink = await startSmtpSink();
  config = mailConfig(t, sink.url, zoom.env);
  transport = createTransport(config);
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await t.close();
  await zoom.close();
});
beforeEach(async () => {
  t.clock.set('2026-12-01T00:00:00Z');
  sink.received.length = 0;
  zoom.calls.length = 0;
  zoom.addSession({ id: WEBINAR, topic: 'TSUNAGARU by Social & Solidarity Economy' });
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  await t.db.pool.query('DELETE FROM pgboss.job');
  deps = { pool: t.db.pool, zoom: new ZoomClient(config.zoom!), now: t.clock.now };
});

async function register(data: Record<string, string>, slug = 'tsunagaru-test') {
  const { agent, token } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData(data) }));
  expect(res.status).toBe(303);
}

async function linkedEvent(overrides = {}) {
  return (await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: WEBINAR }, ...overrides }))).event;
}

async function zoomRow(email: string) {
  const res = await t.db.pool.query(
    `SELECT z.* FROM zoom_registrants z JOIN registrations r ON r.id = z.registration_id WHERE r.email = $1`,
    [email],
  );
  return res.rows[0] as Record<string, unknown> | undefined;
}

async function syncJobs(eventId: number) {
  const res = await t.db.pool.query<{ start_after: Date }>(
    `SELECT start_after FROM pgboss.job WHERE name = 'zoom-sync' AND data->>'eventId' = $1 AND state = 'created'`,
    [String(eventId)],
  );
  return res.rows;
}

describe('Zoom registrants', () => {
  it('when someone registers, then a sync job registers them on Zoom and the mail and /join carry their own join URL', async () => {
    const event = await linkedEvent();
    await register({ email: 'hanako@example.org', givenName: 'Hanako', familyName: 'Yamada', locale: 'en' });
    expect(await syncJobs(event.id)).toHaveLength(1);
    // Before the sync, the confirmation mail waits (up to a minute) for the personal link.
    expect(await deliverDue(t, transport, config)).toEqual(['waiting_for_zoom']);

    const outcome = await syncEventRegistrants(deps, event.id);
    expect(outcome).toMatchObject({ registered: 1, failed: 0 });
    const call = zoom.callsTo(/POST \/webinars\/\d+\/registrants$/)[0]!;
    expect(call.body).toEqual({ email: 'hanako@example.org', first_name: 'Hanako', last_name: 'Yamada' });
    const row = (await zoomRow('hanako@example.org'))!;
    expect(row.state).toBe('registered');
    const joinUrl = String(row.join_url);
    expect(joinUrl).toMatch(/^https:\/\/us02web\.zoom\.us\/w\/81234567890\?tk=reg-/);

    // The mail job was queued again a few seconds later; run it as the worker would.
    await t.db.pool.query(`UPDATE outgoing_mails SET next_attempt_at = now()`);
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);
    const [mail] = await sink.waitFor(1);
    expect(mail!.parsed.text).toContain(joinUrl);
    expect(mail!.parsed.html).toContain(joinUrl);
    const join = linksIn(mail!.parsed).join!;
    const res = await request(t.app).get(new URL(join).pathname);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(joinUrl);

    // A second run registers nobody again (Zoom allows three registrations per address and day).
    await syncEventRegistrants(deps, event.id);
    expect(zoom.callsTo(/registrants$/)).toHaveLength(1);
  });

  it('when the sync has not settled within 60 s, then the mail goes with the personal /join link, which falls back to the meeting link', async () => {
    await linkedEvent();
    await register({ email: 'late@example.org' });
    expect(await deliverDue(t, transport, config)).toEqual(['waiting_for_zoom']);
    t.clock.set('2026-12-01T00:01:01Z');
    await t.db.pool.query(`UPDATE outgoing_mails SET next_attempt_at = now()`);
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);
    const [mail] = await sink.waitFor(1);
    expect(mail!.parsed.text).not.toContain('zoom.us');
    const join = linksIn(mail!.parsed).join!;
    const res = await request(t.app).get(new URL(join).pathname);
    expect(res.headers.location).toBe('https://zoom.example/j/123');
  });

  it('when Zoom is linked to an event with 45 registrants, then they go in batches of 30 and 15, once', async () => {
    const event = (await importTestEvent(t, eventDoc())).event;
    for (let i = 0; i < 45; i++) await register({ email: `p${i}@example.org`, givenName: `P${i}` });
    expect(await syncJobs(event.id)).toHaveLength(0);
    await linkedEvent();
    expect(await syncJobs(event.id)).toHaveLength(1);
    const outcome = await syncEventRegistrants(deps, event.id);
    expect(outcome).toMatchObject({ registered: 45, failed: 0 });
    const batches = zoom.callsTo(/POST \/webinars\/\d+\/batch_registrants$/);
    expect(batches.map((b) => (b.body as { registrants: unknown[] }).registrants.length)).toEqual([30, 15]);
    expect(batches[0]!.body).toMatchObject({ auto_approve: true });
    const { rows } = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM zoom_registrants WHERE state = 'registered' AND join_url IS NOT NULL`,
    );
    expect(rows[0].n).toBe(45);
    await syncEventRegistrants(deps, event.id);
    expect(zoom.callsTo(/batch_registrants|registrants$/)).toHaveLength(2);
  });

  it('when a registrant cancels, then Zoom gets a cancel with their registrant id and e-mail', async () => {
    const event = await linkedEvent();
    await register({ email: 'taro@example.org' });
    await syncEventRegistrants(deps, event.id);
    const registrantId = String((await zoomRow('taro@example.org'))!.registrant_id);
    await t.db.pool.query(`UPDATE outgoing_mails SET next_attempt_at = now()`);
    await deliverDue(t, transport, config);
    const [mail] = await sink.waitFor(1);
    const manage = linksIn(mail!.parsed).manage!;
    const agent = request.agent(t.app);
    const page = await agent.get(new URL(manage).pathname);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent
      .post(`${new URL(manage).pathname}/cancel`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(await syncJobs(event.id)).toHaveLength(1);
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ cancelled: 1 });
    expect(zoom.callsTo(/PUT \/webinars\/\d+\/registrants\/status$/)[0]!.body).toEqual({
      action: 'cancel',
      registrants: [{ id: registrantId, email: 'taro@example.org' }],
    });
    expect((await zoomRow('taro@example.org'))!.state).toBe('cancelled');
  });

  it('when a cancelled registrant is restored, then Zoom approves them again with the same registrant id and join URL, never registering them twice', async () => {
    const event = await linkedEvent();
    await register({ email: 'hanako@example.org' });
    await syncEventRegistrants(deps, event.id);
    const before = (await zoomRow('hanako@example.org'))!;
    const { rows } = await t.db.pool.query(`SELECT id FROM registrations WHERE email = 'hanako@example.org'`);
    const id = Number(rows[0].id);
    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent, csrf } = await signedInAgent(t.app, admin.email);
    const act = (action: string) =>
      agent.post(`/admin/events/${event.slug}/attendees/${id}/${action}`).type('form').send({ _csrf: csrf });
    expect((await act('cancel')).status).toBe(303);
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ cancelled: 1 });
    expect((await zoomRow('hanako@example.org'))!.state).toBe('cancelled');
    await t.db.pool.query(`UPDATE outgoing_mails SET status = 'skipped'`);
    sink.received.length = 0;
    // Until the sync has run, the restored registrant's confirmation waits for their own link.
    expect((await act('restore')).status).toBe(303);
    expect(await syncJobs(event.id)).toHaveLength(1);
    expect(await deliverDue(t, transport, config)).toEqual(['waiting_for_zoom']);
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ reinstated: 1, registered: 0 });
    expect(zoom.callsTo(/PUT \/webinars\/\d+\/registrants\/status$/).map((c) => c.body)).toEqual([
      { action: 'cancel', registrants: [{ id: before.registrant_id, email: 'hanako@example.org' }] },
      { action: 'approve', registrants: [{ id: before.registrant_id, email: 'hanako@example.org' }] },
    ]);
    expect(zoom.callsTo(/registrants$/)).toHaveLength(1);
    expect(await zoomRow('hanako@example.org')).toMatchObject({
      state: 'registered',
      registrant_id: before.registrant_id,
      join_url: before.join_url,
    });
    await t.db.pool.query(`UPDATE outgoing_mails SET next_attempt_at = now()`);
    expect(await deliverDue(t, transport, config)).toEqual(['sent']);
    const [mail] = await sink.waitFor(1);
    expect(mail!.parsed.text).toContain(String(before.join_url));
  });

  it('when Zoom will not take a restored registrant back, then they are registered afresh', async () => {
    const event = await linkedEvent();
    await register({ email: 'jiro@example.org' });
    await syncEventRegistrants(deps, event.id);
    const { rows } = await t.db.pool.query(`SELECT id FROM registrations WHERE email = 'jiro@example.org'`);
    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent, csrf } = await signedInAgent(t.app, admin.email);
    const act = (action: string) =>
      agent
        .post(`/admin/events/${event.slug}/attendees/${rows[0].id}/${action}`)
        .type('form')
        .send({ _csrf: csrf });
    await act('cancel');
    await syncEventRegistrants(deps, event.id);
    await act('restore');
    zoom.failNext(/registrants\/status$/, 400, { code: 3001, message: 'Registrant not found.' });
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ reinstated: 0, registered: 1 });
    expect(zoom.callsTo(/registrants$/)).toHaveLength(2);
    expect((await zoomRow('jiro@example.org'))!.state).toBe('registered');
  });

  it('when Zoom answers 429 with Retry-After, then the sync waits that long through the queue and then registers', async () => {
    const event = await linkedEvent();
    await register({ email: 'busy@example.org' });
    zoom.failNext(
      /registrants$/,
      429,
      { code: 429, message: 'Too many requests.' },
      { 'retry-after': '120' },
    );
    // The worker has taken the job the registration queued (a job being worked on does not hold the key).
    await t.db.pool.query(`DELETE FROM pgboss.job WHERE name = 'zoom-sync'`);
    const outcome = await syncEventRegistrants(deps, event.id);
    expect(outcome.retryAt?.toISOString()).toBe('2026-12-01T00:02:00.000Z');
    const row = (await zoomRow('busy@example.org'))!;
    expect(row.state).toBe('pending');
    expect((row.next_attempt_at as Date).toISOString()).toBe('2026-12-01T00:02:00.000Z');
    const jobs = await syncJobs(event.id);
    expect(jobs.map((j) => j.start_after.toISOString())).toContain('2026-12-01T00:02:00.000Z');
    // Too early: nothing is asked.
    t.clock.set('2026-12-01T00:01:00Z');
    await syncEventRegistrants(deps, event.id);
    expect(zoom.callsTo(/registrants$/)).toHaveLength(1);
    t.clock.set('2026-12-01T00:02:00Z');
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ registered: 1 });
    expect((await zoomRow('busy@example.org'))!.state).toBe('registered');
  });

  it('when Zoom refuses with a 400, then the registration stands and the organiser sees Zoom’s message in their language', async () => {
    const event = await linkedEvent();
    await register({ email: 'refused@example.org' });
    zoom.failNext(/registrants$/, 400, { code: 3027, message: 'Registration has not been enabled.' });
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ failed: 1 });
    const row = (await zoomRow('refused@example.org'))!;
    expect(row).toMatchObject({ state: 'failed', error: 'Registration has not been enabled.' });
    // Never retried by itself.
    await syncEventRegistrants(deps, event.id);
    expect(zoom.callsTo(/registrants$/)).toHaveLength(1);
    const { rows } = await t.db.pool.query(`SELECT id, status FROM registrations`);
    expect(rows[0].status).toBe('confirmed');

    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent } = await signedInAgent(t.app, admin.email);
    const page = await agent.get(`/admin/events/tsunagaru-test/attendees/${rows[0].id}?lang=ja`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Zoom から拒否されました：Registration has not been enabled.');
    const en = await agent.get(`/admin/events/tsunagaru-test/attendees/${rows[0].id}?lang=en`);
    expect(en.text).toContain('Zoom refused: Registration has not been enabled.');
  });

  it('when the event is cancelled, then every registrant is cancelled on Zoom', async () => {
    const event = await linkedEvent();
    await register({ email: 'a@example.org' });
    await register({ email: 'b@example.org' });
    await syncEventRegistrants(deps, event.id);
    await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: WEBINAR }, status: 'cancelled' }));
    expect(await syncEventRegistrants(deps, event.id)).toMatchObject({ cancelled: 2 });
    const body = zoom.callsTo(/PUT/)[0]!.body as { registrants: { email: string }[] };
    expect(body.registrants.map((r) => r.email).sort()).toEqual(['a@example.org', 'b@example.org']);
  });
});

describe('the periodic Zoom tasks', () => {
  it('when the re-sync runs, then each event on Zoom that has not ended gets one sync job; the report task takes the one that ended an hour ago', async () => {
    const upcoming = await linkedEvent();
    const ended = await linkedEvent({
      slug: 'ended-webinar',
      startsAt: '2026-11-30T20:00:00+09:00',
      endsAt: '2026-11-30T22:00:00+09:00',
    });
    await importTestEvent(t, eventDoc({ slug: 'no-zoom' }));
    await t.db.pool.query(`DELETE FROM pgboss.job`);
    const jobs = async (name: string) =>
      (
        await t.db.pool.query<{ event_id: string }>(
          `SELECT data->>'eventId' AS event_id FROM pgboss.job WHERE name = $1 ORDER BY 1`,
          [name],
        )
      ).rows.map((r) => Number(r.event_id));

    await zoomResyncTask(t.db.pool, t.clock.now, false).run();
    expect(await jobs('zoom-sync')).toEqual([]);
    await zoomResyncTask(t.db.pool, t.clock.now, true).run();
    await zoomResyncTask(t.db.pool, t.clock.now, true).run();
    expect(await jobs('zoom-sync')).toEqual([upcoming.id]);
    await zoomReportsTask(t.db.pool, t.clock.now, true).run();
    expect(await jobs('zoom-report')).toEqual([ended.id]);
    // With everything in line, the sync asks Zoom nothing.
    zoom.calls.length = 0;
    expect(await syncEventRegistrants(deps, upcoming.id)).toMatchObject({ registered: 0, cancelled: 0 });
    expect(zoom.calls.filter((c) => c.path !== '/oauth/token')).toEqual([]);
  });
});

describe('linking and moving through the API', () => {
  async function token() {
    const user = await createTestAccount(t.db.pool, { role: 'admin' });
    return (await createApiToken(t.db.pool, { name: 'zoom' }, { now: t.clock.now(), by: sessionActor(user) }))
      .token;
  }

  it('when an organiser creates the webinar on Zoom, then 201 with the zoom object, then 409; a move patches Zoom', async () => {
    await importTestEvent(t, eventDoc());
    const auth = { Authorization: `Bearer ${await token()}` };
    const res = await request(t.app)
      .post('/api/v1/events/tsunagaru-test/zoom')
      .set(auth)
      .send({ kind: 'webinar' });
    expect(res.status).toBe(201);
    expectDocumented(res, 'post', '/api/v1/events/{slug}/zoom');
    expect(res.body.zoom).toEqual({ kind: 'webinar', id: expect.stringMatching(/^\d{11}$/) });
    const created = zoom.callsTo(/POST \/users\/me\/webinars/)[0]!.body;
    expect(created).toMatchObject({
      topic: 'TSUNAGARU by Social & Solidarity Economy',
      type: 5,
      start_time: '2026-12-16T06:00:00Z',
      duration: 135,
      timezone: 'Asia/Tokyo',
      settings: { approval_type: 0 },
    });
    const again = await request(t.app)
      .post('/api/v1/events/tsunagaru-test/zoom')
      .set(auth)
      .send({ kind: 'webinar' });
    expect(again.status).toBe(409);
    expectDocumented(again, 'post', '/api/v1/events/{slug}/zoom');
    const bad = await request(t.app)
      .post('/api/v1/events/tsunagaru-test/zoom')
      .set(auth)
      .send({ kind: 'party' });
    expect(bad.status).toBe(422);
    expectDocumented(bad, 'post', '/api/v1/events/{slug}/zoom');

    const moved = await request(t.app)
      .patch('/api/v1/events/tsunagaru-test')
      .set(auth)
      .send({ startsAt: '2026-12-17T15:00:00+09:00', endsAt: '2026-12-17T16:00:00+09:00' });
    expect(moved.status).toBe(200);
    const { rows } = await t.db.pool.query(`SELECT data FROM pgboss.job WHERE name = 'zoom-move'`);
    expect(rows).toHaveLength(1);
    // Zoom says "later": the move is queued again for the moment Zoom named, and then done.
    await t.db.pool.query(`DELETE FROM pgboss.job WHERE name = 'zoom-move'`);
    zoom.failNext(
      /PATCH \/webinars\//,
      429,
      { code: 429, message: 'Too many requests.' },
      { 'retry-after': '300' },
    );
    expect(await moveOnZoom(deps, await eventBySlug(t.db.pool, 'tsunagaru-test'))).toBe('later');
    const later = await t.db.pool.query<{ start_after: Date }>(
      `SELECT start_after FROM pgboss.job WHERE name = 'zoom-move'`,
    );
    expect(later.rows.map((r) => r.start_after.toISOString())).toEqual(['2026-12-01T00:05:00.000Z']);
    expect(zoom.session(res.body.zoom.id)).toMatchObject({ start_time: '2026-12-16T06:00:00Z' });
    expect(await moveOnZoom(deps, await eventBySlug(t.db.pool, 'tsunagaru-test'))).toBe('moved');
    expect(zoom.session(res.body.zoom.id)).toMatchObject({
      start_time: '2026-12-17T06:00:00Z',
      duration: 60,
    });
    // A permanent refusal is not retried.
    zoom.failNext(/PATCH \/webinars\//, 404, { code: 3001, message: 'Webinar does not exist.' });
    expect(await moveOnZoom(deps, await eventBySlug(t.db.pool, 'tsunagaru-test'))).toBe('refused');
  });
});
