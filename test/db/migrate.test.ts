import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config';
import { migrateDatabase } from '../../src/db/database';
import { migrate, migrationsDir } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

describe('migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
    // Start from an empty schema, as a brand-new installation does.
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  });
  afterEach(() => db.drop());

  it('when five processes start at once, then each migration is applied exactly once', async () => {
    const pools = Array.from({ length: 5 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    const results = await Promise.all(pools.map((p) => migrate(p)));
    await Promise.all(pools.map((p) => p.end()));
    const files = fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql'));
    expect(results.flat().sort()).toEqual(files.sort());
    const recorded = await db.pool.query('SELECT name FROM schema_migrations ORDER BY name');
    expect(recorded.rows.map((r) => r.name)).toEqual(files.sort());
  });

  it('when five processes with two connections each start at once on a database without the job queue, then all finish and the queue schema is set up once', async () => {
    await db.pool.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
    const pools = Array.from({ length: 5 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    const results = await Promise.all(pools.map((p) => migrate(p)));
    await Promise.all(pools.map((p) => p.end()));
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const queues = await db.pool.query<{ name: string }>('SELECT name FROM pgboss.queue ORDER BY name');
    expect(queues.rows.map((r) => r.name)).toEqual([
      'mail-schedule',
      'waitlist-promote',
      'zoom-move',
      'zoom-report',
      'zoom-sync',
    ]);
  });

  it('when a database from a release that queued a job per mail starts, then the retired mail queue and its waiting jobs are removed', async () => {
    await migrate(db.pool);
    await db.pool.query(`SELECT pgboss.create_queue('mail-deliver', '{"policy": "standard"}'::json)`);
    await db.pool.query(`INSERT INTO pgboss.job (name, data) VALUES ('mail-deliver', '{"mailId": 1}')`);
    await migrate(db.pool);
    const left = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM pgboss.queue WHERE name = 'mail-deliver') AS queues,
              (SELECT count(*)::int FROM pgboss.job WHERE name = 'mail-deliver') AS jobs`,
    );
    expect(left.rows[0]).toEqual({ queues: 0, jobs: 0 });
  });

  it('when the database is up to date, then a start takes no lock: it finishes while another session holds the migration lock', async () => {
    await migrate(db.pool);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(7146823001)');
      const outcome = await Promise.race([
        migrate(db.pool),
        new Promise((resolve) => setTimeout(() => resolve('waited for the lock'), 5000).unref()),
      ]);
      expect(outcome).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('when DATABASE_MIGRATION_URL is set, then migrations go through it, not through the pool (which may be a pooler)', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, DATABASE_MIGRATION_URL: db.url });
    // A pool that cannot connect at all: only the direct URL can have done the work.
    const unreachable = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 2 });
    try {
      const applied = await migrateDatabase(config, unreachable);
      expect(applied.length).toBe(fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).length);
    } finally {
      await unreachable.end();
    }
    // Without it, the same unreachable pool is all there is, and the start fails.
    const alone = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 2 });
    await expect(migrateDatabase(loadConfig({ DATABASE_URL: db.url }), alone)).rejects.toThrow();
    await alone.end();
  });

  it('when started a second time, then nothing is applied and rows are kept', async () => {
    await migrate(db.pool);
    await db.pool.query(`INSERT INTO app_state (key, value) VALUES ('kept', '"yes"')`);
    expect(await migrate(db.pool)).toEqual([]);
    const kept = await db.pool.query(`SELECT value FROM app_state WHERE key = 'kept'`);
    expect(kept.rows[0].value).toBe('yes');
  });

  it('when a migration fails, then it is rolled back, not recorded, and the error names the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-mig-'));
    fs.writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE ok_table (id int);');
    fs.writeFileSync(
      path.join(dir, '002_bad.sql'),
      'CREATE TABLE half (id int); SELECT no_such_column FROM ok_table;',
    );
    await expect(migrate(db.pool, dir)).rejects.toThrow(/002_bad\.sql/);
    const recorded = await db.pool.query('SELECT name FROM schema_migrations');
    expect(recorded.rows.map((r) => r.name)).toEqual(['001_ok.sql']);
    const half = await db.pool.query(`SELECT to_regclass('public.half') AS t`);
    expect(half.rows[0].t).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
