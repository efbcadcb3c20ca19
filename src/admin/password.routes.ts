import express, { Router } from 'express';
import {
  accountForResetLink,
  changeOwnPassword,
  minPasswordLength,
  resetPasswordWithLink,
} from '../accounts';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { actorOf, signIn } from './session';

const form = () => express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

/** The new password and its repeat, as typed into a form. */
function newPassword(body: Record<string, unknown> | undefined) {
  return { password: String(body?.password ?? ''), passwordRepeat: String(body?.passwordRepeat ?? '') };
}

/** Form errors come back to the form (422); any other failure goes to the error page. */
function fieldsOf(err: unknown): Record<string, string> {
  if (err instanceof DomainError && err.code === 'validation_failed') return err.fields;
  throw err;
}

/**
 * Changing one's own password (`/admin/password`, behind sign-in). On success every session of the
 * account ends and this browser gets a fresh one, then the page reloads (so the form carries tokens
 * from the new session).
 */
export function passwordRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/admin/password', (req, res) => {
    const flash = req.query.changed === '1' ? res.locals.t('admin:password.changed') : null;
    res.render('admin/password', { fields: {}, flash, minPasswordLength });
  });

  router.post('/admin/password', form(), verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const actor = actorOf(res);
    const now = ctx.now();
    try {
      const input = { currentPassword: String(req.body?.currentPassword ?? ''), ...newPassword(req.body) };
      await changeOwnPassword(ctx.pool, input, { now, by: actor });
    } catch (err) {
      res.status(422).render('admin/password', { fields: fieldsOf(err), flash: null, minPasswordLength });
      return;
    }
    await signIn(req, actor.user.id, now);
    res.redirect(303, '/admin/password?changed=1');
  });

  return router;
}

/**
 * The one-time reset link an admin hands out (`/admin/reset/:token`, no sign-in). A used, expired,
 * replaced or unknown link answers 404 with the localized error page.
 */
export function resetLinkRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/reset', (_req, res, next) => {
    // The token is in the path: never sent on to another site as a Referer.
    res.set('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get('/admin/reset/:token', async (req, res) => {
    const user = await accountForResetLink(ctx.pool, String(req.params.token), ctx.now());
    res.render('admin/reset', { email: user.email, fields: {}, done: false, minPasswordLength });
  });

  router.post('/admin/reset/:token', form(), verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const token = String(req.params.token);
    const now = ctx.now();
    const user = await accountForResetLink(ctx.pool, token, now);
    try {
      await resetPasswordWithLink(ctx.pool, token, newPassword(req.body), now);
    } catch (err) {
      const fields = fieldsOf(err);
      res.status(422).render('admin/reset', { email: user.email, fields, done: false, minPasswordLength });
      return;
    }
    res.render('admin/reset', { email: user.email, fields: {}, done: true, minPasswordLength });
  });

  return router;
}
