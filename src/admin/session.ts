import connectPgSimple from 'connect-pg-simple';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import type pg from 'pg';
import { sessionActor, userById, type Actor } from '../accounts';

/**
 * Organiser sessions, kept in PostgreSQL so every web process shares them. Only /admin uses them: the
 * public pages set no session cookie. The session expires after `idleMinutes` without a request
 * (each request renews it) and, whatever the activity, `maxHours` after signing in.
 */
declare module 'express-session' {
  interface SessionData {
    userId: number;
    signedInAt: number;
  }
}

/**
 * The session cookie's name: under https `__Host-tsunagaru.sid`, which a browser accepts only from this
 * host over https for path `/` (no sibling subdomain can plant or overwrite it).
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-tsunagaru.sid' : 'tsunagaru.sid';
}
export const sessionLimits = { idleMinutes: 120, maxHours: 12 };

/** express-session over the `sessions` table; expired rows are pruned by the worker. */
export function sessionMiddleware(pool: pg.Pool, secret: string, secure: boolean) {
  const Store = connectPgSimple(session);
  return session({
    store: new Store({
      pool,
      tableName: 'sessions',
      createTableIfMissing: false,
      pruneSessionInterval: false,
    }),
    name: sessionCookieName(secure),
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: sessionLimits.idleMinutes * 60_000,
    },
  });
}

/** Starts a fresh session (a new id, so a planted one is useless) for a signed-in account. */
export function signIn(req: Request, userId: number, now: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.userId = userId;
      req.session.signedInAt = now.getTime();
      req.session.save((e) => (e ? reject(e) : resolve()));
    });
  });
}

/** Ends the session and forgets its cookie. */
export function signOut(req: Request, res: Response): Promise<void> {
  return new Promise((resolve) => {
    const secure = Boolean(req.session.cookie.secure);
    req.session.destroy(() => {
      res.clearCookie(sessionCookieName(secure), { path: '/', secure });
      resolve();
    });
  });
}

/**
 * Puts the signed-in actor on res.locals.actor, re-reading the account on every request so a blocked
 * account or a changed role takes effect at once. An over-age session is ended.
 */
export function loadActor(pool: pg.Pool, now: () => Date) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const id = req.session?.userId;
    if (id) {
      const tooOld = now().getTime() - (req.session.signedInAt ?? 0) > sessionLimits.maxHours * 3_600_000;
      const user = tooOld ? undefined : await userById(pool, id);
      if (user && !user.disabledAt) res.locals.actor = sessionActor(user);
      else await signOut(req, res);
    }
    next();
  };
}

/** The signed-in actor (for handlers behind `requireSignIn`). */
export function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

/** Sends visitors who are not signed in to the sign-in page, remembering where they were going. */
export function requireSignIn(req: Request, res: Response, next: NextFunction) {
  if (res.locals.actor) return next();
  const nextPath = req.method === 'GET' ? req.originalUrl : '/admin';
  res.redirect(303, `/admin/login?next=${encodeURIComponent(nextPath)}`);
}

/** Where to go after signing in: only paths inside the workspace, never another site. */
export function safeNext(value: unknown): string {
  const s = typeof value === 'string' ? value : '';
  return /^\/admin(?:[/?#]|$)/.test(s) && !s.includes('\\') && !s.startsWith('//') ? s : '/admin';
}
