import { Router } from 'express';
import { DomainError } from '../errors';
import { eventFileContent, eventFiles, eventView } from '../events';
import type { AppContext } from '../http/context';
import { fileDownloadHeaders } from '../http/download';
import { tokenPage } from './token-page';
import { verifyCsrf } from '../http/csrf';
import { preferLanguage } from '../http/language';
import type { Language } from '../i18n';
import { manageView, materialsVisible } from './manage.view';
import {
  canManage,
  cancelRegistration,
  changePreferences,
  followJoinLink,
  registrationForLink,
  type RegistrationWithEvent,
} from '../registrations';
import { formBody } from '../http/body';

/**
 * The personal links from the mails: /join/<token> (to the current meeting) and /manage/<token> (see,
 * change, cancel). The token is the only credential, so these pages never leak it onward (no referrer),
 * are never cached, and are not for search engines.
 */
export function manageRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '8kb', parameterLimit: 20 });
  router.use(['/join', '/manage'], tokenPage);

  /** The manage page's view, with the event's uploaded files when the registrant may see them. */
  async function pageView(found: RegistrationWithEvent, lang: Language) {
    const files = materialsVisible(found) ? await eventFiles(ctx.pool, found.event.id) : [];
    return manageView(found, lang, ctx.now(), files);
  }

  router.get('/join/:token', async (req, res) => {
    const outcome = await followJoinLink(ctx.pool, {
      token: String(req.params.token),
      purpose: 'join',
      now: ctx.now(),
      record: req.method === 'GET',
    });
    if (outcome.state === 'redirect') {
      res.redirect(302, outcome.url);
      return;
    }
    const lang = preferLanguage(req, res, outcome.registration.locale);
    res.render('registrations/join', {
      state: outcome.state,
      event: eventView(outcome.event, lang, ctx.now()),
      path: req.path,
    });
  });

  router.get('/manage/:token', async (req, res) => {
    const found = await registrationForLink(ctx.pool, String(req.params.token), 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    res.render('registrations/manage', {
      ...(await pageView(found, lang)),
      token: req.params.token,
      notice: typeof req.query.done === 'string' ? req.query.done : undefined,
      fields: {},
      path: req.path,
    });
  });

  router.post('/manage/:token', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const token = String(req.params.token);
    const result = await changePreferences(ctx.pool, { token, body: req.body ?? {}, now: ctx.now() });
    if (result.ok) {
      res.redirect(303, `/manage/${token}?done=saved`);
      return;
    }
    const found = await registrationForLink(ctx.pool, token, 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    res.status(422).render('registrations/manage', {
      ...(await pageView(found, lang)),
      token,
      notice: undefined,
      fields: result.fields,
      path: `/manage/${token}`,
    });
  });

  router.get('/manage/:token/cancel', async (req, res) => {
    const found = await registrationForLink(ctx.pool, String(req.params.token), 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    if (!canManage(found, ctx.now())) {
      res.redirect(303, `/manage/${req.params.token}`);
      return;
    }
    res.render('registrations/cancel', {
      ...manageView(found, lang, ctx.now()),
      token: req.params.token,
      path: req.path,
    });
  });

  router.post('/manage/:token/cancel', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const token = String(req.params.token);
    await cancelRegistration(ctx.pool, { token, now: ctx.now() });
    res.redirect(303, `/manage/${token}?done=cancelled`);
  });

  router.get('/manage/:token/files/:fileId', async (req, res) => {
    // The registrant's copy of an uploaded file. A token of another event, of a registration that is
    // not confirmed, or a file that is gone: the same "link not valid" page as every other token route.
    const found = await registrationForLink(ctx.pool, String(req.params.token), 'manage');
    preferLanguage(req, res, found.registration.locale);
    const fileId = /^\d{1,15}$/.test(String(req.params.fileId)) ? Number(req.params.fileId) : 0;
    const file = materialsVisible(found)
      ? await eventFileContent(ctx.pool, found.event.id, fileId)
      : undefined;
    if (!file) throw new DomainError('not_found', 'errors:linkInvalid');
    res.set(fileDownloadHeaders(file)).send(file.data);
  });

  router.get('/manage/:token/join', async (req, res) => {
    // The manage page's own join button: the manage token is as good as a join token.
    const token = String(req.params.token);
    const outcome = await followJoinLink(ctx.pool, {
      token,
      purpose: 'manage',
      now: ctx.now(),
      record: req.method === 'GET',
    });
    res.redirect(
      outcome.state === 'redirect' ? 302 : 303,
      outcome.state === 'redirect' ? outcome.url : `/manage/${token}`,
    );
  });

  return router;
}
