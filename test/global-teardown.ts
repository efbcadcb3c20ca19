import fs from 'node:fs';
import pg from 'pg';
import type { EmbeddedServer } from '../src/db/embedded-server';

/** Drops the template database and stops the embedded server started by global-setup. */
export default async function globalTeardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TSUNAGARU_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${process.env.TSUNAGARU_TEST_TEMPLATE} WITH (FORCE)`);
  await admin.end();
  const started = (globalThis as Record<string, unknown>).__tsunagaruTestServer as
    { server: EmbeddedServer; dir: string } | undefined;
  if (started) {
    await started.server.release();
    fs.rmSync(started.dir, { recursive: true, force: true });
  }
}
