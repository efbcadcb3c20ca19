import crypto from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { previewMessage } from '../delivery/preview';
import { DomainError } from '../errors';
import { patchEvent, type EventRecord } from '../events';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { asRecord, slugParams, validate } from '../http/validate';
import {
  eventMessagesWithProgress,
  messageRecipients,
  parseMessageInput,
  sendEventMessage,
  type MessageInput,
  type MessageWithProgress,
} from '../messages';
import { parseRegistrationFilters, type RegistrationFilters } from '../registrations';
import { topicTallies } from '../outbox';
import { eventFor, saveContext } from './admin.context';
import {
  delayOptions,
  followUpFieldErrors,
  followUpFormValues,
  followUpPatch,
  followUpPreviews,
  followUpState,
  followUpValuesFromBody,
  remindersView,
  type FollowUpFormValues,
} from './mails.view';
import {
  filtersInWords,
  messageDetail,
  messageFieldErrors,
  messageFormOptions,
  messageFormValues,
  messageRows,
  progressView,
  type MessageFormValues,
} from './messages.view';
import { formBody } from '../http/body';

/**
 * The event's Mails tab: its reminders and follow-up (with how their mails stand), the follow-up's
 * form, and the organiser's messages to all or some registrants. Reading needs the read right; every
 * form and POST needs the edit right and a CSRF token. A message is shown (count and both languages)
 * before it can be sent.
 */

/** Flash messages a redirect may name (?done=…); anything else in the address is ignored. */
const flashes = ['followUpSaved', 'followUpRemoved', 'unchanged', 'sent'];

const mailsPath = (event: EventRecord) => `/admin/events/${encodeURIComponent(event.slug)}/mails`;

/** A message id from the address: a positive integer, or the page does not exist. */
function messageId(value: unknown): number {
  const id = typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new DomainError('not_found', 'mails:errors.messageNotFound');
  return id;
}

/** The problems of a validation_failed error as the form's fields; any other error is thrown on. */
function fieldsOf(err: unknown, map: (fields: Record<string, string>) => Record<string, string>) {
  if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
  const fields = map(err.fields);
  return Object.keys(fields).length ? fields : { form: err.i18nKey };
}

/** A posted message read as the service reads it: filters and text, or every problem of both. */
function readMessage(body: Record<string, unknown>): {
  filters?: RegistrationFilters;
  input?: MessageInput;
  fields: Record<string, string>;
} {
  const out: { filters?: RegistrationFilters; input?: MessageInput; fields: Record<string, string> } = {
    fields: {},
  };
  try {
    out.filters = parseRegistrationFilters(body);
  } catch (err) {
    Object.assign(out.fields, fieldsOf(err, messageFieldErrors));
  }
  try {
    out.input = parseMessageInput(body);
  } catch (err) {
    Object.assign(out.fields, fieldsOf(err, messageFieldErrors));
  }
  return out;
}

/** The message whose id is in the address, with its progress, if it belongs to this event. */
async function messageOf(ctx: AppContext, event: EventRecord, id: number): Promise<MessageWithProgress> {
  const message = (await eventMessagesWithProgress(ctx.pool, event.id)).find((m) => m.id === id);
  if (!message) throw new DomainError('not_found', 'mails:errors.messageNotFound');
  return message;
}

/**
 * GET /admin/events/:slug/mails (the tab), POST …/mails/follow-up, GET and POST …/mails/messages/new
 * (the form, and back to it from the preview), POST …/mails/messages/preview, POST …/mails/messages
 * (send), GET …/mails/messages/:id and its JSON …/progress.
 */
export function mailRoutes(ctx: AppContext): Router {
  const router = Router();
  // Four texts of up to 20,000 characters each (Japanese is 3 bytes a character in UTF-8), plus rows.
  const form = formBody({ limit: '512kb', parameterLimit: 200 });
  const post = [form, verifyCsrf(ctx.sessionSecret)];
  const tab = '/admin/events/:slug/mails';
  router.get(tab, tabInput, showTab(ctx));
  router.post(`${tab}/follow-up`, ...post, saveFollowUp(ctx));
  router.get(`${tab}/messages/new`, newMessageInput, showMessageForm(ctx));
  // "Change": back from the preview to the form, with everything written kept.
  router.post(`${tab}/messages/new`, ...post, backToMessageForm(ctx));
  router.post(`${tab}/messages/preview`, ...post, showMessagePreview(ctx));
  router.post(`${tab}/messages`, ...post, sendMessage(ctx));
  router.get(`${tab}/messages/:id`, messageInput, showMessage(ctx));
  router.get(`${tab}/messages/:id/progress`, messageInput, messageProgress(ctx));
  return router;
}

/** A flash a redirect named (?done=…), in the page language; anything else in the address is ignored. */
const doneQuery = z.object({ done: z.unknown().optional() });
const flashOf = (res: Response, done: unknown) => {
  const key = String(done ?? '');
  return flashes.includes(key) ? res.locals.t(`mails:done.${key}`) : null;
};

const tabInput = validate({ params: slugParams, query: doneQuery });

function showTab(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = tabInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    await renderTab(ctx, res, event, { flash: flashOf(res, query.done) });
  };
}

/** Saves the follow-up (a patch of the event); a refused one shows the tab again with its problems. */
function saveFollowUp(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const values = followUpValuesFromBody(req.body ?? {});
    const { patch, rows } = followUpPatch(values);
    try {
      const saved = await patchEvent(ctx.pool, event.slug, patch, saveContext(ctx, actor), ctx.registrants);
      const done = !saved.changed.length ? 'unchanged' : values.enabled ? 'followUpSaved' : 'followUpRemoved';
      res.redirect(303, `${mailsPath(event)}?done=${done}#follow-up`);
    } catch (err) {
      const fields = fieldsOf(err, (f) => followUpFieldErrors(f, rows));
      await renderTab(ctx, res, event, { values, fields }, 422);
    }
  };
}

const newMessageInput = validate({ params: slugParams, query: (raw) => messageFormValues(asRecord(raw)) });

/** The new-message form, its filters prefilled from the address (the attendee list's "Message these"). */
function showMessageForm(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = newMessageInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'edit');
    await renderMessageForm(ctx, res, event, query);
  };
}

function backToMessageForm(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    await renderMessageForm(ctx, res, event, messageFormValues(req.body ?? {}));
  };
}

function showMessagePreview(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    await renderPreview(ctx, res, event, req.body ?? {});
  };
}

/** Sends a message the organiser saw in the preview (with its count); otherwise shows the preview. */
function sendMessage(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = messageFormValues(body);
    const { filters, input, fields } = readMessage(body);
    if (!filters || !input) return renderMessageForm(ctx, res, event, values, fields, 422);
    // The count the organiser confirmed; without one (not posted from the preview) show the preview.
    const expected =
      typeof body.expected === 'string' && /^\d{1,9}$/.test(body.expected) ? Number(body.expected) : NaN;
    if (Number.isNaN(expected)) return renderPreview(ctx, res, event, body);
    try {
      const message = await sendEventMessage(ctx.pool, {
        event,
        input,
        filters,
        expected,
        sendKey: typeof body.sendKey === 'string' ? body.sendKey.slice(0, 100) : undefined,
        ctx: saveContext(ctx, actor),
      });
      res.redirect(303, `${mailsPath(event)}/messages/${message.id}?done=sent`);
    } catch (err) {
      await renderMessageForm(ctx, res, event, values, fieldsOf(err, messageFieldErrors), 422);
    }
  };
}

const messageInput = validate({
  params: z.object({ slug: z.string(), id: z.unknown().transform(messageId) }),
  query: doneQuery,
});

function showMessage(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, query } = messageInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const message = await messageOf(ctx, event, params.id);
    const detail = messageDetail(message, event, pageLang(res));
    // "On its way" only while it is: once every mail has been handled the banner says so.
    const sentAndDone = query.done === 'sent' && detail.progress.finished;
    res.render('admin/mails/message', {
      message: detail,
      flash: sentAndDone ? res.locals.t('mails:done.sentFinished') : flashOf(res, query.done),
      flashOnFinish: query.done === 'sent' ? res.locals.t('mails:done.sentFinished') : null,
    });
  };
}

function messageProgress(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = messageInput.input(res);
    const { event } = await eventFor(ctx, res, params.slug, 'read');
    const message = await messageOf(ctx, event, params.id);
    res.json({ ...progressView(message), recipients: message.recipients });
  };
}

/** The tab itself; `values` and `fields` are the follow-up form's after a refused save. */
async function renderTab(
  ctx: AppContext,
  res: Response,
  event: EventRecord,
  extra: { values?: FollowUpFormValues; fields?: Record<string, string>; flash?: string | null } = {},
  status = 200,
) {
  const lang = pageLang(res);
  const now = ctx.now();
  const [tallies, messages] = await Promise.all([
    topicTallies(ctx.pool, event.id),
    eventMessagesWithProgress(ctx.pool, event.id),
  ]);
  const values = extra.values ?? followUpFormValues(event.followUp);
  res.locals.path = mailsPath(event);
  res.status(status).render('admin/mails/index', {
    reminders: remindersView(event, tallies, now, lang),
    followUp: followUpState(event, tallies, now, lang),
    previews: followUpPreviews(event, lang, ctx.config.baseUrl),
    values,
    delays: delayOptions(values.after, lang),
    fields: extra.fields ?? {},
    messages: messageRows(messages, event, lang),
    flash: extra.flash ?? null,
  });
}

/** The new-message form, with the live count for its filters when they can be read. */
async function renderMessageForm(
  ctx: AppContext,
  res: Response,
  event: EventRecord,
  values: MessageFormValues,
  fields: Record<string, string> = {},
  status = 200,
) {
  let count: number | null = null;
  if (!Object.keys(fields).length) {
    try {
      count = await messageRecipients(ctx.pool, event.id, parseRegistrationFilters(values));
    } catch (err) {
      Object.assign(fields, fieldsOf(err, messageFieldErrors));
    }
  }
  res.locals.path = `${mailsPath(event)}/messages/new`;
  res.status(status).render('admin/mails/message-form', {
    values,
    fields,
    count,
    options: messageFormOptions(values, pageLang(res)),
  });
}

/** The check before sending: how many it goes to, and both language versions as they will read. */
async function renderPreview(
  ctx: AppContext,
  res: Response,
  event: EventRecord,
  body: Record<string, unknown>,
) {
  const values = messageFormValues(body);
  const { filters, input, fields } = readMessage(body);
  if (!filters || !input) return renderMessageForm(ctx, res, event, values, fields, 422);
  const count = await messageRecipients(ctx.pool, event.id, filters);
  if (!count) return renderMessageForm(ctx, res, event, values, { form: 'errors:messageNoRecipients' }, 422);
  res.locals.path = `${mailsPath(event)}/messages/new`;
  res.render('admin/mails/message-preview', {
    values,
    count,
    // One key per preview: a double click on Send records one message.
    sendKey: crypto.randomUUID(),
    filters: filtersInWords(filters, pageLang(res)),
    previews: (['en', 'ja'] as const).map((lang) => ({
      lang,
      mail: previewMessage(event, input, lang, ctx.config.baseUrl),
    })),
  });
}
