import { Router } from 'express';
import type pg from 'pg';
import { pendingMigrations } from '../db/migrate';

/** Gives up on a check that has not answered within two seconds. */
function within<T>(work: Promise<T>, timedOut: T): Promise<T> {
  return Promise.race([work, new Promise<T>((resolve) => setTimeout(() => resolve(timedOut), 2000).unref())]);
}

/**
 * GET /healthz, the liveness check: 200 when the database answers within two seconds, 503 otherwise.
 * GET /readyz, for load balancers: 200 `{"status":"ready"}` when the database answers and every migration
 * this code knows is applied; otherwise 503 `{"status":"not_ready","reason":…}` (`database_unreachable`,
 * `migrations_pending`). While the process starts or stops, both answer 503 before reaching here.
 */
export function healthRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await within(
      pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      false,
    );
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ok' : 'unavailable' });
  });
  router.get('/readyz', async (_req, res) => {
    const reason = await within(
      pendingMigrations(pool).then(
        (pending) => (pending.length ? 'migrations_pending' : undefined),
        () => 'database_unreachable',
      ),
      'database_unreachable',
    );
    res
      .status(reason ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json(reason ? { status: 'not_ready', reason } : { status: 'ready' });
  });
  return router;
}
