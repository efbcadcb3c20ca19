import { Router, type RequestHandler } from 'express';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { formBody } from '../http/body';
import { asRecord, slugParams, validate } from '../http/validate';
import { decideRegistrations, parseDeclineReason, type DecisionOutcome } from '../registrations';
import { eventFor, saveContext } from './admin.context';

/**
 * Approving or declining registrations that await approval, several at once, from the Attendees tab:
 * the list's check boxes (`id`, repeated), the button pressed (`decision`) and, for a decline, the
 * optional reason in each language (`reason_en`, `reason_ja`). Back to the same list page with the
 * outcome in the address, which the list shows as its flash.
 */
export function approvalRoutes(ctx: AppContext): Router {
  const router = Router();
  // Up to a page of ids, plus a reason of 2,000 characters in each language (Japanese takes 9 bytes a character).
  const form = formBody({ limit: '64kb', parameterLimit: 200 });
  router.post(
    '/admin/events/:slug/attendees/decide',
    form,
    verifyCsrf(ctx.sessionSecret),
    decideInput,
    decideHandler(ctx),
  );
  return router;
}

const decideInput = validate({ params: slugParams, body: decisionForm });

/** The form's ids, decision, reason and the list page to go back to. */
function decisionForm(raw: unknown) {
  const body = asRecord(raw);
  const decision = body.decision;
  if (decision !== 'approve' && decision !== 'decline') {
    throw new DomainError('validation_failed', 'errors:badRequest');
  }
  const ids = [body.id ?? []].flat().map(Number);
  if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new DomainError('validation_failed', 'errors:badRequest');
  }
  const reason =
    decision === 'decline' ? parseDeclineReason({ en: body.reason_en, ja: body.reason_ja }) : null;
  const back = typeof body.back === 'string' && /^\?[\w=&%.+-]*$/.test(body.back) ? body.back : '';
  return { decision, ids, reason, back } as const;
}

function decideHandler(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = decideInput.input(res);
    const { event, actor } = await eventFor(ctx, res, params.slug, 'edit');
    const outcome = body.ids.length
      ? await decideRegistrations(
          ctx.pool,
          { eventId: event.id, registrationIds: body.ids, decision: body.decision, reason: body.reason },
          saveContext(ctx, actor),
        )
      : undefined;
    const back = new URLSearchParams(body.back.slice(1));
    back.set('decided', outcome ? outcomeKeys.map((k) => outcome[k]).join('.') : 'none');
    res.redirect(303, `/admin/events/${encodeURIComponent(event.slug)}/attendees?${back.toString()}`);
  };
}

/** The outcome's counts in the order the address carries them. */
const outcomeKeys = ['confirmed', 'waitlisted', 'declined', 'notPending', 'full'] as const;

/**
 * The list's flash after a decision, from `?decided=confirmed.waitlisted.declined.notPending.full`:
 * one sentence per count that is not zero (attendees namespace keys with their counts), or the
 * reminder to tick a registration first.
 */
export function decisionFlash(value: unknown): { key: string; count?: number }[] {
  if (value === 'none') return [{ key: 'attendees:approval.flash.none' }];
  if (typeof value !== 'string' || !/^\d{1,4}(\.\d{1,4}){4}$/.test(value)) return [];
  const counts = value.split('.').map(Number);
  return outcomeKeys.flatMap((k: keyof DecisionOutcome, i) =>
    counts[i] ? [{ key: `attendees:approval.flash.${k}`, count: counts[i] }] : [],
  );
}
