import type { Queryable } from '../db/pool';

/**
 * Named SQL for a person's mails: what was sent to them (an access request) and scrubbing it (the
 * retention period, an erasure request). A scrubbed mail keeps its kind, status and times for the
 * tallies; its address, subject and secrets go, and one not yet sent is skipped (`erased`).
 */

/** The placeholder address a scrubbed mail row keeps (the column is required). */
export const erasedRecipient = 'erased@erased.invalid';

/** One mail as an access request lists it. */
export interface PersonMail {
  id: number;
  eventId: number | null;
  registrationId: number | null;
  kind: string;
  status: string;
  recipient: string;
  subject: string | null;
  locale: 'en' | 'ja';
  createdAt: Date;
  sentAt: Date | null;
}

const matches = `(registration_id = ANY($1::bigint[]) OR ($2::text IS NOT NULL AND lower(recipient) = lower($2)))`;

/** Mails of these registrations or to this address, oldest first. */
export async function mailsAbout(db: Queryable, ids: number[], email: string | null): Promise<PersonMail[]> {
  const res = await db.query<Record<string, unknown>>(
    `SELECT id, event_id, registration_id, kind, status, recipient, subject, locale, created_at, sent_at
       FROM outgoing_mails WHERE ${matches} ORDER BY created_at, id`,
    [ids, email],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id === null ? null : Number(r.event_id),
    registrationId: r.registration_id === null ? null : Number(r.registration_id),
    kind: r.kind as string,
    status: r.status as string,
    recipient: r.recipient as string,
    subject: r.subject as string | null,
    locale: r.locale as 'en' | 'ja',
    createdAt: r.created_at as Date,
    sentAt: r.sent_at as Date | null,
  }));
}

/**
 * Scrubs the mails of these registrations (or to this address): pending ones are skipped, every one
 * loses its address, subject, secrets and error text. Waits for a mail being sent right now (its row
 * lock). Returns the ids scrubbed (their `.eml` files go too) and how many pending mails it cancelled.
 */
export async function scrubMails(
  db: Queryable,
  ids: number[],
  email: string | null,
): Promise<{ mailIds: number[]; cancelled: number }> {
  const res = await db.query<{ id: string; was: string }>(
    `WITH target AS (SELECT id, status FROM outgoing_mails WHERE ${matches} ORDER BY id FOR UPDATE)
     UPDATE outgoing_mails o
        SET status = CASE WHEN target.status IN ('queued', 'sending') THEN 'skipped' ELSE o.status END,
            last_error = CASE WHEN target.status IN ('queued', 'sending', 'failed') THEN 'erased'
                              ELSE o.last_error END,
            recipient = '${erasedRecipient}', subject = NULL, payload = '{}', locked_until = NULL
       FROM target WHERE o.id = target.id
     RETURNING o.id, target.status AS was`,
    [ids, email],
  );
  return {
    mailIds: res.rows.map((r) => Number(r.id)),
    cancelled: res.rows.filter((r) => r.was === 'queued' || r.was === 'sending').length,
  };
}

/**
 * The retention period of an event, for its invitees' mails (rows of an invitee, not a registration):
 * those not yet sent are skipped, every one loses its address, subject and secrets. Returns the ids
 * scrubbed, whose `.eml` files go too.
 */
export async function scrubEventInviteeMails(db: Queryable, eventId: number): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `UPDATE outgoing_mails
        SET status = CASE WHEN status IN ('queued', 'sending') THEN 'skipped' ELSE status END,
            last_error = CASE WHEN status IN ('queued', 'sending', 'failed') THEN 'erased' ELSE last_error END,
            recipient = '${erasedRecipient}', subject = NULL, payload = '{}', locked_until = NULL
      WHERE event_id = $1 AND invitee_id IS NOT NULL
     RETURNING id`,
    [eventId],
  );
  return res.rows.map((r) => Number(r.id));
}
