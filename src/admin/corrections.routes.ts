import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError } from '../errors';
import { formBody } from '../http/body';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { slugParams, validate } from '../http/validate';
import { addRegistrationByOrganiser, correctRegistration, formView } from '../registrations';
import { eventFor, saveContext } from './admin.context';
import { attendeeDetailPage } from './event-overview';

/**
 * The organiser's corrections and manual additions: correct a registrant's details on their page
 * (no mail goes out), and add a registrant by hand (optionally past the deadline or the capacity, each
 * only when ticked). Mounted before the attendee routes, so `/attendees/new` is not read as an id.
 */
export function correctionRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '32kb', parameterLimit: 200 });
  const csrf = verifyCsrf(ctx.sessionSecret);
  router.get('/admin/events/:slug/attendees/new', slugInput, showAddForm(ctx));
  router.post('/admin/events/:slug/attendees/new', form, csrf, slugInput, addRegistrant(ctx));
  router.post('/admin/events/:slug/attendees/:id/details', form, csrf, detailsInput, saveDetails(ctx));
  return router;
}

const slugInput = validate({ params: slugParams });
const detailsInput = validate({
  params: z.object({
    slug: z.string(),
    id: z.unknown().transform((v) => {
      const id = typeof v === 'string' && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(id)) throw new DomainError('not_found', 'attendees:errors.notFound');
      return id;
    }),
  }),
});

/** The empty form for a registrant added by hand. */
function showAddForm(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { event } = await eventFor(ctx, res, slugInput.input(res).params.slug, 'edit');
    res.render('admin/attendees/add', { form: formView(event, pageLang(res), 'open'), options: {} });
  };
}

/** Adds the registrant (their confirmation mail is queued), or shows the form again with why not. */
function addRegistrant(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, slugInput.input(res).params.slug, 'edit');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const options = { pastDeadline: body.pastDeadline === 'yes', overCapacity: body.overCapacity === 'yes' };
    const lang = pageLang(res);
    const outcome = await addRegistrationByOrganiser(
      ctx.pool,
      { eventId: event.id, body, pageLang: lang, ...options },
      saveContext(ctx, actor),
    );
    if (outcome.ok) {
      res.redirect(303, `/admin/events/${encodeURIComponent(event.slug)}/attendees/${outcome.id}?done=added`);
      return;
    }
    res.status(422).render('admin/attendees/add', {
      form: formView(event, lang, 'open', body, outcome.fields),
      options,
    });
  };
}

/** Saves the organiser's correction; invalid fields show the registrant's page again with the errors. */
function saveDetails(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { params } = detailsInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const by = saveContext(ctx, actor);
    const target = {
      by: 'organiser' as const,
      eventId: event.id,
      registrationId: params.id,
      actor: by.actor,
      userId: by.userId,
    };
    const result = await correctRegistration(ctx.pool, target, body, ctx.now());
    if (result.ok) {
      const done = result.changed.length ? 'corrected' : 'unchanged';
      res.redirect(
        303,
        `/admin/events/${encodeURIComponent(event.slug)}/attendees/${params.id}?done=${done}`,
      );
      return;
    }
    const lang = pageLang(res);
    const page = await attendeeDetailPage(ctx.pool, event, params.id, lang);
    res.status(422).render('admin/attendees/detail', {
      ...page,
      details: formView(event, lang, 'open', body, result.fields),
      flash: null,
    });
  };
}
