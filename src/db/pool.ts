import pg from 'pg';
import { loggerFor } from '../logger';

const log = loggerFor('db');

/** Anything a named query function can run SQL on: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** The connection pool for one database URL. Errors on idle clients are logged, never fatal. */
export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'tsunagaru' });
  pool.on('error', (err) => log.error({ err }, 'idle database client failed'));
  return pool;
}

/**
 * Runs `work` inside one transaction on one client: COMMIT when it resolves, ROLLBACK when it throws.
 * The only way code in this project opens a transaction.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
