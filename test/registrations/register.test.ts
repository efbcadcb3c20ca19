import request from 'supertest';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** Posts a form the way the browser does: with the CSRF cookie and token from the page. */
async function submit(t: TestApp, slug: string, data: Record<string, string | string[]>, lang = 'en') {
  const { agent, token } = await formSession(t.app, slug, lang);
  return agent
    .post(`/events/${slug}/register?lang=${lang}`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...data }));
}

async function rows(t: TestApp, sql: string, params: unknown[] = []) {
  return (await t.db.pool.query(sql, params)).rows;
}

describe('registering for an event', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.clock.set('2026-12-01T00:00:00Z');
    await t.db.pool.query(
      'TRUNCATE events, registrations, outgoing_mails, audit_log, rate_limit_hits CASCADE',
    );
  });

  it('when a valid form is posted, then it redirects (303) to the thank-you page in the chosen mail language and stores the registration with its mail and audit record', async () => {
    await makeEvent(t);
    const res = await submit(t, 'tsunagaru-test', formData({ locale: 'ja' }), 'en');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/events/tsunagaru-test/registered?lang=ja');

    const [reg] = await rows(t, 'SELECT * FROM registrations');
    expect(reg).toMatchObject({
      status: 'confirmed',
      email: 'hanako@example.org',
      family_name: 'Yamada',
      given_name: 'Hanako',
      locale: 'ja',
      interpretation: 'ja',
      country: 'JP',
      affiliation: 'cooperative',
    });
    const mails = await rows(t, 'SELECT kind, recipient, locale, status, payload FROM outgoing_mails');
    expect(mails).toEqual([
      expect.objectContaining({
        kind: 'registration.confirmed',
        recipient: 'hanako@example.org',
        locale: 'ja',
        status: 'queued',
      }),
    ]);
    // No secret waits in the mail record: the mail's links are minted when it is delivered.
    expect(mails[0].payload).toEqual({});
    const audit = await rows(t, 'SELECT action, actor FROM audit_log WHERE registration_id = $1', [reg.id]);
    expect(audit).toEqual([{ action: 'registration.created', actor: 'attendee:hanako@example.org' }]);

    const thanks = await request(t.app).get(String(res.headers.location));
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('<html lang="ja">');
    expect(thanks.text).toContain('メールをご確認ください');
  });

  it('when the mail language is absent, then it defaults to the page language', async () => {
    await makeEvent(t);
    const data = formData();
    delete data.locale;
    const res = await submit(t, 'tsunagaru-test', data, 'ja');
    expect(res.status).toBe(303);
    expect((await rows(t, 'SELECT locale FROM registrations'))[0].locale).toBe('ja');
  });

  describe('deadline edges, in the event zone', () => {
    // Closes Mon 14 Dec 2026 23:59 JST = 14:59:00Z.
    it('when posted one second before closing, then it is accepted', async () => {
      await makeEvent(t);
      const { agent, token } = await formSession(t.app, 'tsunagaru-test');
      t.clock.set('2026-12-14T14:58:59Z');
      const res = await agent
        .post('/events/tsunagaru-test/register')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData() }));
      expect(res.status).toBe(303);
      expect(await rows(t, 'SELECT id FROM registrations')).toHaveLength(1);
    });

    it('when posted at or one second after closing, then it is refused with the closing time in every zone and nothing is stored', async () => {
      await makeEvent(t);
      const { agent, token } = await formSession(t.app, 'tsunagaru-test');
      for (const at of ['2026-12-14T14:59:00Z', '2026-12-14T14:59:01Z']) {
        t.clock.set(at);
        const res = await agent
          .post('/events/tsunagaru-test/register?lang=en')
          .type('form')
          .send(encodeForm({ _csrf: token, ...formData() }));
        expect(res.status).toBe(409);
        expect(res.text).toContain(
          'Registration for this event closed on Mon 14 Dec 2026, 23:59 JST / 15:59 CET.',
        );
      }
      expect(await rows(t, 'SELECT id FROM registrations')).toHaveLength(0);
      expect(await rows(t, 'SELECT id FROM outgoing_mails')).toHaveLength(0);
    });

    it('when registration has closed, then the page shows the closing time instead of the form, in Japanese too', async () => {
      await makeEvent(t);
      t.clock.set('2026-12-14T15:00:00Z');
      const res = await request(t.app).get('/events/tsunagaru-test?lang=ja');
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<form');
      expect(res.text).toContain(
        'お申し込みの受付は 2026年12月14日(月) 23:59 JST / 15:59 CET に終了しました。',
      );
    });

    it('when registration has not opened yet, then the page says when it opens and a POST is refused', async () => {
      await makeEvent(t, { registrationOpensAt: '2026-12-02T10:00:00+09:00' });
      const page = await request(t.app).get('/events/tsunagaru-test?lang=en');
      expect(page.text).toContain('Registration opens on Wed 2 Dec 2026, 10:00 JST / 02:00 CET.');
      expect(page.text).not.toContain('<form');
      t.clock.set('2026-12-02T01:00:00Z');
      const { agent, token } = await formSession(t.app, 'tsunagaru-test');
      t.clock.set('2026-12-02T00:59:59Z');
      const res = await agent
        .post('/events/tsunagaru-test/register')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData() }));
      expect(res.status).toBe(409);
      expect(await rows(t, 'SELECT id FROM registrations')).toHaveLength(0);
    });
  });

  it('when the same address registers again in another case, then there is no second row and the visitor sees the same neutral page', async () => {
    await makeEvent(t);
    const first = await submit(t, 'tsunagaru-test', formData({ email: 'Hanako@Example.org', locale: 'en' }));
    const second = await submit(
      t,
      'tsunagaru-test',
      formData({ email: 'hanako@EXAMPLE.ORG', locale: 'en', givenName: 'Other' }),
    );
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await rows(t, 'SELECT given_name FROM registrations')).toEqual([{ given_name: 'Hanako' }]);
    const kinds = (await rows(t, 'SELECT kind FROM outgoing_mails ORDER BY id')).map((r) => r.kind);
    expect(kinds).toEqual(['registration.confirmed', 'registration.already_registered']);
  });

  it('when the hidden honeypot field is filled, then the visitor sees success but nothing is stored', async () => {
    await makeEvent(t);
    const res = await submit(t, 'tsunagaru-test', formData({ website: 'http://spam.example' }));
    expect(res.status).toBe(303);
    expect(await rows(t, 'SELECT id FROM registrations')).toHaveLength(0);
    expect(await rows(t, 'SELECT id FROM outgoing_mails')).toHaveLength(0);
  });

  describe('CSRF', () => {
    it('when the token is missing or forged, then 403 with a localized message and nothing stored', async () => {
      await makeEvent(t);
      const { agent, token } = await formSession(t.app, 'tsunagaru-test');
      const missing = await agent
        .post('/events/tsunagaru-test/register?lang=ja')
        .type('form')
        .send(encodeForm(formData()));
      expect(missing.status).toBe(403);
      expect(missing.text).toContain('セッションの有効期限が切れたか');
      const forged = await agent
        .post('/events/tsunagaru-test/register?lang=en')
        .type('form')
        .send(encodeForm({ _csrf: token.slice(0, -2) + 'xx', ...formData() }));
      expect(forged.status).toBe(403);
      const noCookie = await request(t.app)
        .post('/events/tsunagaru-test/register')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData() }));
      expect(noCookie.status).toBe(403);
      expect(await rows(t, 'SELECT id FROM registrations')).toHaveLength(0);
    });
  });

  it('when a name contains markup, then it is stored as typed and shown escaped when the form comes back', async () => {
    await makeEvent(t);
    const res = await submit(
      t,
      'tsunagaru-test',
      formData({ givenName: '<b>A & B</b>', email: 'not-an-email' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="&lt;b&gt;A &amp; B&lt;/b&gt;"');
    expect(res.text).not.toContain('<b>A & B</b>');
    const ok = await submit(t, 'tsunagaru-test', formData({ givenName: '<b>A & B</b>' }));
    expect(ok.status).toBe(303);
    expect((await rows(t, 'SELECT given_name FROM registrations'))[0].given_name).toBe('<b>A & B</b>');
  });

  it('when an event text contains markup, then the page escapes it', async () => {
    await makeEvent(t, { title: { en: '<script>alert(1)</script> & co' } });
    const res = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(res.text).not.toContain('<script>alert(1)');
  });
});

describe('rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', registrationsPerWindow: 3 });
  });
  afterAll(() => t.close());

  it('when one address posts more than the limit in a window, then it gets 429 with a localized message and a Retry-After, and can post again in the next window', async () => {
    await makeEvent(t);
    const { agent, token } = await formSession(t.app, 'tsunagaru-test', 'ja');
    const post = (i: number) =>
      agent
        .post('/events/tsunagaru-test/register?lang=ja')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email: `p${i}@example.org` }) }));
    for (let i = 0; i < 3; i++) expect((await post(i)).status).toBe(303);
    const refused = await post(3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('お使いのネットワークからの送信が多すぎます');
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM registrations')).rows[0].n).toBe(3);
    t.clock.set('2026-12-01T00:10:00Z');
    expect((await post(4)).status).toBe(303);
  });
});

describe('REGISTRATION_RATE_LIMIT', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('when it is 2/10m, then one address gets two registrations per event, the form and the API in one count, and other events keep their own count', async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: { REGISTRATION_RATE_LIMIT: '2/10m' } });
    await makeEvent(t, { slug: 'webinar-a' });
    await makeEvent(t, { slug: 'webinar-b' });
    const form = async (slug: string, email: string) => {
      const { agent, token } = await formSession(t.app, slug, 'en');
      return agent
        .post(`/events/${slug}/register`)
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email }) }));
    };
    const api = (slug: string, email: string) =>
      request(t.app)
        .post(`/api/v1/events/${slug}/registrations`)
        .send({ ...formData({ email }), consent: true });
    expect((await form('webinar-a', 'a1@example.org')).status).toBe(303);
    expect((await api('webinar-a', 'a2@example.org')).status).toBe(202);
    expect((await form('webinar-a', 'a3@example.org')).status).toBe(429);
    expect((await api('webinar-a', 'a4@example.org')).status).toBe(429);
    expect((await form('webinar-b', 'b1@example.org')).status).toBe(303);
    expect((await api('webinar-b', 'b2@example.org')).status).toBe(202);
    const rows = await t.db.pool.query<{ slug: string; n: number }>(
      `SELECT e.slug, count(*)::int AS n FROM registrations r JOIN events e ON e.id = r.event_id GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.rows).toEqual([
      { slug: 'webinar-a', n: 2 },
      { slug: 'webinar-b', n: 2 },
    ]);
  });

  it('when it is off, then nothing is counted', async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: { REGISTRATION_RATE_LIMIT: 'off' } });
    await makeEvent(t);
    const { agent, token } = await formSession(t.app, 'tsunagaru-test', 'en');
    for (let i = 0; i < 3; i++) {
      const res = await agent
        .post('/events/tsunagaru-test/register')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email: `off${i}@example.org` }) }));
      expect(res.status).toBe(303);
    }
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM rate_limit_hits')).rows[0].n).toBe(0);
  });
});

describe('rate limit behind a reverse proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      now: '2026-12-01T00:00:00Z',
      registrationsPerWindow: 2,
      env: { TRUST_PROXY: 'true' },
    });
  });
  afterAll(() => t.close());

  it('when a client writes its own X-Forwarded-For entries, then the address the proxy appended is still the one limited', async () => {
    await makeEvent(t);
    const { agent, token } = await formSession(t.app, 'tsunagaru-test', 'en');
    const post = (i: number) =>
      agent
        .post('/events/tsunagaru-test/register')
        .set('X-Forwarded-For', `10.0.0.${i}, 203.0.113.7`)
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email: `x${i}@example.org` }) }));
    expect((await post(1)).status).toBe(303);
    expect((await post(2)).status).toBe(303);
    expect((await post(3)).status).toBe(429);
  });
});
