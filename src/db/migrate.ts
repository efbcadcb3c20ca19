import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { installQueues, queuesInstalled } from '../jobs/queue';
import { loggerFor } from '../logger';
import { paths } from '../paths';
import type { Queryable } from './pool';

const log = loggerFor('migrate');

/** Where the plain SQL migrations live, named `<utc timestamp>_<what>.sql`, applied in name order. */
export const migrationsDir = paths.migrations;

/** Any constant that is ours; taken with pg_advisory_lock so concurrent starts migrate one at a time. */
const MIGRATION_LOCK = 7_146_823_001;

/** The migration files in `dir`, in the order they apply. */
async function migrationFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction, then sets
 * up the job queue's schema, all while one connection holds a session advisory lock. A process
 * starting at the same moment waits for the lock, then finds nothing to do: pg-boss's own set-up (CREATE
 * SCHEMA, its tables, our queues) is not safe to run twice at once, so it must not run outside the lock.
 * Returns the names applied.
 *
 * A database that is already up to date is recognised first, without the lock: most starts find nothing
 * to do, and then take no session-level lock at all, which is what lets the processes run through
 * PgBouncer in transaction mode once migrations have been applied over a direct connection.
 */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const files = await migrationFiles(dir);
  if ((await pendingMigrations(pool, dir, files)).length === 0 && (await queuesInstalled(pool))) return [];
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await applyMigrations(client, dir, files);
    // pg-boss runs on the pool, never on the lock's connection: the lock stays ours alone, and whatever
    // state pg-boss leaves on a connection never reaches this one. Hence migrating needs two connections.
    await installQueues(pool);
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/**
 * The migrations in `dir` that the database has not applied (all of them when it has none); what
 * /readyz waits for during a rolling upgrade.
 */
export async function pendingMigrations(
  db: Queryable,
  dir = migrationsDir,
  files?: string[],
): Promise<string[]> {
  files ??= await migrationFiles(dir);
  const table = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present) return files;
  const done = new Set(
    (await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
  );
  return files.filter((f) => !done.has(f));
}

async function applyMigrations(client: pg.PoolClient, dir: string, files: string[]): Promise<string[]> {
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
}
