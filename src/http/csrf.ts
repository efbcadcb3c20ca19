import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors';

/**
 * Signed double-submit CSRF protection with no server state: a random id in an HttpOnly cookie, and
 * in each form an HMAC of that id under the session secret. A forged cross-site POST has neither the
 * cookie's value nor the secret, so it cannot produce a matching token.
 */
const COOKIE = 'csrf';

function sign(secret: string, id: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${id}`).digest('base64url');
}

/** Issues the cookie when missing and exposes `csrfToken` to views. */
export function csrfToken(secret: string, secure: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    let id = req.cookies?.[COOKIE] as string | undefined;
    if (!id || !/^[A-Za-z0-9_-]{22,64}$/.test(id)) {
      id = crypto.randomBytes(18).toString('base64url');
      res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    }
    res.locals.csrfToken = sign(secret, id);
    next();
  };
}

/** Refuses a state-changing request whose `_csrf` field does not match its cookie. */
export function verifyCsrf(secret: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const id = req.cookies?.[COOKIE] as string | undefined;
    const sent = typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : '';
    const expected = id ? Buffer.from(sign(secret, id)) : Buffer.alloc(0);
    const given = Buffer.from(sent);
    if (!id || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new DomainError('csrf_failed', 'errors:csrf');
    }
    next();
  };
}
