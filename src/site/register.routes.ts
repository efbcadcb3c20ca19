import { Router } from 'express';
import { addToCalendarView, eventView, publicEvent } from '../events';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { registrationRateLimit } from '../http/rate-limit';
import { availability, formView, registerAttendee } from '../registrations';
import { registerInvited } from '../invitations';
import { formBody } from '../http/body';
import { verifyFormOrCsrf } from '../http/form-token';
import { embedFraming, type EmbedView } from './embed';

/** The form's POST (Post/Redirect/Get) and the neutral "check your inbox" page. */
export function registrationRoutes(ctx: AppContext): Router {
  const router = Router();
  const limit = registrationRateLimit(ctx.pool, ctx.limits, ctx.now);

  router.post(
    '/events/:slug/register',
    formBody({ limit: '32kb', parameterLimit: 200 }),
    // Before the CSRF check, so an embedded form's refusal is shown in its frame too.
    embedFraming(ctx),
    verifyFormOrCsrf(ctx.sessionSecret, ctx.now),
    limit,
    async (req, res) => {
      const lang = pageLang(res);
      const now = ctx.now();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const input = { slug: String(req.params.slug), body, pageLang: lang, now };
      // A form opened from an invitation link carries its token: the registration links back to it.
      const outcome =
        typeof body.invitation === 'string' && body.invitation
          ? await registerInvited(ctx.pool, { ...input, invitation: body.invitation })
          : await registerAttendee(ctx.pool, input);
      if (outcome.status === 'invalid') {
        res.status(422).render('events/show', {
          event: eventView(outcome.event, lang, now),
          calendar: addToCalendarView(outcome.event, lang, now, ctx.config.baseUrl),
          form: formView(
            outcome.event,
            lang,
            await availability(ctx.pool, outcome.event),
            req.body ?? {},
            outcome.fields,
          ),
          path: `/events/${outcome.event.slug}`,
        });
        return;
      }
      const embed = res.locals.embed as EmbedView | undefined;
      const more = embed ? `&${embed.query}` : '';
      res.redirect(303, `/events/${outcome.event.slug}/registered?lang=${outcome.locale}${more}`);
    },
  );

  router.get('/events/:slug/registered', embedFraming(ctx), async (req, res) => {
    const lang = pageLang(res);
    const event = await publicEvent(ctx.pool, String(req.params.slug));
    res.render('registrations/registered', { event: eventView(event, lang, ctx.now()), path: req.path });
  });

  return router;
}
