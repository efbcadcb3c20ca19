import express from 'express';
import { DateTime } from 'luxon';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { formatDate, type Lang } from '../time';
import {
  listOutbox,
  outboxDir,
  readOutboxAttachment,
  readOutboxFile,
  readOutboxHtml,
  readOutboxMessage,
  type OutboxEntry,
} from '../delivery/outbox-files';

/**
 * The outbox viewer: mails written as .eml files to DATA_DIR/outbox when no SMTP_URL is set, for
 * admins to read in the browser. The workspace mounts it under /admin, behind sign-in.
 *
 * Mail HTML is never inlined into our pages: it is served alone from /admin/outbox/:name/html under a CSP
 * that forbids scripts and every fetch, and framed with `sandbox`, so it cannot run in our origin.
 */
export function outboxViewerRoutes(ctx: AppContext): express.Router {
  const router = express.Router();
  const dir = outboxDir(ctx.config.dataDir);

  router.use('/outbox', privateResponse);

  router.get('/outbox', async (_req, res) => {
    const lang = pageLang(res);
    const listing = await listOutbox(dir);
    res.render('outbox/index', {
      entries: listing.entries.map((e) => entryView(e, lang)),
      total: listing.total,
    });
  });

  router.get('/outbox/:name', async (req, res) => {
    const mail = await readOutboxMessage(dir, req.params.name);
    res.render('outbox/show', { mail: { ...mail, ...entryView(mail, pageLang(res)) } });
  });

  router.get('/outbox/:name/html', async (req, res) => {
    const html = await readOutboxHtml(dir, req.params.name);
    // Replaces the app-wide policy for this response only: no script, no fetch, an opaque origin
    // (`sandbox`), and framing allowed for our own detail page alone.
    res.set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'self'; sandbox",
    );
    res.removeHeader('X-Frame-Options');
    res.type('html').send(html);
  });

  router.get('/outbox/:name/raw', async (req, res) => {
    const raw = await readOutboxFile(dir, req.params.name);
    downloadHeaders(res, req.params.name, 'message/rfc822');
    res.send(raw);
  });

  router.get('/outbox/:name/attachments/:index', async (req, res) => {
    const index = /^\d{1,4}$/.test(req.params.index) ? Number(req.params.index) : -1;
    const file = await readOutboxAttachment(dir, req.params.name, index);
    downloadHeaders(res, file.filename, downloadType(file.contentType));
    res.send(file.content);
  });

  return router;
}

/** Mails hold personal data and one-time links: never cached, never indexed. */
function privateResponse(_req: Request, res: Response, next: NextFunction) {
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
  next();
}

/** Downloads are saved, never rendered: attachment disposition, and a policy that blocks everything. */
function downloadHeaders(res: Response, filename: string, contentType: string) {
  res.attachment(filename);
  res.type(contentType);
  res.set('Content-Security-Policy', "default-src 'none'; sandbox");
}

/**
 * Calendar files keep their type so the browser can hand them to a calendar app; anything else is
 * offered as opaque bytes, whatever the mail claimed.
 */
function downloadType(contentType: string): string {
  const type = contentType.toLowerCase();
  return type === 'text/calendar' || type === 'application/ics' ? type : 'application/octet-stream';
}

/** The list's view of an entry: the date as the page language writes it, in UTC like the file names. */
function entryView(e: OutboxEntry, lang: Lang) {
  if (!e.date) return { ...e, dateIso: null, dateLabel: null };
  const dt = DateTime.fromJSDate(e.date, { zone: 'utc' }).setLocale(lang === 'ja' ? 'ja-JP' : 'en-GB');
  const sep = lang === 'ja' ? ' ' : ', ';
  return {
    ...e,
    dateIso: e.date.toISOString(),
    dateLabel: `${formatDate(dt, lang)}${sep}${dt.toFormat('HH:mm:ss')} UTC`,
  };
}
