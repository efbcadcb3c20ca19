import request from 'supertest';
import { createSetupLink, logIn, loginLimits } from '../../src/accounts';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { createTestAccount, csrfFrom, signedInAgent, testPassword } from '../helpers/admin';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
});
afterAll(() => t.close());

describe('the one-time setup link', () => {
  it('when no account exists, then the link creates the first admin once and never again', async () => {
    const token = await createSetupLink(t.db.pool, t.clock.now());
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const agent = request.agent(t.app);
    const form = await agent.get(`/admin/setup/${token}?lang=ja`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('最初の管理者アカウントの作成');
    const csrf = csrfFrom(form.text);

    const mismatch = await agent.post(`/admin/setup/${token}`).type('form').send({
      _csrf: csrf,
      email: 'admin@example.org',
      password: testPassword,
      passwordRepeat: 'something else',
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('2つのパスワードが一致しません');
    const short = await agent
      .post(`/admin/setup/${token}`)
      .type('form')
      .send({ _csrf: csrf, email: 'admin@example.org', password: 'short', passwordRepeat: 'short' });
    expect(short.status).toBe(422);
    const weak = await agent.post(`/admin/setup/${token}`).type('form').send({
      _csrf: csrf,
      email: 'admin@example.org',
      password: '123456789012',
      passwordRepeat: '123456789012',
    });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('よく使われるパスワードの一覧に含まれています');
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(0);

    const done = await agent.post(`/admin/setup/${token}`).type('form').send({
      _csrf: csrf,
      email: 'admin@example.org',
      name: 'First Admin',
      password: testPassword,
      passwordRepeat: testPassword,
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin');
    const home = await agent.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).toContain('admin@example.org');
    const row = (await t.db.pool.query('SELECT role, password_hash FROM users')).rows;
    expect(row).toHaveLength(1);
    expect(row[0].role).toBe('admin');
    expect(row[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    expect((await request(t.app).get(`/admin/setup/${token}`)).status).toBe(404);
    const replay = await request(t.app)
      .post(`/admin/setup/${token}`)
      .set(
        'Cookie',
        agent.jar
          .getCookies({ path: '/', domain: '127.0.0.1', secure: false, script: false })
          .toValueString(),
      )
      .type('form')
      .send({
        // Signed in by the setup now: the form token is the one bound to that session.
        _csrf: csrfFrom((await agent.get('/admin/tokens')).text),
        email: 'second@example.org',
        password: testPassword,
        passwordRepeat: testPassword,
      });
    expect(replay.status).toBe(404);
    expect(await createSetupLink(t.db.pool, t.clock.now())).toBeNull();
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(1);
  });
});

describe('signing in and out', () => {
  it('when the password is wrong, then the form says so in the page language and no session starts', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/admin/login?lang=ja')).text);
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: 'wrong password!', _csrf: csrf });
    expect(res.status).toBe(401);
    expect(res.text).toContain('メールアドレスとパスワードが有効なアカウントと一致しません');
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')).not.toContain('tsunagaru.sid');
    expect((await agent.get('/admin')).status).toBe(303);
  });

  it('when an account fails too often, then it is locked for the window even with the right password, then opens again', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/admin/login?lang=en')).text);
    for (let i = 0; i < loginLimits.perAccount; i++) {
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: user.email, password: 'nope nope nope', _csrf: csrf });
      expect(res.status).toBe(401);
    }
    const locked = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: testPassword, _csrf: csrf });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many failed sign-ins for this account');
    // Another account from the same network is not affected.
    const other = await createTestAccount(t.db.pool, { role: 'viewer' });
    expect((await signedInAgent(t.app, other.email)).agent).toBeDefined();

    t.clock.set(new Date(t.clock.now().getTime() + loginLimits.windowSeconds * 1000));
    const later = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: testPassword, _csrf: csrf });
    expect(later.status).toBe(303);
    t.clock.set('2026-11-01T00:00:00Z');
  });

  it('when many wrong guesses for one account arrive at once from many addresses, then at most the limit are checked', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    t.clock.set('2026-11-03T00:00:00Z');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) =>
        logIn(t.db.pool, {
          email: user.email,
          password: `guess ${i} wrong`,
          ip: `192.0.2.${i}`,
          now: t.clock.now(),
        }),
      ),
    );
    const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'login_failed')).toHaveLength(loginLimits.perAccount);
    expect(codes.filter((c) => c === 'login_locked')).toHaveLength(15 - loginLimits.perAccount);
    t.clock.set('2026-11-01T00:00:00Z');
  });

  it('when one address tries many accounts, then it is slowed down with a clear message', async () => {
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/admin/login?lang=en')).text);
    t.clock.set('2026-11-02T00:00:00Z');
    let last = 0;
    for (let i = 0; i <= loginLimits.perAddress; i++) {
      last = (
        await agent
          .post('/admin/login')
          .type('form')
          .send({ email: `x${i}@example.org`, password: 'whatever', _csrf: csrf })
      ).status;
    }
    expect(last).toBe(429);
    t.clock.set('2026-11-01T00:00:00Z');
  });

  it('when signing in, then the session id is new, the cookie is HttpOnly and SameSite=Lax, and signing out ends it', async () => {
    const a = await createTestAccount(t.db.pool, { role: 'organiser' });
    const b = await createTestAccount(t.db.pool, { role: 'organiser' });
    const { agent, csrf } = await signedInAgent(t.app, a.email);
    const sid = () =>
      agent.jar.getCookie('tsunagaru.sid', { path: '/', domain: '127.0.0.1', secure: false, script: false })
        ?.value;
    const first = sid();
    expect(first).toBeTruthy();
    const again = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: b.email, password: testPassword, _csrf: csrf });
    const cookie = ([] as string[])
      .concat(again.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('tsunagaru.sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(sid()).not.toBe(first);
    expect((await agent.get('/admin')).text).toContain(b.email);

    const stolen = `tsunagaru.sid=${sid()}`;
    // The token of the first session no longer works in the second: it is bound to its session.
    expect((await agent.post('/admin/logout').type('form').send({ _csrf: csrf })).status).toBe(403);
    const fresh = csrfFrom((await agent.get('/admin/tokens')).text);
    expect(fresh).not.toBe(csrf);
    const out = await agent.post('/admin/logout').type('form').send({ _csrf: fresh });
    expect(out.status).toBe(303);
    expect((await agent.get('/admin')).headers.location).toBe('/admin/login?next=%2Fadmin');
    expect((await request(t.app).get('/admin').set('Cookie', stolen)).status).toBe(303);
  });

  it('when a session is idle past its expiry or older than the maximum, then the next request asks to sign in again', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const idle = await signedInAgent(t.app, user.email);
    await t.db.pool.query(`UPDATE sessions SET expire = now() - interval '1 minute'`);
    expect((await idle.agent.get('/admin')).status).toBe(303);

    const old = await signedInAgent(t.app, user.email);
    expect((await old.agent.get('/admin')).status).toBe(200);
    t.clock.set(new Date(t.clock.now().getTime() + 13 * 3600 * 1000));
    expect((await old.agent.get('/admin')).status).toBe(303);
    t.clock.set('2026-11-01T00:00:00Z');
  });

  it('when an account is blocked, then its open session stops working at once', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const { agent } = await signedInAgent(t.app, user.email);
    await t.db.pool.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    expect((await agent.get('/admin')).status).toBe(303);
  });

  it('when the sign-in form comes without its CSRF token, then it is refused', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const res = await request(t.app)
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: testPassword });
    expect(res.status).toBe(403);
  });

  it('when BASE_URL is https, then the cookies are __Host-csrf and __Host-tsunagaru.sid: Secure, Path=/, no Domain', async () => {
    const https = await startTestApp({ env: { BASE_URL: 'https://events.example.org', TRUST_PROXY: '1' } });
    try {
      const page = await request(https.app).get('/admin/login').set('X-Forwarded-Proto', 'https');
      const csrfCookie = ([] as string[])
        .concat(page.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-csrf='))!;
      expect(csrfCookie).toMatch(/; Path=\/;/);
      expect(csrfCookie).toMatch(/; Secure/);
      expect(csrfCookie).not.toMatch(/Domain=/i);
      const user = await createTestAccount(https.db.pool, { role: 'organiser' });
      const res = await request(https.app)
        .post('/admin/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', csrfCookie.split(';')[0]!)
        .type('form')
        .send({ email: user.email, password: testPassword, _csrf: csrfFrom(page.text) });
      expect(res.status).toBe(303);
      const session = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-tsunagaru.sid='))!;
      expect(session).toMatch(/; Path=\/;/);
      expect(session).toMatch(/; Secure/);
      expect(session).not.toMatch(/Domain=/i);
      // A plain `csrf` cookie (one a sibling subdomain could plant) is not read under https.
      const planted = await request(https.app)
        .post('/admin/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', `csrf=${csrfCookie.split(';')[0]!.split('=')[1]}`)
        .type('form')
        .send({ email: user.email, password: testPassword, _csrf: csrfFrom(page.text) });
      expect(planted.status).toBe(403);
    } finally {
      await https.close();
    }
  });

  it('when `next` points to another site, then sign-in stays in the workspace', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    for (const next of ['//evil.example/', 'https://evil.example/admin', '/admin\\@evil.example']) {
      const agent = request.agent(t.app);
      const csrf = csrfFrom((await agent.get('/admin/login')).text);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: user.email, password: testPassword, _csrf: csrf, next });
      expect(res.headers.location).toBe('/admin');
    }
  });
});

describe('what each role may open', () => {
  const workspacePages = [
    '/admin',
    '/admin/tokens',
    '/admin/accounts',
    '/admin/outbox',
    '/admin/events/new',
    '/admin/events/guarded',
    '/admin/events/guarded/edit',
    '/admin/events/guarded/attendees',
    '/admin/events/guarded/attendees/export?format=csv',
    '/admin/events/guarded/files',
    '/admin/events/guarded/team',
    '/admin/events/guarded/activity',
  ];
  const workspacePosts = [
    '/admin/tokens',
    '/admin/tokens/1/revoke',
    '/admin/accounts',
    '/admin/accounts/1',
    '/admin/events/new',
    '/admin/events/guarded/edit',
    '/admin/events/guarded/publish',
    '/admin/events/guarded/cancel',
    '/admin/events/guarded/duplicate',
    '/admin/events/guarded/team',
    '/admin/events/guarded/attendees/1/cancel',
    '/admin/events/guarded/files',
  ];

  beforeAll(async () => {
    await makeEvent(t, { slug: 'guarded', status: 'published' });
  });

  it.each(workspacePages)(
    'when GET %s comes without a session, then it redirects to sign-in',
    async (url) => {
      const res = await request(t.app).get(url);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    },
  );

  it.each(workspacePosts)(
    'when POST %s comes without a session, then nothing happens and it redirects to sign-in',
    async (url) => {
      const res = await request(t.app).post(url).type('form').send({ name: 'x' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/login?next=%2Fadmin');
    },
  );

  it('when organisers and viewers open admin-only pages, then they are refused; an admin is let in', async () => {
    for (const role of ['organiser', 'viewer'] as const) {
      const user = await createTestAccount(t.db.pool, { role });
      const { agent } = await signedInAgent(t.app, user.email);
      expect((await agent.get('/admin/accounts')).status).toBe(403);
      expect((await agent.get('/admin/outbox')).status).toBe(403);
      expect((await agent.get('/admin/events/guarded')).status).toBe(404);
    }
    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent } = await signedInAgent(t.app, admin.email);
    expect((await agent.get('/admin/accounts')).status).toBe(200);
    expect((await agent.get('/admin/outbox')).status).toBe(200);
    expect((await agent.get('/admin/events/guarded')).status).toBe(200);
  });

  it('when an admin creates an account and demotes the last admin, then the first works and the second is refused', async () => {
    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent, csrf } = await signedInAgent(t.app, admin.email);
    const created = await agent.post('/admin/accounts').type('form').send({
      _csrf: csrf,
      email: 'Newcomer@Example.org',
      name: '新人',
      role: 'viewer',
      password: testPassword,
    });
    expect(created.status).toBe(201);
    expect(
      (
        await agent
          .post('/admin/accounts')
          .type('form')
          .send({ _csrf: csrf, email: 'newcomer@example.org', role: 'viewer', password: testPassword })
      ).status,
    ).toBe(409);
    const audit = await t.db.pool.query(
      `SELECT actor, user_id FROM audit_log WHERE action = 'account.created' AND data->>'email' = 'Newcomer@Example.org'`,
    );
    expect(audit.rows[0]).toEqual({ actor: admin.email, user_id: String(admin.id) });

    await t.db.pool.query(`UPDATE users SET disabled_at = now() WHERE role = 'admin' AND id <> $1`, [
      admin.id,
    ]);
    const demote = await agent
      .post(`/admin/accounts/${admin.id}`)
      .type('form')
      .send({ _csrf: csrf, role: 'viewer' });
    expect(demote.status).toBe(409);
    expect((await t.db.pool.query('SELECT role FROM users WHERE id = $1', [admin.id])).rows[0].role).toBe(
      'admin',
    );
  });

  it('when a token is created in the workspace, then it is shown once, stored hashed, and works for the API until revoked', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const { agent, csrf } = await signedInAgent(t.app, user.email);
    const created = await agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'Website form' });
    expect(created.status).toBe(201);
    const token = /data-token>([^<]+)</.exec(created.text)![1]!;
    expect(token).toMatch(/^tsu_[A-Za-z0-9_-]{43}$/);
    expect((await agent.get('/admin/tokens')).text).not.toContain(token);
    const stored = await t.db.pool.query('SELECT id, token_hash FROM api_tokens WHERE name = $1', [
      'Website form',
    ]);
    expect(stored.rows[0].token_hash.toString('utf8')).not.toContain(token.slice(4, 20));
    expect((await request(t.app).get('/api/v1/events').set('Authorization', `Bearer ${token}`)).status).toBe(
      200,
    );
    const revoked = await agent
      .post(`/admin/tokens/${stored.rows[0].id}/revoke`)
      .type('form')
      .send({ _csrf: csrf });
    expect(revoked.status).toBe(200);
    expect((await request(t.app).get('/api/v1/events').set('Authorization', `Bearer ${token}`)).status).toBe(
      401,
    );
    const without = await agent.post('/admin/tokens').type('form').send({ name: 'no csrf' });
    expect(without.status).toBe(403);
  });
});
