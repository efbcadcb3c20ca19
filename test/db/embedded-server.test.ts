import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer } from '../../src/db/embedded-server';

describe('embedded PostgreSQL shared by several processes', () => {
  let dir: string;
  beforeAll(() => {
    // mkdtemp makes a 0700 folder: the server must still reach its data when we run as root.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-embedded-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when a second user joins a running cluster and leaves, then the first keeps working; when the last leaves, then it stops', async () => {
    const dataDir = path.join(dir, 'postgres');
    const first = await startEmbeddedServer(dataDir, 'pw-1');
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    const pool = new pg.Pool({ connectionString: first.url, max: 1 });
    const version = await pool.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    expect(Number(version.rows[0]!.v)).toBeGreaterThanOrEqual(150000);

    const second = await startEmbeddedServer(dataDir, 'pw-1');
    expect(second.url).toBe(first.url);
    await second.release(); // the first user's pool is still connected: the server stays up
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);

    await pool.end();
    await first.release();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    // Data survives a restart.
    const again = await startEmbeddedServer(dataDir, 'pw-1');
    const client = new pg.Client({ connectionString: again.url });
    await client.connect();
    expect((await client.query('SELECT 2 AS two')).rows[0].two).toBe(2);
    await client.end();
    await again.release();
  });

  it('when a user whose pool holds no connection right now is still there, then another user leaving does not stop the server under it', async () => {
    const dataDir = path.join(dir, 'idle');
    const first = await startEmbeddedServer(dataDir, 'pw-2');
    // An idle pool: every client closed, as a quiet web process's pool is after its idle timeout.
    const pool = new pg.Pool({ connectionString: first.url, max: 1, idleTimeoutMillis: 1 });
    await pool.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.totalCount).toBe(0);

    const second = await startEmbeddedServer(dataDir, 'pw-2');
    await second.release();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
    expect((await pool.query('SELECT 3 AS three')).rows[0].three).toBe(3);

    await pool.end();
    await first.release();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('when the presence connection is lost, then the process connects again and still counts as a user', async () => {
    const dataDir = path.join(dir, 'presence');
    const server = await startEmbeddedServer(dataDir, 'pw-3');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const presence = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'tsunagaru' AND pid <> pg_backend_pid()`,
        )
      ).rows.map((r) => r.pid);
    const [before] = await presence();
    expect(before).toBeDefined();
    // As a server restart or an operator's pg_terminate_backend would end it.
    await admin.query('SELECT pg_terminate_backend($1)', [before]);
    const deadline = Date.now() + 10_000;
    let after: number[] = [];
    while (Date.now() < deadline) {
      after = await presence();
      if (after.length && !after.includes(before!)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);

    // Another user leaving sees it and leaves the server running.
    const other = await startEmbeddedServer(dataDir, 'pw-3');
    await admin.end();
    await other.release();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
    await server.release();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  });
});
