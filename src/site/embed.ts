import type { NextFunction, Request, Response } from 'express';
import { eventBySlug } from '../events';
import type { AppContext } from '../http/context';
import { signFormToken } from '../http/form-token';

/**
 * The compact `?embed=1` pages an organiser's own site shows in a frame (public/embed.js inserts it).
 * Every page keeps Content-Security-Policy `frame-ancestors 'none'` (src/app.ts) except these, which
 * name the event's `embedOrigins` instead, so only those sites can frame them.
 */

/** What an embedded page needs: the parent page's origin (to post its height to), and the form token. */
export interface EmbedView {
  /** The framing page's origin when it is one of the event's, else '' (no height messages then). */
  parent: string;
  /** The cookie-less form token (src/http/form-token.ts). */
  formToken: string;
  /** `embed=1&origin=…`, kept on every link and form of the embedded pages (each adds its `lang`). */
  query: string;
}

/** The Content-Security-Policy helmet set, with frame-ancestors naming `origins` (or 'none'). */
export function withFrameAncestors(csp: string, origins: readonly string[]): string {
  const value = origins.length ? `frame-ancestors ${origins.join(' ')}` : "frame-ancestors 'none'";
  return csp.replace(/frame-ancestors [^;]*/, value);
}

/**
 * For `?embed=1` requests to an event's pages: opens frame-ancestors for the event's origins, drops
 * X-Frame-Options (which would override it in older browsers) and puts `embed` on res.locals for the
 * views. Anything else passes untouched.
 */
export function embedFraming(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.query.embed !== '1') return next();
    const slug = String(req.params.slug);
    const event = await eventBySlug(ctx.pool, slug);
    const origins = event && event.status !== 'draft' ? event.embedOrigins : [];
    const csp = res.getHeader('Content-Security-Policy');
    if (typeof csp === 'string') res.setHeader('Content-Security-Policy', withFrameAncestors(csp, origins));
    if (origins.length) res.removeHeader('X-Frame-Options');
    const asked = typeof req.query.origin === 'string' ? req.query.origin : '';
    const parent = origins.includes(asked) ? asked : '';
    const params = new URLSearchParams({ embed: '1' });
    if (parent) params.set('origin', parent);
    const embed: EmbedView = {
      parent,
      formToken: signFormToken(ctx.sessionSecret, slug, ctx.now()),
      query: params.toString(),
    };
    res.locals.embed = embed;
    next();
  };
}
