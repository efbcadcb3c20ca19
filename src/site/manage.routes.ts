import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError } from '../errors';
import { eventFileContent, eventFiles, eventView } from '../events';
import type { AppContext } from '../http/context';
import { fileDownloadHeaders } from '../http/download';
import { tokenPage } from './token-page';
import { verifyCsrf } from '../http/csrf';
import { validate } from '../http/validate';
import { preferLanguage } from '../http/language';
import { isLanguage, type Language } from '../i18n';
import { manageView, materialsVisible } from './manage.view';
import {
  canManage,
  cancelRegistration,
  changePreferences,
  correctRegistration,
  registrationForLink,
  type RegistrationWithEvent,
} from '../registrations';
import { formBody } from '../http/body';
import { followJoinLinkToZoom } from '../zoom';

/**
 * The personal links from the mails: /join/<token> (to the current meeting) and /manage/<token> (see,
 * change, cancel). The token is the only credential, so these pages never leak it onward (no referrer),
 * are never cached, and are not for search engines.
 */
export function manageRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '8kb', parameterLimit: 20 });
  const csrf = verifyCsrf(ctx.sessionSecret);
  // The details form carries the event's questions too (a multiple choice sends one field per option).
  const detailsForm = formBody({ limit: '32kb', parameterLimit: 200 });
  router.use(['/join', '/manage'], tokenPage);
  router.get('/join/:token', tokenInput, join(ctx));
  router.get('/manage/:token', manageInput, showManagePage(ctx));
  router.post('/manage/:token', form, csrf, tokenInput, savePreferences(ctx));
  router.post('/manage/:token/details', detailsForm, csrf, tokenInput, saveDetails(ctx));
  router.get('/manage/:token/cancel', tokenInput, confirmCancel(ctx));
  router.post('/manage/:token/cancel', form, csrf, tokenInput, cancel(ctx));
  router.get('/manage/:token/files/:fileId', fileInput, downloadFile(ctx));
  router.get('/manage/:token/join', tokenInput, joinFromManagePage(ctx));
  return router;
}

const tokenInput = validate({ params: z.object({ token: z.string() }) });
const manageInput = validate({
  params: z.object({ token: z.string() }),
  query: z.object({
    done: z
      .unknown()
      .optional()
      .transform((d) => (typeof d === 'string' ? d : undefined)),
  }),
});
const fileInput = validate({
  params: z.object({
    token: z.string(),
    fileId: z.string().transform((id) => (/^\d{1,15}$/.test(id) ? Number(id) : 0)),
  }),
});

/** The manage page's view, with the event's uploaded files when the registrant may see them. */
async function pageView(
  ctx: AppContext,
  found: RegistrationWithEvent,
  lang: Language,
  corrections: { values?: Record<string, unknown>; errors?: Record<string, string> } = {},
) {
  const files = materialsVisible(found) ? await eventFiles(ctx.pool, found.event.id) : [];
  return manageView(found, lang, ctx.now(), files, corrections);
}

/** The registrant corrects their details (not their address); no mail goes out for it. */
function saveDetails(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { token } = tokenInput.input(res).params;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await correctRegistration(ctx.pool, { by: 'registrant', token }, body, ctx.now());
    if (result.ok) {
      res.redirect(303, `/manage/${token}?done=${result.changed.length ? 'corrected' : 'unchanged'}`);
      return;
    }
    const found = await registrationForLink(ctx.pool, token, 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    res.status(422).render('registrations/manage', {
      ...(await pageView(ctx, found, lang, { values: body, errors: result.fields })),
      token,
      notice: undefined,
      fields: {},
      path: `/manage/${token}`,
    });
  };
}

/** A join link: to the meeting when it is open, else a page saying when (or why not). */
function join(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const outcome = await followJoinLinkToZoom(ctx.pool, {
      token: tokenInput.input(res).params.token,
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
  };
}

function showManagePage(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { params, query } = manageInput.input(res);
    const found = await registrationForLink(ctx.pool, params.token, 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    res.render('registrations/manage', {
      ...(await pageView(ctx, found, lang)),
      token: params.token,
      notice: query.done,
      fields: {},
      path: req.path,
    });
  };
}

/** Changes the mail language and interpretation; refused values show the page again with why. */
function savePreferences(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { token } = tokenInput.input(res).params;
    const result = await changePreferences(ctx.pool, { token, body: req.body ?? {}, now: ctx.now() });
    if (result.ok) {
      // The page language is the visitor's, the mail language the registration's: choosing English
      // mails must not turn a Japanese page English, so the page's language goes along.
      const page = isLanguage(req.query.lang) ? `&lang=${req.query.lang}` : '';
      res.redirect(303, `/manage/${token}?done=saved${page}`);
      return;
    }
    const found = await registrationForLink(ctx.pool, token, 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    res.status(422).render('registrations/manage', {
      ...(await pageView(ctx, found, lang)),
      token,
      notice: undefined,
      fields: result.fields,
      path: `/manage/${token}`,
    });
  };
}

function confirmCancel(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { token } = tokenInput.input(res).params;
    const found = await registrationForLink(ctx.pool, token, 'manage');
    const lang = preferLanguage(req, res, found.registration.locale);
    if (!canManage(found, ctx.now())) {
      res.redirect(303, `/manage/${token}`);
      return;
    }
    res.render('registrations/cancel', { ...manageView(found, lang, ctx.now()), token, path: req.path });
  };
}

function cancel(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { token } = tokenInput.input(res).params;
    await cancelRegistration(ctx.pool, { token, now: ctx.now() });
    res.redirect(303, `/manage/${token}?done=cancelled`);
  };
}

/**
 * The registrant's copy of an uploaded file. A token of another event, of a registration that is not
 * confirmed, or a file that is gone: the same "link not valid" page as every other token route.
 */
function downloadFile(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { token, fileId } = fileInput.input(res).params;
    const found = await registrationForLink(ctx.pool, token, 'manage');
    preferLanguage(req, res, found.registration.locale);
    const file = materialsVisible(found)
      ? await eventFileContent(ctx.pool, found.event.id, fileId)
      : undefined;
    if (!file) throw new DomainError('not_found', 'errors:linkInvalid');
    res.set(fileDownloadHeaders(file)).send(file.data);
  };
}

/** The manage page's own join button: the manage token is as good as a join token. */
function joinFromManagePage(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const { token } = tokenInput.input(res).params;
    const outcome = await followJoinLinkToZoom(ctx.pool, {
      token,
      purpose: 'manage',
      now: ctx.now(),
      record: req.method === 'GET',
    });
    res.redirect(
      outcome.state === 'redirect' ? 302 : 303,
      outcome.state === 'redirect' ? outcome.url : `/manage/${token}`,
    );
  };
}
