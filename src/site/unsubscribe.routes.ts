import { Router, type Request, type Response } from 'express';
import { eventView } from '../events';
import type { AppContext } from '../http/context';
import { tokenPage } from './token-page';
import { preferLanguage } from '../http/language';
import { resubscribeByLink, unsubscribeByLink, unsubscribeState, type UnsubscribeState } from '../reminders';
import { formBody } from '../http/body';

/**
 * /unsubscribe/<token>, the URL in List-Unsubscribe (a registrant's, or an invitee's in an invitation). GET shows what it does and a button; POST (the
 * button, or a mail provider's one-click "List-Unsubscribe=One-Click" with no cookie and no login)
 * unsubscribes at once. The token is the only credential and can do nothing else, so there is no CSRF
 * token here: a provider's POST carries none.
 */
export function unsubscribeRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '1kb', parameterLimit: 5 });
  router.use('/unsubscribe', tokenPage);

  function render(req: Request, res: Response, found: UnsubscribeState, done?: 'unsubscribed' | 'resumed') {
    const lang = preferLanguage(req, res, found.locale);
    res.render('reminders/unsubscribe', {
      event: eventView(found.event, lang, ctx.now()),
      unsubscribed: found.unsubscribed,
      live: found.live,
      texts: found.texts,
      done,
      action: `/unsubscribe/${encodeURIComponent(String(req.params.token))}`,
      path: req.path,
    });
  }

  router.get('/unsubscribe/:token', async (req, res) => {
    render(req, res, await unsubscribeState(ctx.pool, String(req.params.token)));
  });

  router.post('/unsubscribe/:token', form, async (req, res) => {
    render(req, res, await unsubscribeByLink(ctx.pool, String(req.params.token), ctx.now()), 'unsubscribed');
  });

  router.post('/unsubscribe/:token/resume', form, async (req, res) => {
    render(req, res, await resubscribeByLink(ctx.pool, String(req.params.token), ctx.now()), 'resumed');
  });

  return router;
}
