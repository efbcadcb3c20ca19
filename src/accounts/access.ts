import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';
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
