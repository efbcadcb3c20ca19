import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { actingAs, eventForActor } from '../accounts';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { asRecord, validate } from '../http/validate';
import { decideRegistrations, parseDeclineReason } from '../registrations';
import { apiActor } from './api.auth';

/**
 * The organisers' decision on a registration awaiting approval:
 * `POST /api/v1/events/{slug}/registrations/{id}/approve` and `.../decline` (body optional,
 * `{"reason": {"en": ..., "ja": ...}}` for a decline). 200 with the registration's new status; 409 when
 * it is not pending (or, approving, when the event is full without a waiting list); 404 when unknown.
 * Mounted by apiRoutes after its token check and JSON body parser.
 */
export function approvalApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const path = '/api/v1/events/:slug/registrations/:id';
  router.post(`${path}/approve`, decisionInput, decide(ctx, 'approve'));
  router.post(`${path}/decline`, decisionInput, decide(ctx, 'decline'));
  return router;
}

const decisionInput = validate({
  params: z.object({
    slug: z.string(),
    id: z.string().transform((id) => {
      if (!/^[1-9]\d{0,15}$/.test(id)) throw new DomainError('not_found', 'attendees:errors.notFound');
      return Number(id);
    }),
  }),
  // An empty or absent body is no reason; anything else must be an object with at most `reason`.
  body: (raw: unknown) => {
    const body = raw === undefined || raw === null || raw === '' ? {} : raw;
    const { reason, ...rest } = asRecord(body);
    if (typeof body !== 'object' || Array.isArray(body) || Object.keys(rest).length) {
      throw new DomainError('validation_failed', 'errors:badRequest');
    }
    return { reason: parseDeclineReason(reason) };
  },
});

function decide(ctx: AppContext, decision: 'approve' | 'decline'): RequestHandler {
  return async (_req, res) => {
    const { params, body } = decisionInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    if (decision === 'approve' && body.reason) {
      throw new DomainError('validation_failed', 'errors:badRequest', {}, { reason: 'validation:invalid' });
    }
    const outcome = await decideRegistrations(
      ctx.pool,
      { eventId: event.id, registrationIds: [params.id], decision, reason: body.reason, strict: true },
      actingAs(actor, ctx.now()),
    );
    const status = outcome.confirmed ? 'confirmed' : outcome.waitlisted ? 'waitlisted' : 'declined';
    res.json({ id: params.id, status });
  };
}
