import express, { Router } from 'express';
import {
  allUsers,
  assertAdmin,
  changeAccountAccess,
  createAccount,
  createPasswordResetLink,
  minPasswordLength,
  roles,
  type Role,
} from '../accounts';
import { withTransaction } from '../db/pool';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import type { Language } from '../i18n';
import { formatInstant } from '../time';
import { actorOf } from './session';
import { formBody } from '../http/body';

/** Times on this page are shown in the zone of the page's language. */
function displayZones(lang: Language): string[] {
  return [lang === 'ja' ? 'Asia/Tokyo' : 'Europe/Zurich'];
}

/** Accounts, for admins: create one, change its role, block or unblock its sign-in. */
export function accountRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '8kb', parameterLimit: 20 });
  router.use('/admin/accounts', (_req, res, next) => {
    assertAdmin(actorOf(res));
    next();
  });

  async function render(res: express.Response, extra: Record<string, unknown> = {}, status = 200) {
    const lang = pageLang(res);
    const zone = displayZones(lang);
    const users = await allUsers(ctx.pool);
    res.status(status).render('admin/accounts', {
      users: users.map((u) => ({
        ...u,
        lastLoginLabel: u.lastLoginAt ? formatInstant(u.lastLoginAt, zone, lang) : null,
      })),
      roles,
      minPasswordLength,
      values: { role: 'organiser' },
      fields: {},
      flash: null,
      resetLink: null,
      ...extra,
    });
  }

  router.get('/admin/accounts', (_req, res) => render(res));

  router.post('/admin/accounts', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const b = req.body ?? {};
    const values = { email: String(b.email ?? ''), name: String(b.name ?? ''), role: String(b.role ?? '') };
    try {
      const user = await withTransaction(ctx.pool, (tx) =>
        createAccount(
          tx,
          { ...values, role: values.role as Role, password: String(b.password ?? ''), locale: pageLang(res) },
          { now: ctx.now(), by: actorOf(res) },
        ),
      );
      await render(res, { flash: res.locals.t('admin:accounts.created', { email: user.email }) }, 201);
    } catch (err) {
      if (!(err instanceof DomainError) || !['validation_failed', 'account_exists'].includes(err.code))
        throw err;
      await render(res, { values, fields: err.fields }, err.code === 'account_exists' ? 409 : 422);
    }
  });

  router.post('/admin/accounts/:id', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const user = await changeAccountAccess(
      ctx.pool,
      Number(req.params.id) || 0,
      { role: String(req.body?.role ?? '') as Role, disabled: req.body?.disabled === 'yes' },
      { now: ctx.now(), by: actorOf(res) },
    );
    await render(res, { flash: res.locals.t('admin:accounts.updated', { email: user.email }) });
  });

  router.post('/admin/accounts/:id/reset-link', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const { token, user, expiresAt } = await createPasswordResetLink(ctx.pool, Number(req.params.id) || 0, {
      now: ctx.now(),
      by: actorOf(res),
    });
    const lang = pageLang(res);
    const expires = formatInstant(expiresAt, displayZones(lang), lang);
    const url = `${ctx.config.baseUrl}/admin/reset/${token}`;
    await render(res, { resetLink: { url, email: user.email, expires } }, 201);
  });

  return router;
}
