import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors';

/**
 * Signed double-submit CSRF protection: a random id in an HttpOnly cookie, and in each form an HMAC of
 * that id under the session secret. A forged cross-site POST has neither the cookie's value nor the
 * secret, so it cannot produce a matching token. In the workspace the token is also bound to the
 * signed-in session, so it changes at every sign-in (the session id is new) and a cookie planted from
 * a sibling subdomain is not enough. Under https the cookie is `__Host-csrf`: a browser accepts that
 * name only from this host itself, over https, for path `/`, so no other subdomain can set it.
 */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-csrf' : 'csrf';
}

/** The session a workspace form belongs to, or '' on pages without a signed-in session. */
function boundSession(req: Request): string {
  const s = (req as Request & { session?: { userId?: number }; sessionID?: string }).session;
  return s?.userId ? ((req as Request & { sessionID?: string }).sessionID ?? '') : '';
}

function sign(secret: string, id: string, session: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${id}:${session}`).digest('base64url');
}

/** Issues the cookie when missing and exposes `csrfToken` to views. */
export function csrfToken(secret: string, secure: boolean) {
  const cookie = csrfCookieName(secure);
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.cookies?.[cookie] as string | undefined;
    // The id the browser sent, which verifyCsrf checks against; a fresh one only serves the next page.
    res.locals.csrfSent = sent && /^[A-Za-z0-9_-]{22,64}$/.test(sent) ? sent : undefined;
    const id: string = res.locals.csrfSent ?? crypto.randomBytes(18).toString('base64url');
    if (!res.locals.csrfSent) res.cookie(cookie, id, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
    res.locals.csrfId = id;
    res.locals.csrfToken = sign(secret, id, '');
    next();
  };
}

/**
 * Re-signs the page's token for the signed-in session; the workspace runs it once its session is
 * loaded (after `csrfToken`).
 */
export function bindCsrfToSession(secret: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const session = boundSession(req);
    if (session && typeof res.locals.csrfId === 'string') {
      res.locals.csrfToken = sign(secret, res.locals.csrfId, session);
    }
    next();
  };
}

/**
 * Refuses a state-changing request whose `_csrf` field does not match the cookie it came with (read by
 * `csrfToken`, which runs first) and, when signed in to the workspace, its session.
 */
export function verifyCsrf(secret: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = res.locals.csrfSent as string | undefined;
    const sent = typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : '';
    const expected = id ? Buffer.from(sign(secret, id, boundSession(req))) : Buffer.alloc(0);
    const given = Buffer.from(sent);
    if (!id || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new DomainError('csrf_failed', 'errors:csrf');
    }
    next();
  };
}
