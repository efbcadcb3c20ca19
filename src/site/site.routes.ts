import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../http/context';
import { eventRoutes } from './event-page.routes';
import { manageRoutes } from './manage.routes';
import { registrationRoutes } from './register.routes';
import { unsubscribeRoutes } from './unsubscribe.routes';

/**
 * The public site: the event list and pages (with the registration form), the form's POST and its
 * thank-you page, the personal links (join, manage, unsubscribe) and the privacy notice.
 */
export function siteRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/privacy', privacyPage);
  router.use(eventRoutes(ctx));
  router.use(registrationRoutes(ctx));
  router.use(manageRoutes(ctx));
  router.use(unsubscribeRoutes(ctx));
  return router;
}

/** The privacy notice: what is stored about registrants and why. */
function privacyPage(_req: Request, res: Response): void {
  res.render('privacy', {});
}
