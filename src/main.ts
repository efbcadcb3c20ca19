import http from 'node:http';
import v8 from 'node:v8';
import { staleBuild } from './build-info';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase, sessionSecretFor, type Database } from './db/database';
import { logger, setLogLevel } from './logger';
import type { Worker } from './worker/worker';

/**
 * Starts one role or both: `web` serves HTTP, `worker` runs background tasks. `npm start` runs both in
 * one process; a larger installation runs them separately against the same database.
 * Usage: node dist/main.js [web|worker|all]   (or tsx src/main.ts … in development)
 */
type Role = 'web' | 'worker' | 'all';

/** A start that cannot go on, with the sentence that says why; printed without a stack. */
class StartError extends Error {}

/** How long in-flight requests and mails get to finish after SIGTERM before the process gives up. */
const DRAIN_MS = 20_000;
/** After this the process exits whatever is still open, so a supervisor's 30 s grace is never exceeded. */
const HARD_STOP_MS = 27_000;

/**
 * Takes the port before anything else, so a second start on a busy port stops at once with a clear
 * message and touches neither the database nor the first process. Until the app is ready every request
 * gets 503, which is also what /healthz and /readyz answer while migrations run.
 */
async function listen(
  port: number,
): Promise<{ server: http.Server; serve(app: http.RequestListener): void }> {
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, {
      'content-type': 'application/json',
      'retry-after': '1',
      'cache-control': 'no-store',
    });
    res.end('{"status":"not_ready","reason":"starting"}');
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new StartError(
              `port ${port} is already in use (is Tsunagaru already running?). Set PORT to another port.`,
            )
          : err,
      ),
    );
    server.listen(port, () => resolve());
  });
  return {
    server,
    serve(app) {
      handler = app;
    },
  };
}

/**
 * The web app, the worker and the domains they start with, loaded while the database opens: the
 * embedded server boots in a process of its own, so loading the code meanwhile shortens every start.
 */
async function loadRoles() {
  await new Promise((resolve) => setTimeout(resolve, 10)); // the database's first steps go first
  const [{ buildApp }, { startWorker }, { createSetupLink }, { seedDemoEvent }, { eventRegistrants }] =
    await Promise.all([
      import('./app.js'),
      import('./worker/worker.js'),
      import('./accounts/index.js'),
      import('./events/index.js'),
      import('./registrations/index.js'),
    ]);
  return { buildApp, startWorker, createSetupLink, seedDemoEvent, eventRegistrants };
}
type Roles = Awaited<ReturnType<typeof loadRoles>>;

async function startWeb(
  config: Config,
  db: Database,
  roles: Roles,
  serve: (app: http.RequestListener) => void,
): Promise<void> {
  const { buildApp, createSetupLink, eventRegistrants } = roles;
  serve(
    buildApp({
      pool: db.pool,
      config,
      sessionSecret: sessionSecretFor(config),
      now: () => new Date(),
      limits: config.registrationRateLimit,
      registrants: eventRegistrants,
    }),
  );
  logger.info({ url: config.baseUrl, port: config.port }, 'web server listening');
  const setup = await createSetupLink(db.pool, new Date());
  if (setup) {
    const setupUrl = `${config.baseUrl}/admin/setup/${setup}`;
    const line = `No organiser account exists yet. Open this link once to create the first admin: ${setupUrl}`;
    logger.warn({ setupUrl }, line);
    // Also as one plain line on stderr, readable without a JSON log viewer (stdout stays JSON lines).
    process.stderr.write(`${line}\n`);
  }
}

/** Stops accepting connections and lets requests in flight finish, for at most DRAIN_MS. */
function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
  });
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function main(role: Role): Promise<void> {
  const stale = staleBuild();
  if (stale) throw new StartError(stale);
  const config = loadConfigOrExit();
  setLogLevel(config.logLevel);

  // Before a signal handler exists, so a busy port stops this process and nothing else.
  const web = role !== 'worker' ? await listen(config.port) : undefined;
  const server = web?.server;
  let db: Database | undefined;
  let worker: Worker | undefined;
  let stopping = false;
  let starting: Promise<void> = Promise.resolve();

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('still busy after 27 s; exiting anyway');
      process.exit(1);
    }, HARD_STOP_MS).unref();
    // A signal during the start waits for it, so the embedded database it may be starting is released.
    await starting.catch(() => undefined);
    // The web server drains its requests while the worker finishes the mails in hand.
    await Promise.all([server && closeServer(server), worker?.stop()]);
    await db?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  starting = (async () => {
    try {
      const [opened, roles] = await Promise.all([openDatabase(config), loadRoles()]);
      db = opened;
      if (web && config.seedDemo) await roles.seedDemoEvent(db.pool, new Date());
      if (web) await startWeb(config, db, roles, web.serve);
      if (role !== 'web') worker = await roles.startWorker(db.pool, { config, now: () => new Date() });
    } catch (err) {
      server?.close();
      await db?.close().catch(() => undefined);
      db = undefined;
      throw err;
    }
  })();
  await starting;
}

/**
 * After each full collection the heap may grow by half of what is live, where V8 by itself lets it grow
 * up to four times when allocation is brisk. Under a burst of registrations most of what a request
 * allocates dies within it, but outlives two young-generation collections and is moved to the old
 * space; with V8's own growth that old space swelled to several times the live data (about 30 MiB)
 * before it was collected, and the web process to 230–245 MiB (P6 in `npm run bench`); with this it stays
 * near 160 MiB, for a registration rate within the machine's noise of V8's own (measured side by side,
 * at most a tenth lower). No limit is set: a heap that needs more still grows. To let V8 decide again,
 * start with `node --heap-growing-percent=0 dist/main.js web`. The web role only: the worker's
 * delivery figures (P4) were measured with V8's own growth.
 */
function boundHeapGrowth(): void {
  if (process.execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString('--heap-growing-percent=50');
}

const role = (process.argv[2] ?? 'all') as Role;
if (!['web', 'worker', 'all'].includes(role)) {
  console.error(`Unknown role "${role}". Use web, worker or all.`);
  process.exit(1);
}
if (role === 'web') boundHeapGrowth();
main(role).catch((err: Error) => {
  // A clear sentence, not a stack: the usual causes are an unreachable DATABASE_URL or a busy PORT.
  console.error(`Tsunagaru could not start: ${err.message}`);
  logger.debug({ err }, 'start failed');
  process.exit(1);
});
