import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/app';

describe('GET /healthz and /readyz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when the database answers, then /healthz is 200 {"status":"ok"}', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when every migration is applied, then /readyz is 200 {"status":"ready"}, never cached', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when a migration this code knows is not applied (a rolling upgrade), then /readyz is 503 migrations_pending while /healthz stays 200', async () => {
    const last = await t.db.pool.query<{ name: string }>(
      'DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations) RETURNING name',
    );
    try {
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'not_ready', reason: 'migrations_pending' });
      expect((await request(t.app).get('/healthz')).status).toBe(200);
    } finally {
      await t.db.pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [last.rows[0]!.name]);
    }
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });

  it('when the database is gone, then /healthz is 503 and /readyz is 503 database_unreachable', async () => {
    await t.db.pool.end();
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable' });
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', reason: 'database_unreachable' });
  });
});
