import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { installQueues } from '../jobs/queue';
import { loggerFor } from '../logger';

const log = loggerFor('migrate');

/** Where the plain SQL migrations live, named `<utc timestamp>_<what>.sql`, applied in name order. */
export const migrationsDir = path.resolve(__dirname, '..', '..', 'migrations');

/** Any constant that is ours; taken with pg_advisory_lock so concurrent starts migrate one at a time. */
const MIGRATION_LOCK = 7_146_823_001;

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction, while
 * holding a session advisory lock. A second process starting at the same time waits, then finds nothing
 * to do. Returns the names applied.
 */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const applied = await applyMigrations(pool, dir);
  // The job queue's own schema (pg-boss migrates itself under its own lock).
  await installQueues(pool);
  return applied;
}

async function applyMigrations(pool: pg.Pool, dir: string): Promise<string[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files.filter((f) => !done.has(f))) {
      const sql = await fs.readFile(path.join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      log.info({ migration: file }, 'migration applied');
      applied.push(file);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
