import { Router } from 'express';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { availability } from '../registrations';
import { formView } from '../registrations/form.view';
import { eventView } from './events.view';
import { publicEvent, upcomingEvents } from './events.service';

/** Public pages: the list of upcoming events and each event with its registration form. */
export function eventRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const lang = pageLang(res);
    const now = ctx.now();
    const events = await upcomingEvents(ctx.pool, now);
    res.render('events/index', { events: events.map((e) => eventView(e, lang, now)), path: '/' });
  });

  router.get('/events/:slug', async (req, res) => {
    const lang = pageLang(res);
    const event = await publicEvent(ctx.pool, req.params.slug);
    res.render('events/show', {
      event: eventView(event, lang, ctx.now()),
      form: formView(event, lang, await availability(ctx.pool, event)),
      path: `/events/${event.slug}`,
    });
  });

  return router;
}
