import { Router } from 'express';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { attachmentDisposition, streamInto } from '../http/download';
import {
  cancelRegistrationForOrganiser,
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
import { attendeeDetailPage, attendeeListPage, eventOverviewPage } from './event-overview';
import { formBody } from '../http/body';

/**
 * An event's overview and its registrants: the list (search, filters, sort, pages), downloads of the
 * filtered list, one registrant's page, and what an organiser may do to a registration. Reading and
 * exporting need the read right; every POST needs the edit right and a CSRF token.
 */

/** Flash messages a redirect may name (?done=…); anything else in the address is ignored. */
const flashes = ['cancelled', 'alreadyCancelled', 'restored', 'restoredWaitlisted', 'promoted', 'resent'];

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
};

/** A registration id from the address: a positive integer, or the page does not exist. */
function registrationId(value: unknown): number {
  const id = typeof value === 'string' && /^[1-9]\d{0,17}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new DomainError('not_found', 'attendees:errors.notFound');
  return id;
}

/** Content-Disposition for a download: a plain ASCII name, and the RFC 5987 form for any client that prefers it. */
export function attendeeRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });

  router.get('/admin/events/:slug', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const page = await eventOverviewPage(ctx.pool, event, pageLang(res), ctx.now(), ctx.config.baseUrl);
    res.render('admin/event', page);
  });

  router.get('/admin/events/:slug/attendees', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const query = req.query as Record<string, unknown>;
    res.render('admin/attendees/list', await attendeeListPage(ctx.pool, event, query, pageLang(res)));
  });

  router.get('/admin/events/:slug/attendees/export', async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const query = req.query as Record<string, unknown>;
    const format = query.format;
    if (!isExportFormat(format)) {
      throw new DomainError(
        'validation_failed',
        'attendees:errors.invalidFormat',
        {},
        { format: 'validation:choice' },
      );
    }
    const filters = parseRegistrationFilters(query);
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
  });

  router.get('/admin/events/:slug/attendees/:id', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const id = registrationId(req.params.id);
    const page = await attendeeDetailPage(ctx.pool, event, id, pageLang(res));
    const done = String(req.query.done ?? '');
    res.render('admin/attendees/detail', { ...page, flash: flashes.includes(done) ? done : null });
  });

  router.post(
    '/admin/events/:slug/attendees/:id/:action',
    form,
    verifyCsrf(ctx.sessionSecret),
    async (req, res) => {
      const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
      const id = registrationId(req.params.id);
      const action = Object.hasOwn(actions, String(req.params.action))
        ? actions[String(req.params.action)]
        : undefined;
      if (!action) throw new DomainError('not_found', 'errors:notFound');
      const done = await action(ctx, { eventId: event.id, registrationId: id }, saveContext(ctx, actor));
      res.redirect(303, `/admin/events/${encodeURIComponent(event.slug)}/attendees/${id}?done=${done}`);
    },
  );

  return router;
}
