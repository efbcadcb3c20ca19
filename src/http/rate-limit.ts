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
  /** Requests allowed per window; Infinity turns the limit off (nothing is counted). */
  limit: number;
  windowSeconds: number;
  /** What else the count is kept per, besides the client address (an event's slug, say). */
  per?: (req: Request) => string;
}

/** Middleware: refuses with `rate_limited` (429) once `rule.limit` is passed for this client IP. */
export function rateLimit(db: Queryable, rule: RateLimitRule, now: () => Date) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!Number.isFinite(rule.limit)) return next();
    const t = now().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = windowStartFor(new Date(t), rule.windowSeconds);
    const key = [rule.bucket, rule.per?.(req), req.ip ?? 'unknown'].filter((k) => k !== undefined).join(':');
    const hits = await countHit(db, key, windowStart);
    if (hits > rule.limit) {
      const retryAfter = Math.ceil((windowStart.getTime() + windowMs - t) / 1000);
      res.set('Retry-After', String(retryAfter));
      throw new DomainError('rate_limited', 'errors:rateLimited', { minutes: Math.ceil(retryAfter / 60) });
    }
    next();
  };
}

/**
 * The registration limit of the form and of the public API, one count for both: per client address
 * and event, so colleagues behind one office address can each register for one webinar
 * (REGISTRATION_RATE_LIMIT, 60 per 10 minutes by default).
 */
export function registrationRateLimit(
  db: Queryable,
  limits: { registrationsPerWindow: number; windowSeconds: number },
  now: () => Date,
) {
  return rateLimit(
    db,
    {
      bucket: 'register',
      limit: limits.registrationsPerWindow,
      windowSeconds: limits.windowSeconds,
      per: (req) => String(req.params.slug ?? ''),
    },
    now,
  );
}
