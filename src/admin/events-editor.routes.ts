import { Router, type Request, type Response } from 'express';
import { canCreateEvents, type Actor } from '../accounts';
import { DomainError } from '../errors';
import {
  addToCalendarView,
  assertCancellable,
  cancelEvent,
  changeImpact,
  createEvent,
  duplicateEvent,
  eventView,
  importEvent,
  patchEvent,
  toEventJson,
  type EventRecord,
} from '../events';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { LANG_COOKIE } from '../http/language';
import { zoneNaming } from '../time';
import { availability, formView, registrationCounts } from '../registrations';
import { eventFor, saveContext } from './admin.context';
import { duplicateSlug, readEventForm, type ReadForm } from './event-form';
import { errorsFromDomainError } from './event-form.errors';
import {
  formValuesFromEvent,
  newEventValues,
  valuesFromBody,
  type EventFormValues,
  type FormError,
} from './event-form.values';
import { editorView, markPreview, optionPartLabel, type Translate } from './event-form.view';
import { actorOf } from './session';
import { formBody } from '../http/body';

/** What the form page shows besides the values. */
interface FormPage {
  values: EventFormValues;
  errors?: FormError[];
  status?: number;
  blankQuestions?: number;
  /** The mail a save would send, waiting for "Save and send". */
  impact?: { kind: 'update' | 'cancel'; recipients: number };
  flash?: string | null;
  duplicate?: { value: string; error?: string };
}

type Handler = (ctx: AppContext, req: Request, res: Response) => Promise<void>;

const editPath = (slug: string) => `/admin/events/${encodeURIComponent(slug)}/edit`;
const noRows = { materials: [], questions: [], checkedZones: 0 };

function assertCanCreate(actor: Actor): void {
  if (!canCreateEvents(actor.user)) throw new DomainError('forbidden', 'errors:forbidden');
}

function count(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The message for the redirect after a save, publish, cancel or copy (`?saved=1&notified=312`). */
function flashFor(query: Request['query'], t: Translate): string | null {
  const n = count(query.notified);
  if (query.saved) return n ? t('editor:flash.savedNotified', { count: n }) : t('editor:flash.saved');
  if (query.published)
    return n ? t('editor:flash.publishedNotified', { count: n }) : t('editor:flash.published');
  if (query.cancelled)
    return n ? t('editor:flash.cancelled', { count: n }) : t('editor:flash.cancelledQuiet');
  if (query.duplicated) return t('editor:flash.duplicated');
  return null;
}

/** Wanted blank question rows: one, or one more than before when "Add another question" was pressed. */
function blankQuestions(body: Record<string, unknown>): number {
  if (body.action !== 'addQuestion') return 1;
  return Math.min(count(body.blankQuestions) + 1, 10);
}

/** res.render into a string, so the preview can mark up the public page. */
function renderToString(res: Response, view: string, locals: object): Promise<string> {
  return new Promise((resolve, reject) =>
    res.render(view, locals, (err: Error | null, html: string) => (err ? reject(err) : resolve(html))),
  );
}

/** The form page: new (no event on res.locals), or editing the event eventFor() put there. */
async function renderForm(ctx: AppContext, res: Response, page: FormPage): Promise<void> {
  const event = res.locals.event as EventRecord | undefined;
  const t = res.locals.t as Translate;
  const view = editorView({
    values: page.values,
    errors: page.errors ?? [],
    lang: pageLang(res),
    t,
    blankQuestions: page.blankQuestions,
    at: ctx.now(),
    anonymisedAt: event?.anonymisedAt ?? null,
  });
  // The standing hint near time, title and link: who an update would reach right now.
  const confirmed =
    event?.status === 'published' ? (await registrationCounts(ctx.pool, event.id, {})).confirmed : 0;
  res.status(page.status ?? 200).render('admin/events/edit', {
    editing: event ?? null,
    view,
    action: event ? editPath(event.slug) : '/admin/events/new',
    impact: page.impact ? t(`editor:impact.${page.impact.kind}`, { count: page.impact.recipients }) : null,
    inviteHint: confirmed ? t('editor:inviteHint', { count: confirmed }) : null,
    flash: page.flash ?? null,
    canDuplicate: Boolean(event) && canCreateEvents(actorOf(res).user),
    duplicate: page.duplicate ?? { value: event ? duplicateSlug(event.slug) : '' },
    zoneNaming,
    optionPartLabel,
    // A published event's public address, to copy into an invitation right after Publish.
    publicUrl: event?.status === 'published' ? `${ctx.config.baseUrl}/events/${event.slug}` : null,
    // What an organiser pastes into their own page to show the form there (public/embed.js).
    embedSnippet: event
      ? `<script src="${ctx.config.baseUrl}/embed.js" data-event="${event.slug}" data-lang="${res.locals.lang}" async></script>`
      : null,
  });
}

/** A refused save back on the form (422; 409 for a slug in use), or the error itself when it is another. */
async function renderRefused(ctx: AppContext, res: Response, err: unknown, read: ReadForm): Promise<void> {
  const errors = errorsFromDomainError(err, read.rows);
  if (!errors) throw err;
  const status = (err as DomainError).code === 'slug_taken' ? 409 : 422;
  await renderForm(ctx, res, { values: read.values, errors, status });
}

const createFromForm: Handler = async (ctx, req, res) => {
  const actor = actorOf(res);
  assertCanCreate(actor);
  const body = req.body ?? {};
  if (body.action === 'addQuestion') {
    return renderForm(ctx, res, { values: valuesFromBody(body), blankQuestions: blankQuestions(body) });
  }
  const read = readEventForm(body, { status: 'draft' });
  if (!read.input) return renderForm(ctx, res, { values: read.values, errors: read.errors, status: 422 });
  try {
    const saved = await createEvent(ctx.pool, read.input, saveContext(ctx, actor), ctx.registrants);
    res.redirect(303, `${editPath(saved.event.slug)}?saved=1`);
  } catch (err) {
    await renderRefused(ctx, res, err, read);
  }
};

/**
 * Saves the edit form over the event. A change registrants must hear about (time, title, link on a
 * published event) is not saved at first: the form comes back saying how many will be mailed, with a
 * "Save and send" button that posts the same values with confirmMail=yes.
 */
const saveFromForm: Handler = async (ctx, req, res) => {
  const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
  const body = req.body ?? {};
  if (body.action === 'addQuestion') {
    const values = { ...valuesFromBody(body), slug: event.slug };
    return renderForm(ctx, res, { values, blankQuestions: blankQuestions(body) });
  }
  const read = readEventForm(body, { slug: event.slug, status: event.status });
  if (!read.input) return renderForm(ctx, res, { values: read.values, errors: read.errors, status: 422 });
  // The follow-up is edited on the Mails tab, the Zoom link on its own form; this form leaves them as they are.
  // The branding tab edits the event's branding; the form keeps what it has.
  read.input = {
    ...read.input,
    followUp: event.followUp,
    zoom: event.zoom,
    branding: { organisation: event.branding.organisation, accent: event.branding.accent },
  };
  const impact = await changeImpact(ctx.pool, read.input, ctx.registrants);
  if (impact.mail && body.confirmMail !== 'yes') {
    return renderForm(ctx, res, { values: read.values, impact: impact.mail, status: 409 });
  }
  try {
    const saved = await importEvent(ctx.pool, read.input, saveContext(ctx, actor), ctx.registrants);
    res.redirect(303, `${editPath(event.slug)}?saved=1&notified=${saved.notified}`);
  } catch (err) {
    await renderRefused(ctx, res, err, read);
  }
};

/** Copies the event as a new draft under `newSlug`; a bad or taken slug is said at the copy's box. */
const duplicate: Handler = async (ctx, req, res) => {
  const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
  const newSlug = String(req.body?.newSlug ?? '').trim();
  try {
    const saved = await duplicateEvent(
      ctx.pool,
      event.slug,
      newSlug,
      saveContext(ctx, actor),
      ctx.registrants,
    );
    res.redirect(303, `${editPath(saved.event.slug)}?duplicated=1`);
  } catch (err) {
    const errors = errorsFromDomainError(err, noRows);
    if (!errors) throw err;
    const first = errors[0]!;
    await renderForm(ctx, res, {
      values: formValuesFromEvent(toEventJson(event), pageLang(res)),
      duplicate: { value: newSlug, error: (res.locals.t as Translate)(first.key, first.params) },
      status: (err as DomainError).code === 'slug_taken' ? 409 : 422,
    });
  }
};

/** The page that asks before publishing with mail, or before cancelling. */
function renderConfirm(res: Response, action: 'publish' | 'cancel', recipients: number): void {
  res.render('admin/events/confirm', { action, recipients });
}

/** Publishes a draft; when people registered for it meanwhile, asks first how many will be mailed. */
const publish: Handler = async (ctx, req, res) => {
  const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
  if (event.status !== 'draft') throw new DomainError('conflict', 'editor:errors.notDraft');
  const impact = await changeImpact(
    ctx.pool,
    { ...toEventJson(event), status: 'published' },
    ctx.registrants,
  );
  if (impact.mail && req.body?.confirm !== 'yes')
    return renderConfirm(res, 'publish', impact.mail.recipients);
  const saved = await patchEvent(
    ctx.pool,
    event.slug,
    { status: 'published' },
    saveContext(ctx, actor),
    ctx.registrants,
  );
  res.redirect(303, `${editPath(event.slug)}?published=1&notified=${saved.notified}`);
};

/** Cancels a published event, always after a confirmation page that says who gets the cancellation. */
const cancel: Handler = async (ctx, req, res) => {
  const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
  assertCancellable(event);
  if (req.body?.confirm !== 'yes') {
    const impact = await changeImpact(
      ctx.pool,
      { ...toEventJson(event), status: 'cancelled' },
      ctx.registrants,
    );
    return renderConfirm(res, 'cancel', impact.mail?.recipients ?? 0);
  }
  const saved = await cancelEvent(ctx.pool, event.slug, saveContext(ctx, actor), ctx.registrants);
  res.redirect(303, `${editPath(event.slug)}?cancelled=1&notified=${saved.notified}`);
};

/** Drops the `lang` cookie from this response, so a preview in the other language is not sticky. */
function keepWorkspaceLanguage(res: Response): void {
  const set = res.getHeader('Set-Cookie');
  const cookies = Array.isArray(set) ? set : typeof set === 'string' ? [set] : [];
  const kept = cookies.filter((c) => !c.startsWith(`${LANG_COOKIE}=`));
  if (kept.length !== cookies.length) res.setHeader('Set-Cookie', kept);
}

/**
 * The public page as attendees will see it, drafts included, rendered by the same template and view
 * functions as /events/:slug, marked as a preview with registration switched off. `?lang=` picks the
 * page's language without changing the workspace's.
 */
const preview: Handler = async (ctx, req, res) => {
  const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
  keepWorkspaceLanguage(res);
  const lang = pageLang(res);
  const now = ctx.now();
  const page = await renderToString(res, 'events/show', {
    event: eventView(event, lang, now),
    calendar: addToCalendarView(event, lang, now, ctx.config.baseUrl),
    form: formView(event, lang, await availability(ctx.pool, event)),
    path: `/admin/events/${encodeURIComponent(event.slug)}/preview`,
  });
  const banner = await renderToString(res, 'admin/events/preview-banner', {
    status: event.status,
    slug: event.slug,
  });
  res.send(markPreview(page, banner));
};

/**
 * The event editor in the workspace: create, edit, duplicate, publish, cancel, and a preview of the
 * public page. Every save goes through the events service; a change that would mail registrants is
 * shown with its count first and saved only when the organiser confirms. Sign-in is checked by
 * admin.routes.ts; each event route checks the account's right on the event.
 */
export function eventEditorRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '256kb', parameterLimit: 2000 });
  const post = (handler: Handler) => [
    form,
    verifyCsrf(ctx.sessionSecret),
    (req: Request, res: Response) => handler(ctx, req, res),
  ];
  router.get('/admin/events/new', async (_req, res) => {
    assertCanCreate(actorOf(res));
    await renderForm(ctx, res, { values: newEventValues(pageLang(res)) });
  });
  router.post('/admin/events/new', ...post(createFromForm));
  router.get('/admin/events/:slug/edit', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const flash = flashFor(req.query, res.locals.t as Translate);
    await renderForm(ctx, res, { values: formValuesFromEvent(toEventJson(event), pageLang(res)), flash });
  });
  router.post('/admin/events/:slug/edit', ...post(saveFromForm));
  router.post('/admin/events/:slug/duplicate', ...post(duplicate));
  router.post('/admin/events/:slug/publish', ...post(publish));
  router.post('/admin/events/:slug/cancel', ...post(cancel));
  router.get('/admin/events/:slug/preview', (req, res) => preview(ctx, req, res));
  return router;
}
