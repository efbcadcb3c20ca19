import { Router } from 'express';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { addToCalendarView, eventView, publicCalendarFile, publicEvent, upcomingEvents } from '../events';
import { availability, formView } from '../registrations';
import { invitationFormValues } from '../invitations';
import { embedFraming } from './embed';

/** Public pages: the list of upcoming events, each event with its registration form, and its .ics. */
export function eventRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const lang = pageLang(res);
    const now = ctx.now();
    const events = await upcomingEvents(ctx.pool, now);
    res.render('events/index', { events: events.map((e) => eventView(e, lang, now)), path: '/' });
  });

  // ?invitation=<token>: an invitee's personal link fills the form in with their details.
  router.get('/events/:slug', embedFraming(ctx), async (req, res) => {
    const lang = pageLang(res);
    const event = await publicEvent(ctx.pool, String(req.params.slug));
    const now = ctx.now();
    const token = typeof req.query.invitation === 'string' ? req.query.invitation : '';
    const invited = token ? await invitationFormValues(ctx.pool, event.id, token) : undefined;
    res.render('events/show', {
      event: eventView(event, lang, now),
      calendar: addToCalendarView(event, lang, now, ctx.config.baseUrl),
      form: formView(event, lang, await availability(ctx.pool, event), invited),
      path: `/events/${event.slug}`,
    });
  });

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
