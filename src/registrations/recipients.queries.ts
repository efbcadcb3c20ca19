import type { Queryable } from '../db/pool';
import { displayName } from './names';
import type { RegistrationStatus } from './registration.row';

/**
 * Named queries for who registrations reach: the recipients of bulk mails (reminders, follow-ups,
 * messages, updates, cancellations), how many a change would mail, and names by id for other screens.
 */

/** One recipient of a bulk mail (reminder, follow-up, message), as `src/outbox` writes their rows. */
export interface MailRecipient {
  id: number;
  eventId: number;
  email: string;
  locale: 'en' | 'ja';
}

/**
 * The next `limit` recipients of a reminder or follow-up: confirmed registrants who did not unsubscribe,
 * got their seat before `seatBefore` (when given) and have no mail row for the topic yet, by id after
 * `afterId`. Reads `outgoing_mails` only to leave out those who already have the topic's row.
 */
export async function topicRecipients(
  db: Queryable,
  m: { eventId: number; topic: string; seatBefore: Date | null; afterId: number; limit: number },
): Promise<MailRecipient[]> {
  const res = await db.query<{ id: string; event_id: string; email: string; locale: 'en' | 'ja' }>(
    `SELECT r.id, r.event_id, r.email, r.locale
       FROM registrations r
      WHERE r.event_id = $1 AND r.status = 'confirmed' AND r.unsubscribed_at IS NULL AND r.id > $4
        AND ($3::timestamptz IS NULL OR coalesce(r.promoted_at, r.created_at) < $3)
        AND NOT EXISTS (SELECT 1 FROM outgoing_mails o
                         WHERE o.event_id = $1 AND o.topic = $2 AND o.registration_id = r.id)
      ORDER BY r.id
      LIMIT $5`,
    [m.eventId, m.topic, m.seatBefore, m.afterId, m.limit],
  );
  return res.rows.map(toMailRecipient);
}

/** Whether anyone ever registered for the event (a draft may have registrants from when it was published). */
export async function hasRegistrations(db: Queryable, eventId: number): Promise<boolean> {
  const res = await db.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM registrations WHERE event_id = $1) AS any',
    [eventId],
  );
  return res.rows[0]!.any;
}

/** How many of the event's registrations have one of `statuses` (who a change would mail now). */
export async function registrantCount(
  db: Queryable,
  eventId: number,
  statuses: readonly RegistrationStatus[],
): Promise<number> {
  const res = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM registrations
      WHERE event_id = $1 AND status = ANY($2::text[]) AND erased_at IS NULL`,
    [eventId, statuses],
  );
  return Number(res.rows[0]!.n);
}

/**
 * Everyone registered for the event with one of `statuses`, by id: the recipients of an update or a
 * cancellation, which go to unsubscribed registrants too (they are not optional mails), but not to
 * erased ones (their address is gone).
 */
export async function eventMailRecipients(
  db: Queryable,
  eventId: number,
  statuses: readonly RegistrationStatus[],
): Promise<MailRecipient[]> {
  const res = await db.query<{ id: string; event_id: string; email: string; locale: 'en' | 'ja' }>(
    `SELECT id, event_id, email, locale FROM registrations
      WHERE event_id = $1 AND status = ANY($2::text[]) AND erased_at IS NULL
      ORDER BY id`,
    [eventId, statuses],
  );
  return res.rows.map(toMailRecipient);
}

/** A selected recipient as `src/outbox` takes it. */
export function toMailRecipient(r: {
  id: string;
  event_id: string;
  email: string;
  locale: 'en' | 'ja';
}): MailRecipient {
  return { id: Number(r.id), eventId: Number(r.event_id), email: r.email, locale: r.locale };
}

/** Registrants' names by registration id (within one event), as `displayName` writes them. */
export async function registrantNames(
  db: Queryable,
  eventId: number,
  ids: readonly number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const res = await db.query<{ id: string; family_name: string; given_name: string }>(
    `SELECT id, family_name, given_name FROM registrations WHERE event_id = $1 AND id = ANY($2::bigint[])`,
    [eventId, ids],
  );
  return new Map(
    res.rows.map((r) => [Number(r.id), displayName({ familyName: r.family_name, givenName: r.given_name })]),
  );
}
