import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { z } from 'zod';
import multer from 'multer';
import { DomainError } from '../errors';
import {
  addEventFile,
  eventFileContent,
  eventFiles,
  fileSizeLabel,
  maxFileBytes,
  maxFilesPerEvent,
  maxFileTitleLength,
  removeEventFile,
  type EventRecord,
} from '../events';
import type { AppContext } from '../http/context';
import { fileDownloadHeaders } from '../http/download';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { slugParams, validate } from '../http/validate';
import { formatInstant } from '../time';
import { eventFor, saveContext } from './admin.context';
import { actorOf } from './session';

/**
 * An event's files (PDF materials for its registrants): the list and a download for anyone who may
 * read the event, uploading and deleting for those who may edit it.
 */

/** A path segment that can be a file id; anything else matches no file. */
function idOf(value: unknown): number {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : 0;
}

/** Upload refusals multer reports, as the page's message and status. */
function uploadRefusal(code: string): { key: string; status: number } {
  return code === 'LIMIT_FILE_SIZE'
    ? { key: 'files:errors.tooLarge', status: 413 }
    : { key: 'files:errors.unreadable', status: 422 };
}

/**
 * Parses the multipart upload into memory (one file, a few fields, at most `maxFileBytes`), so that
 * verifyCsrf can read the form's `_csrf` field afterwards. A refused upload (too large, two files, a
 * wrong field) is not an error page but a message on the form: its multer code goes to
 * res.locals.uploadError and the request goes on. File names are read as UTF-8 (browsers send them
 * so), which keeps Japanese names intact.
 */
function receiveUpload() {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxFileBytes, files: 1, fields: 10 },
    defParamCharset: 'utf8',
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (err: unknown) => {
      // A multer refusal keeps its code; a body busboy cannot read (cut off, no boundary) is "unreadable".
      if (err) res.locals.uploadError = err instanceof multer.MulterError ? err.code : 'UNREADABLE';
      next();
    });
  };
}

/**
 * The event's Files tab: GET /admin/events/:slug/files (list, read right), GET …/files/:id (download,
 * read right), POST …/files (upload, edit right) and POST …/files/:id/delete (edit right).
 */
export function eventFilesRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const files = '/admin/events/:slug/files';
  router.get(files, listInput, showFiles(ctx));
  router.get(`${files}/:id`, fileInput, downloadFile(ctx));
  router.post(files, requireEdit(ctx), receiveUpload(), verifyCsrf(ctx.sessionSecret), uploadFile(ctx));
  router.post(`${files}/:id/delete`, form, verifyCsrf(ctx.sessionSecret), fileInput, deleteFile(ctx));
  return router;
}

const limits = {
  maxMb: maxFileBytes / (1024 * 1024),
  maxFiles: maxFilesPerEvent,
  maxTitle: maxFileTitleLength,
};

/** The Files tab, with `extra` (a flash, or the upload form's values and problems) and a status. */
async function render(
  ctx: AppContext,
  res: Response,
  event: EventRecord,
  extra: Record<string, unknown> = {},
  status = 200,
) {
  const lang = pageLang(res);
  const files = await eventFiles(ctx.pool, event.id);
  res.status(status).render('admin/files', {
    files: files.map((f) => ({
      ...f,
      sizeLabel: fileSizeLabel(f.sizeBytes, lang),
      uploadedLabel: formatInstant(f.createdAt, [event.timezone], lang),
      uploadedIso: f.createdAt.toISOString(),
    })),
    full: files.length >= maxFilesPerEvent,
    limits,
    values: { titleEn: '', titleJa: '' },
    fields: {},
    flash: null,
    ...extra,
  });
}

/** Checks the edit right before the upload is read, so nobody without it can make us buffer 20 MB. */
function requireEdit(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    await eventFor(ctx, res, String(req.params.slug), 'edit');
    next();
  };
}

const listInput = validate({ params: slugParams, query: z.object({ done: z.unknown().optional() }) });

function showFiles(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = listInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const done = query.done;
    const flash = done === 'added' || done === 'removed' ? res.locals.t(`files:${done}`) : null;
    await render(ctx, res, event, { flash });
  };
}

const fileInput = validate({ params: z.object({ slug: z.string(), id: z.unknown().transform(idOf) }) });

function downloadFile(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = fileInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const file = await eventFileContent(ctx.pool, event.id, params.id);
    if (!file) throw new DomainError('not_found', 'errors:notFound');
    res.set(fileDownloadHeaders(file)).send(file.data);
  };
}

/** Stores an uploaded PDF; a refused one shows the tab again with the form as it was and why. */
function uploadFile(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = res.locals.event as EventRecord;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { titleEn: String(body.titleEn ?? ''), titleJa: String(body.titleJa ?? '') };
    const uploadError = res.locals.uploadError as string | undefined;
    if (uploadError) {
      const refusal = uploadRefusal(uploadError);
      return render(ctx, res, event, { values, fields: { file: refusal.key } }, refusal.status);
    }
    try {
      await addEventFile(
        ctx.pool,
        {
          eventId: event.id,
          title: { en: values.titleEn, ja: values.titleJa },
          filename: req.file?.originalname ?? '',
          data: req.file?.buffer,
        },
        saveContext(ctx, actorOf(res)),
      );
    } catch (err) {
      if (!(err instanceof DomainError) || !['validation_failed', 'conflict'].includes(err.code)) throw err;
      const fields = err.code === 'conflict' ? { file: err.i18nKey } : err.fields;
      const status = err.code === 'conflict' ? 409 : fields.file === 'files:errors.tooLarge' ? 413 : 422;
      return render(ctx, res, event, { values, fields }, status);
    }
    res.redirect(303, `/admin/events/${event.slug}/files?done=added`);
  };
}

function deleteFile(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = fileInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    await removeEventFile(ctx.pool, { eventId: event.id, fileId: params.id }, saveContext(ctx, actor));
    res.redirect(303, `/admin/events/${event.slug}/files?done=removed`);
  };
}
