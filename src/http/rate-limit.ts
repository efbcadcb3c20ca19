import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { countHit, windowStartFor } from '../rate-limits';

/**
 * Fixed-window request limits kept in PostgreSQL, so every web process counts the same hits.
 * One upsert per limited request; old windows are removed by the worker.
 */
export interface RateLimitRule {
  bucket: string;
  limit: number;
  windowSeconds: number;
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
