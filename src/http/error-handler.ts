import type { NextFunction, Request, Response } from 'express';
import { DomainError, httpStatusFor } from '../errors';
import { tFor, isLanguage } from '../i18n';
import { loggerFor } from '../logger';
import { isDatabaseUnavailable } from '../db/unavailable';
import { invalidUtf8Type } from './body';

const log = loggerFor('http');

/** 404 for every path no route claimed, in the visitor's language. */
export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new DomainError('not_found', 'errors:notFound'));
}

/**
 * The one error path. A DomainError becomes a localized 4xx page (JSON under /api); a database that
 * cannot be reached (restarting, down) a localized 503 with Retry-After; anything else is logged with
 * its stack and answered with a plain 500 whose details never reach the visitor.
 */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const lang = isLanguage(res.locals.lang) ? res.locals.lang : 'en';
  const t = tFor(lang);
  let status = 500;
  let code = 'internal_error';
  let message = t('errors:internal');
  let fields: Record<string, string> | undefined;
  if (err instanceof DomainError) {
    status = httpStatusFor[err.code] ?? 400;
    code = err.code;
    message = t(err.i18nKey, err.params);
    if (Object.keys(err.fields).length) {
      fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v)]));
    }
  } else if ((err as { type?: unknown })?.type === invalidUtf8Type) {
    status = 400;
    code = 'invalid_input';
    message = t('errors:invalidEncoding');
  } else if (isInputRefusedByDatabase(err)) {
    // The input policy keeps these out; this is the net under it, so a value it missed is still the
    // sender's problem (400), not ours (500). Logged at warn with the SQLSTATE, without a stack.
    const e = err as { code: string; message: string };
    log.warn(
      { sqlstate: e.code, reason: e.message, method: req.method, url: req.originalUrl },
      'input refused by the database',
    );
    status = 400;
    code = 'invalid_input';
    message = t('errors:invalidInput');
  } else if (isDatabaseUnavailable(err)) {
    // The database is restarting or unreachable: nobody's fault in the request, and it passes. Say so
    // at once (503 with Retry-After) rather than a 500; logged without a stack, once per request.
    const e = err as { code?: string; message?: string };
    log.warn(
      { code: e.code, reason: e.message, method: req.method, url: req.originalUrl },
      'database unavailable',
    );
    status = 503;
    code = 'service_unavailable';
    message = t('outage:databaseUnavailable');
    res.set('Retry-After', '5');
  } else if (isBodyParserError(err)) {
    status = (err as { status: number }).status;
    code = 'bad_request';
    message = t('errors:badRequest');
  } else {
    log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
  }
  if (res.headersSent) return;
  res.status(status);
  if (req.path.startsWith('/api/')) {
    res.json({ error: fields ? { code, message, fields } : { code, message } });
    return;
  }
  // The language switch links to this page again only when a route matched it: a path no route claims
  // (`//evil.example/x`) is never echoed as a link.
  const path = req.method === 'GET' && req.route ? req.path : '/';
  res.render('errors/error', { ...res.locals, lang, t, status, code, message, path });
}

/** A 4xx from body-parser (it names a `type`) or from Express failing to decode a path's %-escapes. */
function isBodyParserError(err: unknown): boolean {
  const e = err as { type?: string; status?: number };
  const from = typeof e?.type === 'string' || err instanceof URIError;
  return from && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}

/**
 * PostgreSQL refusing a value it was sent: class 22 (data exception: 22021 a NUL or invalid byte,
 * 22P05 an untranslatable character, 22P02 invalid text representation, 22001 too long, …) and
 * 54000 (a value beyond a program limit, such as an index row too large).
 */
function isInputRefusedByDatabase(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown };
  return (
    typeof e?.code === 'string' && typeof e.severity === 'string' && /^(22[0-9A-Z]{3}|54000)$/.test(e.code)
  );
}
