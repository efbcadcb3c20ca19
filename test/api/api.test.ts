import request from 'supertest';
import { createAccount, createApiToken, addEventMember, sessionActor, type Role } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { eventDoc, formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { expectDocumented } from '../helpers/openapi';

let t: TestApp;
let n = 0;

/** An account of `role` and a fresh API token acting as it. */
async function tokenFor(role: Role): Promise<string> {
  n += 1;
  const user = await withTransaction(t.db.pool, (tx) =>
    createAccount(
      tx,
      { email: `${role}${n}@example.org`, role, password: 'correct horse battery' },
      { now: t.clock.now(), by: 'cli' },
    ),
  );
  const { token } = await createApiToken(
    t.db.pool,
    { name: `test ${n}` },
    { now: t.clock.now(), by: sessionActor(user) },
  );
  return token;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
});
afterAll(() => t.close());

describe('REST API v1 without a token', () => {
  it.each([
    ['get', '/api/v1/events', '/api/v1/events'],
    ['post', '/api/v1/events', '/api/v1/events'],
    ['get', '/api/v1/events/x', '/api/v1/events/{slug}'],
    ['patch', '/api/v1/events/x', '/api/v1/events/{slug}'],
    ['post', '/api/v1/events/x/cancel', '/api/v1/events/{slug}/cancel'],
    ['get', '/api/v1/events/x/registrations', '/api/v1/events/{slug}/registrations'],
    ['get', '/api/v1/events/x/registrations/export?format=csv', '/api/v1/events/{slug}/registrations/export'],
  ])(
    'when %s %s has no token, then 401 with a JSON error and WWW-Authenticate',
    async (method, url, path) => {
      const res = await (request(t.app) as unknown as Record<string, (u: string) => request.Test>)[method]!(
        url,
      );
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.error.code).toBe('unauthorized');
      expectDocumented(res, method, path);
    },
  );

  it('when the token is revoked or malformed, then 401', async () => {
    const res = await request(t.app).get('/api/v1/events').set(bearer('tsu_not-a-real-token'));
    expect(res.status).toBe(401);
  });

  it('when the API answers, then it sets no cookie', async () => {
    const res = await request(t.app).get('/api/v1/events');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('REST API v1 events', () => {
  it('when an organiser creates, reads, patches and cancels an event, then each response matches the OpenAPI document', async () => {
    const token = await tokenFor('organiser');
    const created = await request(t.app)
      .post('/api/v1/events')
      .set(bearer(token))
      .send(eventDoc({ slug: 'api-made', status: 'published' }));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/v1/events/api-made');
    expect(created.body.slug).toBe('api-made');
    expectDocumented(created, 'post', '/api/v1/events');

    const again = await request(t.app)
      .post('/api/v1/events')
      .set(bearer(token))
      .send(eventDoc({ slug: 'api-made' }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('slug_taken');
    expectDocumented(again, 'post', '/api/v1/events');

    const list = await request(t.app).get('/api/v1/events').set(bearer(token));
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: { slug: string }) => e.slug)).toEqual(['api-made']);
    expectDocumented(list, 'get', '/api/v1/events');

    const one = await request(t.app).get('/api/v1/events/api-made').set(bearer(token));
    expect(one.body.startsAt).toBe(created.body.startsAt);
    expectDocumented(one, 'get', '/api/v1/events/{slug}');

    const reg = await request(t.app)
      .post('/api/v1/events/api-made/registrations')
      .send({ ...formData(), consent: true });
    expect(reg.status).toBe(202);

    const patched = await request(t.app)
      .patch('/api/v1/events/api-made')
      .set(bearer(token))
      .send({
        title: { ja: '新しい題名' },
        startsAt: '2026-12-16T16:00:00+09:00',
        endsAt: '2026-12-16T18:15:00+09:00',
      });
    expect(patched.status).toBe(200);
    expect(patched.body.event.title.ja).toBe('新しい題名');
    expect(patched.body.event.title.en).toBeTruthy();
    expect(patched.body.changed).toEqual(expect.arrayContaining(['title', 'startsAt', 'endsAt']));
    expect(patched.body.notified).toBe(1);
    expectDocumented(patched, 'patch', '/api/v1/events/{slug}');

    const audit = await t.db.pool.query(
      `SELECT actor, user_id, data FROM audit_log WHERE action = 'event.updated' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0].actor).toMatch(/organiser\d+@example\.org \(API: test \d+\)/);
    expect(audit.rows[0].user_id).not.toBeNull();
    expect(audit.rows[0].data.before.title.ja).not.toBe('新しい題名');
    expect(audit.rows[0].data.after.title.ja).toBe('新しい題名');

    const merged = await request(t.app)
      .patch('/api/v1/events/api-made')
      .set(bearer(token))
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ capacity: 250 }));
    expect(merged.status).toBe(200);
    expect(merged.body.event.capacity).toBe(250);
    expect(merged.body.notified).toBe(0);

    const bad = await request(t.app)
      .patch('/api/v1/events/api-made')
      .set(bearer(token))
      .send({ capacity: -3, slug: 'other' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['$.slug']));
    expectDocumented(bad, 'patch', '/api/v1/events/{slug}');

    const cancelled = await request(t.app).post('/api/v1/events/api-made/cancel').set(bearer(token));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.event.status).toBe('cancelled');
    expect(cancelled.body.notified).toBe(1);
    expectDocumented(cancelled, 'post', '/api/v1/events/{slug}/cancel');
    const mails = await t.db.pool.query(`SELECT kind FROM outgoing_mails ORDER BY id`);
    expect(mails.rows.map((r) => r.kind)).toEqual([
      'registration.confirmed',
      'event.updated',
      'event.cancelled',
    ]);
  });

  it('when a viewer or a stranger uses the API, then reading follows membership and changes are refused', async () => {
    const event = await makeEvent(t, { slug: 'members-only', status: 'published' });
    const viewer = await tokenFor('viewer');
    const stranger = await tokenFor('organiser');
    const hidden = await request(t.app).get('/api/v1/events/members-only').set(bearer(viewer));
    expect(hidden.status).toBe(404);
    expectDocumented(hidden, 'get', '/api/v1/events/{slug}');

    const viewerId = (
      await t.db.pool.query(`SELECT id FROM users WHERE email = $1`, [`viewer${n - 1}@example.org`])
    ).rows[0].id;
    await addEventMember(t.db.pool, event.id, Number(viewerId), t.clock.now());
    expect((await request(t.app).get('/api/v1/events/members-only').set(bearer(viewer))).status).toBe(200);
    const patch = await request(t.app)
      .patch('/api/v1/events/members-only')
      .set(bearer(viewer))
      .send({ capacity: 5 });
    expect(patch.status).toBe(403);
    expectDocumented(patch, 'patch', '/api/v1/events/{slug}');
    expect(
      (
        await request(t.app)
          .post('/api/v1/events')
          .set(bearer(viewer))
          .send(eventDoc({ slug: 'nope' }))
      ).status,
    ).toBe(403);
    expect(
      (await request(t.app).post('/api/v1/events/members-only/cancel').set(bearer(stranger))).status,
    ).toBe(404);
    expect(
      (await request(t.app).get('/api/v1/events/members-only/registrations').set(bearer(stranger))).status,
    ).toBe(404);
  });

  it('when an admin token is revoked, then the next call is refused', async () => {
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: 'revoke@example.org', role: 'admin', password: 'correct horse battery' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    const { token, record } = await createApiToken(
      t.db.pool,
      { name: 'short-lived' },
      { now: t.clock.now(), by: sessionActor(user) },
    );
    expect((await request(t.app).get('/api/v1/events').set(bearer(token))).status).toBe(200);
    await t.db.pool.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [record.id]);
    expect((await request(t.app).get('/api/v1/events').set(bearer(token))).status).toBe(401);
  });
});

describe('REST API v1 registrations', () => {
  it('when registrations are listed with a cursor and filters, then every one comes exactly once and matches the document', async () => {
    await makeEvent(t, { slug: 'paged', status: 'published' });
    const token = await tokenFor('admin');
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app)
        .post('/api/v1/events/paged/registrations')
        .send({
          ...formData({ email: `p${i}@example.org`, interpretation: i % 2 ? 'en' : 'ja' }),
          consent: true,
        });
      expect(res.status).toBe(202);
      expectDocumented(res, 'post', '/api/v1/events/{slug}/registrations');
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(t.app)
        .get('/api/v1/events/paged/registrations')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(token));
      expect(page.status).toBe(200);
      expectDocumented(page, 'get', '/api/v1/events/{slug}/registrations');
      seen.push(...page.body.data.map((r: { email: string }) => r.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      'p0@example.org',
      'p1@example.org',
      'p2@example.org',
      'p3@example.org',
      'p4@example.org',
    ]);

    const filtered = await request(t.app)
      .get('/api/v1/events/paged/registrations?interpretation=en')
      .set(bearer(token));
    expect(filtered.body.data.map((r: { email: string }) => r.email)).toEqual([
      'p1@example.org',
      'p3@example.org',
    ]);
    expect(filtered.body.data[0].registeredAt).toMatch(/\+09:00$/);

    const bad = await request(t.app)
      .get('/api/v1/events/paged/registrations?status=maybe')
      .set(bearer(token));
    expect(bad.status).toBe(422);
    expectDocumented(bad, 'get', '/api/v1/events/{slug}/registrations');

    const csv = await request(t.app)
      .get('/api/v1/events/paged/registrations/export?format=excel-csv&lang=ja&interpretation=en')
      .set(bearer(token))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(csv.status).toBe(200);
    const body = csv.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('p1@example.org');
    const audit = await t.db.pool.query(
      `SELECT actor, data FROM audit_log WHERE action = 'registrations.exported' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0].actor).toMatch(/\(API: test \d+\)$/);
    expect(audit.rows[0].data).toEqual({ format: 'excel-csv', filters: { interpretation: 'en' }, rows: 2 });
  });

  it('when the public endpoint gets a duplicate, an invalid body or a closed event, then it answers as the form does', async () => {
    await makeEvent(t, {
      slug: 'public-api',
      status: 'published',
      registrationClosesAt: '2026-11-10T00:00:00Z',
    });
    const first = await request(t.app)
      .post('/api/v1/events/public-api/registrations')
      .send({ ...formData(), consent: true });
    const dup = await request(t.app)
      .post('/api/v1/events/public-api/registrations')
      .send({ ...formData(), consent: true });
    expect(first.status).toBe(202);
    expect(dup.status).toBe(202);
    expect(dup.body).toEqual(first.body);
    expect(first.headers['access-control-allow-origin']).toBe('*');

    const invalid = await request(t.app)
      .post('/api/v1/events/public-api/registrations')
      .set('Accept-Language', 'ja')
      .send({ ...formData({ email: 'not-an-address' }), consent: true });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.fields.email).toMatch(/メール/);
    expectDocumented(invalid, 'post', '/api/v1/events/{slug}/registrations');

    const preflight = await request(t.app).options('/api/v1/events/public-api/registrations');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');

    t.clock.set('2026-11-11T00:00:00Z');
    const closed = await request(t.app)
      .post('/api/v1/events/public-api/registrations')
      .send({ ...formData({ email: 'late@example.org' }), consent: true });
    t.clock.set('2026-11-01T00:00:00Z');
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('registration_closed');
    expectDocumented(closed, 'post', '/api/v1/events/{slug}/registrations');
    const count = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'public-api'`,
    );
    expect(count.rows[0].n).toBe(1);
  });

  it('when /api/v1/docs is opened, then a reference page loads Swagger UI from this host only, over the OpenAPI document', async () => {
    const page = await request(t.app).get('/api/v1/docs?lang=ja');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>API リファレンス</h1>');
    expect(page.text).toContain('data-spec="/api/v1/openapi.json"');
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    expect(sources).toEqual(
      expect.arrayContaining([
        '/api/v1/docs/assets/swagger-ui-bundle.js',
        '/api/v1/docs/assets/swagger-ui.css',
      ]),
    );
    const bundle = await request(t.app).get('/api/v1/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text).toContain('SwaggerUIBundle');
    const css = await request(t.app).get('/api/v1/docs/assets/swagger-ui.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    // Only those two files of the package are served.
    expect((await request(t.app).get('/api/v1/docs/assets/index.html')).status).toBe(404);
    expect((await request(t.app).get('/api/v1/docs/assets/package.json')).status).toBe(404);
    expect((await request(t.app).get('/assets/js/api-docs.js')).status).toBe(200);
  });

  it('when the document is fetched, then it is OpenAPI 3.1 and lists every v1 route', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/events',
        '/api/v1/events/{slug}',
        '/api/v1/events/{slug}/cancel',
        '/api/v1/events/{slug}/registrations',
        '/api/v1/events/{slug}/registrations/export',
      ]),
    );
  });
});

describe('reserved slugs', () => {
  it('when an event is called "new", then it is refused because that is the workspace’s new-event page', async () => {
    const token = await tokenFor('admin');
    const res = await request(t.app)
      .post('/api/v1/events')
      .set(bearer(token))
      .send(eventDoc({ slug: 'new' }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields['$.slug']).toContain('reserved');
  });
});
