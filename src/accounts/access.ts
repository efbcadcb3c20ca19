import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { eventBySlug, type EventRecord } from '../events';
import { isEventMember } from './accounts.queries';
import type { Actor, EventRight, User } from './accounts.types';

/**
 * Who may do what. Admins: everything. Organisers: create events, and edit those they own or were
 * added to. Viewers: read and export the events they were added to. A blocked account: nothing.
 */

/** The actor's right on one event. */
export async function eventRight(db: Queryable, user: User, event: { id: number }): Promise<EventRight> {
  if (user.disabledAt) return 'none';
  if (user.role === 'admin') return 'edit';
  if (!(await isEventMember(db, event.id, user.id))) return 'none';
  return user.role === 'organiser' ? 'edit' : 'read';
}

/**
 * Refuses unless the actor has `need` on the event. An event the actor may not see at all is
 * `not_found`, so its existence is not revealed; one they may only read is `forbidden`.
 */
export async function assertEventRight(
  db: Queryable,
  actor: Actor,
  event: { id: number; slug: string },
  need: 'read' | 'edit',
): Promise<EventRight> {
  const right = await eventRight(db, actor.user, event);
  if (right === 'none') throw new DomainError('not_found', 'errors:noEventWithSlug', { slug: event.slug });
  if (need === 'edit' && right !== 'edit') throw new DomainError('forbidden', 'errors:forbidden');
  return right;
}

/** Whether the actor may create events (admins and organisers). */
export function canCreateEvents(user: User): boolean {
  return !user.disabledAt && (user.role === 'admin' || user.role === 'organiser');
}

/** Refuses unless the actor is an admin (accounts, every token). */
export function assertAdmin(actor: Actor): void {
  if (actor.user.role !== 'admin' || actor.user.disabledAt)
    throw new DomainError('forbidden', 'errors:forbidden');
}

/** The event with this slug, if the actor has `need` on it (`not_found` / `forbidden` as above). */
export async function eventForActor(
  db: Queryable,
  actor: Actor,
  slug: string,
  need: 'read' | 'edit',
): Promise<{ event: EventRecord; right: EventRight }> {
  const event = await eventBySlug(db, slug);
  if (!event) throw new DomainError('not_found', 'errors:noEventWithSlug', { slug });
  return { event, right: await assertEventRight(db, actor, event, need) };
}

/** How a change by this actor is recorded: the audit label, the account, and when. */
export function actingAs(
  actor: Actor,
  now: Date,
): { now: Date; actor: string; userId: number; mayCreateEvents: boolean } {
  return { now, actor: actor.label, userId: actor.user.id, mayCreateEvents: canCreateEvents(actor.user) };
}
