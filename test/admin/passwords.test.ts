import request from 'supertest';
import { deleteExpiredResetLinks, loginLimits } from '../../src/accounts';
import { createTestAccount, csrfFrom, signedInAgent, testPassword } from '../helpers/admin';
import { startTestApp, type TestApp } from '../helpers/app';

/**
 * A password's life in the workspace: changing one's own, an admin's one-time reset link, and the
 * policy on every form that chooses a password.
 */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
});
afterAll(() => t.close());

const newPassword = 'violet kettle under the morning tram';

async function auditOf(action: string, email: string) {
  const res = await t.db.pool.query(
    `SELECT actor, user_id, data FROM audit_log WHERE action = $1 AND data->>'email' = $2 ORDER BY id`,
    [action, email],
  );
  return res.rows as { actor: string; user_id: string | null; data: Record<string, unknown> }[];
}

async function passwordHashOf(id: number): Promise<string> {
  return (await t.db.pool.query('SELECT password_hash FROM users WHERE id = $1', [id])).rows[0].password_hash;
}

async function apiToken(agent: request.Agent, csrf: string): Promise<string> {
  const created = await agent.post('/admin/tokens').type('form').send({ _csrf: csrf, name: 'Sync' });
  return /data-token>([^<]+)</.exec(created.text)![1]!;
}

async function signInFails(email: string, password: string): Promise<boolean> {
  return signedInAgent(t.app, email, password).then(
    () => false,
    () => true,
  );
}

describe('changing one’s own password', () => {
  it('when the current password is wrong, then the form says so in Japanese and nothing changes', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const { agent, csrf } = await signedInAgent(t.app, user.email);
    const before = await passwordHashOf(user.id);
    const page = await agent.get('/admin/password?lang=ja');
    expect(page.status).toBe(200);
    expect(page.text).toContain('パスワードの変更');

    const res = await agent.post('/admin/password').type('form').send({
      _csrf: csrf,
      currentPassword: 'not my password at all',
      password: newPassword,
      passwordRepeat: newPassword,
    });

    expect(res.status).toBe(422);
    expect(res.text).toContain('現在のパスワードが正しくありません');
    expect(await passwordHashOf(user.id)).toBe(before);
    expect(await auditOf('account.password_changed', user.email)).toHaveLength(0);
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it('when the new password is weak or the repeat differs, then it is refused with the reason and nothing changes', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const { agent, csrf } = await signedInAgent(t.app, user.email);
    const before = await passwordHashOf(user.id);
    const send = (password: string, passwordRepeat = password) =>
      agent
        .post('/admin/password')
        .type('form')
        .send({ _csrf: csrf, currentPassword: testPassword, password, passwordRepeat });

    const common = await send('password1234');
    expect(common.status).toBe(422);
    expect(common.text).toContain('on a list of common passwords');
    const mismatch = await send(newPassword, `${newPassword}!`);
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The two passwords are not the same.');
    expect(await passwordHashOf(user.id)).toBe(before);
  });

  it('when the password is changed, then another session of the account ends, this one and the API token keep working, and it is audited', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const { agent, csrf } = await signedInAgent(t.app, user.email);
    const other = await signedInAgent(t.app, user.email);
    const bystander = await signedInAgent(
      t.app,
      (await createTestAccount(t.db.pool, { role: 'viewer' })).email,
    );
    const token = await apiToken(agent, csrf);
    expect((await other.agent.get('/admin')).status).toBe(200);

    const res = await agent.post('/admin/password').type('form').send({
      _csrf: csrf,
      currentPassword: testPassword,
      password: newPassword,
      passwordRepeat: newPassword,
    });

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/password?changed=1');
    const done = await agent.get('/admin/password?changed=1');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password was changed');
    expect((await agent.get('/admin')).status).toBe(200);
    const kicked = await other.agent.get('/admin/tokens');
    expect(kicked.status).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/admin\/login\?next=/);
    expect((await bystander.agent.get('/admin')).status).toBe(200);
    expect((await request(t.app).get('/api/v1/events').set('Authorization', `Bearer ${token}`)).status).toBe(
      200,
    );
    expect(await signInFails(user.email, testPassword)).toBe(true);
    expect(await signInFails(user.email, newPassword)).toBe(false);
    const audit = await auditOf('account.password_changed', user.email);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(user.email);
    expect(Number(audit[0]!.user_id)).toBe(user.id);
    expect(audit[0]!.data).toMatchObject({ via: 'workspace', sessionsEnded: 2 });
    expect(JSON.stringify(audit[0]!.data)).not.toContain(newPassword);
  });

  it('when the current password is guessed too often, then the account is locked like a failed sign-in', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    t.clock.set('2026-11-05T00:00:00Z');
    try {
      const { agent, csrf } = await signedInAgent(t.app, user.email);
      const guess = (currentPassword: string) =>
        agent
          .post('/admin/password')
          .type('form')
          .send({ _csrf: csrf, currentPassword, password: newPassword, passwordRepeat: newPassword });
      for (let i = 0; i < loginLimits.perAccount; i++)
        expect((await guess(`guess number ${i}`)).status).toBe(422);
      const locked = await guess(testPassword);
      expect(locked.status).toBe(429);
      expect(locked.text).toContain('Too many failed sign-ins for this account');
      expect(await signInFails(user.email, testPassword)).toBe(true);
    } finally {
      t.clock.set('2026-11-01T00:00:00Z');
    }
  });

  it('when the form comes without its CSRF token, then it is refused', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const { agent } = await signedInAgent(t.app, user.email);
    const res = await agent
      .post('/admin/password')
      .type('form')
      .send({ currentPassword: testPassword, password: newPassword, passwordRepeat: newPassword });
    expect(res.status).toBe(403);
  });

  it('when the form body is not UTF-8, then it answers 400 and nothing changes', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const { agent, csrf } = await signedInAgent(t.app, user.email);
    const before = await passwordHashOf(user.id);
    const res = await agent
      .post('/admin/password')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrf)}&currentPassword=${encodeURIComponent(testPassword)}&password=%FF%FEviolet+kettle+tram&passwordRepeat=%FF%FEviolet+kettle+tram`,
      );
    expect(res.status).toBe(400);
    expect(await passwordHashOf(user.id)).toBe(before);
  });

  it('when the workspace header is shown, then it links to the password page', async () => {
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const { agent } = await signedInAgent(t.app, user.email);
    expect((await agent.get('/admin?lang=ja')).text).toMatch(
      /<a href="\/admin\/password"[^>]*>パスワード変更</,
    );
  });
});

describe('an admin’s one-time reset link', () => {
  async function makeLink(admin: { agent: request.Agent; csrf: string }, userId: number) {
    const res = await admin.agent
      .post(`/admin/accounts/${userId}/reset-link`)
      .type('form')
      .send({ _csrf: admin.csrf });
    expect(res.status).toBe(201);
    const url = /data-reset-link>([^<]+)</.exec(res.text)![1]!;
    return new URL(url).pathname;
  }

  async function useLink(path: string, password: string, passwordRepeat = password) {
    const agent = request.agent(t.app);
    const page = await agent.get(path);
    if (page.status !== 200) return page;
    return agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password, passwordRepeat });
  }

  it('when the link is used, then the password is set, every session of the account ends, it is audited, and the link answers 404 after', async () => {
    const admin = await signedInAgent(t.app, (await createTestAccount(t.db.pool, { role: 'admin' })).email);
    const user = await createTestAccount(t.db.pool, { role: 'organiser' });
    const session = await signedInAgent(t.app, user.email);
    const path = await makeLink(admin, user.id);
    expect(path).toMatch(/^\/admin\/reset\/[A-Za-z0-9_-]{43}$/);
    const stored = await t.db.pool.query('SELECT token_hash FROM password_reset_links WHERE user_id = $1', [
      user.id,
    ]);
    expect(stored.rows[0].token_hash.toString('hex')).not.toContain(path.split('/').pop());

    const page = await request(t.app).get(`${path}?lang=ja`);
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain(user.email);
    expect(page.text).toContain('新しいパスワードの設定');

    const weak = await useLink(path, 'aaaaaaaaaaaa');
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('too easy to guess');
    const done = await useLink(path, newPassword);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password was changed');

    expect((await session.agent.get('/admin')).status).toBe(303);
    expect(await signInFails(user.email, newPassword)).toBe(false);
    const again = await request(t.app).get(`${path}?lang=ja`);
    expect(again.status).toBe(404);
    expect(again.text).toContain('このパスワード再設定用リンクは無効です');
    expect((await useLink(path, 'another fine passphrase here')).status).toBe(404);
    expect(await auditOf('account.reset_link_created', user.email)).toHaveLength(1);
    const reset = await auditOf('account.password_reset', user.email);
    expect(reset).toHaveLength(1);
    expect(reset[0]!.data).toMatchObject({ via: 'reset_link', sessionsEnded: 1 });
  });

  it('when 24 hours have passed, then the link answers 404 and the password is unchanged', async () => {
    const admin = await signedInAgent(t.app, (await createTestAccount(t.db.pool, { role: 'admin' })).email);
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const before = await passwordHashOf(user.id);
    const path = await makeLink(admin, user.id);
    try {
      t.clock.set('2026-11-01T23:59:59Z');
      expect((await request(t.app).get(path)).status).toBe(200);
      t.clock.set('2026-11-02T00:00:00Z');
      const expired = await request(t.app).get(path);
      expect(expired.status).toBe(404);
      expect(expired.text).toContain('it expired');
      expect((await useLink(path, newPassword)).status).toBe(404);
    } finally {
      t.clock.set('2026-11-01T00:00:00Z');
    }
    expect(await passwordHashOf(user.id)).toBe(before);
    const stored = () => t.db.pool.query('SELECT 1 FROM password_reset_links WHERE user_id = $1', [user.id]);
    expect((await stored()).rowCount).toBe(1);
    expect(await deleteExpiredResetLinks(t.db.pool, new Date('2026-11-01T23:59:59Z'))).toBe(0);
    expect(await deleteExpiredResetLinks(t.db.pool, new Date('2026-11-02T00:00:00Z'))).toBeGreaterThanOrEqual(
      1,
    );
    expect((await stored()).rowCount).toBe(0);
  });

  it('when a newer link is made for the same account, then the older one answers 404 and the newer works', async () => {
    const admin = await signedInAgent(t.app, (await createTestAccount(t.db.pool, { role: 'admin' })).email);
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const first = await makeLink(admin, user.id);
    const second = await makeLink(admin, user.id);
    expect(second).not.toBe(first);
    expect((await request(t.app).get(first)).status).toBe(404);
    expect((await useLink(second, newPassword)).status).toBe(200);
    expect(await auditOf('account.reset_link_created', user.email)).toHaveLength(2);
  });

  it('when a link is unknown, then it answers 404 with the localized page', async () => {
    const res = await request(t.app).get(`/admin/reset/${'x'.repeat(43)}?lang=ja`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('管理者に新しいリンクを依頼してください');
  });

  it('when an organiser asks for a reset link, then it is refused and no link is stored', async () => {
    const organiser = await signedInAgent(
      t.app,
      (await createTestAccount(t.db.pool, { role: 'organiser' })).email,
    );
    const user = await createTestAccount(t.db.pool, { role: 'viewer' });
    const res = await organiser.agent
      .post(`/admin/accounts/${user.id}/reset-link`)
      .type('form')
      .send({ _csrf: organiser.csrf });
    expect(res.status).toBe(403);
    const rows = await t.db.pool.query('SELECT 1 FROM password_reset_links WHERE user_id = $1', [user.id]);
    expect(rows.rowCount).toBe(0);
  });
});

describe('the policy on the forms that create accounts', () => {
  it.each(['password1234', '123456789012', 'aaaaaaaaaaaa'])(
    'when an admin creates an account with %s, then it is refused with the reason in Japanese and no account is made',
    async (password) => {
      const admin = await signedInAgent(t.app, (await createTestAccount(t.db.pool, { role: 'admin' })).email);
      const email = `weak-${password}@example.org`;
      const res = await admin.agent
        .post('/admin/accounts?lang=ja')
        .type('form')
        .send({ _csrf: admin.csrf, email, role: 'viewer', password });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/よく使われるパスワード|推測されやすい/);
      expect((await t.db.pool.query('SELECT 1 FROM users WHERE email = $1', [email])).rowCount).toBe(0);
    },
  );

  it('when the password contains the new account’s address, then it is refused', async () => {
    const admin = await signedInAgent(t.app, (await createTestAccount(t.db.pool, { role: 'admin' })).email);
    const res = await admin.agent.post('/admin/accounts').type('form').send({
      _csrf: admin.csrf,
      email: 'kenji.sato@example.org',
      role: 'viewer',
      password: 'my name is Kenji.Sato ok',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('contains your e-mail address');
  });
});
