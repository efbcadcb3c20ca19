import crypto from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../src/db/pool';

/** A database of one test file's own, copied from the migrated template. */
export interface TestDatabase {
  pool: pg.Pool;
  url: string;
  drop(): Promise<void>;
}

/** Copies the template made by global-setup into a fresh database. */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const adminUrl = process.env.TSUNAGARU_TEST_ADMIN_URL!;
  const template = process.env.TSUNAGARU_TEST_TEMPLATE!;
  const name = `tsunagaru_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (err) {
      // Another file copying the template at the same moment: wait and retry.
      if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The product's pool: an idle client dropped by the server is logged, not an unhandled error.
  const pool = createPool(url.toString(), poolSize);
  return {
    pool,
    url: url.toString(),
    async drop() {
      if (!pool.ended) await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // A pool's end() resolves while its clients' sockets are still closing; terminating those
      // backends now would make a client that no longer has a listener emit an unhandled error. So
      // give them up to two seconds to leave before FORCE ends whatever a test left open.
      for (let i = 0; i < 40; i++) {
        const left = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        if (left.rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
