import { prepared, type Queryable } from '../db/pool';

/**
 * Fixed-window hit counters in PostgreSQL (`rate_limit_hits`), so every web process counts the same
 * hits: the public form's and the API's limits (middleware in src/http/rate-limit.ts) and the sign-in
 * limits per account and per address (src/accounts). Old windows are removed by the worker.
 */

const countHitSql = prepared(
  'rate_limits.count_hit',
  `INSERT INTO rate_limit_hits (bucket, window_start, hits) VALUES ($1, $2, 1)
   ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
   RETURNING hits`,
);

/** Counts one hit for `key` in the current window and returns the total so far. */
export async function countHit(db: Queryable, bucket: string, windowStart: Date): Promise<number> {
  const res = await db.query<{ hits: number }>(countHitSql([bucket, windowStart]));
  return res.rows[0]!.hits;
}

/** Takes back one hit counted in a window (an attempt that turned out to be legitimate). */
export async function giveBackHit(db: Queryable, bucket: string, windowStart: Date): Promise<void> {
  await db.query(
    'UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE bucket = $1 AND window_start = $2',
    [bucket, windowStart],
  );
}

/** The start of the fixed window that `at` falls in. */
export function windowStartFor(at: Date, windowSeconds: number): Date {
  const t = at.getTime();
  return new Date(t - (t % (windowSeconds * 1000)));
}

/** Deletes windows that ended before `before`. Returns how many rows went. */
export async function deleteOldRateLimitWindows(db: Queryable, before: Date): Promise<number> {
  const res = await db.query('DELETE FROM rate_limit_hits WHERE window_start < $1', [before]);
  return res.rowCount ?? 0;
}
