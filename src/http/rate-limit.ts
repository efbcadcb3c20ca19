import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';

/**
 * Fixed-window request limits kept in PostgreSQL, so every web process counts the same hits.
 * One upsert per limited request; old windows are removed by the worker.
 */
export interface RateLimitRule {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** Counts one hit for `key` in the current window and returns the total so far. */
export async function countHit(db: Queryable, bucket: string, windowStart: Date): Promise<number> {
  const res = await db.query<{ hits: number }>(
    `INSERT INTO rate_limit_hits (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
     RETURNING hits`,
    [bucket, windowStart],
  );
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

/** Middleware: refuses with `rate_limited` (429) once `rule.limit` is passed for this client IP. */
export function rateLimit(db: Queryable, rule: RateLimitRule, now: () => Date) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const t = now().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = windowStartFor(new Date(t), rule.windowSeconds);
    const hits = await countHit(db, `${rule.bucket}:${req.ip ?? 'unknown'}`, windowStart);
    if (hits > rule.limit) {
      const retryAfter = Math.ceil((windowStart.getTime() + windowMs - t) / 1000);
      res.set('Retry-After', String(retryAfter));
      throw new DomainError('rate_limited', 'errors:rateLimited', { minutes: Math.ceil(retryAfter / 60) });
    }
    next();
  };
}
