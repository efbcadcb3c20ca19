import net from 'node:net';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { CONNECT_TIMEOUT_MS, createPool } from '../../src/db/pool';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { eventRegistrants } from '../../src/registrations';
import { freePort } from '../helpers/processes';

/**
 * The real app on a database it cannot reach: the one error path answers 503 with Retry-After and a
 * localized sentence (JSON under /api), never a 500 and never a request left hanging.
 */

function appOn(databaseUrl: string) {
  const pool = createPool(databaseUrl, 2);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, SEED_DEMO: 'false' });
  const app = buildApp({
    pool,
    config,
    sessionSecret: 'test-secret-test-secret-test-secret-0123',
    now: () => new Date('2026-11-01T00:00:00Z'),
    limits: config.registrationRateLimit,
    registrants: eventRegistrants,
  });
  return { app, pool };
}

describe('when the database cannot be reached', () => {
  let port: number;
  let t: ReturnType<typeof appOn>;
  beforeAll(async () => {
    port = await freePort(); // nobody listens there: every connection is refused
    t = appOn(`postgres://postgres@127.0.0.1:${port}/tsunagaru`);
  });
  afterAll(() => t.pool.end());

  it('when a visitor opens an event page in Japanese, then the answer is a 503 page in Japanese with Retry-After', async () => {
    const res = await request(t.app).get('/events/some-event?lang=ja');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).toContain('<html lang="ja">');
    expect(res.text).toContain('ただいま一時的にご利用いただけません。');
  });

  it('when a registration is posted to the public API, then the answer is JSON 503 service_unavailable in the asked language', async () => {
    const res = await request(t.app)
      .post('/api/v1/events/some-event/registrations')
      .set('Accept-Language', 'en')
      .send({ email: 'hanako@example.org', consent: true });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 'service_unavailable',
        message: 'The service is briefly unavailable. Please try again in a few seconds.',
      },
    });
  });

  it('when the server accepts the connection but never answers, then the request gets 503 after the connect timeout instead of hanging', async () => {
    const silent = net.createServer(() => undefined); // takes the TCP connection, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const mute = appOn(`postgres://postgres@127.0.0.1:${(silent.address() as net.AddressInfo).port}/x`);
    try {
      const started = Date.now();
      const res = await request(mute.app)
        .post('/api/v1/events/some-event/registrations')
        .send({ email: 'hanako@example.org', consent: true });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(took).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
      expect(took).toBeLessThan(CONNECT_TIMEOUT_MS + 5_000);
    } finally {
      await mute.pool.end();
      silent.close();
    }
  }, 30_000);
});

describe('isDatabaseUnavailable', () => {
  const sql = (code: string) => Object.assign(new Error('x'), { code, severity: 'FATAL' });
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['admin_shutdown (57P01)', sql('57P01')],
    ['cannot_connect_now (57P03)', sql('57P03')],
    ['a connection exception (08006)', sql('08006')],
    ['too many connections (53300)', sql('53300')],
    ['the driver losing its connection', new Error('Connection terminated unexpectedly')],
    ['the pool giving up on a connection', new Error('timeout exceeded when trying to connect')],
    ['the client giving up on a connection', new Error('timeout expired')],
    ['every address refused', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })])],
  ])('when the error is %s, then it is an outage', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', sql('23505')],
    ['a syntax error (42601)', sql('42601')],
    ['an invalid byte (22021)', sql('22021')],
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('when the error is %s, then it is not an outage', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
