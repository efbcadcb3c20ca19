import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { attachmentDisposition, streamInto } from '../http/download';
import { asRecord, slugParams, validate } from '../http/validate';
import {
  cancelRegistrationForOrganiser,
  decideRegistrations,
  exportContentType,
  exportFileName,
  exportRegistrations,
  isExportFormat,
  parseRegistrationFilters,
  promoteRegistration,
  recordRegistrationExport,
  resendConfirmation,
  restoreRegistration,
  type OrganiserContext,
  type RegistrationRef,
} from '../registrations';
import { eventFor, saveContext } from './admin.context';
import { attendeeDetailPage, attendeeListPage, attendeeQuery, eventOverviewPage } from './event-overview';
import { formBody } from '../http/body';
import { decisionFlash } from './approval.routes';

/**
 * An event's overview and its registrants: the list (search, filters, sort, pages), downloads of the
 * filtered list, one registrant's page, and what an organiser may do to a registration. Reading and
 * exporting need the read right; every POST needs the edit right and a CSRF token.
 */

/** Flash messages a redirect may name (?done=…); anything else in the address is ignored. */
const flashes = [
  'cancelled',
  'alreadyCancelled',
  'restored',
  'restoredWaitlisted',
  'promoted',
  'resent',
  'approved',
  'approvedWaitlisted',
  'declined',
];
/** Flashes of corrections and manual additions (`corrections` namespace, `corrections.routes.ts`). */
const correctionFlashes = ['corrected', 'unchanged', 'added'];

type Action = (ctx: AppContext, ref: RegistrationRef, by: OrganiserContext) => Promise<string>;

/** Each organiser action: the service it calls and the flash its outcome shows. */
const actions: Record<string, Action> = {
  cancel: async (ctx, ref, by) =>
    (await cancelRegistrationForOrganiser(ctx.pool, ref, by)).alreadyCancelled
      ? 'alreadyCancelled'
      : 'cancelled',
  restore: async (ctx, ref, by) =>
    (await restoreRegistration(ctx.pool, ref, by)).status === 'confirmed' ? 'restored' : 'restoredWaitlisted',
  promote: async (ctx, ref, by) => (await promoteRegistration(ctx.pool, ref, by), 'promoted'),
  resend: async (ctx, ref, by) => (await resendConfirmation(ctx.pool, ref, by), 'resent'),
  approve: async (ctx, ref, by) =>
    (await decide(ctx, ref, by, 'approve')).confirmed ? 'approved' : 'approvedWaitlisted',
  decline: async (ctx, ref, by) => (await decide(ctx, ref, by, 'decline'), 'declined'),
};

/** One registration's approval or decline from its page (a reason goes with the list's form). */
function decide(
  ctx: AppContext,
  ref: RegistrationRef,
  by: OrganiserContext,
  decision: 'approve' | 'decline',
) {
  const registrationIds = [ref.registrationId];
  return decideRegistrations(ctx.pool, { eventId: ref.eventId, registrationIds, decision, strict: true }, by);
}

/** A registration id from the address: a positive integer, or the page does not exist. */
function registrationId(value: unknown): number {
  const id = typeof value === 'string' && /^[1-9]\d{0,17}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new DomainError('not_found', 'attendees:errors.notFound');
  return id;
}

/** The overview and attendee routes of the workspace, one line each; the handlers follow. */
export function attendeeRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });
  router.get('/admin/events/:slug', showOverview(ctx));
  router.get('/admin/events/:slug/attendees', listInput, listAttendees(ctx));
  router.get('/admin/events/:slug/attendees/export', exportInput, exportAttendees(ctx));
  router.get('/admin/events/:slug/attendees/:id', detailInput, showAttendee(ctx));
  router.post(
    '/admin/events/:slug/attendees/:id/:action',
    form,
    verifyCsrf(ctx.sessionSecret),
    detailInput,
    actOnAttendee(ctx),
  );
  return router;
}

/** The event's overview: counts, charts, what is due. */
function showOverview(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const page = await eventOverviewPage(ctx.pool, event, pageLang(res), ctx.now(), ctx.config.baseUrl);
    res.render('admin/event', page);
  };
}

const listInput = validate({ params: slugParams, query: attendeeQuery });

/** One page of the attendee list, filtered and sorted as the query says, with a decision's flash. */
function listAttendees(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { params, query } = listInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const page = await attendeeListPage(ctx.pool, event, query, pageLang(res));
    res.render('admin/attendees/list', { ...page, decided: decisionFlash(req.query.decided) });
  };
}

const exportInput = validate({ params: slugParams, query: exportQuery });

/** The filtered list as a streamed file, recorded in the audit log. */
function exportAttendees(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = exportInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'read');
    const { format, filters } = query;
    const now = ctx.now();
    res.set({
      'Content-Type': exportContentType(format),
      'Content-Disposition': attachmentDisposition(exportFileName(event, format, now)),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    await streamInto(
      res,
      (out) => exportRegistrations(ctx.pool, event, filters, format, pageLang(res), out),
      (rows) =>
        recordRegistrationExport(
          ctx.pool,
          { eventId: event.id, format, filters, rows },
          saveContext(ctx, actor),
        ),
    );
  };
}

const detailInput = validate({
  params: z.object({
    slug: z.string(),
    id: z.unknown().transform(registrationId),
    action: z.string().optional(),
  }),
  query: z.object({ done: z.unknown().optional() }),
});

/** One registrant's page, with the flash of the action just taken. */
function showAttendee(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = detailInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const page = await attendeeDetailPage(ctx.pool, event, params.id, pageLang(res));
    const done = String(query.done ?? '');
    const flash = flashes.includes(done)
      ? `attendees:flash.${done}`
      : correctionFlashes.includes(done)
        ? `corrections:flash.${done}`
        : null;
    res.render('admin/attendees/detail', { ...page, flash });
  };
}

/** Cancels, restores, promotes or resends, then back to the registrant's page with a flash. */
function actOnAttendee(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = detailInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    const action = Object.hasOwn(actions, String(params.action)) ? actions[String(params.action)] : undefined;
    if (!action) throw new DomainError('not_found', 'errors:notFound');
    const ref = { eventId: event.id, registrationId: params.id };
    const done = await action(ctx, ref, saveContext(ctx, actor));
    res.redirect(303, `/admin/events/${encodeURIComponent(event.slug)}/attendees/${params.id}?done=${done}`);
  };
}

/** An export's format (one of the list's formats) and filters, from its query string. */
function exportQuery(raw: unknown) {
  const query = asRecord(raw);
  const format = query.format;
  if (!isExportFormat(format)) {
    throw new DomainError(
      'validation_failed',
      'attendees:errors.invalidFormat',
      {},
      { format: 'validation:choice' },
    );
  }
  return { format, filters: parseRegistrationFilters(query) };
}
