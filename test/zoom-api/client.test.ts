import { loadConfig } from '../../src/config';
import {
  ZoomClient,
  ZoomError,
  urlValidationAnswer,
  webhookSignature,
  webhookVerdict,
  zoomIdFrom,
} from '../../src/zoom-api';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';

let zoom: FakeZoom;
beforeEach(async () => {
  zoom = await startFakeZoom();
});
afterEach(() => zoom.close());

function client(clock: () => number = Date.now) {
  return new ZoomClient(loadConfig({ ...zoom.env }).zoom!, clock);
}

describe('Zoom API client', () => {
  it('when calls follow each other, then one token serves them until shortly before it expires', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const c = client(() => now);
    zoom.addSession({ id: '81111111111' });
    await c.session('webinar', '81111111111');
    await c.session('webinar', '81111111111');
    expect(zoom.tokensIssued()).toBe(1);
    const tokenCall = zoom.calls.find((x) => x.path === '/oauth/token')!;
    expect(tokenCall.query).toEqual({ grant_type: 'account_credentials', account_id: 'acct-1' });
    expect(tokenCall.headers.authorization).toBe(
      `Basic ${Buffer.from('client-1:secret-1').toString('base64')}`,
    );
    now += 3599_000 - 30_000; // within the last minute of the token's life
    await c.session('webinar', '81111111111');
    expect(zoom.tokensIssued()).toBe(2);
    expect(zoom.callsTo(/GET/).map((x) => x.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('when Zoom answers 401, then a new token is fetched once and the call repeated', async () => {
    const c = client();
    zoom.addSession({ id: '81111111111', topic: 'Co-op webinar' });
    await c.session('webinar', '81111111111');
    zoom.revokeTokens();
    const s = await c.session('webinar', '81111111111');
    expect(s.topic).toBe('Co-op webinar');
    expect(zoom.tokensIssued()).toBe(2);
    expect(zoom.callsTo(/GET/)).toHaveLength(3);
  });

  it('when Zoom keeps answering 401, then it gives up after one refresh with a permanent error', async () => {
    const c = client();
    zoom.addSession({ id: '81111111111' });
    zoom.failNext(/GET/, 401, { code: 124, message: 'Invalid access token.' }, {}, 5);
    const err = (await c.session('webinar', '81111111111').catch((e: unknown) => e)) as ZoomError;
    expect(err).toBeInstanceOf(ZoomError);
    expect(err).toMatchObject({ status: 401, retryable: false, message: 'Invalid access token.' });
    expect(zoom.callsTo(/GET/)).toHaveLength(2);
  });

  it('when Zoom answers 429 with Retry-After or 5xx, then the error is retryable and carries the wait', async () => {
    const c = client();
    zoom.addSession({ id: '81111111111' });
    zoom.failNext(/registrants/, 429, { code: 429, message: 'Too many requests' }, { 'retry-after': '42' });
    const e1 = (await c
      .addRegistrant('webinar', '81111111111', { email: 'a@example.org', firstName: 'A', lastName: 'B' })
      .catch((e: unknown) => e)) as ZoomError;
    expect(e1).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 42 });
    zoom.failNext(/registrants/, 503, 'down');
    const e2 = (await c
      .addRegistrant('webinar', '81111111111', { email: 'a@example.org', firstName: 'A', lastName: 'B' })
      .catch((e: unknown) => e)) as ZoomError;
    expect(e2).toMatchObject({ status: 503, retryable: true });
  });

  it('when Zoom refuses with a 4xx, then the error is permanent with Zoom’s message', async () => {
    const c = client();
    zoom.addSession({ id: '81111111111' });
    zoom.failNext(/registrants/, 400, {
      code: 3027,
      message: 'Registration has not been enabled for this webinar.',
    });
    const e = (await c
      .addRegistrant('webinar', '81111111111', { email: 'a@example.org', firstName: 'A', lastName: 'B' })
      .catch((x: unknown) => x)) as ZoomError;
    expect(e).toMatchObject({
      status: 400,
      retryable: false,
      zoomCode: 3027,
      message: 'Registration has not been enabled for this webinar.',
    });
  });

  it('when a webinar is created, registrants added one and thirty at a time and cancelled, then Zoom gets its documented bodies', async () => {
    const c = client();
    const s = await c.createSession('webinar', {
      topic: 'Cooperatives and climate',
      startTime: '2026-12-30T01:00:00Z',
      duration: 90,
      timezone: 'Asia/Tokyo',
    });
    expect(s.topic).toBe('Cooperatives and climate');
    const created = zoom.callsTo(/POST \/users\/me\/webinars/)[0]!;
    expect(created.body).toMatchObject({ type: 5, duration: 90, settings: { approval_type: 0 } });
    const one = await c.addRegistrant('webinar', s.id, {
      email: 'hanako@example.org',
      firstName: 'Hanako',
      lastName: 'Yamada',
    });
    expect(one.joinUrl).toContain(one.registrantId);
    expect(zoom.callsTo(/\/registrants$/)[0]!.body).toEqual({
      email: 'hanako@example.org',
      first_name: 'Hanako',
      last_name: 'Yamada',
    });
    const people = Array.from({ length: 30 }, (_, i) => ({
      email: `p${i}@example.org`,
      firstName: 'P',
      lastName: String(i),
    }));
    const batch = await c.addRegistrants('webinar', s.id, people);
    expect(batch).toHaveLength(30);
    await expect(c.addRegistrants('webinar', s.id, [...people, people[0]!])).rejects.toThrow(RangeError);
    await c.registrantStatus('webinar', s.id, 'cancel', [
      { id: one.registrantId, email: 'hanako@example.org' },
    ]);
    expect(zoom.callsTo(/PUT/)[0]!.body).toEqual({
      action: 'cancel',
      registrants: [{ id: one.registrantId, email: 'hanako@example.org' }],
    });
    expect(zoom.session(s.id)!.registrants[0]!.status).toBe('cancelled');
  });

  it('when the participant report has two pages, then both are read', async () => {
    const c = client();
    const rows = Array.from({ length: 5 }, (_, i) => ({
      id: `u${i}`,
      name: `P ${i}`,
      user_email: `p${i}@example.org`,
      registrant_id: `reg-${i}`,
      join_time: '2026-12-30T01:00:00Z',
      leave_time: '2026-12-30T01:30:00Z',
      duration: 1800,
    }));
    zoom.setReport('81111111111', rows, 3);
    const got = await c.participants('webinar', '81111111111');
    expect(got.map((p) => p.email)).toEqual(rows.map((r) => r.user_email));
    expect(got[4]).toMatchObject({ registrantId: 'reg-4', durationSeconds: 1800 });
    const pages = zoom.callsTo(/report/);
    expect(pages.map((p) => p.query.next_page_token)).toEqual([undefined, 'page-3']);
  });
});

describe('Zoom webhook signatures and ids', () => {
  const secret = 'webhook-secret-1';
  const now = new Date('2026-12-30T01:00:00Z');
  const ts = String(now.getTime() / 1000);
  const body = '{"event":"webinar.participant_joined"}';

  it('when the signature matches and the time is near, then it is accepted; otherwise refused', () => {
    const sig = webhookSignature(secret, ts, body);
    expect(webhookVerdict(secret, { signature: sig, timestamp: ts }, body, now)).toBe('ok');
    expect(webhookVerdict(secret, { signature: sig, timestamp: ts }, body + ' ', now)).toBe('bad-signature');
    expect(webhookVerdict('other', { signature: sig, timestamp: ts }, body, now)).toBe('bad-signature');
    expect(webhookVerdict(secret, { signature: undefined, timestamp: ts }, body, now)).toBe('bad-signature');
    const old = String(now.getTime() / 1000 - 301);
    expect(
      webhookVerdict(secret, { signature: webhookSignature(secret, old, body), timestamp: old }, body, now),
    ).toBe('stale');
  });

  it('when Zoom validates the endpoint, then the plain token comes back signed', () => {
    const a = urlValidationAnswer(secret, 'qgg8vlvZRS6UYooatFL8Aw');
    expect(a.plainToken).toBe('qgg8vlvZRS6UYooatFL8Aw');
    expect(a.encryptedToken).toMatch(/^[0-9a-f]{64}$/);
    expect(a.encryptedToken).not.toBe(urlValidationAnswer('other', 'qgg8vlvZRS6UYooatFL8Aw').encryptedToken);
  });

  it('when an organiser pastes an id or a join link, then the numeric id is found', () => {
    expect(zoomIdFrom('857 4606 5432')).toBe('85746065432');
    expect(zoomIdFrom('https://us02web.zoom.us/j/85746065432?pwd=abc')).toBe('85746065432');
    expect(zoomIdFrom('https://example.zoom.us/w/92345678901')).toBe('92345678901');
    expect(zoomIdFrom('https://evil.example.org/j/85746065432')).toBeUndefined();
    expect(zoomIdFrom('hello')).toBeUndefined();
  });
});
