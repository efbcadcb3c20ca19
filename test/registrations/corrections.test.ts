import request from 'supertest';
import { addEventMember, createAccount, createApiToken, sessionActor, type User } from '../../src/accounts';
import type { Config } from '../../src/config';
import { withTransaction } from '../../src/db/pool';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { mintLinkToken, registerAttendee } from '../../src/registrations';
import { csrfFrom, signedInAgent, testPassword } from '../helpers/admin';
import { encodeForm, formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { deliverDue, inviteOf, mailConfig } from '../helpers/mail';
import { expectDocumented } from '../helpers/openapi';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';

/**
 * Corrections and registrants added by hand, through every surface: the registrant's manage page
 * (until the event starts), the organiser's registrant page and "Add a registrant", and the REST API.
 * Real PostgreSQL and a real SMTP server: a correction sends no mail, and the next invite carries it.
 */

let t: TestApp;
let sink: SmtpSink;
let config: Config;
let transport: MailTransport;
let organiser: User;
let asOrganiser: Awaited<ReturnType<typeof signedInAgent>>;
let token: string;
let n = 0;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  sink = await startSmtpSink();
  config = mailConfig(t, sink.url);
  transport = createTransport(config);
  organiser = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email: 'keiko@ilo.example', name: 'Keiko Sato', role: 'organiser', password: testPassword },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  asOrganiser = await signedInAgent(t.app, organiser.email);
  token = (
    await createApiToken(t.db.pool, { name: 'CRM' }, { now: t.clock.now(), by: sessionActor(organiser) })
  ).token;
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await t.close();
});

const bearer = () => ({ Authorization: `Bearer ${token}` });

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

async function mailCount(): Promise<number> {
  return Number((await rows<{ n: string }>('SELECT count(*) AS n FROM outgoing_mails'))[0]!.n);
}

/** A fresh event of the organiser's with one registrant (Hanako Yamada), and her manage link token. */
async function eventWithRegistrant(overrides: Parameters<typeof makeEvent>[1] = {}) {
  n += 1;
  t.clock.set('2026-12-01T00:00:00Z');
  const slug = `corrections-${n}`;
  const event = await makeEvent(t, {
    slug,
    questions: [
      {
        id: 'diet',
        type: 'text',
        label: { en: 'Dietary needs', ja: '食事の配慮' },
        required: false,
        options: [],
      },
    ],
    ...overrides,
  });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
  const outcome = await registerAttendee(t.db.pool, {
    slug,
    body: formData({ email: `hanako${n}@example.org`, givenName: 'Hanaco', q_diet: 'none' }),
    pageLang: 'en',
    now: t.clock.now(),
  });
  expect(outcome.status).toBe('confirmed');
  const [row] = await rows<{ id: string }>('SELECT id FROM registrations WHERE event_id = $1', [event.id]);
  const id = Number(row!.id);
  const manage = await mintLinkToken(t.db.pool, {
    registrationId: id,
    purpose: 'manage',
    mailId: null,
    at: t.clock.now(),
  });
  await deliverDue(t, transport, config);
  sink.received.length = 0;
  return { event, slug, id, manage };
}

async function registrant(id: number) {
  const [r] = await rows<Record<string, unknown>>(
    'SELECT email, given_name, family_name, organisation, country, answers FROM registrations WHERE id = $1',
    [id],
  );
  return r!;
}

/** The manage page with its CSRF cookie, and its form token. */
async function managePage(manage: string) {
  const agent = request.agent(t.app);
  const page = await agent.get(`/manage/${manage}?lang=en`);
  return { agent, page, csrf: csrfFrom(page.text) };
}

describe('the registrant corrects their details on the manage page', () => {
  it('when they fix a misspelt name and an answer before the start, then it is saved, audited and no mail goes out', async () => {
    const { id, manage } = await eventWithRegistrant();
    const before = await mailCount();
    const { agent, page, csrf } = await managePage(manage);
    expect(page.text).toContain('Correct your details');
    expect(page.text).toContain('value="Hanaco"');
    t.clock.set('2026-12-02T00:00:00Z');
    const res = await agent
      .post(`/manage/${manage}/details`)
      .type('form')
      .send(encodeForm({ _csrf: csrf, givenName: 'Hanako', organisation: 'JCCU', q_diet: 'vegetarian' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/manage/${manage}?done=corrected`);
    expect(await registrant(id)).toMatchObject({
      email: `hanako${n}@example.org`,
      given_name: 'Hanako',
      organisation: 'JCCU',
      answers: { diet: 'vegetarian' },
    });
    expect(await mailCount()).toBe(before);
    const [audit] = await rows<{ actor: string; data: Record<string, Record<string, unknown>> }>(
      `SELECT actor, data FROM audit_log WHERE registration_id = $1 AND action = 'registration.corrected'`,
      [id],
    );
    expect(audit!.actor).toBe(`attendee:hanako${n}@example.org`);
    expect(audit!.data.before).toEqual({
      givenName: 'Hanaco',
      organisation: 'JCA',
      answers: { diet: 'none' },
    });
    expect(audit!.data.after).toEqual({
      givenName: 'Hanako',
      organisation: 'JCCU',
      answers: { diet: 'vegetarian' },
    });
  });

  it('when a field is invalid or the address is sent along, then nothing changes and the page says why', async () => {
    const { id, manage } = await eventWithRegistrant();
    const { agent, csrf } = await managePage(manage);
    const bad = await agent
      .post(`/manage/${manage}/details`)
      .type('form')
      .send(encodeForm({ _csrf: csrf, givenName: '', country: 'XX' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('aria-invalid="true"');
    const email = await agent
      .post(`/manage/${manage}/details`)
      .type('form')
      .send(encodeForm({ _csrf: csrf, givenName: 'Hanako', email: 'other@example.org' }));
    expect(email.status).toBe(422);
    expect(await registrant(id)).toMatchObject({ given_name: 'Hanaco', email: `hanako${n}@example.org` });
  });

  it('when the event has started, then the form is gone and a correction is refused in the page language', async () => {
    const { id, manage } = await eventWithRegistrant();
    const { agent, csrf } = await managePage(manage);
    t.clock.set('2026-12-16T06:01:00Z'); // the event started at 15:00 JST
    const page = await agent.get(`/manage/${manage}?lang=ja`);
    expect(page.text).not.toContain('登録内容の修正');
    const res = await agent
      .post(`/manage/${manage}/details?lang=ja`)
      .type('form')
      .send(encodeForm({ _csrf: csrf, givenName: 'Hanako' }));
    expect(res.status).toBe(409);
    expect(res.text).toContain('イベントが始まったか');
    expect((await registrant(id)).given_name).toBe('Hanaco');
  });
});

describe('the organiser corrects a registrant', () => {
  it('when they correct the name in the workspace, then no mail goes out and the next invite carries the new name', async () => {
    const { slug, id } = await eventWithRegistrant();
    const before = await mailCount();
    const page = await asOrganiser.agent.get(`/admin/events/${slug}/attendees/${id}?lang=en`);
    expect(page.text).toContain('Correct details');
    const res = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/${id}/details`)
      .type('form')
      .send(encodeForm({ _csrf: asOrganiser.csrf, givenName: 'Hanako', familyName: 'Yamada-Sato' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${slug}/attendees/${id}?done=corrected`);
    expect(await mailCount()).toBe(before);
    const activity = await asOrganiser.agent.get(`/admin/events/${slug}/activity?lang=en`);
    expect(activity.text).toContain('Details corrected');
    expect(activity.text.replace(/<[^>]+>/g, '')).toContain('Given name: Hanaco → Hanako');

    // The next invite: the organiser sends the confirmation again.
    const resend = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/${id}/resend`)
      .type('form')
      .send(encodeForm({ _csrf: asOrganiser.csrf }));
    expect(resend.status).toBe(303);
    await deliverDue(t, transport, config);
    const [mail] = await sink.waitFor(1);
    expect(mail!.parsed.text).toContain('Hanako Yamada-Sato');
    expect(mail!.parsed.text).not.toContain('Hanaco');
    expect(inviteOf(mail!.parsed)!.text.replace(/\r\n /g, '')).toContain('CN="Hanako Yamada-Sato"');
  });

  it('when the API corrects the organisation and an answer, then only those change; the address cannot', async () => {
    const { slug, id } = await eventWithRegistrant();
    const res = await request(t.app)
      .patch(`/api/v1/events/${slug}/registrations/${id}`)
      .set(bearer())
      .send({ organisation: 'ILO', answers: { diet: 'halal' } });
    expect(res.status).toBe(200);
    expectDocumented(res, 'PATCH', '/api/v1/events/{slug}/registrations/{id}');
    expect(res.body).toEqual({ id, changed: ['organisation', 'answers'] });
    expect(await registrant(id)).toMatchObject({
      organisation: 'ILO',
      given_name: 'Hanaco',
      answers: { diet: 'halal' },
    });
    const again = await request(t.app)
      .patch(`/api/v1/events/${slug}/registrations/${id}`)
      .set(bearer())
      .send({ organisation: 'ILO' });
    expect(again.body.changed).toEqual([]);
    const email = await request(t.app)
      .patch(`/api/v1/events/${slug}/registrations/${id}`)
      .set(bearer())
      .send({ email: 'x@example.org' });
    expect(email.status).toBe(422);
    expectDocumented(email, 'PATCH', '/api/v1/events/{slug}/registrations/{id}');
    expect(email.body.error.fields).toEqual({ email: expect.stringContaining('cannot be corrected') });
    const missing = await request(t.app)
      .patch(`/api/v1/events/${slug}/registrations/999999`)
      .set(bearer())
      .send({ organisation: 'X' });
    expect(missing.status).toBe(404);
    expect((await registrant(id)).email).toBe(`hanako${n}@example.org`);
  });
});

describe('the organiser adds a registrant by hand', () => {
  it('when the event is open, then the workspace adds them confirmed and their confirmation mail goes out', async () => {
    const { slug } = await eventWithRegistrant();
    const form = await asOrganiser.agent.get(`/admin/events/${slug}/attendees/new?lang=ja`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('登録者を手動で追加');
    const res = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/new`)
      .type('form')
      .send(
        encodeForm({
          _csrf: asOrganiser.csrf,
          ...formData({ email: `taro${n}@example.org`, givenName: 'Taro' }),
        }),
      );
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/\/attendees\/\d+\?done=added$/);
    const [row] = await rows<{ id: string; status: string }>(
      'SELECT id, status FROM registrations WHERE email = $1',
      [`taro${n}@example.org`],
    );
    expect(row!.status).toBe('confirmed');
    const [audit] = await rows<{ actor: string; data: unknown }>(
      `SELECT actor, data FROM audit_log WHERE registration_id = $1 AND action = 'registration.added'`,
      [row!.id],
    );
    expect(audit).toEqual({
      actor: 'keiko@ilo.example',
      data: { status: 'confirmed', pastDeadline: false, overCapacity: false },
    });
    await deliverDue(t, transport, config);
    const [mail] = await sink.waitFor(1);
    expect(mail!.to).toBe(`taro${n}@example.org`);
  });

  it('when the form comes back with errors, then each summary line names its field and links to a box or the first button of a group', async () => {
    const { slug } = await eventWithRegistrant();
    const res = await asOrganiser.agent
      .post(`/admin/events/${slug}/attendees/new?lang=ja`)
      .type('form')
      .send(encodeForm({ _csrf: asOrganiser.csrf, email: 'not an address' }));
    expect(res.status).toBe(422);
    const lines = [...res.text.matchAll(/<li><a href="#([\w-]+)">([^<]*)<\/a><\/li>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['email', expect.stringMatching(/^メールアドレス：/)],
        ['interpretation-0', expect.stringMatching(/^聴講する言語（通訳）：/)],
        ['consent', expect.stringMatching(/^.+：.+/)],
      ]),
    );
    for (const [id] of lines) expect(res.text).toContain(`id="${id}"`);
    expect(await rows('SELECT 1 FROM registrations WHERE email = $1', ['not an address'])).toHaveLength(0);
  });

  it('when registration has closed, then it is refused unless "past the deadline" is ticked', async () => {
    const { slug } = await eventWithRegistrant();
    t.clock.set('2026-12-15T00:00:00Z'); // closed 14 Dec 23:59 JST
    const later = await signedInAgent(t.app, organiser.email); // a session of that day
    const send = (extra: Record<string, string>) =>
      later.agent
        .post(`/admin/events/${slug}/attendees/new?lang=en`)
        .type('form')
        .send(encodeForm({ _csrf: later.csrf, ...formData({ email: `late${n}@example.org` }), ...extra }));
    const refused = await send({});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Registration has closed');
    expect(await rows('SELECT 1 FROM registrations WHERE email = $1', [`late${n}@example.org`])).toHaveLength(
      0,
    );
    const added = await send({ pastDeadline: 'yes' });
    expect(added.status).toBe(303);
    const [audit] = await rows<{ data: Record<string, unknown> }>(
      `SELECT a.data FROM audit_log a JOIN registrations r ON r.id = a.registration_id
        WHERE r.email = $1 AND a.action = 'registration.added'`,
      [`late${n}@example.org`],
    );
    expect(audit!.data.pastDeadline).toBe(true);
  });

  it('when the event is full, then the API puts them on the waiting list, refuses without one, and seats them only when overCapacity is said', async () => {
    const { slug } = await eventWithRegistrant({ capacity: 1, waitlist: true });
    const add = (email: string, extra: Record<string, unknown> = {}) =>
      request(t.app)
        .post(`/api/v1/events/${slug}/registrations/manual`)
        .set(bearer())
        .send({ ...formData({ email }), consent: true, ...extra });
    const waiting = await add(`w${n}@example.org`);
    expect(waiting.status).toBe(201);
    expectDocumented(waiting, 'POST', '/api/v1/events/{slug}/registrations/manual');
    expect(waiting.body.status).toBe('waitlisted');
    const seated = await add(`s${n}@example.org`, { overCapacity: true });
    expect(seated.body.status).toBe('confirmed');
    const twice = await add(`s${n}@example.org`, { overCapacity: true });
    expect(twice.status).toBe(409);
    expectDocumented(twice, 'POST', '/api/v1/events/{slug}/registrations/manual');
    const invalid = await add('', {});
    expect(invalid.status).toBe(422);
    expectDocumented(invalid, 'POST', '/api/v1/events/{slug}/registrations/manual');

    const closed = await eventWithRegistrant({ capacity: 1, waitlist: false });
    const refused = await request(t.app)
      .post(`/api/v1/events/${closed.slug}/registrations/manual`)
      .set(bearer())
      .send({ ...formData({ email: `full${n}@example.org` }), consent: true });
    expect(refused.status).toBe(409);
    expect(await rows('SELECT 1 FROM registrations WHERE email = $1', [`full${n}@example.org`])).toHaveLength(
      0,
    );
    const [counts] = await rows<{ confirmed: string }>(
      `SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed FROM registrations r
         JOIN events e ON e.id = r.event_id WHERE e.slug = $1`,
      [slug],
    );
    expect(Number(counts!.confirmed)).toBe(2);
  });
});
