import { Router } from 'express';
import { assertAdmin } from '../accounts';
import type { AppContext } from '../http/context';
import { outboxViewerRoutes } from './outbox-viewer.routes';
import { actorOf } from './session';

/** The outbox viewer (mails written to DATA_DIR/outbox when no SMTP server is set), for admins. */
export function adminOutboxRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/outbox', (_req, res, next) => {
    assertAdmin(actorOf(res));
    next();
  });
  router.use('/admin', outboxViewerRoutes(ctx));
  return router;
}
