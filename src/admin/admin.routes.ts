import { correctionRoutes } from './corrections.routes';
import { Router } from 'express';
import { canCreateEvents } from '../accounts';
import { eventView } from '../events';
import { eventSummaries } from '../registrations';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { accountRoutes } from './accounts.routes';
import { peopleRoutes } from './people.routes';
import { activityRoutes } from './activity.routes';
import { attendeeRoutes } from './attendees.routes';
import { approvalRoutes } from './approval.routes';
import { authRoutes } from './auth.routes';
import { eventFilesRoutes } from './event-files.routes';
import { brandingAdminRoutes } from './branding.routes';
import { eventEditorRoutes } from './events-editor.routes';
import { mailRoutes } from './mails.routes';
import { adminOutboxRoutes } from './outbox.routes';
import { passwordRoutes, resetLinkRoutes } from './password.routes';
import { bindCsrfToSession } from '../http/csrf';
import { actorOf, loadActor, requireSignIn, sessionMiddleware } from './session';
import { tokenRoutes } from './tokens.routes';
import { invitationRoutes } from './invitations.routes';
import { zoomAdminRoutes } from './zoom.routes';

/**
 * The organiser workspace under /admin. Sessions exist only here; every page but sign-in and setup
 * needs a signed-in account, and each event page checks that account's right on the event.
 */
export function adminRoutes(ctx: AppContext, secure: boolean): Router {
  const router = Router();
  router.use(
    '/admin',
    sessionMiddleware(ctx.pool, ctx.sessionSecret, secure),
    loadActor(ctx.pool, ctx.now),
    bindCsrfToSession(ctx.sessionSecret),
  );
  router.use('/admin', (_req, res, next) => {
    // Workspace pages hold attendees' personal data: never cached, never indexed.
    res.set('Cache-Control', 'no-store');
    res.set('X-Robots-Tag', 'noindex');
    next();
  });
  router.use(authRoutes(ctx));
  router.use(resetLinkRoutes(ctx));
  router.use('/admin', requireSignIn);

  router.get('/admin', async (_req, res) => {
    const actor = actorOf(res);
    const lang = pageLang(res);
    const now = ctx.now();
    const summaries = await eventSummaries(ctx.pool, actor.user.role === 'admin' ? null : actor.user.id);
    res.render('admin/dashboard', {
      canCreate: canCreateEvents(actor.user),
      events: summaries.map((s) => ({ ...s, view: eventView(s.event, lang, now) })),
    });
  });

  router.use(zoomAdminRoutes(ctx));
  router.use(eventEditorRoutes(ctx));
  router.use(correctionRoutes(ctx));
  router.use(approvalRoutes(ctx));
  router.use(attendeeRoutes(ctx));
  router.use(eventFilesRoutes(ctx));
  router.use(brandingAdminRoutes(ctx));
  router.use(mailRoutes(ctx));
  router.use(invitationRoutes(ctx));
  router.use(activityRoutes(ctx));
  router.use(tokenRoutes(ctx));
  router.use(passwordRoutes(ctx));
  router.use(accountRoutes(ctx));
  router.use(peopleRoutes(ctx));
  router.use(adminOutboxRoutes(ctx));
  return router;
}
