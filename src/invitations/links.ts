import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { eventById, type EventRecord } from '../events';
import { hashToken, looksLikeToken, newToken } from '../registrations';
import * as q from './invitations.queries';

/**
 * An invitee's personal links: the pre-filled form (`register`) and one-click unsubscribe. Each mail
 * gets fresh random tokens of which only the SHA-256 is stored, as registrants' links do; older
 * links keep working.
 */

/** Creates a personal link token for an invitee, stores its hash and returns the token. */
export async function mintInvitationLink(
  db: Queryable,
  l: { inviteeId: number; purpose: q.InvitationLinkPurpose; mailId: number | null; at: Date },
): Promise<string> {
  const { token, hash } = newToken();
  await q.insertInvitationLink(db, { ...l, hash });
  return token;
}

/** The invitee behind a personal link, if the token is one. */
export async function inviteeForLink(
  db: Queryable,
  token: string,
  purpose: q.InvitationLinkPurpose,
): Promise<q.Invitee | undefined> {
  return looksLikeToken(token) ? q.inviteeByLinkHash(db, hashToken(token), purpose) : undefined;
}

/** An invitee found by their unsubscribe link, with the event. */
export interface InviteeWithEvent {
  invitee: q.Invitee;
  event: EventRecord;
}

/** The invitee and event behind an unsubscribe link; not found otherwise. */
export async function inviteeForUnsubscribeLink(db: Queryable, token: string): Promise<InviteeWithEvent> {
  const invitee = await inviteeForLink(db, token, 'unsubscribe');
  const event = invitee && (await eventById(db, invitee.eventId));
  if (!invitee || !event) throw new DomainError('not_found', 'errors:linkInvalid');
  return { invitee, event };
}

/**
 * One-click unsubscribe from invitations (RFC 8058): the address gets no more invitations or reminders
 * from this event or any other event of its owner. Repeating it changes nothing.
 */
export async function unsubscribeInvitee(pool: pg.Pool, token: string, now: Date): Promise<InviteeWithEvent> {
  return withTransaction(pool, async (tx) => {
    const found = await inviteeForUnsubscribeLink(tx, token);
    if (await q.setInviteeUnsubscribed(tx, found.invitee.id, now)) {
      await insertAuditEntry(tx, {
        at: now,
        actor: `invitee:${found.invitee.email.toLowerCase()}`,
        action: 'invitations.unsubscribed',
        eventId: found.event.id,
      });
    }
    return { ...found, invitee: { ...found.invitee, unsubscribedAt: found.invitee.unsubscribedAt ?? now } };
  });
}

/** Undoes an invitee's unsubscribe. */
export async function resubscribeInvitee(pool: pg.Pool, token: string, now: Date): Promise<InviteeWithEvent> {
  return withTransaction(pool, async (tx) => {
    const found = await inviteeForUnsubscribeLink(tx, token);
    if (await q.setInviteeUnsubscribed(tx, found.invitee.id, null)) {
      await insertAuditEntry(tx, {
        at: now,
        actor: `invitee:${found.invitee.email.toLowerCase()}`,
        action: 'invitations.resubscribed',
        eventId: found.event.id,
      });
    }
    return { ...found, invitee: { ...found.invitee, unsubscribedAt: null } };
  });
}
