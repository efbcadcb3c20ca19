import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  alive,
  ensureBuilt,
  freePort,
  start,
  waitFor200,
  waitUntil,
  type Started,
} from '../helpers/processes';

/**
 * Starting as an operator does, from the build: a second `npm start` on a busy port and data folder, and
 * several processes of both roles started at the same moment on an empty database.
 */

jest.setTimeout(300_000);

beforeAll(() => ensureBuilt());

describe('a second npm start while one runs', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-second-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when a second npm start uses the same data folder and port, then it stops with a clear message and exit 1, and the first keeps serving until SIGTERM to its npm stops it and its database', async () => {
    const port = await freePort();
    const env = { DATA_DIR: path.join(dir, 'data'), PORT: String(port) };
    const first = start('npm', ['start'], env);
    try {
      await waitFor200(`http://127.0.0.1:${port}/readyz`);
      const postmaster = fs.readFileSync(path.join(dir, 'data', 'postgres', 'postmaster.pid'), 'utf8');

      const second = start('npm', ['start'], env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(
        `Tsunagaru could not start: port ${port} is already in use (is Tsunagaru already running?)`,
      );
      expect(second.output()).not.toMatch(/\n\s+at /);

      // The first is untouched: same database server, still answering from it.
      expect(fs.readFileSync(path.join(dir, 'data', 'postgres', 'postmaster.pid'), 'utf8')).toBe(postmaster);
      const page = await waitFor200(`http://127.0.0.1:${port}/events/tsunagaru-demo?lang=ja`);
      expect(page).toContain('<html lang="ja">');
      expect(first.child.exitCode).toBeNull();
    } finally {
      first.child.kill('SIGTERM'); // the npm process, as a service manager signals the PID it started
    }
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"embedded PostgreSQL stopped"');
    expect(fs.existsSync(path.join(dir, 'data', 'postgres', 'postmaster.pid'))).toBe(false);
    const pids = [...first.output().matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1]));
    for (const pid of pids) expect(alive(pid)).toBe(false);
    // The port is free again.
    await expect(
      new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(port, () => srv.close(() => resolve('free')));
      }),
    ).resolves.toBe('free');
  });
});

describe('four processes started at the same moment on an empty database', () => {
  const adminUrl = process.env.TSUNAGARU_TEST_ADMIN_URL!;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-four-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function withDatabase(name: string, work: (url: string) => Promise<void>): Promise<void> {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      await work(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }

  it('when three web processes and one worker start at once, ten times over, then all four are ready every time and each stops with exit 0 on SIGTERM', async () => {
    for (let round = 1; round <= 10; round++) {
      await withDatabase(`tsunagaru_start_${process.pid}_${round}`, async (databaseUrl) => {
        const ports = [await freePort(), await freePort(), await freePort()];
        const env = (extra: Record<string, string>) => ({
          NODE_ENV: 'production',
          DATABASE_URL: databaseUrl,
          SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
          BASE_URL: 'http://localhost:3000',
          DATA_DIR: path.join(dir, `round-${round}`),
          DATABASE_POOL_SIZE: '4',
          ...extra,
        });
        const processes: Started[] = [
          ...ports.map((port) =>
            start(process.execPath, ['dist/main.js', 'web'], env({ PORT: String(port) })),
          ),
          start(process.execPath, ['dist/main.js', 'worker'], env({})),
        ];
        try {
          await Promise.all(ports.map((port) => waitFor200(`http://127.0.0.1:${port}/readyz`, 60_000)));
          await waitUntil(
            () => processes[3]!.output().includes('"msg":"worker started"'),
            'the worker',
            60_000,
          );
          // All three web processes serve the one demo event the first of them created.
          for (const port of ports) await waitFor200(`http://127.0.0.1:${port}/events/tsunagaru-demo`);
        } catch (err) {
          throw new Error(
            `round ${round}: ${(err as Error).message}\n${processes.map((p) => p.output()).join('\n---\n')}`,
            { cause: err },
          );
        } finally {
          for (const p of processes) p.child.kill('SIGTERM');
        }
        const codes = await Promise.all(processes.map((p) => p.exited));
        expect({ round, codes }).toEqual({ round, codes: [0, 0, 0, 0] });
      });
    }
  });
});
