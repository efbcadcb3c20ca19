import express, { Router } from 'express';
import { apiTokens, createApiToken, revokeApiToken } from '../accounts';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { formatInstant } from '../time';
import { actorOf } from './session';
import { formBody } from '../http/body';

/** API tokens: each account creates and revokes its own; admins see and revoke everyone's. */
export function tokenRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });

  async function render(res: express.Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(res);
    const lang = pageLang(res);
    const zone = [lang === 'ja' ? 'Asia/Tokyo' : 'Europe/Zurich'];
    const tokens = await apiTokens(ctx.pool, actor.user.role === 'admin' ? null : actor.user.id);
    res.status(status).render('admin/tokens', {
      tokens: tokens.map((tk) => ({
        ...tk,
        createdLabel: formatInstant(tk.createdAt, zone, lang),
        lastUsedLabel: tk.lastUsedAt ? formatInstant(tk.lastUsedAt, zone, lang) : null,
      })),
      showOwner: actor.user.role === 'admin',
      created: null,
      flash: null,
      fields: {},
      name: '',
      ...extra,
    });
  }

  router.get('/admin/tokens', (_req, res) => render(res));

  router.post('/admin/tokens', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const name = String(req.body?.name ?? '');
    try {
      const { token, record } = await createApiToken(
        ctx.pool,
        { name },
        { now: ctx.now(), by: actorOf(res) },
      );
      await render(res, { created: { token, name: record.name } }, 201);
    } catch (err) {
      const e = err as { code?: string; fields?: Record<string, string> };
      if (e.code !== 'validation_failed') throw err;
      await render(res, { fields: e.fields, name }, 422);
    }
  });

  router.post('/admin/tokens/:id/revoke', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const record = await revokeApiToken(ctx.pool, Number(req.params.id) || 0, {
      now: ctx.now(),
      by: actorOf(res),
    });
    await render(res, { flash: res.locals.t('admin:tokens.revokedFlash', { name: record.name }) });
  });

  return router;
}
