import express, { Router } from 'express';
import { addEventMember, eventMembers, removeEventMember, userByEmail } from '../accounts';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { eventActivity } from '../registrations';
import { eventFor } from './admin.context';
import { normaliseEmail, searchText } from '../text';
import { formBody } from '../http/body';

/** An event's activity (its audit trail, before and after) and its team (who may work on it). */
export function activityRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });

  router.get('/admin/events/:slug/activity', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'read');
    const lang = pageLang(res);
    const entries = await eventActivity(ctx.pool, event, lang);
    res.render('admin/activity', {
      entries: entries.map((e) => ({ ...e, whenIso: e.occurredAt.toISOString() })),
    });
  });

  async function renderTeam(
    res: express.Response,
    slug: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const { event } = await eventFor(ctx, res, slug, 'read');
    res.status(status).render('admin/team', {
      members: await eventMembers(ctx.pool, event.id),
      flash: null,
      error: null,
      ...extra,
    });
  }

  router.get('/admin/events/:slug/team', (req, res) => renderTeam(res, String(req.params.slug)));

  router.post('/admin/events/:slug/team', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const { event, actor } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const t = res.locals.t;
    // A look-up, not stored: what the input policy refuses is removed, and full-width becomes ASCII.
    const typed = searchText(normaliseEmail(String(req.body?.email ?? ''))).trim();
    const user = await userByEmail(ctx.pool, typed);
    if (!user) return renderTeam(res, event.slug, { error: t('admin:team.unknownAccount') }, 422);
    const remove = req.body?.action === 'remove';
    await withTransaction(ctx.pool, async (tx) => {
      const changed = remove
        ? await removeEventMember(tx, event.id, user.id)
        : await addEventMember(tx, event.id, user.id, ctx.now());
      if (!changed) return;
      await insertAuditEntry(tx, {
        actor: actor.label,
        userId: actor.user.id,
        action: remove ? 'event.member_removed' : 'event.member_added',
        eventId: event.id,
        data: { email: user.email, role: user.role },
        at: ctx.now(),
      });
    });
    await renderTeam(res, event.slug, {
      flash: t(remove ? 'admin:team.removed' : 'admin:team.added', { email: user.email }),
    });
  });

  return router;
}
