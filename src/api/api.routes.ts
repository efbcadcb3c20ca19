import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { actingAs, eventForActor } from '../accounts';
import { DomainError } from '../errors';
import {
  cancelEvent,
  createEvent,
  patchEvent,
  toEventJson,
  type EventRecord,
  type SavedEvent,
} from '../events';
import type { AppContext } from '../http/context';
import { attachmentDisposition, streamInto } from '../http/download';
import { isLanguage } from '../i18n';
import { fromAcceptLanguage } from '../http/language';
import { registrationRateLimit } from '../http/rate-limit';
import { asRecord, slugParams, validate } from '../http/validate';
import {
  exportContentType,
  exportFileName,
  exportLayout,
  exportRegistrations,
  parseRegistrationFilters,
  recordRegistrationExport,
  registrationSlice,
  registerAttendee,
  eventSummaries,
  eventActivity,
  addRegistrationByOrganiser,
  correctRegistration,
} from '../registrations';
import {
  eventMessagesWithProgress,
  messageRecipients,
  sendEventMessage,
  type MessageWithProgress,
} from '../messages';
import { apiActor, requireApiToken } from './api.auth';
import { activityQuery, exportQuery, formFields, messageBody, sliceQuery } from './api.inputs';
import { apiDocsRoutes } from './docs.routes';
import { jsonBody } from '../http/body';
import { zoomApiRoutes, zoomWebhookRoutes } from './zoom.routes';
import { approvalApiRoutes } from './approval.routes';
import { invitationApiRoutes } from './invitations.routes';
import { peopleApiRoutes } from './people.routes';

/**
 * REST API v1. Events travel in the event JSON shape of the CLI; errors are
 * `{ "error": { "code", "message", "fields"? } }` from the one error handler. Everything needs a
 * bearer token except the OpenAPI document and the public registration endpoint, which follows the
 * registration form's rules (window, capacity, neutral answer to duplicates, rate limit).
 */
export function apiRoutes(ctx: AppContext): Router {
  const router = Router();
  const json = jsonBody({ limit: '256kb', type: ['application/json', 'application/merge-patch+json'] });
  const auth = requireApiToken(ctx.pool, ctx.now);
  const limit = registrationRateLimit(ctx.pool, ctx.limits, ctx.now);
  const registrations = '/api/v1/events/:slug/registrations';

  router.use(apiDocsRoutes(ctx));
  router.use(zoomWebhookRoutes(ctx));
  // Public registration, callable from an organisation's own site: CORS without credentials.
  router.options(registrations, registrationPreflight);
  router.post(registrations, allowAnyOrigin, json, limit, registrationInput, register(ctx));

  router.use('/api/v1', auth, json);
  router.get('/api/v1/events', listEvents(ctx));
  router.post('/api/v1/events', createEventHandler(ctx));
  router.get('/api/v1/events/:slug', showEvent(ctx));
  router.patch('/api/v1/events/:slug', patchEventHandler(ctx));
  router.post('/api/v1/events/:slug/cancel', cancelEventHandler(ctx));
  router.get(registrations, sliceInput, listRegistrations(ctx));
  router.get(`${registrations}/export`, exportInput, exportRegistrationsHandler(ctx));
  router.get('/api/v1/events/:slug/messages/recipients', filtersInput, countRecipients(ctx));
  router.get('/api/v1/events/:slug/messages', listMessages(ctx));
  router.post('/api/v1/events/:slug/messages', messageInput, sendMessage(ctx));
  router.get('/api/v1/events/:slug/messages/:id', messageIdInput, showMessage(ctx));
  router.get('/api/v1/events/:slug/activity', activityInput, showActivity(ctx));
  router.post(`${registrations}/manual`, addRegistrationHandler(ctx));
  router.patch(`${registrations}/:id`, registrationIdInput, correctRegistrationHandler(ctx));
  router.use(zoomApiRoutes(ctx));
  router.use(approvalApiRoutes(ctx));
  router.use(invitationApiRoutes(ctx));
  router.use(peopleApiRoutes(ctx));
  return router;
}

/** The CORS preflight of the public registration endpoint. */
function registrationPreflight(_req: Request, res: Response): void {
  publicCors(res);
  res.set('Access-Control-Allow-Methods', 'POST');
  res.set('Access-Control-Allow-Headers', 'Content-Type, Accept-Language');
  res.set('Access-Control-Max-Age', '86400');
  res.status(204).end();
}

/** Lets any site post a registration (no credentials), whatever the answer turns out to be. */
function allowAnyOrigin(_req: Request, res: Response, next: NextFunction): void {
  publicCors(res);
  next();
}

const registrationInput = validate({ params: slugParams, body: formFields });

/** Registers someone from a JSON body; the same answer whatever the outcome, as the form gives. */
function register(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { params, body } = registrationInput.input(res);
    const lang = isLanguage(body.locale)
      ? body.locale
      : (fromAcceptLanguage(req.get('accept-language')) ?? 'en');
    res.locals.lang = lang;
    const outcome = await registerAttendee(ctx.pool, {
      slug: params.slug,
      body,
      pageLang: lang,
      now: ctx.now(),
    });
    if (outcome.status === 'invalid') {
      throw new DomainError('validation_failed', 'errors:invalidForm', {}, outcome.fields);
    }
    // Confirmed, waiting list, already registered: the same answer, and the mail tells the truth.
    res.status(202).json({ status: 'received', message: res.locals.t('api:registrationReceived') });
  };
}

/** The events the token's account may see, with their registration counts. */
function listEvents(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const actor = apiActor(res);
    const summaries = await eventSummaries(ctx.pool, actor.user.role === 'admin' ? null : actor.user.id);
    res.json({
      data: summaries.map((s) => ({
        ...toEventJson(s.event),
        registrations: {
          confirmed: s.confirmed,
          waitlisted: s.waitlisted,
          cancelled: s.cancelled,
          pending: s.pending,
          declined: s.declined,
        },
      })),
    });
  };
}

function createEventHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const saved = await createEvent(ctx.pool, req.body, actingAs(apiActor(res), ctx.now()), ctx.registrants);
    res.status(201).location(`/api/v1/events/${saved.event.slug}`).json(toEventJson(saved.event));
  };
}

function showEvent(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    res.json(toEventJson(await eventWithRight(ctx, req, res, 'read')));
  };
}

/** A JSON Merge Patch of an event. */
function patchEventHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'edit');
    res.json(
      outcome(
        await patchEvent(ctx.pool, event.slug, req.body, actingAs(apiActor(res), ctx.now()), ctx.registrants),
      ),
    );
  };
}

function cancelEventHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'edit');
    res.json(
      outcome(await cancelEvent(ctx.pool, event.slug, actingAs(apiActor(res), ctx.now()), ctx.registrants)),
    );
  };
}

const sliceInput = validate({ query: sliceQuery });

/** One keyset slice of the event's registrations. */
function listRegistrations(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    const { filters, limit, cursor } = sliceInput.input(res).query;
    const slice = await registrationSlice(ctx.pool, event.id, filters, { cursor, limit });
    const layout = exportLayout(event, 'en');
    res.json({ data: slice.rows.map((r) => layout.record(r)), nextCursor: slice.nextCursor });
  };
}

const registrationIdInput = validate({
  params: z.object({
    slug: z.string(),
    id: z.string().transform((id) => {
      if (!/^[1-9]\d{0,15}$/.test(id)) throw new DomainError('not_found', 'attendees:errors.notFound');
      return Number(id);
    }),
  }),
});

/** Corrects a registration's details and answers (not its address); no mail goes out. */
function correctRegistrationHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'edit');
    const { id } = registrationIdInput.input(res).params;
    const by = actingAs(apiActor(res), ctx.now());
    const result = await correctRegistration(
      ctx.pool,
      { by: 'organiser', eventId: event.id, registrationId: id, actor: by.actor, userId: by.userId },
      asRecord(req.body),
      ctx.now(),
    );
    if (!result.ok) throw new DomainError('validation_failed', 'errors:invalidForm', {}, result.fields);
    res.json({ id, changed: result.changed });
  };
}

/** Adds a registrant by hand: `pastDeadline` and `overCapacity` must be asked for explicitly. */
function addRegistrationHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'edit');
    const body = formFields(req.body);
    const outcome = await addRegistrationByOrganiser(
      ctx.pool,
      {
        eventId: event.id,
        body,
        pageLang: isLanguage(body.locale) ? body.locale : 'en',
        pastDeadline: body.pastDeadline === true,
        overCapacity: body.overCapacity === true,
      },
      actingAs(apiActor(res), ctx.now()),
    );
    if (!outcome.ok) throw new DomainError('validation_failed', 'errors:invalidForm', {}, outcome.fields);
    res.status(201).json({ id: outcome.id, status: outcome.status });
  };
}

const activityInput = validate({ query: activityQuery });

/** The event's audit trail in words, in the asked language (as the workspace's Activity tab shows it). */
function showActivity(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    const query = activityInput.input(res).query;
    const lang = query.lang ?? fromAcceptLanguage(req.get('accept-language')) ?? 'en';
    const entries = await eventActivity(ctx.pool, event, lang, {
      registrationId: query.registration,
      limit: query.limit,
    });
    res.json({
      data: entries.map((e) => ({
        id: e.id,
        occurredAt: e.occurredAt.toISOString(),
        when: e.whenLabel,
        action: e.action,
        actionLabel: e.actionLabel,
        actor: e.actor,
        actorLabel: e.actorLabel,
        registrationId: e.registrationId,
        registrantName: e.registrantName,
        changes: e.changes,
      })),
    });
  };
}

const exportInput = validate({ query: exportQuery });

/** The event's registrations as a streamed file, recorded in the audit log. */
function exportRegistrationsHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    const { format, filters, lang: asked } = exportInput.input(res).query;
    const lang = asked ?? fromAcceptLanguage(req.get('accept-language')) ?? 'en';
    const name = exportFileName(event, format, ctx.now());
    res.set({
      'Content-Type': exportContentType(format),
      'Content-Disposition': attachmentDisposition(name),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    const actor = apiActor(res);
    await streamInto(
      res,
      (out) => exportRegistrations(ctx.pool, event, filters, format, lang, out),
      (rows) =>
        recordRegistrationExport(
          ctx.pool,
          { eventId: event.id, format, filters, rows },
          actingAs(actor, ctx.now()),
        ),
    );
  };
}

const filtersInput = validate({ query: (raw) => parseRegistrationFilters(asRecord(raw)) });

/** How many registrants a message with these filters would go to now. */
function countRecipients(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    res.json({ recipients: await messageRecipients(ctx.pool, event.id, filtersInput.input(res).query) });
  };
}

function listMessages(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    res.json({ data: (await eventMessagesWithProgress(ctx.pool, event.id)).map(messageJson) });
  };
}

const messageInput = validate({ body: messageBody });

/** Sends a message (once per Idempotency-Key); 202 with where to follow its progress. */
function sendMessage(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'edit');
    const { input, filters } = messageInput.input(res).body;
    const expected = await messageRecipients(ctx.pool, event.id, filters);
    const message = await sendEventMessage(ctx.pool, {
      event,
      input,
      filters,
      expected,
      sendKey: req.get('Idempotency-Key')?.slice(0, 100),
      ctx: actingAs(apiActor(res), ctx.now()),
    });
    const [withProgress] = (await eventMessagesWithProgress(ctx.pool, event.id)).filter(
      (m) => m.id === message.id,
    );
    res
      .status(202)
      .location(`/api/v1/events/${event.slug}/messages/${message.id}`)
      .json(messageJson(withProgress!));
  };
}

/** A message id from the address; anything else is no message (0). */
const messageIdInput = validate({
  params: z.object({
    slug: z.string(),
    id: z.string().transform((id) => (/^\d{1,15}$/.test(id) ? Number(id) : 0)),
  }),
});

function showMessage(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const event = await eventWithRight(ctx, req, res, 'read');
    const { id } = messageIdInput.input(res).params;
    const message = (await eventMessagesWithProgress(ctx.pool, event.id)).find((m) => m.id === id);
    if (!message) throw new DomainError('not_found', 'errors:notFound');
    res.json(messageJson(message));
  };
}

/** The event in the address, if the token's account has `need` on it. */
async function eventWithRight(
  ctx: AppContext,
  req: Request,
  res: Response,
  need: 'read' | 'edit',
): Promise<EventRecord> {
  return (await eventForActor(ctx.pool, apiActor(res), String(req.params.slug), need)).event;
}

/** A message as the API shows it: what was written, to whom, and how its mails stand. */
function messageJson(m: MessageWithProgress) {
  return {
    id: m.id,
    subject: m.subject,
    body: m.body,
    filters: m.filters,
    expected: m.expected,
    recipients: m.recipients,
    sentBy: m.actor,
    createdAt: m.createdAt.toISOString(),
    queuedAt: m.queuedAt?.toISOString() ?? null,
    progress: m.progress,
  };
}

function outcome(saved: SavedEvent) {
  return { event: toEventJson(saved.event), changed: saved.changed, notified: saved.notified };
}

function publicCors(res: Response): void {
  res.set('Access-Control-Allow-Origin', '*');
  res.vary('Origin');
}
