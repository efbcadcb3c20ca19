import request from 'supertest';
import { formTokenSeconds, formTokenValid, signFormToken } from '../../src/http/form-token';
import { parseEventInput } from '../../src/events';
import { withFrameAncestors } from '../../src/site/embed';
import { encodeForm, eventDoc, formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * The embedded form: which sites may frame which page (Content-Security-Policy frame-ancestors), the
 * cookie-less form token it posts with, and the script an organiser's site loads.
 */

const secret = 'test-secret-test-secret-test-secret-0123';
const site = 'https://www.coop.example';
const at = new Date('2026-12-01T00:00:00Z');

describe('embed form token', () => {
  it('when a token is checked for the event it was signed for, within its life, then it is valid', () => {
    const token = signFormToken(secret, 'tsunagaru-test', at);
    expect(formTokenValid(secret, 'tsunagaru-test', token, new Date(at.getTime() + 60_000))).toBe(true);
  });

  it('when a token is checked for another event, with another secret, altered or expired, then it is refused', () => {
    const token = signFormToken(secret, 'tsunagaru-test', at);
    const later = new Date(at.getTime() + formTokenSeconds * 1000);
    expect(formTokenValid(secret, 'other-event', token, at)).toBe(false);
    expect(formTokenValid(`${secret}x`, 'tsunagaru-test', token, at)).toBe(false);
    expect(formTokenValid(secret, 'tsunagaru-test', `${token.slice(0, -2)}xx`, at)).toBe(false);
    expect(formTokenValid(secret, 'tsunagaru-test', token, later)).toBe(false);
  });

  it('when a token claims an expiry further ahead than a token lives, then it is refused even with a good MAC', () => {
    const far = signFormToken(secret, 'tsunagaru-test', new Date(at.getTime() + 24 * 3600_000));
    expect(formTokenValid(secret, 'tsunagaru-test', far, at)).toBe(false);
  });
});

describe('embed origins in the event document', () => {
  it('when origins are given with a trailing slash or twice, then they are stored once, as origins', () => {
    const doc = parseEventInput(eventDoc({ embedOrigins: [`${site}/`, site, 'http://127.0.0.1:8080'] }));
    expect(doc.embedOrigins).toEqual([site, 'http://127.0.0.1:8080']);
  });

  it('when an origin has a path, another scheme or is no URL, then each is refused at its own path', () => {
    expect.assertions(1);
    try {
      parseEventInput(eventDoc({ embedOrigins: [`${site}/events`, 'ftp://coop.example', 'coop'] }));
    } catch (err) {
      expect((err as { params: { issues: { path: string; key: string }[] } }).params.issues).toEqual([
        { path: '$.embedOrigins[0]', key: 'validation:event.embedOrigin', params: {} },
        { path: '$.embedOrigins[1]', key: 'validation:event.embedOrigin', params: {} },
        { path: '$.embedOrigins[2]', key: 'validation:event.embedOrigin', params: {} },
      ]);
    }
  });

  it('when the policy names frame-ancestors, then only that directive changes', () => {
    const csp = "default-src 'self';frame-ancestors 'none';form-action 'self'";
    expect(withFrameAncestors(csp, [site, 'http://localhost:9'])).toBe(
      `default-src 'self';frame-ancestors ${site} http://localhost:9;form-action 'self'`,
    );
    expect(withFrameAncestors(csp, [])).toBe(csp);
  });
});

describe('embedded pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events CASCADE');
    await makeEvent(t, { embedOrigins: [site] });
    await makeEvent(t, { slug: 'not-embedded' });
  });

  const frameAncestors = (res: request.Response) =>
    /frame-ancestors ([^;]*)/.exec(String(res.headers['content-security-policy']))?.[1];

  it("when an event's page is asked for with ?embed=1, then only its own origins may frame it", async () => {
    const embedded = await request(t.app).get(`/events/tsunagaru-test?embed=1&origin=${site}`);
    expect(frameAncestors(embedded)).toBe(site);
    expect(embedded.headers['x-frame-options']).toBeUndefined();
    for (const path of ['/events/tsunagaru-test', '/events/not-embedded?embed=1', '/?embed=1', '/privacy']) {
      const res = await request(t.app).get(path);
      expect([path, frameAncestors(res), res.headers['x-frame-options']]).toEqual([
        path,
        "'none'",
        'SAMEORIGIN',
      ]);
    }
  });

  it('when embedded, then the page is compact and its form carries a form token instead of the cookie token', async () => {
    const res = await request(t.app).get(`/events/tsunagaru-test?embed=1&origin=${site}&lang=ja`);
    expect(res.text).toContain(`data-embed-parent="${site}"`);
    expect(res.text).not.toContain('class="site-header"');
    expect(res.text).not.toContain('id="about-heading"');
    expect(res.text).toMatch(/name="_form" value="\d+\.[\w-]{43}"/);
    expect(res.text).not.toContain('name="_csrf"');
    expect(res.text).toContain(
      `action="/events/tsunagaru-test/register?lang=ja&amp;embed=1&amp;origin=${encodeURIComponent(site)}"`,
    );
  });

  it("when the origin asked for is not one of the event's, then the page posts its height to no one", async () => {
    const res = await request(t.app).get('/events/tsunagaru-test?embed=1&origin=https://evil.example');
    expect(res.text).not.toContain('data-embed-parent');
    expect(frameAncestors(res)).toBe(site);
  });

  it('when the embedded form is sent without any cookie, then its token registers the attendee and the next page stays embedded', async () => {
    const page = await request(t.app).get(`/events/tsunagaru-test?embed=1&origin=${site}`);
    const token = /name="_form" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await request(t.app)
      .post(`/events/tsunagaru-test/register?lang=en&embed=1&origin=${encodeURIComponent(site)}`)
      .type('form')
      .send(encodeForm({ _form: token, ...formData() }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(
      `/events/tsunagaru-test/registered?lang=ja&embed=1&origin=${encodeURIComponent(site)}`,
    );
    const { rows } = await t.db.pool.query('SELECT email FROM registrations');
    expect(rows).toEqual([{ email: 'hanako@example.org' }]);
    const done = await request(t.app).get(res.headers.location!);
    expect(frameAncestors(done)).toBe(site);
  });

  it('when the form token is for another event or has expired, then nothing is registered and the refusal can show in the frame', async () => {
    const other = signFormToken(secret, 'not-embedded', t.clock.now());
    const old = signFormToken(
      secret,
      'tsunagaru-test',
      new Date(t.clock.now().getTime() - formTokenSeconds * 1000),
    );
    for (const token of [other, old]) {
      const res = await request(t.app)
        .post(`/events/tsunagaru-test/register?embed=1&origin=${encodeURIComponent(site)}`)
        .type('form')
        .send(encodeForm({ _form: token, ...formData() }));
      expect(res.status).toBe(403);
      expect(frameAncestors(res)).toBe(site);
    }
    expect((await t.db.pool.query('SELECT 1 FROM registrations')).rowCount).toBe(0);
  });

  it('when a site loads /embed.js, then it is JavaScript that other origins may load', async () => {
    const res = await request(t.app).get('/embed.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toContain("'tsunagaru:height'");
  });
});
