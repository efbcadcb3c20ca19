import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import {
  accountForResetLink,
  changeOwnPassword,
  minPasswordLength,
  resetPasswordWithLink,
} from '../accounts';
import { DomainError } from '../errors';
import { formBody } from '../http/body';
import type { AppContext } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { validate } from '../http/validate';
import { actorOf, signIn } from './session';

/**
 * Changing one's own password (GET and POST /admin/password, behind sign-in), and the page behind an
 * admin's one-time reset link (GET and POST /admin/reset/:token, no sign-in; a used, expired, replaced
 * or unknown link answers 404 with the localized error page).
 */
export function passwordRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });
  router.get('/admin/password', changedInput, showPasswordForm);
  router.post('/admin/password', form, verifyCsrf(ctx.sessionSecret), changeInput, changePassword(ctx));
  return router;
}

/** The reset link's page; mounted before the sign-in check, since its holder is not signed in. */
export function resetLinkRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });
  router.use('/admin/reset', noReferrer);
  router.get('/admin/reset/:token', resetPageInput, showResetForm(ctx));
  router.post('/admin/reset/:token', form, verifyCsrf(ctx.sessionSecret), resetInput, resetPassword(ctx));
  return router;
}

/** A form field as typed; a missing or repeated field reads as text all the same (the service judges it). */
const typed = z.unknown().transform((v) => (typeof v === 'string' ? v : ''));
const newPasswordFields = { password: typed, passwordRepeat: typed };

const changedInput = validate({ query: z.object({ changed: z.unknown().optional() }) });
const changeInput = validate({ body: z.object({ currentPassword: typed, ...newPasswordFields }) });
const tokenParams = z.object({ token: z.string() });
const resetPageInput = validate({ params: tokenParams });
const resetInput = validate({ params: tokenParams, body: z.object(newPasswordFields) });

/** Form errors come back to the form (422); any other failure goes to the error page. */
function fieldsOf(err: unknown): Record<string, string> {
  if (err instanceof DomainError && err.code === 'validation_failed') return err.fields;
  throw err;
}

function renderPasswordForm(res: Response, extra: { fields?: Record<string, string>; flash?: string }) {
  res.render('admin/password', { fields: {}, flash: null, minPasswordLength, ...extra });
}

const showPasswordForm: RequestHandler = (_req, res) => {
  const { query } = changedInput.input(res);
  renderPasswordForm(res, query.changed === '1' ? { flash: res.locals.t('admin:password.changed') } : {});
};

/**
 * Changes the password; every session of the account ends, and this browser gets a fresh one, then the
 * page reloads (so the form carries tokens from the new session).
 */
function changePassword(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const actor = actorOf(res);
    const now = ctx.now();
    try {
      await changeOwnPassword(ctx.pool, changeInput.input(res).body, { now, by: actor });
    } catch (err) {
      return renderPasswordForm(res.status(422), { fields: fieldsOf(err) });
    }
    await signIn(req, actor.user.id, now);
    res.redirect(303, '/admin/password?changed=1');
  };
}

/** The token is in the path: it is never sent on to another site as a Referer. */
const noReferrer: RequestHandler = (_req, res, next) => {
  res.set('Referrer-Policy', 'no-referrer');
  next();
};

function renderResetForm(res: Response, email: string, extra: { fields?: object; done?: boolean }) {
  res.render('admin/reset', { email, fields: {}, done: false, minPasswordLength, ...extra });
}

function showResetForm(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const user = await accountForResetLink(ctx.pool, resetPageInput.input(res).params.token, ctx.now());
    renderResetForm(res, user.email, {});
  };
}

/** Sets the new password through the link (which then stops working); the person then signs in. */
function resetPassword(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = resetInput.input(res);
    const now = ctx.now();
    const user = await accountForResetLink(ctx.pool, params.token, now);
    try {
      await resetPasswordWithLink(ctx.pool, params.token, body, now);
    } catch (err) {
      return renderResetForm(res.status(422), user.email, { fields: fieldsOf(err) });
    }
    renderResetForm(res, user.email, { done: true });
  };
}
