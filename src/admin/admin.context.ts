import type { Response } from 'express';
import { actingAs, eventForActor, type Actor, type EventRight } from '../accounts';
import type { EventRecord } from '../events';
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
  const { event, right } = await eventForActor(ctx.pool, actor, slug, need);
  res.locals.event = event;
  res.locals.right = right;
  return { event, actor, right };
}

/** How the audit log names an account acting in the workspace, plus its id. */
export function saveContext(ctx: AppContext, actor: Actor) {
  return actingAs(actor, ctx.now());
}
