import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors';
import { verifyCsrf } from './csrf';

/**
 * The embedded form's answer to CSRF: a cookie-less signed form token. A page framed by another site
 * is a third-party context, where a browser withholds our SameSite=Lax CSRF cookie, and where Safari
 * and Firefox (and Chrome with third-party cookies blocked) refuse even a `SameSite=None; Secure`
 * cookie. So the embedded form carries `_form`: an expiry and an HMAC-SHA256, under the session secret,
 * of the event's slug and that expiry. It proves the form was served by us for this event within the
 * last `formTokenSeconds`, works over http in development and needs no cookie at all. It is not bound
 * to a browser, which is acceptable for the one form that accepts it: registering carries no ambient
 * authority (no session, no one's account acts), the per-address rate limit still applies, and the
 * confirmation goes to the address typed, who alone can use it.
 */
export const formTokenSeconds = 2 * 3600;

function mac(secret: string, slug: string, expires: number): string {
  return crypto.createHmac('sha256', secret).update(`embed-form:${slug}:${expires}`).digest('base64url');
}

/** A form token for `slug`, valid until `now` + `formTokenSeconds`: "<expiry seconds>.<mac>". */
export function signFormToken(secret: string, slug: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + formTokenSeconds;
  return `${expires}.${mac(secret, slug, expires)}`;
}

/** Whether `token` was signed for `slug` with `secret` and has not expired at `now`. */
export function formTokenValid(secret: string, slug: string, token: string, now: Date): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 <= now.getTime() || expires * 1000 > now.getTime() + formTokenSeconds * 1000)
    return false;
  const given = Buffer.from(m[2]!);
  const expected = Buffer.from(mac(secret, slug, expires));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/**
 * CSRF check for the registration form: a posted `_form` token must be valid for the route's event
 * (the embedded form); anything else goes through the cookie check of every other form.
 */
export function verifyFormOrCsrf(secret: string, now: () => Date) {
  const cookieCheck = verifyCsrf(secret);
  return (req: Request, res: Response, next: NextFunction) => {
    const token = req.body?._form;
    if (typeof token !== 'string') return cookieCheck(req, res, next);
    if (!formTokenValid(secret, String(req.params.slug), token, now())) {
      throw new DomainError('csrf_failed', 'errors:csrf');
    }
    next();
  };
}
