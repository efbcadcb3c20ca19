import { Router } from 'express';
import { completeSetup, logIn, minPasswordLength, setupLinkValid } from '../accounts';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { safeNext, signIn, signOut } from './session';
import { formBody } from '../http/body';

/** Signing in and out, and the one-time setup link that creates the first admin. */
export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '8kb', parameterLimit: 20 });

  router.get('/admin/login', (req, res) => {
    if (res.locals.actor) return res.redirect(303, safeNext(req.query.next));
    res.render('admin/login', { next: safeNext(req.query.next), email: '', error: null });
  });

  router.post('/admin/login', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const email = String(req.body?.email ?? '');
    const next = safeNext(req.body?.next);
    const now = ctx.now();
    try {
      const user = await logIn(ctx.pool, {
        email,
        password: String(req.body?.password ?? ''),
        ip: req.ip ?? '',
        now,
      });
      await signIn(req, user.id, now);
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The page stays on the form with the message, and the status says what happened.
      res.status(err.code === 'login_failed' ? 401 : 429);
      res.render('admin/login', { next, email, error: res.locals.t(err.i18nKey, err.params) });
    }
  });

  router.post('/admin/logout', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    await signOut(req, res);
    res.redirect(303, '/admin/login');
  });

  router.get('/admin/setup/:token', async (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    if (!(await setupLinkValid(ctx.pool, String(req.params.token), ctx.now()))) {
      throw new DomainError('link_invalid', 'errors:setupLinkInvalid');
    }
    res.render('admin/setup', { values: {}, fields: {}, minPasswordLength });
  });

  router.post('/admin/setup/:token', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    const body = req.body ?? {};
    const values = { email: String(body.email ?? ''), name: String(body.name ?? '') };
    const now = ctx.now();
    if (String(body.password ?? '') !== String(body.passwordRepeat ?? '')) {
      res.status(422).render('admin/setup', {
        values,
        fields: { passwordRepeat: 'validation:passwordMismatch' },
        minPasswordLength,
      });
      return;
    }
    try {
      const user = await completeSetup(
        ctx.pool,
        String(req.params.token),
        { ...values, password: String(body.password ?? ''), locale: res.locals.lang },
        now,
      );
      await signIn(req, user.id, now);
      res.redirect(303, '/admin');
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
      res.status(422).render('admin/setup', { values, fields: err.fields, minPasswordLength });
    }
  });

  return router;
}
