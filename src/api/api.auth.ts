import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import { actorForApiToken, type Actor } from '../accounts';
import { DomainError } from '../errors';

/**
 * Bearer-token authentication for the REST API. A token acts with its owner's rights, re-checked on
 * every call, so revoking the token or blocking the account takes effect at once.
 */
export function requireApiToken(pool: pg.Pool, now: () => Date) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = match ? await actorForApiToken(pool, match[1]!, now()) : undefined;
    if (!actor) {
      res.set('WWW-Authenticate', 'Bearer realm="tsunagaru"');
      throw new DomainError('unauthorized', 'errors:unauthorized');
    }
    res.locals.actor = actor;
    next();
  };
}

/** The token's actor (for handlers behind `requireApiToken`). */
export function apiActor(res: Response): Actor {
  return res.locals.actor as Actor;
}
