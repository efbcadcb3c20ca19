import request from 'supertest';
import type { EventRecord } from '../../src/events';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * Proof by crawl (issue 14): every route the Express router stacks hold is asked, without the
 * credential it needs, whether it refuses. The list comes from the app itself, so a new route is covered
 * the day it is added; an exception needs a line in an allow-list below, with its reason.
 */

/** One (method, path) pair as Express routes it, e.g. `POST /manage/:token`. */
interface Crawled {
  method: string;
  path: string;
}

/** The parts of a router 2 layer the crawl reads: a route, or a nested router's own stack. */
interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Walks the router stacks depth first, joining each nested router's mount path onto its routes. */
function crawl(stack: Layer[], prefix = ''): Crawled[] {
  const found: Crawled[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          found.push({ method: method.toUpperCase(), path: `${prefix}${path}` });
        }
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      for (const mount of [layer.rawPath ?? '/'].flat()) {
        found.push(...crawl(layer.handle.stack, `${prefix}${mount === '/' ? '' : mount}`));
      }
    }
  }
  return found;
}

const key = (r: Crawled) => `${r.method} ${r.path}`;
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Pages under /admin meant for people who are not signed in. */
const adminOpen: Record<string, string> = {
  'GET /admin/login': 'the sign-in page itself',
  'POST /admin/login': 'the sign-in form: it is how a session starts',
  'GET /admin/setup/:token': 'the setup link of a new account: its token is the credential',
  'POST /admin/setup/:token': 'the setup form: the link token is the credential, and CSRF still applies',
  'GET /admin/reset/:token': 'a one-time password-reset link: for someone who cannot sign in',
  'POST /admin/reset/:token': 'the reset form: the link token is the credential, and CSRF still applies',
};

/** API routes callable without a bearer token. */
const apiOpen: Record<string, string> = {
  'GET /api/v1/openapi.json': 'the API description, public so clients can be generated before a token exists',
  'GET /api/v1/docs': 'the same description as a page for people (Swagger UI), public like the document',
  'GET /api/v1/docs/assets/:file': "that page's two files of swagger-ui-dist, served from this host",
  'POST /api/v1/events/:slug/registrations':
    "public registration from an organisation's own site; the form's rules and rate limit apply",
  'OPTIONS /api/v1/events/:slug/registrations': 'the CORS preflight of that public registration',
};

/** State-changing routes outside the API that take no CSRF token, on purpose. */
const csrfOpen: Record<string, string> = {
  'POST /unsubscribe/:token':
    "RFC 8058 one-click unsubscribe: a mail provider's POST carries no cookie and no token",
  'POST /unsubscribe/:token/resume':
    'its undo on the same page; unsubscribe.routes.ts: the token is the only credential and can do nothing else',
  'POST /zoom/webhook':
    "Zoom's event notifications: no cookie; each is checked by its x-zm-signature HMAC (404 without Zoom settings)",
};

/** Harmless values for path parameters: the test's own event, nonsense for the rest. */
function fill(path: string, slug: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) =>
    name === 'slug' ? slug : name === 'token' ? 'no-such-token-0000000000' : '999999',
  );
}

/** Sends `method` to `url` on an agent, with a form body when the method carries one. */
function send(agent: request.Agent | ReturnType<typeof request>, method: string, url: string, form?: object) {
  const req = (agent as unknown as Record<string, (u: string) => request.Test>)[method.toLowerCase()]!(url);
  return form && method !== 'GET' && method !== 'OPTIONS' ? req.type('form').send(form) : req;
}

/** A 403 page whose error code is `csrf_failed`. */
function refusedForCsrf(res: request.Response): boolean {
  return res.status === 403 && res.text.includes('data-code="csrf_failed"');
}

/** A redirect to the sign-in page. */
function toSignIn(res: request.Response): boolean {
  return [302, 303].includes(res.status) && /^\/admin\/login(\?|$)/.test(String(res.headers.location));
}

describe('the route crawl', () => {
  let t: TestApp;
  let event: EventRecord;
  let routes: Crawled[];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
    event = await makeEvent(t, { slug: 'crawl-test' });
    routes = crawl((t.app as unknown as { router: { stack: Layer[] } }).router.stack);
  });
  afterAll(() => t.close());

  it('when the router stacks are walked, then the routes of every surface are found, and every allow-listed route still exists', () => {
    const keys = new Set(routes.map(key));
    for (const known of [
      'GET /healthz',
      'GET /events/:slug',
      'POST /manage/:token',
      'GET /admin/events/:slug',
    ]) {
      expect(keys).toContain(known);
    }
    expect(keys).toContain('GET /admin/outbox/:name');
    const stale = [adminOpen, apiOpen, csrfOpen]
      .flatMap((list) => Object.keys(list))
      .filter((k) => !keys.has(k));
    expect(stale).toEqual([]);
  });

  it('when an /admin route is asked without a session, then it redirects to sign-in or refuses, never 200 or 5xx', async () => {
    // A valid CSRF cookie and token, so what refuses is the missing session, not the missing token.
    const { agent, token } = await formSession(t.app, event.slug);
    const open: string[] = [];
    for (const r of routes.filter((r) => r.path.startsWith('/admin') && !(key(r) in adminOpen))) {
      const res = await send(agent, r.method, fill(r.path, event.slug), { _csrf: token });
      if (!(toSignIn(res) || [401, 403, 404].includes(res.status))) open.push(`${key(r)} -> ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('when an /api/v1 route is called without a bearer token, then it answers 401', async () => {
    const open: string[] = [];
    for (const r of routes.filter((r) => r.path.startsWith('/api/v1') && !(key(r) in apiOpen))) {
      const res = await send(request(t.app), r.method, fill(r.path, event.slug)).set(
        'Accept',
        'application/json',
      );
      if (res.status !== 401) open.push(`${key(r)} -> ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('when a state-changing route outside the API gets no CSRF cookie or token, then it is refused', async () => {
    const open: string[] = [];
    for (const r of routes.filter((r) => stateChanging.has(r.method) && !r.path.startsWith('/api/v1'))) {
      if (key(r) in csrfOpen) continue;
      const res = await send(request(t.app), r.method, fill(r.path, event.slug), { note: 'x' });
      const admin = r.path.startsWith('/admin');
      if (!(refusedForCsrf(res) || (admin && toSignIn(res)))) open.push(`${key(r)} -> ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('when a signed-in admin posts to a state-changing route without a token or with a foreign one, then it is refused with 403', async () => {
    const admin = await createTestAccount(t.db.pool, { role: 'admin' });
    const { agent } = await signedInAgent(t.app, admin.email);
    // A well-formed token, valid for another visitor's cookie.
    const { token: foreign } = await formSession(t.app, event.slug);
    const open: string[] = [];
    const checked = routes
      .filter((r) => stateChanging.has(r.method) && !r.path.startsWith('/api/v1') && !(key(r) in csrfOpen))
      // Signing out last: if its check were broken, it would end the session the others rely on.
      .sort((a, b) => Number(a.path === '/admin/logout') - Number(b.path === '/admin/logout'));
    for (const r of checked) {
      for (const body of [{ note: 'x' }, { note: 'x', _csrf: foreign }]) {
        const res = await send(agent, r.method, fill(r.path, event.slug), body);
        if (!refusedForCsrf(res))
          open.push(`${key(r)} ${'_csrf' in body ? 'foreign' : 'none'} -> ${res.status}`);
      }
    }
    expect(open).toEqual([]);
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it("when a token valid for one visitor's cookie is sent with another visitor's cookie, then it is refused with 403", async () => {
    const a = await formSession(t.app, event.slug);
    const b = await formSession(t.app, event.slug);
    expect(a.token).not.toBe(b.token);
    const body = { _csrf: a.token, email: 'not-an-address' };
    const refused = await b.agent.post(`/events/${event.slug}/register`).type('form').send(body);
    expect(refusedForCsrf(refused)).toBe(true);
    // The same token with its own cookie passes the check (the form is then refused for its content).
    const passed = await a.agent.post(`/events/${event.slug}/register`).type('form').send(body);
    expect(passed.status).toBe(422);
  });

  it('when a path starts with two slashes, then the 404 page names no other host and links to none', async () => {
    const res = await request(t.app).get('//evil.example/x');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('href="//');
    expect(res.text).not.toContain('evil.example');
  });
});
