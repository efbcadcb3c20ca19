import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { exportEvent, importEvent } from '../../src/events';
import { anonymiseDueEvents } from '../../src/privacy';
import { eventRegistrants, registrationCounts } from '../../src/registrations';
import { tFor } from '../../src/i18n';
import { retentionLine } from '../../src/admin/event-form.view';
import { formValuesFromEvent } from '../../src/admin/event-form.values';
import { deliverDue } from '../helpers/mail';
import { eventDoc, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { fileOutbox, placesHolding, registerOnForm, type FileOutbox } from '../helpers/privacy';

/**
 * The retention period, run by a clock the test sets: an event's registrants' personal data is
 * anonymised `retentionDays` after its end, not a minute before; counts and breakdowns stay; 0 keeps it.
 */

let t: TestApp;
let outbox: FileOutbox;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  outbox = fileOutbox(t);
});
afterAll(async () => {
  outbox.close();
  await t.close();
});
beforeEach(async () => {
  t.clock.set('2026-12-01T00:00:00Z');
  outbox.clear();
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
});

const hanako = {
  email: 'hanako@example.org',
  familyName: 'Yamadera',
  givenName: 'Hanako',
  organisation: 'JCA Kyoto',
};
const jurgen = {
  email: 'jurgen@example.org',
  familyName: 'Schwettmann',
  givenName: 'Jürgen',
  organisation: 'Genossenschaft Bern',
  affiliation: 'government',
  country: 'CH',
  locale: 'en',
  interpretation: 'en',
};

async function rowsSnapshot() {
  const regs = await t.db.pool.query('SELECT * FROM registrations ORDER BY id');
  const audit = await t.db.pool.query('SELECT * FROM audit_log ORDER BY id');
  const mails = await t.db.pool.query('SELECT * FROM outgoing_mails ORDER BY id');
  return JSON.stringify([regs.rows, audit.rows, mails.rows]);
}

test('when the retention days have passed since the end, then names, addresses, answers, links, mail files and audit details are gone and the counts stay; not a minute before, and a second run changes nothing', async () => {
  // Ends 16 Dec 2026 17:15 JST (08:15 UTC); 30 days later is 15 Jan 2027 08:15 UTC.
  const event = await makeEvent(t, { retentionDays: 30 });
  await registerOnForm(t, event.slug, hanako);
  await registerOnForm(t, event.slug, jurgen);
  await deliverDue(t, outbox.transport, outbox.config);
  expect(outbox.files()).toHaveLength(2);
  const manage = (await outbox.linksTo(hanako.email)).manage!;
  expect((await request(t.app).get(new URL(manage).pathname)).status).toBe(200);
  const counts = await registrationCounts(t.db.pool, event.id, {});

  const before = await rowsSnapshot();
  expect(await anonymiseDueEvents(t.db.pool, new Date('2027-01-15T08:14:59Z'), outbox.dataDir)).toEqual({
    events: 0,
    registrations: 0,
  });
  expect(await rowsSnapshot()).toBe(before);
  expect(outbox.files()).toHaveLength(2);

  const done = await anonymiseDueEvents(t.db.pool, new Date('2027-01-15T08:15:00Z'), outbox.dataDir);
  expect(done).toEqual({ events: 1, registrations: 2 });
  expect(
    await placesHolding(t, [hanako.email, 'Yamadera', 'JCA Kyoto', jurgen.email, 'Schwettmann']),
  ).toEqual([]);
  const regs = await t.db.pool.query(
    'SELECT status, affiliation, country, locale, given_name, organisation, answers, erased_at FROM registrations ORDER BY id',
  );
  expect(
    regs.rows.map((r) => [r.status, r.affiliation, r.country, r.locale, r.given_name, r.organisation]),
  ).toEqual([
    ['confirmed', 'cooperative', 'JP', 'ja', '', null],
    ['confirmed', 'government', 'CH', 'en', '', null],
  ]);
  expect(regs.rows.every((r) => r.erased_at && Object.keys(r.answers).length === 0)).toBe(true);
  expect(await registrationCounts(t.db.pool, event.id, {})).toEqual(counts);
  expect((await request(t.app).get(new URL(manage).pathname)).status).toBe(404);
  expect(outbox.files()).toEqual([]);
  const audit = await t.db.pool.query(`SELECT actor, data FROM audit_log WHERE action = 'event.anonymised'`);
  expect(audit.rows).toEqual([
    {
      actor: 'system:retention',
      data: expect.objectContaining({ registrations: 2, mails: 2, retentionDays: 30 }),
    },
  ]);
  const created = await t.db.pool.query(`SELECT actor FROM audit_log WHERE action = 'registration.created'`);
  expect(created.rows).toEqual([{ actor: 'attendee:erased' }, { actor: 'attendee:erased' }]);

  const after = await rowsSnapshot();
  expect(await anonymiseDueEvents(t.db.pool, new Date('2027-03-01T00:00:00Z'), outbox.dataDir)).toEqual({
    events: 0,
    registrations: 0,
  });
  expect(await rowsSnapshot()).toBe(after);
});

test("when the retention period scrubs the audit log, then each entry loses its own registrant's values and keeps words that only another registrant used", async () => {
  const event = await makeEvent(t, { retentionDays: 30 });
  await registerOnForm(t, event.slug, hanako);
  await registerOnForm(t, event.slug, jurgen);
  const ids = Object.fromEntries(
    (await t.db.pool.query('SELECT id, email FROM registrations')).rows.map((r) => [r.email, r.id]),
  );
  const note = (registrationId: string, reason: string) =>
    t.db.pool.query(
      `INSERT INTO audit_log (occurred_at, actor, action, event_id, registration_id, data)
       VALUES (now(), 'keiko@ilo.example', 'registration.declined', $1, $2, $3)`,
      [event.id, registrationId, JSON.stringify({ reason })],
    );
  // Hanako's organisation is "JCA Kyoto"; Jürgen's entry names it as a group, not as her.
  await note(ids[jurgen.email], 'Seats are for JCA Kyoto members');
  await note(ids[hanako.email], 'Not a member of JCA Kyoto');
  await anonymiseDueEvents(t.db.pool, new Date('2027-02-01T00:00:00Z'), outbox.dataDir);
  const reasons = await t.db.pool.query(
    `SELECT registration_id, data->>'reason' AS reason FROM audit_log WHERE action = 'registration.declined'`,
  );
  expect(Object.fromEntries(reasons.rows.map((r) => [r.registration_id, r.reason]))).toEqual({
    [ids[jurgen.email]]: 'Seats are for JCA Kyoto members',
    [ids[hanako.email]]: '[erased]',
  });
});

test('when the retention days have passed, then the invitation list goes too, keeping only the addresses that unsubscribed (without names), so later events still leave them alone', async () => {
  const event = await makeEvent(t, { retentionDays: 30 });
  await t.db.pool.query(
    `INSERT INTO invitees (event_id, email, family_name, given_name, organisation, locale, created_at, unsubscribed_at)
     VALUES ($1, 'keiko@example.org', 'Tanaka', 'Keiko', 'Coop Osaka', 'ja', now(), NULL),
            ($1, 'paul@example.org', 'Martin', 'Paul', 'ICA Brussels', 'en', now(), now())`,
    [event.id],
  );
  await anonymiseDueEvents(t.db.pool, new Date('2027-01-15T08:15:00Z'), outbox.dataDir);
  const left = await t.db.pool.query(
    'SELECT email, family_name, given_name, organisation, unsubscribed_at IS NOT NULL AS unsubscribed FROM invitees',
  );
  expect(left.rows).toEqual([
    { email: 'paul@example.org', family_name: '', given_name: '', organisation: '', unsubscribed: true },
  ]);
  expect(
    await placesHolding(t, ['keiko@example.org', 'Tanaka', 'Coop Osaka', 'Martin', 'ICA Brussels']),
  ).toEqual([]);
});

test('when retentionDays is 0, then the data is kept however long ago the event ended', async () => {
  const event = await makeEvent(t, { retentionDays: 0 });
  await registerOnForm(t, event.slug, hanako);
  expect(await anonymiseDueEvents(t.db.pool, new Date('2036-01-01T00:00:00Z'), outbox.dataDir)).toEqual({
    events: 0,
    registrations: 0,
  });
  const regs = await t.db.pool.query('SELECT email, erased_at FROM registrations');
  expect(regs.rows).toEqual([{ email: hanako.email, erased_at: null }]);
});

test('when an event document leaves retentionDays out, then a new event keeps data 365 days and an existing one keeps its period; a bad value is refused by its JSON path', async () => {
  const doc: Record<string, unknown> = { ...eventDoc({ slug: 'no-retention' }) };
  delete doc.retentionDays;
  await importEvent(t.db.pool, doc, { now: t.clock.now(), actor: 'test' }, eventRegistrants);
  expect((await exportEvent(t.db.pool, 'no-retention')).retentionDays).toBe(365);
  // An existing event that keeps its data is not given a period by re-importing an older document.
  await t.db.pool.query(`UPDATE events SET retention_days = 0 WHERE slug = 'no-retention'`);
  await importEvent(
    t.db.pool,
    { ...doc, capacity: 80 },
    { now: t.clock.now(), actor: 'test' },
    eventRegistrants,
  );
  expect(await exportEvent(t.db.pool, 'no-retention')).toMatchObject({ capacity: 80, retentionDays: 0 });
  const bad = importEvent(
    t.db.pool,
    { ...doc, slug: 'bad-retention', retentionDays: -1 },
    { now: t.clock.now(), actor: 'test' },
    eventRegistrants,
  );
  await expect(bad).rejects.toMatchObject({ params: { issues: [{ path: '$.retentionDays' }] } });
});

test('when the migration runs over events that exist, then they keep their data (0) and new ones get 365', async () => {
  const sql = fs.readFileSync(
    path.join(__dirname, '../../migrations/20261208200000_personal_data_lifecycle.sql'),
    'utf8',
  );
  const c = await t.db.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('ALTER TABLE events DROP COLUMN retention_days, DROP COLUMN anonymised_at');
    await c.query('ALTER TABLE registrations DROP COLUMN erased_at');
    await c.query(
      `INSERT INTO events (slug, title, starts_at, ends_at, timezone) VALUES ('old', '{"en":"Old"}', now(), now() + interval '1 hour', 'UTC')`,
    );
    await c.query(sql);
    await c.query(
      `INSERT INTO events (slug, title, starts_at, ends_at, timezone) VALUES ('new', '{"en":"New"}', now(), now() + interval '1 hour', 'UTC')`,
    );
    const res = await c.query('SELECT slug, retention_days FROM events ORDER BY slug');
    expect(res.rows).toEqual([
      { slug: 'new', retention_days: 365 },
      { slug: 'old', retention_days: 0 },
    ]);
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
});

test('when the editor shows the retention field, then it says the day in the page language and zones, or that data is kept', () => {
  const values = formValuesFromEvent(eventDoc({ retentionDays: 30 }), 'ja');
  expect(retentionLine(values, 'ja', tFor('ja'))).toBe(
    '個人データは 2027年1月15日(金) 17:15 JST / 09:15 CET に匿名化されます。',
  );
  expect(retentionLine(values, 'en', tFor('en'))).toContain('Fri 15 Jan 2027');
  expect(retentionLine({ ...values, retentionDays: '0' }, 'en', tFor('en'))).toBe(
    'Personal data is kept: it is not anonymised automatically.',
  );
});
