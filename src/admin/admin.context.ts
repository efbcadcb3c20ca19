import type { Response } from 'express';
import { assertEventRight, type Actor, type EventRight } from '../accounts';
import { DomainError } from '../errors';
import { eventBySlug, type EventRecord } from '../events';
import type { AppContext } from '../http/context';
import { actorOf } from './session';

/**
 * What every workspace handler needs first: the event in the address, checked against the signed-in
 * account's rights. Puts `event` and `right` on res.locals for the event's navigation.
 */
export async function eventFor(
  ctx: AppContext,
  res: Response,
  slug: string,
  need: 'read' | 'edit',
): Promise<{ event: EventRecord; actor: Actor; right: EventRight }> {
  const actor = actorOf(res);
  const event = await eventBySlug(ctx.pool, slug);
  if (!event) throw new DomainError('not_found', 'errors:noEventWithSlug', { slug });
  const right = await assertEventRight(ctx.pool, actor, event, need);
  res.locals.event = event;
  res.locals.right = right;
  return { event, actor, right };
}

/** How the audit log names an account acting in the workspace, plus its id. */
export function saveContext(ctx: AppContext, actor: Actor) {
  return { now: ctx.now(), actor: actor.label, userId: actor.user.id };
}
