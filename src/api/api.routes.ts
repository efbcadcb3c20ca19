import express, { Router, type Request, type Response } from 'express';
import { actingAs, eventForActor } from '../accounts';
import { DomainError } from '../errors';
import {
  cancelEvent,
  createEvent,
  eventSummaries,
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
import {
  exportContentType,
  exportFileName,
  exportLayout,
  exportRegistrations,
  isExportFormat,
  parseRegistrationFilters,
  recordRegistrationExport,
  registrationSlice,
  registerAttendee,
} from '../registrations';
import {
  eventMessagesWithProgress,
  messageRecipients,
  parseMessageInput,
  sendEventMessage,
  type MessageWithProgress,
} from '../messages';
import { apiActor, requireApiToken } from './api.auth';
import { openApiDocument } from './openapi';

/**
 * REST API v1. Events travel in the event JSON shape of the CLI; errors are
 * `{ "error": { "code", "message", "fields"? } }` from the one error handler. Everything needs a
 * bearer token except the OpenAPI document and the public registration endpoint, which follows the
 * registration form's rules (window, capacity, neutral answer to duplicates, rate limit).
 */
export function apiRoutes(ctx: AppContext): Router {
  const router = Router();
  const json = express.json({ limit: '256kb', type: ['application/json', 'application/merge-patch+json'] });
  const auth = requireApiToken(ctx.pool, ctx.now);
  const limit = registrationRateLimit(ctx.pool, ctx.limits, ctx.now);

  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.config.baseUrl));
  });

  // Public registration, callable from an organisation's own site: CORS without credentials.
  router.options('/api/v1/events/:slug/registrations', (_req, res) => {
    publicCors(res);
    res.set('Access-Control-Allow-Methods', 'POST');
    res.set('Access-Control-Allow-Headers', 'Content-Type, Accept-Language');
    res.set('Access-Control-Max-Age', '86400');
    res.status(204).end();
  });
  router.post('/api/v1/events/:slug/registrations', (req, res, next) => {
    publicCors(res);
    next();
  });
  router.post('/api/v1/events/:slug/registrations', json, limit, async (req, res) => {
    const body = formFields(req.body);
    const lang = isLanguage(body.locale)
      ? body.locale
      : (fromAcceptLanguage(req.get('accept-language')) ?? 'en');
    res.locals.lang = lang;
    const outcome = await registerAttendee(ctx.pool, {
      slug: String(req.params.slug),
      body,
      pageLang: lang,
      now: ctx.now(),
    });
    if (outcome.status === 'invalid') {
      throw new DomainError('validation_failed', 'errors:invalidForm', {}, outcome.fields);
    }
    // Confirmed, waiting list, already registered: the same answer, and the mail tells the truth.
    res.status(202).json({ status: 'received', message: res.locals.t('api:registrationReceived') });
  });

  router.use('/api/v1', auth, json);

  router.get('/api/v1/events', async (_req, res) => {
    const actor = apiActor(res);
    const summaries = await eventSummaries(ctx.pool, actor.user.role === 'admin' ? null : actor.user.id);
    res.json({
      data: summaries.map((s) => ({
        ...toEventJson(s.event),
        registrations: { confirmed: s.confirmed, waitlisted: s.waitlisted, cancelled: s.cancelled },
      })),
    });
  });

  router.post('/api/v1/events', async (req, res) => {
    const saved = await createEvent(ctx.pool, req.body, actingAs(apiActor(res), ctx.now()));
    res.status(201).location(`/api/v1/events/${saved.event.slug}`).json(toEventJson(saved.event));
  });

  router.get('/api/v1/events/:slug', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    res.json(toEventJson(event));
  });

  router.patch('/api/v1/events/:slug', async (req, res) => {
    const event = await eventWithRight(req, res, 'edit');
    res.json(outcome(await patchEvent(ctx.pool, event.slug, req.body, actingAs(apiActor(res), ctx.now()))));
  });

  router.post('/api/v1/events/:slug/cancel', async (req, res) => {
    const event = await eventWithRight(req, res, 'edit');
    res.json(outcome(await cancelEvent(ctx.pool, event.slug, actingAs(apiActor(res), ctx.now()))));
  });

  router.get('/api/v1/events/:slug/registrations', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    const filters = parseRegistrationFilters(req.query);
    const limitParam = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limitParam) || limitParam < 1 || limitParam > 500) {
      throw new DomainError(
        'validation_failed',
        'errors:invalidFilters',
        {},
        { limit: 'validation:invalid' },
      );
    }
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const slice = await registrationSlice(ctx.pool, event.id, filters, { cursor, limit: limitParam });
    const layout = exportLayout(event, 'en');
    res.json({ data: slice.rows.map((r) => layout.record(r)), nextCursor: slice.nextCursor });
  });

  router.get('/api/v1/events/:slug/registrations/export', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    const format = req.query.format ?? 'json';
    if (!isExportFormat(format)) {
      throw new DomainError(
        'validation_failed',
        'errors:invalidFilters',
        {},
        { format: 'validation:choice' },
      );
    }
    const filters = parseRegistrationFilters(req.query);
    const lang = isLanguage(req.query.lang)
      ? req.query.lang
      : (fromAcceptLanguage(req.get('accept-language')) ?? 'en');
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
  });

  router.get('/api/v1/events/:slug/messages/recipients', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    res.json({
      recipients: await messageRecipients(ctx.pool, event.id, parseRegistrationFilters(req.query)),
    });
  });

  router.get('/api/v1/events/:slug/messages', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    res.json({ data: (await eventMessagesWithProgress(ctx.pool, event.id)).map(messageJson) });
  });

  router.post('/api/v1/events/:slug/messages', async (req, res) => {
    const event = await eventWithRight(req, res, 'edit');
    const body = (typeof req.body === 'object' && req.body) || {};
    const input = parseMessageInput(body);
    const rawFilters = body.filters ?? {};
    if (typeof rawFilters !== 'object' || Array.isArray(rawFilters)) {
      throw new DomainError(
        'validation_failed',
        'errors:invalidFilters',
        {},
        { filters: 'validation:invalid' },
      );
    }
    const filters = parseRegistrationFilters(rawFilters);
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
  });

  router.get('/api/v1/events/:slug/messages/:id', async (req, res) => {
    const event = await eventWithRight(req, res, 'read');
    const id = /^\d{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : 0;
    const message = (await eventMessagesWithProgress(ctx.pool, event.id)).find((m) => m.id === id);
    if (!message) throw new DomainError('not_found', 'errors:notFound');
    res.json(messageJson(message));
  });

  /** The event in the address, if the token's account has `need` on it. */
  async function eventWithRight(req: Request, res: Response, need: 'read' | 'edit'): Promise<EventRecord> {
    return (await eventForActor(ctx.pool, apiActor(res), String(req.params.slug), need)).event;
  }

  return router;
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

/**
 * The registration form's fields from a JSON body: the same names as the form; `consent: true` for
 * the form's `yes`, and custom answers either as `q_<id>` fields or as an `answers` object.
 */
function formFields(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('validation_failed', 'errors:badRequest');
  }
  const b = { ...(body as Record<string, unknown>) };
  if (b.consent === true) b.consent = 'yes';
  const answers = b.answers;
  delete b.answers;
  if (typeof answers === 'object' && answers !== null && !Array.isArray(answers)) {
    for (const [id, value] of Object.entries(answers)) b[`q_${id}`] = value;
  }
  return b;
}
