import { Router } from 'express';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import type { Request, Response } from 'express';
import {
  addToCalendarView,
  eventView,
  publicCalendarFile,
  publicEvent,
  registrationWindow,
  upcomingEvents,
  type EventRecord,
} from '../events';
import { availability, formView } from '../registrations';
import { invitationFormValues } from '../invitations';
import { embedFraming, type EmbedView } from './embed';
import { RenderedPages } from './page-cache';

/** Public pages: the list of upcoming events, each event with its registration form, and its .ics. */
export function eventRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const lang = pageLang(res);
    const now = ctx.now();
    const events = await upcomingEvents(ctx.pool, now);
    res.render('events/index', { events: events.map((e) => eventView(e, lang, now)), path: '/' });
  });

  const pages = new RenderedPages({ ttlMs: ctx.config.eventPageCacheSeconds * 1000 });

  // ?invitation=<token>: an invitee's personal link fills the form in with their details.
  router.get('/events/:slug', embedFraming(ctx), async (req, res) => {
    const token = typeof req.query.invitation === 'string' ? req.query.invitation : '';
    if (token || !pages.enabled) {
      const event = await publicEvent(ctx.pool, String(req.params.slug));
      const invited = token ? await invitationFormValues(ctx.pool, event.id, token) : undefined;
      res.render('events/show', await eventPage(req, res, event, invited));
      return;
    }
    const embed = res.locals.embed as EmbedView | undefined;
    const key = [req.params.slug, pageLang(res), embed?.query ?? ''].join('\n');
    const at = ctx.now().getTime();
    let page = pages.fresh(key, at);
    if (page === undefined) {
      const event = await publicEvent(ctx.pool, String(req.params.slug));
      const locals = await eventPage(req, res, event);
      const fingerprint = [
        event.id,
        event.revision,
        event.updatedAt.getTime(),
        locals.form.availability,
        registrationWindow(event, ctx.now()).state,
        ctx.now() >= event.endsAt,
        // The installation's profile is saved apart from the event, and its page shows it.
        JSON.stringify(event.installationBranding),
      ].join(':');
      page = pages.reusable(key, fingerprint, at);
      if (page === undefined) {
        const html = await renderPage(res, 'events/show', { ...locals, csrfToken: pages.csrfPlaceholder });
        page = pages.put(key, fingerprint, html, at);
      }
    }
    const csrfToken = String(res.locals.csrfToken);
    res.type('html').set('ETag', pages.etag(page, csrfToken)).send(pages.personalise(page, csrfToken));
  });

  /** What the event page shows: the event, its calendar links and its form. */
  async function eventPage(
    req: Request,
    res: Response,
    event: EventRecord,
    invited?: Record<string, unknown>,
  ) {
    const lang = pageLang(res);
    const now = ctx.now();
    return {
      event: eventView(event, lang, now),
      calendar: addToCalendarView(event, lang, now, ctx.config.baseUrl),
      form: formView(event, lang, await availability(ctx.pool, event), invited),
      path: `/events/${event.slug}`,
    };
  }

  // The public "Add to calendar" file (METHOD:PUBLISH): the page's times and address, never the meeting.
  router.get('/events/:slug/calendar.ics', async (req, res) => {
    const event = await publicEvent(ctx.pool, req.params.slug);
    const file = publicCalendarFile(event, pageLang(res), ctx.config);
    res
      .set('Content-Type', file.contentType)
      .set('Content-Disposition', `attachment; filename="${file.filename}"`)
      .send(file.body);
  });

  return router;
}

/** Renders a view with the response's locals to a string, without sending it. */
function renderPage(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) =>
    res.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))),
  );
}
