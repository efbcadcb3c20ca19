import http from 'node:http';
import { createSetupLink } from './accounts';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase, sessionSecretFor, type Database } from './db/database';
import { seedDemoEvent } from './events';
import { logger, setLogLevel } from './logger';
import { startWorker, type Worker } from './worker/worker';

/**
 * Starts one role or both: `web` serves HTTP, `worker` runs background tasks. `npm start` runs both in
 * one process; a larger installation runs them separately against the same database.
 * Usage: tsx src/main.ts [web|worker|all]
 */
type Role = 'web' | 'worker' | 'all';

async function startWeb(config: Config, db: Database): Promise<http.Server> {
  const app = buildApp({
    pool: db.pool,
    config,
    sessionSecret: sessionSecretFor(config),
    now: () => new Date(),
    limits: { registrationsPerWindow: 20, windowSeconds: 600 },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  logger.info({ url: config.baseUrl, port: config.port }, 'web server listening');
  const setup = await createSetupLink(db.pool, new Date());
  if (setup) {
    logger.warn(
      { setupUrl: `${config.baseUrl}/admin/setup/${setup}` },
      `No organiser account exists yet. Open this link once to create the first admin: ${config.baseUrl}/admin/setup/${setup}`,
    );
  }
  return server;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // In-flight requests get ten seconds to finish before their sockets are closed.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  });
}

async function main(role: Role): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  setLogLevel(config.logLevel);

  const db = await openDatabase(config);
  let server: http.Server | undefined;
  let worker: Worker | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (server) await closeServer(server);
    if (worker) await worker.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    if (role !== 'worker' && config.seedDemo) await seedDemoEvent(db.pool, new Date());
    if (role !== 'worker') server = await startWeb(config, db);
    if (role !== 'web') worker = await startWorker(db.pool, { config, now: () => new Date() });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

const role = (process.argv[2] ?? 'all') as Role;
if (!['web', 'worker', 'all'].includes(role)) {
  console.error(`Unknown role "${role}". Use web, worker or all.`);
  process.exit(1);
}
main(role).catch((err: Error) => {
  // A clear sentence, not a stack: the usual causes are an unreachable DATABASE_URL or a busy PORT.
  console.error(`Tsunagaru could not start: ${err.message}`);
  logger.debug({ err }, 'start failed');
  process.exit(1);
});
