import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApiToken, sessionActor } from '../../src/accounts';
import { mintInvitationLink, unsubscribeInvitee } from '../../src/invitations';
import { anonymiseDueEvents } from '../../src/privacy';
import { registrationCounts } from '../../src/registrations';
import { syncEventRegistrants } from '../../src/zoom';
import { ZoomClient } from '../../src/zoom-api';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';
import { deliverDue } from '../helpers/mail';
import { expectDocumented } from '../helpers/openapi';
import { fileOutbox, placesHolding, registerOnForm, tempDataDir, type FileOutbox } from '../helpers/privacy';

/**
 * A person's requests by address, for admins: everything held about them across events (access) and
 * erasing all of it at once (erasure), through the API and the command line, with Zoom on a fake Zoom.
 */

const WEBINAR = '81234567890';
const repoRoot = path.resolve(__dirname, '..', '..');
let zoom: FakeZoom;
let t: TestApp;
let outbox: FileOutbox;
let admin: Record<string, string>;
let organiser: Record<string, string>;

async function bearer(role: 'admin' | 'organiser') {
  const user = await createTestAccount(t.db.pool, { role });
  const { token } = await createApiToken(
    t.db.pool,
    { name: role },
    { now: t.clock.now(), by: sessionActor(user) },
  );
  return { Authorization: `Bearer ${token}` };
}

beforeAll(async () => {
  zoom = await startFakeZoom();
  const dataDir = tempDataDir();
  t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: { ...zoom.env, DATA_DIR: dataDir } });
  outbox = fileOutbox(t, dataDir, zoom.env);
  admin = await bearer('admin');
  organiser = await bearer('organiser');
});
afterAll(async () => {
  outbox.close();
  await t.close();
  await zoom.close();
});
beforeEach(async () => {
  outbox.clear();
  zoom.calls.length = 0;
  zoom.addSession({ id: WEBINAR, topic: 'TSUNAGARU' });
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  await t.db.pool.query('DELETE FROM pgboss.job');
});

const hanako = { email: 'hanako.yamadera@example.org', familyName: 'Yamadera', givenName: 'Hanakoko' };
const jurgen = { email: 'jurgen@example.org', familyName: 'Schwettmann', givenName: 'Jürgen' };

const zoomDeps = () => ({ pool: t.db.pool, zoom: new ZoomClient(outbox.config.zoom!), now: t.clock.now });

test('when an admin exports and erases an address registered at three events (one on Zoom), then the export lists it all, and afterwards no text column anywhere holds the address or the name, counts are unchanged, Zoom cancels it, links end and mail files go', async () => {
  const onZoom = await makeEvent(t, { slug: 'on-zoom', zoom: { kind: 'webinar', id: WEBINAR } });
  const second = await makeEvent(t, { slug: 'second' });
  const third = await makeEvent(t, { slug: 'third' });
  await registerOnForm(t, onZoom.slug, hanako);
  await registerOnForm(t, onZoom.slug, jurgen);
  await registerOnForm(t, second.slug, { ...hanako, organisation: 'Kyoto Coop Union' });
  await syncEventRegistrants(zoomDeps(), onZoom.id);
  await deliverDue(t, outbox.transport, outbox.config);
  await registerOnForm(t, third.slug, { ...hanako, email: 'Hanako.Yamadera@example.org' });
  expect(outbox.files()).toHaveLength(3);
  const manage = (await outbox.linksTo(hanako.email)).manage!;
  // She is also on the invitation list of a fourth event.
  const fourth = await makeEvent(t, { slug: 'fourth' });
  const invited = await request(t.app)
    .post(`/api/v1/events/${fourth.slug}/invitees`)
    .set(admin)
    .send([{ ...hanako, organisation: 'Kyoto Coop Union', language: 'ja' }]);
  expect(invited.status).toBe(201);
  expect(invited.body.added).toHaveLength(1);

  const exported = await request(t.app).get('/api/v1/people').query({ email: hanako.email }).set(admin);
  expect(exported.status).toBe(200);
  expectDocumented(exported, 'GET', '/api/v1/people');
  expect(exported.body.registrations.map((r: { event: { slug: string } }) => r.event.slug)).toEqual([
    'on-zoom',
    'second',
    'third',
  ]);
  expect(exported.body.mails).toHaveLength(3);
  expect(exported.body.auditEntries.map((e: { action: string }) => e.action)).toEqual([
    'registration.created',
    'registration.created',
    'registration.created',
  ]);
  expect(exported.body.zoom).toEqual([
    expect.objectContaining({ state: 'registered', joinUrl: expect.any(String) }),
  ]);
  expect(exported.body.invitations).toEqual([
    expect.objectContaining({ eventId: fourth.id, email: hanako.email, organisation: 'Kyoto Coop Union' }),
  ]);

  const counts = await Promise.all(
    [onZoom, second, third].map((e) => registrationCounts(t.db.pool, e.id, {})),
  );
  const erased = await request(t.app).post('/api/v1/people/erase').set(admin).send({ email: hanako.email });
  expect(erased.status).toBe(200);
  expectDocumented(erased, 'POST', '/api/v1/people/erase');
  expect(erased.body.erased).toEqual({
    registrations: 3,
    events: ['on-zoom', 'second', 'third'],
    mails: 3,
    cancelledMails: 1,
    auditEntries: 3,
    invitees: 1,
    files: 2,
  });

  expect(await placesHolding(t, [hanako.email, 'Yamadera', 'Hanakoko', 'Kyoto Coop'])).toEqual([]);
  expect(await placesHolding(t, [jurgen.email])).not.toEqual([]);
  expect(
    await Promise.all([onZoom, second, third].map((e) => registrationCounts(t.db.pool, e.id, {}))),
  ).toEqual(counts);
  expect((await request(t.app).get(new URL(manage).pathname)).status).toBe(404);
  expect(outbox.files()).toHaveLength(1);
  const trail = await t.db.pool.query(`SELECT data FROM audit_log WHERE action = 'person.erased'`);
  expect(trail.rows).toEqual([
    { data: expect.objectContaining({ registrations: 3, events: ['on-zoom', 'second', 'third'] }) },
  ]);

  // The Zoom sync job queued with the erasure cancels the registrant on Zoom, then forgets Zoom's id.
  expect((await syncEventRegistrants(zoomDeps(), onZoom.id)).cancelled).toBe(1);
  const cancel = zoom.callsTo(/PUT .*\/registrants\/status/);
  expect(cancel.map((c) => (c.body as { action: string }).action)).toEqual(['cancel']);
  const row = await t.db.pool.query(
    'SELECT state, registrant_id, join_url FROM zoom_registrants ORDER BY registration_id',
  );
  expect(row.rows[0]).toEqual({ state: 'cancelled', registrant_id: null, join_url: null });
  const again = await request(t.app).get('/api/v1/people').query({ email: hanako.email }).set(admin);
  expect(again.body.registrations).toEqual([]);
});

test("when the retention period of an event on Zoom passes, then its registrants are cancelled on Zoom and Zoom's ids and links are forgotten", async () => {
  const event = await makeEvent(t, {
    slug: 'zoom-kept',
    retentionDays: 30,
    zoom: { kind: 'webinar', id: WEBINAR },
  });
  await registerOnForm(t, event.slug, hanako);
  await syncEventRegistrants(zoomDeps(), event.id);
  const before = await t.db.pool.query('SELECT registrant_id FROM zoom_registrants');
  expect(before.rows[0].registrant_id).toEqual(expect.any(String));
  await t.db.pool.query('DELETE FROM pgboss.job');
  const done = await anonymiseDueEvents(t.db.pool, new Date('2027-01-15T08:15:00Z'), outbox.dataDir, {
    cancelOnZoom: true,
  });
  expect(done).toEqual({ events: 1, registrations: 1 });
  const jobs = await t.db.pool.query(`SELECT 1 FROM pgboss.job WHERE name = 'zoom-sync'`);
  expect(jobs.rows).toHaveLength(1);
  expect((await syncEventRegistrants(zoomDeps(), event.id)).cancelled).toBe(1);
  expect(zoom.callsTo(/PUT .*\/registrants\/status/).map((c) => c.body)).toEqual([
    { action: 'cancel', registrants: [{ id: before.rows[0].registrant_id }] },
  ]);
  const after = await t.db.pool.query('SELECT state, registrant_id, join_url FROM zoom_registrants');
  expect(after.rows).toEqual([{ state: 'cancelled', registrant_id: null, join_url: null }]);
});

test('when an address that unsubscribed from an invitation is erased, then the audit log no longer names it as the actor', async () => {
  const event = await makeEvent(t, { slug: 'invited-only' });
  const added = await request(t.app)
    .post(`/api/v1/events/${event.slug}/invitees`)
    .set(admin)
    .send([{ ...hanako, language: 'en' }]);
  expect(added.status).toBe(201);
  const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM invitees');
  const token = await mintInvitationLink(t.db.pool, {
    inviteeId: Number(rows[0]!.id),
    purpose: 'unsubscribe',
    mailId: null,
    at: t.clock.now(),
  });
  await unsubscribeInvitee(t.db.pool, token, t.clock.now());
  const before = await t.db.pool.query(`SELECT 1 FROM audit_log WHERE actor = $1`, [
    `invitee:${hanako.email}`,
  ]);
  expect(before.rows).toHaveLength(1);
  // Held only as an invitee, the address is still offered for erasure in the workspace.
  const boss = await createTestAccount(t.db.pool, { role: 'admin' });
  const { agent } = await signedInAgent(t.app, boss.email);
  const shown = await agent.get('/admin/people').query({ email: hanako.email });
  expect(shown.text).toContain('action="/admin/people/erase"');
  const erased = await request(t.app).post('/api/v1/people/erase').set(admin).send({ email: hanako.email });
  expect(erased.status).toBe(200);
  expect(erased.body.erased).toMatchObject({ invitees: 1 });
  expect(await placesHolding(t, [hanako.email, 'Yamadera', 'Hanakoko'])).toEqual([]);
  const after = await t.db.pool.query(`SELECT 1 FROM audit_log WHERE actor = 'invitee:erased'`);
  expect(after.rows).toHaveLength(1);
});

test('when an organiser asks, then 403; when the address is not one, then 400 in the asked language and nothing changes', async () => {
  const event = await makeEvent(t);
  await registerOnForm(t, event.slug, hanako);
  const list = await request(t.app).get('/api/v1/people').query({ email: hanako.email }).set(organiser);
  expect(list.status).toBe(403);
  expectDocumented(list, 'GET', '/api/v1/people');
  const erase = await request(t.app)
    .post('/api/v1/people/erase')
    .set(organiser)
    .send({ email: hanako.email });
  expect(erase.status).toBe(403);
  const bad = await request(t.app)
    .post('/api/v1/people/erase')
    .set({ ...admin, 'Accept-Language': 'ja' })
    .send({ email: 'not an address' });
  expect(bad.status).toBe(400);
  expectDocumented(bad, 'POST', '/api/v1/people/erase');
  expect(bad.body.error.message).toMatch(/メールアドレス/);
  const missing = await request(t.app).get('/api/v1/people').set(admin);
  expect(missing.status).toBe(400);
  expect((await t.db.pool.query('SELECT email FROM registrations')).rows).toEqual([{ email: hanako.email }]);
});

/** The command line as an operator runs it, on this test's database and data folder. */
function cli(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['src/cli/main.ts', ...args],
      {
        cwd: repoRoot,
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          DATABASE_URL: t.db.url,
          DATA_DIR: outbox.dataDir,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
        },
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

test('when the command line exports and erases, then it prints the JSON; without --yes it asks and "n" keeps everything; with --yes it erases', async () => {
  const event = await makeEvent(t);
  await registerOnForm(t, event.slug, hanako);
  const exported = await cli(['person', 'export', '--email', hanako.email]);
  expect(exported.code).toBe(0);
  expect(JSON.parse(exported.stdout).registrations).toEqual([
    expect.objectContaining({ familyName: 'Yamadera' }),
  ]);

  const asked = await cli(['person', 'erase', '--email', hanako.email], 'n\n');
  expect(asked.stdout).toContain('Registrations: 1 (tsunagaru-test)');
  expect(asked.stdout).toContain('Nothing erased.');
  expect(asked.code).toBe(1);
  expect((await t.db.pool.query('SELECT email FROM registrations')).rows).toEqual([{ email: hanako.email }]);

  const done = await cli(['person', 'erase', '--yes', '--email', hanako.email]);
  expect(done.code).toBe(0);
  expect(done.stdout).toContain('Erased: 1 registrations in 1 events');
  expect(done.stdout).not.toContain(hanako.email);
  expect(await placesHolding(t, [hanako.email, 'Yamadera'])).toEqual([]);
});

test('when the command line is given no address or a bad one, then it says so, exits 1 and erases nothing', async () => {
  const event = await makeEvent(t);
  await registerOnForm(t, event.slug, hanako);
  for (const args of [
    ['person', 'erase', '--yes', '--email', 'nobody at all'],
    ['person', 'erase', '--yes'],
    ['person', 'export', '--email', ''],
  ]) {
    const res = await cli(args);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/valid e-mail address/);
    expect(res.stderr).not.toMatch(/Failed:|at .*\.ts:\d+/);
  }
  expect((await t.db.pool.query('SELECT email FROM registrations')).rows).toEqual([{ email: hanako.email }]);
});

test('when an organiser opens Personal data, then 403; when an admin erases there without ticking the box, then nothing changes; ticked, the attendee list says Erased', async () => {
  const event = await makeEvent(t);
  await registerOnForm(t, event.slug, hanako);
  const who = await createTestAccount(t.db.pool, { role: 'organiser' });
  const asOrganiser = await signedInAgent(t.app, who.email);
  expect((await asOrganiser.agent.get('/admin/people')).status).toBe(403);

  const boss = await createTestAccount(t.db.pool, { role: 'admin' });
  const { agent, csrf } = await signedInAgent(t.app, boss.email);
  const bad = await agent.get('/admin/people').query({ email: 'nobody at all' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('valid e-mail address');
  const inEnglish = await agent.get('/admin/people').query({ email: hanako.email, lang: 'en' });
  // The registration time in its event's zone (Tokyo), whatever the page language.
  expect(inEnglish.text).toMatch(/\d{2}:\d{2} JST/);
  expect(inEnglish.text).not.toMatch(/\d{2}:\d{2} CES?T/);
  const shown = await agent.get('/admin/people').query({ email: hanako.email, lang: 'ja' });
  expect(shown.text).toContain('Yamadera Hanakoko'.split(' ').reverse().join(' '));
  const download = await agent.get('/admin/people/export').query({ email: hanako.email });
  expect(download.headers['content-disposition']).toContain('attachment');
  expect(JSON.parse(download.text).registrations).toHaveLength(1);

  const unticked = await agent
    .post('/admin/people/erase')
    .type('form')
    .send({ _csrf: csrf, email: hanako.email });
  expect(unticked.status).toBe(422);
  expect((await t.db.pool.query('SELECT email FROM registrations')).rows).toEqual([{ email: hanako.email }]);
  const ticked = await agent
    .post('/admin/people/erase')
    .type('form')
    .send({ _csrf: csrf, email: hanako.email, confirm: 'yes' });
  expect(ticked.status).toBe(200);
  expect(ticked.text).toContain('消去しました：お申し込み1件（tsunagaru-test）');
  const list = await agent.get(`/admin/events/${event.slug}/attendees?lang=ja`);
  expect(list.text).toContain('消去済み');
  expect(list.text).not.toContain('Yamadera');
});
