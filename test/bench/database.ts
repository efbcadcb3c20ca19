import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { setLogLevel } from '../../src/logger';

/**
 * A migrated database of a benchmark's own: on TEST_DATABASE_URL's server, or on an embedded one in a
 * temp folder. `drop()` removes it (and the embedded server and its folder).
 */
export async function throwawayDatabase(poolSize: number) {
  let server: Database | undefined;
  let tmp: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-bench-'));
    server = await openDatabase(loadConfig({ NODE_ENV: 'test', DATA_DIR: tmp, LOG_LEVEL: 'warn' }), {
      migrate: false,
    });
    adminUrl = String(server.pool.options.connectionString);
  }
  const name = `tsunagaru_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), poolSize);
  await migrate(pool);
  return {
    pool,
    url: url.toString(),
    async drop() {
      await pool.end();
      // A pooled connection still closing when FORCE ends it is expected here, not worth a log line.
      setLogLevel('silent');
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      setLogLevel('warn');
      await admin.end();
      await server?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
