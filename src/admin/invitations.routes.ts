import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import multer from 'multer';
import type { EventRecord } from '../events';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { formBody } from '../http/body';
import { slugParams, validate } from '../http/validate';
import {
  importInvitees,
  removeInvitee,
  inviteeList,
  maxContacts,
  maxListBytes,
  previewContacts,
  readContactFile,
  remindInvitees,
  sendInvitations,
  type ContactRow,
  type FileProblem,
  type PreviewRow,
} from '../invitations';
import { displayName } from '../registrations';
import { formatInstant } from '../time';
import { eventFor, saveContext } from './admin.context';

/**
 * The event's Invitations tab: the invitee list with each one's state (read right); uploading a
 * contact list to a preview, confirming it, sending the invitations and reminders (edit right).
 */
export function invitationRoutes(ctx: AppContext): Router {
  const router = Router();
  const base = '/admin/events/:slug/invitations';
  const csrf = verifyCsrf(ctx.sessionSecret);
  router.get(base, tabInput, showTab(ctx));
  router.post(`${base}/preview`, requireEdit(ctx), receiveList(), csrf, preview(ctx));
  router.post(
    `${base}/import`,
    formBody({ limit: '1mb', parameterLimit: 10 }),
    csrf,
    importInput,
    confirm(ctx),
  );
  const small = formBody({ limit: '2kb', parameterLimit: 10 });
  router.post(`${base}/send`, small, csrf, actionInput, send(ctx));
  router.post(`${base}/remind`, small, csrf, remindInput, remind(ctx));
  router.post(`${base}/invitees/:id/remove`, small, csrf, removeInput, remove(ctx));
  return router;
}

/** Flashes a redirect may name (?done=…&n=…); anything else in the address is ignored. */
const flashes = ['imported', 'sent', 'reminded', 'removed'];

const tabInput = validate({
  params: slugParams,
  query: z.object({ done: z.unknown().optional(), n: z.coerce.number().int().min(0).max(1e6).catch(0) }),
});

/** The tab, with `extra` (a flash, or a problem with the uploaded list) and a status. */
async function render(
  ctx: AppContext,
  res: Response,
  event: EventRecord,
  extra: Record<string, unknown> = {},
  status = 200,
) {
  const lang = pageLang(res);
  const { invitees, nextReminder, rounds } = await inviteeList(ctx.pool, event.id);
  const counts: Record<string, number> = { not_sent: 0, invited: 0, registered: 0, unsubscribed: 0 };
  for (const i of invitees) counts[i.state]! += 1;
  res.status(status).render('admin/invitations', {
    invitees: invitees.map((i) => ({
      ...i,
      name: displayName(i),
      invitedLabel: i.invitedAt ? formatInstant(i.invitedAt, [event.timezone], lang) : null,
    })),
    counts,
    nextReminder,
    rounds,
    limits: { maxContacts, maxMb: maxListBytes / (1024 * 1024) },
    flash: null,
    listProblem: null,
    ...extra,
  });
}

function showTab(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = tabInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const done = String(query.done ?? '');
    const flash = flashes.includes(done)
      ? res.locals.t(`invitations:done.${done}`, { count: query.n })
      : null;
    await render(ctx, res, event, { flash });
  };
}

/** Checks the edit right before the upload is read. */
function requireEdit(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    await eventFor(ctx, res, String(req.params.slug), 'edit');
    next();
  };
}

/** The uploaded list in memory (one file, at most `maxListBytes`); a refusal goes to res.locals. */
function receiveList() {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxListBytes, files: 1, fields: 5 },
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (err: unknown) => {
      if (err) {
        const tooLarge = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';
        res.locals.listProblem = tooLarge ? 'tooLarge' : 'unreadable';
      }
      next();
    });
  };
}

/** Reads the uploaded list and shows what importing it would add and skip. */
function preview(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = res.locals.event as EventRecord;
    const refused = res.locals.listProblem as string | undefined;
    const read: { rows: ContactRow[] } | { problem: FileProblem | 'tooLarge' } = refused
      ? { problem: refused as FileProblem | 'tooLarge' }
      : req.file
        ? await readContactFile(req.file.buffer)
        : { problem: 'empty' };
    if ('problem' in read) return render(ctx, res, event, { listProblem: read.problem }, 422);
    const result = await previewContacts(ctx.pool, event, read.rows);
    const keep: ContactRow[] = result.add.map((r) => ({ ...r, language: r.locale }));
    const named = (list: PreviewRow[]) => list.map((r) => ({ ...r, name: displayName(r) }));
    res.render('admin/invitations-preview', {
      preview: { add: named(result.add), skipped: named(result.skipped) },
      contacts: JSON.stringify(keep),
    });
  };
}

/** Contacts as the preview page hands them back: the same shape, at most `maxContacts`. */
const contactRow = z.object({
  line: z.number().int().min(1),
  email: z.string().max(320),
  familyName: z.string().max(1000),
  givenName: z.string().max(1000),
  organisation: z.string().max(1000),
  language: z.string().max(100),
});
const importInput = validate({
  params: slugParams,
  body: z.object({
    // A list that does not read back (altered in the page, cut off) is answered on the tab, not as an error page.
    contacts: z
      .string()
      .optional()
      .transform((s) => {
        try {
          return z
            .array(contactRow)
            .max(maxContacts)
            .parse(JSON.parse(s ?? ''));
        } catch {
          return null;
        }
      }),
  }),
});

/** Stores the previewed contacts (the rules apply again now) and returns to the tab. */
function confirm(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = importInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    if (!body.contacts) return render(ctx, res, event, { listProblem: 'listChanged' }, 422);
    const done = await importInvitees(ctx.pool, event, body.contacts, saveContext(ctx, actor));
    res.redirect(303, `/admin/events/${event.slug}/invitations?done=imported&n=${done.add.length}`);
  };
}

const actionInput = validate({ params: slugParams });

function send(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = actionInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    const { sent } = await sendInvitations(ctx.pool, event, saveContext(ctx, actor));
    res.redirect(303, `/admin/events/${event.slug}/invitations?done=sent&n=${sent}`);
  };
}

const remindInput = validate({
  params: slugParams,
  body: z.object({ reminder: z.coerce.number().int().min(1).max(1e6) }),
});

/** Sends the reminder whose number the page showed: a second click of the same page sends nothing more. */
function remind(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = remindInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    const { sent } = await remindInvitees(
      ctx.pool,
      event,
      { reminder: body.reminder },
      saveContext(ctx, actor),
    );
    res.redirect(303, `/admin/events/${event.slug}/invitations?done=reminded&n=${sent}`);
  };
}

const removeInput = validate({
  params: slugParams.extend({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
});

/** Takes one invitee whose invitation has not been sent off the list (409 for anyone else). */
function remove(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = removeInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    await removeInvitee(ctx.pool, event, params.id, saveContext(ctx, actor));
    res.redirect(303, `/admin/events/${event.slug}/invitations?done=removed`);
  };
}
