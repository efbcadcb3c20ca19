import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer } from '../src/db/embedded-server';
import { migrate } from '../src/db/migrate';
import { setLogLevel } from '../src/logger';

/**
 * The embedded test server only: its data is thrown away after the run, so it need not survive a crash.
 * Without these, every CREATE DATABASE from the template, every commit and every checkpoint waits for
 * the disk, which a busy shared machine makes the slowest part of the run.
 */
const TEST_SERVER_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

/**
 * Once per run: find a real PostgreSQL (TEST_DATABASE_URL, or an embedded server in a temp folder),
 * create a migrated template database, and tell the test files where it is. Each test file then copies
 * the template into a database of its own, so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  setLogLevel('warn');
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-test-'));
    fs.chmodSync(dir, 0o755);
    const server = await startEmbeddedServer(
      path.join(dir, 'postgres'),
      'test-only-password',
      TEST_SERVER_SETTINGS,
    );
    adminUrl = server.url;
    (globalThis as Record<string, unknown>).__tsunagaruTestServer = { server, dir };
  }
  const template = `tsunagaru_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  await migrate(pool);
  await pool.end();
  process.env.TSUNAGARU_TEST_ADMIN_URL = adminUrl;
  process.env.TSUNAGARU_TEST_TEMPLATE = template;
}
