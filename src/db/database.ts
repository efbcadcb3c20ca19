import path from 'node:path';
import type pg from 'pg';
import type { Config } from '../config';
import { localSecrets } from './data-dir';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server';
import { createPool } from './pool';
import { migrate } from './migrate';
import { isDatabaseUnavailable } from './unavailable';
import { loggerFor } from '../logger';

const log = loggerFor('db');

/**
 * How long a starting process waits for a database it cannot reach yet (starting after us, restarting,
 * or a first connection that timed out while this process was busy loading its code) before it gives up.
 */
const START_PATIENCE_MS = 30_000;

/** An open database: the pool every module uses, and how to let go of it. */
export interface Database {
  readonly pool: pg.Pool;
  readonly embedded: boolean;
  /** Ends the pool, then stops the embedded server if nobody else uses it. */
  close(): Promise<void>;
}

/**
 * Opens DATABASE_URL, or the embedded server in DATA_DIR/postgres when none is configured, and applies
 * pending migrations. The same SQL runs on both.
 */
export async function openDatabase(config: Config, opts: { migrate?: boolean } = {}): Promise<Database> {
  let server: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const secrets = localSecrets(config.dataDir);
    server = await startEmbeddedServer(path.join(config.dataDir, 'postgres'), secrets.postgresPassword);
    url = server.url;
  }
  const pool = createPool(url, config.databasePoolSize, {
    preparedStatements: config.databasePreparedStatements,
  });
  try {
    if (opts.migrate !== false) await whenReachable(() => migrateDatabase(config, pool));
  } catch (err) {
    await pool.end();
    await server?.release();
    throw err;
  }
  return {
    pool,
    embedded: Boolean(server),
    async close() {
      await pool.end();
      await server?.release();
    },
  };
}

/** Runs `work`, again every second while the database is unreachable, for at most START_PATIENCE_MS. */
async function whenReachable<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + START_PATIENCE_MS;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() > deadline) throw err;
      log.warn({ reason: (err as Error).message }, 'database not reachable yet; trying again in 1 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * Applies pending migrations: through DATABASE_MIGRATION_URL when set (a direct connection beside a
 * pooler), otherwise through the process's own pool. Returns the names applied.
 */
export async function migrateDatabase(config: Config, pool: pg.Pool): Promise<string[]> {
  if (!config.databaseMigrationUrl) return migrate(pool);
  const direct = createPool(config.databaseMigrationUrl, 2);
  try {
    return await migrate(direct);
  } finally {
    await direct.end();
  }
}

/** The cookie/CSRF signing key: SESSION_SECRET when set, otherwise the one kept in DATA_DIR. */
export function sessionSecretFor(config: Config): string {
  return config.sessionSecret ?? localSecrets(config.dataDir).sessionSecret;
}
