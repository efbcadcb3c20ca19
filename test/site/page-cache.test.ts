import request from 'supertest';
import {
  encodeForm,
  eventDoc,
  formData,
  importTestEvent,
  makeEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { watchStatements } from '../helpers/statements';

const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

describe('the public event page served from the web process memory', () => {
  let t: TestApp;
  let watch: ReturnType<typeof watchStatements>;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: { EVENT_PAGE_CACHE_SECONDS: '1' } });
    watch = watchStatements(t.db.pool);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    // Each test moves the clock past the previous test's pages.
    t.clock.set(new Date(t.clock.now().getTime() + 3_600_000));
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  });

  it('when the page is asked again within a second, then it is sent without asking the database', async () => {
    await makeEvent(t);
    const first = await request(t.app).get('/events/tsunagaru-test?lang=ja');
    expect(first.status).toBe(200);
    watch.reset();
    const second = await request(t.app).get('/events/tsunagaru-test?lang=ja');
    expect(second.status).toBe(200);
    expect(watch.seen.statements).toEqual([]);
    expect(second.text).toContain('TSUNAGARU 社会的連帯経済');
  });

  it('when two visitors get the cached page, then each gets the CSRF token of their own cookie and can register with it', async () => {
    await makeEvent(t);
    const a = request.agent(t.app);
    const b = request.agent(t.app);
    const pageA = await a.get('/events/tsunagaru-test?lang=en');
    const pageB = await b.get('/events/tsunagaru-test?lang=en');
    const [tokenA, tokenB] = [tokenOf(pageA.text), tokenOf(pageB.text)];
    expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenB).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenA).not.toBe(tokenB);
    expect(pageB.text).not.toContain('csrf-');
    const posted = await b
      .post('/events/tsunagaru-test/register?lang=en')
      .type('form')
      .send(encodeForm({ _csrf: tokenB!, ...formData() }));
    expect(posted.status).toBe(303);
    // A's token does not work with B's cookie: the page kept nothing of A.
    const crossed = await b
      .post('/events/tsunagaru-test/register?lang=en')
      .type('form')
      .send(encodeForm({ _csrf: tokenA!, ...formData({ email: 'taro@example.org' }) }));
    expect(crossed.status).toBe(403);
  });

  it('when a visitor asks again with the ETag of the cached page, then the answer is 304, another visitor gets another ETag, and a changed page is sent in full', async () => {
    await makeEvent(t);
    const a = request.agent(t.app);
    const first = await a.get('/events/tsunagaru-test?lang=en');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}-[A-Za-z0-9_-]{16}"$/);
    const again = await a.get('/events/tsunagaru-test?lang=en').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    const other = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(other.headers.etag).not.toBe(etag);
    // Once the page says something else, the old ETag no longer matches: the new page is sent, whichever
    // web process (each with its own cache) answers.
    const doc = eventDoc();
    await importTestEvent(t, { ...doc, title: { ...doc.title, en: 'A new title' } });
    t.clock.set(new Date(t.clock.now().getTime() + 1_000));
    const changed = await a.get('/events/tsunagaru-test?lang=en').set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('A new title');
  });

  it('when the organiser edits the event, then the page shows the change once its second is over', async () => {
    await makeEvent(t);
    await request(t.app).get('/events/tsunagaru-test?lang=en');
    const doc = eventDoc();
    await importTestEvent(t, { ...doc, title: { ...doc.title, en: 'A new title' } });
    const within = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(within.text).not.toContain('A new title');
    t.clock.set(new Date(t.clock.now().getTime() + 1_000));
    const after = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(after.text).toContain('A new title');
  });

  it('when the admin changes the organiser profile, then the page shows it once its second is over', async () => {
    await makeEvent(t);
    await request(t.app).get('/events/tsunagaru-test?lang=en');
    await t.db.pool.query(
      `UPDATE installation_branding SET organisation = '{"en": "Cooperative Alliance of Kobe"}'`,
    );
    try {
      t.clock.set(new Date(t.clock.now().getTime() + 1_000));
      const after = await request(t.app).get('/events/tsunagaru-test?lang=en');
      expect(after.text).toContain('Cooperative Alliance of Kobe');
    } finally {
      await t.db.pool.query(`UPDATE installation_branding SET organisation = '{}'`);
    }
  });

  it('when the last seat goes, then the page offers the waiting list once its second is over', async () => {
    await makeEvent(t, { capacity: 1, waitlist: true });
    const open = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(open.text).not.toMatch(/class="notice" role="status"/);
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country,
         locale, interpretation, consented_at, created_at, updated_at)
       SELECT id, 'confirmed', 'x@example.org', 'X', 'Y', 'cooperative', 'JP', 'en', 'en', now(), now(), now()
         FROM events`,
    );
    t.clock.set(new Date(t.clock.now().getTime() + 1_000));
    const full = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(full.text).toMatch(/class="notice" role="status"/);
  });

  it('when the page is unchanged after its second, then the event and its seats are read again (two statements) and the same page is sent', async () => {
    await makeEvent(t, { capacity: 100 });
    const first = await request(t.app).get('/events/tsunagaru-test?lang=en');
    t.clock.set(new Date(t.clock.now().getTime() + 1_000));
    watch.reset();
    const again = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(watch.seen.statements.length).toBe(2);
    // Same HTML but the token: the rendered page was reused.
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/, '');
    expect(strip(again.text)).toBe(strip(first.text));
  });

  it('when the page is opened from an invitation link, then it is not taken from the cache', async () => {
    await makeEvent(t);
    await request(t.app).get('/events/tsunagaru-test?lang=en');
    watch.reset();
    await request(t.app).get('/events/tsunagaru-test?lang=en&invitation=not-a-real-token');
    expect(watch.seen.statements.length).toBeGreaterThan(0);
  });
});
