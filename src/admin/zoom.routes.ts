import { Router, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { formBody } from '../http/body';
import { decodeCsv } from '../text';
import { formatInstant } from '../time';
import multer from 'multer';
import {
  checkZoomSession,
  createOnZoom,
  importZoomCsv,
  linkToZoom,
  pullZoomReport,
  unlinkZoom,
  type AttendanceOutcome,
  type ZoomCheck,
} from '../zoom';
import { eventFor, saveContext } from './admin.context';

/**
 * The event's Zoom page in the workspace (only with the Zoom settings): link an existing webinar or
 * meeting by its id or join link, or create one on Zoom; see Zoom's topic and time beside ours, with a
 * warning when they differ; unlink.
 */
export function zoomAdminRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin', (_req, res, next) => {
    res.locals.zoomConfigured = Boolean(ctx.zoom);
    next();
  });
  // The report's CSV works without the Zoom settings too: accounts without API access export it.
  router.post(
    '/admin/events/:slug/attendees/zoom-csv',
    csvUpload(),
    verifyCsrf(ctx.sessionSecret),
    importCsv(ctx),
  );
  if (!ctx.zoom) return router;
  const post = (handler: RequestHandler) => [
    formBody({ limit: '16kb', parameterLimit: 20 }),
    verifyCsrf(ctx.sessionSecret),
    handler,
  ];
  router.post('/admin/events/:slug/zoom/report', ...post(pullReport(ctx)));
  router.get('/admin/events/:slug/zoom', showZoom(ctx));
  router.post('/admin/events/:slug/zoom/link', ...post(link(ctx)));
  router.post('/admin/events/:slug/zoom/create', ...post(create(ctx)));
  router.post('/admin/events/:slug/zoom/unlink', ...post(unlink(ctx)));
  return router;
}

const zoomPath = (slug: string) => `/admin/events/${encodeURIComponent(slug)}/zoom`;
const flashes = ['linked', 'created', 'unlinked'];

/** The page; a Zoom problem (refused, unreachable) is shown on it rather than as an error page. */
async function renderZoom(
  ctx: AppContext,
  req: Request,
  res: Response,
  opts: {
    error?: string;
    status?: number;
    values?: { kind: string; link: string };
    report?: AttendanceOutcome;
  } = {},
) {
  const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
  const lang = pageLang(res);
  let check: ZoomCheck | undefined;
  let checkError: string | undefined;
  try {
    check = await checkZoomSession({ zoom: ctx.zoom }, event);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    checkError = res.locals.t(err.i18nKey, err.params) as string;
  }
  const zoomStart = check?.session.startTime ? new Date(check.session.startTime) : null;
  const done = String(req.query.done ?? '');
  res.status(opts.status ?? 200).render('admin/zoom', {
    zoom: event.zoom,
    check: check && {
      topic: check.session.topic,
      startLabel: zoomStart ? formatInstant(zoomStart, event.displayTimezones, lang) : '—',
      duration: check.session.duration,
      timeDiffers: check.timeDiffers,
      topicDiffers: check.topicDiffers,
    },
    checkError,
    error: opts.error,
    values: opts.values ?? { kind: 'webinar', link: '' },
    flash: flashes.includes(done) ? done : null,
    report: opts.report ?? null,
  });
}

function showZoom(ctx: AppContext): RequestHandler {
  return (req, res) => renderZoom(ctx, req, res);
}

/** Runs a Zoom command; a refusal comes back on the page (422) with the organiser's input. */
function command(
  ctx: AppContext,
  done: string,
  run: (req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req, res) => {
    try {
      await run(req, res);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
      const values = { kind: String(req.body?.kind ?? 'webinar'), link: String(req.body?.link ?? '') };
      const message = res.locals.t(err.i18nKey, err.params) as string;
      return renderZoom(ctx, req, res, {
        error: message,
        status: err.code === 'zoom_unavailable' ? 503 : 422,
        values,
      });
    }
    res.redirect(303, `${zoomPath(String(req.params.slug))}?done=${done}`);
  };
}

function link(ctx: AppContext): RequestHandler {
  return command(ctx, 'linked', async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const input = { kind: String(req.body?.kind ?? ''), link: String(req.body?.link ?? '') };
    await linkToZoom(ctx, event, input, saveContext(ctx, actor), ctx.registrants);
  });
}

function create(ctx: AppContext): RequestHandler {
  return command(ctx, 'created', async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const kind = req.body?.kind === 'meeting' ? 'meeting' : 'webinar';
    await createOnZoom(ctx, event, kind, saveContext(ctx, actor), ctx.registrants);
  });
}

function unlink(ctx: AppContext): RequestHandler {
  return command(ctx, 'unlinked', async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    await unlinkZoom(ctx.pool, event, saveContext(ctx, actor), ctx.registrants);
  });
}

/** The participant report pulled now, its summary on the page (who was matched, who was not). */
function pullReport(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    let report: AttendanceOutcome;
    try {
      report = await pullZoomReport({ pool: ctx.pool, zoom: ctx.zoom, now: ctx.now }, event.id);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'not_found') throw err;
      const message = res.locals.t(err.i18nKey, err.params) as string;
      return renderZoom(ctx, req, res, { error: message, status: 422 });
    }
    await renderZoom(ctx, req, res, { report });
  };
}

/** One CSV file of at most 5 MB into memory, so verifyCsrf can read the form field after it. */
function csvUpload(): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 5 },
  }).single('file');
  return (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err) res.locals.uploadError = true;
      next();
    });
  };
}

/** Imports Zoom's participant CSV on the Attendees tab; the summary (or the problem) on a page of its own. */
function importCsv(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const file = (req as Request & { file?: { buffer: Buffer } }).file;
    const back = `/admin/events/${encodeURIComponent(event.slug)}/attendees`;
    if (!file || res.locals.uploadError) {
      return res
        .status(422)
        .render('admin/zoom-csv', { error: res.locals.t('zoom:errors.noFile'), report: null, back });
    }
    try {
      const report = await importZoomCsv(ctx.pool, event, decodeCsv(file.buffer), ctx.now());
      res.render('admin/zoom-csv', { error: null, report, back });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
      res.status(422).render('admin/zoom-csv', { error: res.locals.t(err.i18nKey), report: null, back });
    }
  };
}
