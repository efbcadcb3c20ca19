import { Router } from 'express';
import type pg from 'pg';

/** GET /healthz: 200 when the database answers within two seconds, 503 otherwise. */
export function healthRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await Promise.race([
      pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
    ]);
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ok ? 'ok' : 'unavailable' });
  });
  return router;
}
