import request from 'supertest';
import { createAccount, createApiToken, sessionActor } from '../../src/accounts';
import type { Config } from '../../src/config';
import { withTransaction } from '../../src/db/pool';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { csrfFrom, signedInAgent, testPassword } from '../helpers/admin';
import { encodeForm, eventDoc, formData, formSession, startTestApp, type TestApp } from '../helpers/app';
import { deliverDue, mailConfig } from '../helpers/mail';
import { expectDocumented } from '../helpers/openapi';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp';

/**
 * Invitations end to end: a contact list imported in the workspace (preview, then confirm) and through
 * the API, invitations and numbered reminders delivered through a real SMTP server, the pre-filled
 * form behind the personal link, and one-click unsubscribe reaching the owner's later events.
 */
let t: TestApp;
let sink: SmtpSink;
let config: Config;
let transport: MailTransport;
let token: string;
let otherToken: string;
const organiserEmail = 'inviter@example.org';

const bearer = (tok: string) => ({ Authorization: `Bearer ${tok}` });

async function account(email: string): Promise<string> {
  const user = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email, role: 'organiser', password: testPassword },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  const made = await createApiToken(
    t.db.pool,
    { name: email },
    { now: t.clock.now(), by: sessionActor(user) },
  );
  return made.token;
}

async function createEvent(slug: string, tok = token) {
  const res = await request(t.app)
    .post('/api/v1/events')
    .set(bearer(tok))
    .send(eventDoc({ slug, registrationClosesAt: null }));
  expect(res.status).toBe(201);
}

async function api(method: 'get' | 'post' | 'delete', path: string, body?: unknown, tok = token) {
  const req = request(t.app)[method](path).set(bearer(tok));
  const res = body === undefined ? await req : await req.send(body as object);
  expectDocumented(
    res,
    method,
    path
      .replace(/events\/[^/]+/, 'events/{slug}')
      .replace(/invitees\/[^/?]+/, 'invitees/{id}')
      .replace(/\?.*$/, ''),
  );
  return res;
}

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []) {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** A header as sent (unfolded), from the raw message. */
const header = (m: ReceivedMail, name: string) => {
  const head = m.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
};
const to = (address: string) => sink.received.filter((m) => m.to === address);
const invitationLink = (m: ReceivedMail) =>
  /https:\/\/events\.example\.org\/events\/[^\s]+invitation=[A-Za-z0-9_-]{43}#registration-heading/.exec(
    m.parsed.text ?? '',
  )?.[0];

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
  sink = await startSmtpSink();
  config = mailConfig(t, sink.url);
  transport = createTransport(config);
  token = await account(organiserEmail);
  otherToken = await account('someone-else@example.org');
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await t.close();
});
beforeEach(async () => {
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log, invitees CASCADE');
  sink.received.length = 0;
  await createEvent('invite-a');
});

async function register(slug: string, data: Record<string, string>) {
  const { agent, token: csrf } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: csrf, ...formData(data) }));
  expect(res.status).toBe(303);
}

describe('importing a contact list in the workspace', () => {
  it('when a list is uploaded, then the preview names each skipped row and why, stores nothing, and the confirmation stores the rest', async () => {
    await register('invite-a', { email: 'already@example.org' });
    await createEvent('invite-earlier');
    await register('invite-earlier', { email: 'gone@example.org' });
    await t.db.pool.query(
      `UPDATE registrations SET unsubscribed_at = now() WHERE email = 'gone@example.org'`,
    );
    const csv = [
      'メールアドレス,姓,名,所属,言語',
      'ann@example.org,Lee,Ann,ILO,English',
      'yamada@example.org,山田,花子,連合,日本語',
      'not-an-address,X,Y,,en',
      'ANN@example.org,Lee,Ann,ILO,en',
      'already@example.org,A,B,,ja',
      'gone@example.org,G,H,,ja',
      'pierre@example.org,Dupont,Pierre,,fr',
    ].join('\r\n');
    const { agent, csrf } = await signedInAgent(t.app, organiserEmail);
    const preview = await agent
      .post('/admin/events/invite-a/invitations/preview')
      .field('_csrf', csrf)
      .attach('file', Buffer.from(csv, 'utf8'), 'contacts.csv');
    expect(preview.status).toBe(200);
    const skips = [...preview.text.matchAll(/data-skip="(\w+)"/g)].map((m) => m[1]);
    expect(skips).toEqual(['badAddress', 'duplicateInFile', 'alreadyRegistered', 'unsubscribed']);
    expect(preview.text).toContain('Already registered for this event');
    expect(preview.text).toContain('No known language given: the event&#39;s first language is used.');
    expect(await rows('SELECT * FROM invitees')).toHaveLength(0);

    const contacts = /name="contacts" value="([^"]*)"/.exec(preview.text)![1]!.replace(/&#34;/g, '"');
    const confirm = await agent
      .post('/admin/events/invite-a/invitations/import')
      .type('form')
      .send(encodeForm({ _csrf: csrfFrom(preview.text), contacts }));
    expect(confirm.status).toBe(303);
    const stored = await rows<{ email: string; family_name: string; locale: string }>(
      'SELECT email, family_name, locale FROM invitees ORDER BY id',
    );
    expect(stored).toEqual([
      { email: 'ann@example.org', family_name: 'Lee', locale: 'en' },
      { email: 'yamada@example.org', family_name: '山田', locale: 'ja' },
      { email: 'pierre@example.org', family_name: 'Dupont', locale: 'en' },
    ]);
    const tab = await agent.get(confirm.headers.location!);
    expect(tab.text).toContain('3 invitees added.');
    expect((tab.text.match(/data-state="not_sent"/g) ?? []).length).toBe(3);
    const audit = await rows<{ action: string; data: unknown }>(
      `SELECT action, data FROM audit_log WHERE action LIKE 'invitations.%'`,
    );
    expect(audit).toEqual([{ action: 'invitations.imported', data: { added: 3, skippedRows: 0 } }]);
    const activity = await api('get', '/api/v1/events/invite-a/activity?lang=ja');
    const entry = activity.body.data[0];
    expect(entry.actionLabel).toBe('連絡先リストを招待者として取り込み');
    expect(entry.changes.map((c: { text: string }) => c.text)).toEqual(['追加: 3', '除外した行: 0']);
  });

  it('when the uploaded file has no e-mail column, then the tab says so in Japanese and nothing is stored', async () => {
    const { agent, csrf } = await signedInAgent(t.app, organiserEmail);
    const res = await agent
      .post('/admin/events/invite-a/invitations/preview?lang=ja')
      .set('Accept-Language', 'ja')
      .field('_csrf', csrf)
      .attach('file', Buffer.from('氏名,所属\n山田,連合\n'), 'list.csv');
    expect(res.status).toBe(422);
    expect(res.text).toContain('「メールアドレス」（email）の列が見つかりません');
    expect(await rows('SELECT * FROM invitees')).toHaveLength(0);
  });

  it('when the confirmed list was altered after the preview, then a broken list gets a Japanese 422 and a doctored row is held to the rules again', async () => {
    const { agent, csrf } = await signedInAgent(t.app, organiserEmail);
    const confirm = (contacts: string) =>
      agent
        .post('/admin/events/invite-a/invitations/import')
        .set('Accept-Language', 'ja')
        .type('form')
        .send(encodeForm({ _csrf: csrf, contacts }));
    const row = {
      line: 2,
      email: 'ann@example.org',
      familyName: 'Lee',
      givenName: 'Ann',
      organisation: '',
      language: 'en',
    };
    for (const broken of [
      '{not json',
      JSON.stringify({ ...row }),
      JSON.stringify([{ ...row, line: 'two' }]),
      JSON.stringify([{ ...row, email: 'x'.repeat(400) }]),
      '',
    ]) {
      const res = await confirm(broken);
      expect(res.status).toBe(422);
      expect(res.text).toContain('プレビューしたリストを読み取れませんでした。');
    }
    expect(await rows('SELECT * FROM invitees')).toHaveLength(0);

    const doctored = [
      { ...row, email: 'not-an-address' },
      { ...row, line: 3, email: 'yamada@example.org', language: 'klingon' },
      { ...row, line: 4, email: 'YAMADA@example.org' },
    ];
    const res = await confirm(JSON.stringify(doctored));
    expect(res.status).toBe(303);
    expect(await rows('SELECT email, locale FROM invitees ORDER BY id')).toEqual([
      { email: 'yamada@example.org', locale: 'en' },
    ]);
  });
});

describe('removing an invitee', () => {
  it('when an invitee has not been sent the invitation, then the tab and the API remove them; an invited one stays (409) and an unknown id is 404', async () => {
    await api('post', '/api/v1/events/invite-a/invitees', [{ email: 'sent@example.org' }]);
    await api('post', '/api/v1/events/invite-a/invitations/send');
    await api('post', '/api/v1/events/invite-a/invitees', [
      { email: 'typo@example.orgg' },
      { email: 'later@example.org' },
    ]);
    const ids = Object.fromEntries(
      (await rows<{ id: string; email: string }>('SELECT id, email FROM invitees')).map((r) => [
        r.email,
        r.id,
      ]),
    );
    const { agent, csrf } = await signedInAgent(t.app, organiserEmail);
    const tab = await agent.get('/admin/events/invite-a/invitations?lang=ja');
    const removable = [...tab.text.matchAll(/invitations\/invitees\/(\d+)\/remove/g)].map((m) => m[1]);
    expect(removable.sort()).toEqual([ids['typo@example.orgg'], ids['later@example.org']].sort());

    const remove = (id: string) =>
      agent
        .post(`/admin/events/invite-a/invitations/invitees/${id}/remove`)
        .set('Accept-Language', 'ja')
        .type('form')
        .send(encodeForm({ _csrf: csrf }));
    const done = await remove(ids['typo@example.orgg']!);
    expect(done.status).toBe(303);
    expect((await agent.get(`${done.headers.location}&lang=ja`)).text).toContain('招待者を削除しました。');
    const refused = await remove(ids['sent@example.org']!);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('この招待者は削除できません。');

    const viaApi = await api('delete', `/api/v1/events/invite-a/invitees/${ids['later@example.org']}`);
    expect(viaApi.status).toBe(204);
    expect((await api('delete', `/api/v1/events/invite-a/invitees/${ids['sent@example.org']}`)).status).toBe(
      409,
    );
    expect((await api('delete', '/api/v1/events/invite-a/invitees/424242')).status).toBe(404);
    expect((await api('delete', '/api/v1/events/invite-a/invitees/abc')).status).toBe(422);
    const other = await request(t.app)
      .delete(`/api/v1/events/invite-a/invitees/${ids['sent@example.org']}`)
      .set(bearer(otherToken));
    expect([403, 404]).toContain(other.status);

    expect(await rows('SELECT email FROM invitees')).toEqual([{ email: 'sent@example.org' }]);
    const audit = await rows<{ action: string; data: unknown }>(
      `SELECT action, data FROM audit_log WHERE action = 'invitations.removed'`,
    );
    expect(audit).toEqual([
      { action: 'invitations.removed', data: { removed: 1 } },
      { action: 'invitations.removed', data: { removed: 1 } },
    ]);
  });
});

describe('sending invitations', () => {
  it('when invitations are sent, then each invitee gets one in their language with JST/CET times, a personal link and one-click unsubscribe; sending again sends nothing', async () => {
    const added = await api('post', '/api/v1/events/invite-a/invitees', [
      { email: 'ann@example.org', familyName: 'Lee', givenName: 'Ann', organisation: 'ILO', language: 'en' },
      {
        email: 'yamada@example.org',
        familyName: '山田',
        givenName: '花子',
        organisation: '連合',
        language: '日本語',
      },
      { email: 'bad@', language: 'en' },
    ]);
    expect(added.status).toBe(201);
    expect(added.body.added.map((r: { email: string }) => r.email)).toEqual([
      'ann@example.org',
      'yamada@example.org',
    ]);
    expect(added.body.skipped).toEqual([{ index: 2, email: 'bad@', language: 'en', reason: 'badAddress' }]);

    const sent = await api('post', '/api/v1/events/invite-a/invitations/send');
    expect(sent.body).toEqual({ sent: 2 });
    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    expect((await api('post', '/api/v1/events/invite-a/invitations/send')).body).toEqual({ sent: 0 });
    expect(await deliverDue(t, transport, config)).toEqual([]);

    const [en] = to('ann@example.org');
    const [ja] = to('yamada@example.org');
    expect(sink.received).toHaveLength(2);
    expect(en!.parsed.subject).toBe('Invitation: TSUNAGARU by Social & Solidarity Economy');
    expect(en!.parsed.text).toContain('Dear Ann Lee,');
    expect(en!.parsed.text).toMatch(/15:00.*JST/);
    expect(en!.parsed.text).toMatch(/CET/);
    expect(ja!.parsed.subject).toBe('【ご招待】TSUNAGARU 社会的連帯経済');
    expect(ja!.parsed.text).toContain('山田 花子 様');
    expect(ja!.parsed.text).toContain('お申し込みはこちら');
    for (const m of [en!, ja!]) {
      expect(header(m, 'List-Unsubscribe')).toMatch(
        /^<https:\/\/events\.example\.org\/unsubscribe\/[A-Za-z0-9_-]{43}>, <mailto:/,
      );
      expect(header(m, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(m, 'X-Tsunagaru-Kind')).toBe('event.invitation');
      expect(invitationLink(m)).toBeDefined();
    }
    const audit = await rows<{ action: string; data: unknown }>(
      `SELECT action, data FROM audit_log WHERE action = 'invitations.sent' ORDER BY id`,
    );
    expect(audit.map((a) => a.data)).toEqual([{ sent: 2 }, { sent: 0 }]);
  });

  it('when the invitee follows their link, then the form is filled in with their details, and registering marks them registered', async () => {
    await api('post', '/api/v1/events/invite-a/invitees', [
      {
        email: 'yamada@example.org',
        familyName: '山田',
        givenName: '花子',
        organisation: '連合',
        language: 'ja',
      },
    ]);
    await api('post', '/api/v1/events/invite-a/invitations/send');
    await deliverDue(t, transport, config);
    const link = new URL(invitationLink(to('yamada@example.org')[0]!)!);
    const agent = request.agent(t.app);
    const page = await agent.get(link.pathname + link.search);
    expect(page.status).toBe(200);
    for (const v of ['value="yamada@example.org"', 'value="山田"', 'value="花子"', 'value="連合"']) {
      expect(page.text).toContain(v);
    }
    expect(page.text).toMatch(/name="locale" value="ja"[^>]*checked/);
    const invitation = link.searchParams.get('invitation')!;
    expect(page.text).toContain(`name="invitation" value="${invitation}"`);

    // The form still checks everything: without consent it comes back, keeping the invitation.
    const form = { email: 'yamada@example.org', familyName: '山田', givenName: '花子', organisation: '連合' };
    const refused = await agent
      .post('/events/invite-a/register')
      .type('form')
      .send(encodeForm({ _csrf: csrfFrom(page.text), ...formData(form), consent: '', invitation }));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`name="invitation" value="${invitation}"`);
    const done = await agent
      .post('/events/invite-a/register')
      .type('form')
      .send(encodeForm({ _csrf: csrfFrom(page.text), ...formData(form), invitation }));
    expect(done.status).toBe(303);
    const [linked] = await rows<{ linked: boolean }>(
      `SELECT i.registration_id = r.id AS linked FROM invitees i JOIN registrations r ON r.email = i.email`,
    );
    expect(linked).toEqual({ linked: true });
    const list = await api('get', '/api/v1/events/invite-a/invitees');
    expect(list.body.invitees.map((i: { state: string }) => i.state)).toEqual(['registered']);
  });

  it('when someone opens the form with a made-up invitation, then nothing is filled in and no invitation is carried', async () => {
    const page = await request(t.app).get(`/events/invite-a?invitation=${'x'.repeat(43)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="invitation"');
  });
});

describe('reminding invitees', () => {
  it('when the same reminder is run twice (page and API), then each invitee who has not registered gets it once', async () => {
    await api('post', '/api/v1/events/invite-a/invitees', [
      { email: 'ann@example.org', language: 'en' },
      { email: 'ben@example.org', language: 'ja' },
      { email: 'cho@example.org', language: 'ja' },
    ]);
    await api('post', '/api/v1/events/invite-a/invitations/send');
    await deliverDue(t, transport, config);
    await register('invite-a', { email: 'cho@example.org' });
    await deliverDue(t, transport, config);
    sink.received.length = 0;

    const { agent } = await signedInAgent(t.app, organiserEmail);
    const tab = await agent.get('/admin/events/invite-a/invitations');
    expect(tab.text).toContain('name="reminder" value="1"');
    const press = () =>
      agent
        .post('/admin/events/invite-a/invitations/remind')
        .type('form')
        .send({ _csrf: csrfFrom(tab.text), reminder: '1' });
    const [a, b] = await Promise.all([press(), press()]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const again = await api('post', '/api/v1/events/invite-a/invitations/remind', { reminder: 1 });
    expect(again.body).toEqual({ reminder: 1, sent: 0 });
    await deliverDue(t, transport, config);
    expect(sink.received.map((m) => m.to).sort()).toEqual(['ann@example.org', 'ben@example.org']);
    const progress = await agent.get('/admin/events/invite-a/invitations');
    expect(progress.text).toContain('Invitation: 3 sent, 0 waiting, 0 failed, 0 not sent');
    expect(progress.text).toContain('Reminder 1: 2 sent, 0 waiting, 0 failed, 0 not sent');
    expect(sink.received.every((m) => header(m, 'X-Tsunagaru-Kind') === 'event.invitation_reminder')).toBe(
      true,
    );
    expect(to('ben@example.org')[0]!.parsed.subject).toBe('【再送のご案内】TSUNAGARU 社会的連帯経済');

    sink.received.length = 0;
    const next = await api('post', '/api/v1/events/invite-a/invitations/remind');
    expect(next.body).toEqual({ reminder: 2, sent: 2 });
    const skipped = await api('post', '/api/v1/events/invite-a/invitations/remind', { reminder: 5 });
    expect(skipped.status).toBe(422);
    const audit = await rows<{ data: { reminder: number; sent: number } }>(
      `SELECT data FROM audit_log WHERE action = 'invitations.reminded' ORDER BY id`,
    );
    expect(audit.map((r) => r.data.sent).reduce((x, y) => x + y)).toBe(4);
  });
});

describe('unsubscribing from invitations', () => {
  it('when an invitee unsubscribes with one click, then no further invitation reaches them, at this event or a later one of the same owner', async () => {
    await api('post', '/api/v1/events/invite-a/invitees', [{ email: 'ann@example.org', language: 'en' }]);
    await api('post', '/api/v1/events/invite-a/invitations/send');
    await deliverDue(t, transport, config);
    // A later event of the same owner, with Ann invited but her invitation still queued.
    await createEvent('invite-later');
    await api('post', '/api/v1/events/invite-later/invitees', [{ email: 'ann@example.org', language: 'en' }]);
    await api('post', '/api/v1/events/invite-later/invitations/send');

    const url = new URL(/<([^>]+)>/.exec(header(to('ann@example.org')[0]!, 'List-Unsubscribe')!)![1]!);
    const page = await request(t.app).get(url.pathname);
    expect(page.text).toContain('stop invitations from the organisers of this event');
    const click = await request(t.app).post(url.pathname).type('form').send('List-Unsubscribe=One-Click');
    expect(click.status).toBe(200);
    expect(click.text).toContain('You no longer receive invitations');

    sink.received.length = 0;
    expect(await deliverDue(t, transport, config)).toEqual(['skipped']);
    expect(sink.received).toHaveLength(0);
    expect((await api('post', '/api/v1/events/invite-a/invitations/remind')).body.sent).toBe(0);
    const listA = await api('get', '/api/v1/events/invite-a/invitees');
    expect(listA.body.invitees[0].state).toBe('unsubscribed');

    await createEvent('invite-next');
    const next = await api('post', '/api/v1/events/invite-next/invitees', [{ email: 'Ann@Example.org' }]);
    expect(next.body.skipped).toEqual([
      { index: 0, email: 'Ann@Example.org', language: 'en', reason: 'unsubscribed', languageDefaulted: true },
    ]);
    // Another owner's event is not affected.
    await createEvent('invite-elsewhere', otherToken);
    const elsewhere = await api(
      'post',
      '/api/v1/events/invite-elsewhere/invitees',
      [{ email: 'ann@example.org' }],
      otherToken,
    );
    expect(elsewhere.body.added).toHaveLength(1);
    const [entry] = await rows<{ action: string }>(
      `SELECT action FROM audit_log WHERE action = 'invitations.unsubscribed'`,
    );
    expect(entry).toBeDefined();
  });
});
