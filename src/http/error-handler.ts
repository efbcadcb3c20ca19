import type { NextFunction, Request, Response } from 'express';
import { DomainError, httpStatusFor } from '../errors';
import { tFor, isLanguage } from '../i18n';
import { loggerFor } from '../logger';

const log = loggerFor('http');

/** 404 for every path no route claimed, in the visitor's language. */
export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new DomainError('not_found', 'errors:notFound'));
}

/**
 * The one error path. A DomainError becomes a localized 4xx page (JSON under /api); anything else is
 * logged with its stack and answered with a plain 500 whose details never reach the visitor.
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

function isBodyParserError(err: unknown): boolean {
  const e = err as { type?: string; status?: number };
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
