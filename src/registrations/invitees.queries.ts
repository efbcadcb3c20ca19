import { emailsFound, type Queryable } from '../db/pool';

/**
 * What invitations ask of registrations, by address (lower-cased): who is registered at an event, and
 * who unsubscribed from the mails of an event of the same owner. Reads only; invitations keep their
 * own table.
 */

/** Which of `emails` hold a live (not cancelled) registration at the event. */
export async function registeredEmails(
  db: Queryable,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  return emailsFound(
    db,
    `SELECT DISTINCT lower(email) AS email FROM registrations
      WHERE event_id = $1 AND status <> 'cancelled' AND lower(email) = ANY($2::text[])`,
    eventId,
    emails,
  );
}

/**
 * Which of `emails` unsubscribed as registrants of this event or of any event with the same owner
 * account: the owner's invitations must not reach them again.
 */
export async function unsubscribedRegistrantEmails(
  db: Queryable,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  return emailsFound(
    db,
    `SELECT DISTINCT lower(r.email) AS email
       FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE r.unsubscribed_at IS NOT NULL AND lower(r.email) = ANY($2::text[])
        AND (e.id = $1 OR e.owner_id = (SELECT owner_id FROM events WHERE id = $1))`,
    eventId,
    emails,
  );
}
