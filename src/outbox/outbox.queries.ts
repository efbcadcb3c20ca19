import { prepared, type Queryable } from '../db/pool';
import type { Language } from '../i18n';
import type { MailKind } from './mail-kinds';

/** Named queries for outgoing_mails: the record of every mail the product must send. */

/** A mail to send, recorded in the transaction of the change that caused it. */
export interface MailToQueue {
  kind: MailKind;
  eventId: number;
  registrationId: number;
  recipient: string;
  locale: Language;
  at: Date;
}

/**
 * One recipient of a mail written for many registrants at once (an event's update or cancellation, a
 * reminder, a message), as the registrations folder selects them: this folder never reads that table.
 */
export interface MailRecipient {
  /** The registration's id. */
  id: number;
  eventId: number;
  email: string;
  locale: Language;
}

export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

/** An outgoing mail row. */
export interface OutgoingMail {
  id: number;
  kind: MailKind;
  eventId: number;
  registrationId: number;
  recipient: string;
  locale: Language;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  /** What the mail is about, unique per registration ('reminder:PT1H', 'follow-up', 'message:17'). */
  topic: string | null;
  /** The organiser's message an event.message mail carries. */
  eventMessageId: number | null;
  /** The invitee an invitation mail is for (its registrationId is then 0). */
  inviteeId: number | null;
}

/** An outgoing_mails row as selected with `mailColumns`. */
export interface MailRow {
  id: string;
  kind: MailKind;
  event_id: string;
  registration_id: string;
  recipient: string;
  locale: Language;
  status: MailStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  topic: string | null;
  event_message_id: string | null;
  invitee_id: string | null;
}

/** The columns an OutgoingMail is made of. */
export const mailColumns = `id, kind, event_id, registration_id, recipient, locale, status, attempts, last_error, created_at,
  sent_at, topic, event_message_id, invitee_id`;

/** A selected row as the rest of the code sees it. */
export function toMail(r: MailRow): OutgoingMail {
  return {
    id: Number(r.id),
    kind: r.kind,
    eventId: Number(r.event_id),
    registrationId: Number(r.registration_id),
    recipient: r.recipient,
    locale: r.locale,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    topic: r.topic,
    eventMessageId: r.event_message_id === null ? null : Number(r.event_message_id),
    inviteeId: r.invitee_id === null ? null : Number(r.invitee_id),
  };
}

const insertMailSql = prepared(
  'outbox.insert_mail',
  `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at, next_attempt_at)
   VALUES ($1, $2, $3, $4, $5, $6, now())
   RETURNING id`,
);

/** Inserts one pending mail and returns its id. */
export async function insertOutgoingMail(db: Queryable, m: MailToQueue): Promise<number> {
  const res = await db.query<{ id: string }>(
    insertMailSql([m.kind, m.eventId, m.registrationId, m.recipient, m.locale, m.at]),
  );
  return Number(res.rows[0]!.id);
}

/**
 * One pending mail of `kind` to each recipient, in registration order (the events domain hands them in,
 * as the registrations folder selects them); returns the new mail ids, ascending.
 */
export async function insertEventMails(
  db: Queryable,
  m: { kind: MailKind; recipients: readonly MailRecipient[]; at: Date },
): Promise<number[]> {
  if (!m.recipients.length) return [];
  const res = await db.query<{ id: string }>(
    `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at, next_attempt_at)
     SELECT $1, p.event_id, p.id, p.email, p.locale, $2, now()
       FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS p(id, event_id, email, locale)
      ORDER BY p.id
     RETURNING id`,
    [
      m.kind,
      m.at,
      m.recipients.map((r) => r.id),
      m.recipients.map((r) => r.eventId),
      m.recipients.map((r) => r.email),
      m.recipients.map((r) => r.locale),
    ],
  );
  return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Marks pending mails of `kind` for the event as skipped, because a newer mail of the same kind says
 * everything they would have said. A mail being sent right now is locked and left alone.
 */
export async function skipPendingEventMails(
  db: Queryable,
  eventId: number,
  kinds: MailKind[],
  reason: string,
): Promise<number> {
  const res = await db.query(
    `UPDATE outgoing_mails SET status = 'skipped', last_error = $3
      WHERE id IN (SELECT id FROM outgoing_mails
                    WHERE event_id = $1 AND kind = ANY ($2::text[]) AND status = 'queued'
                    FOR UPDATE SKIP LOCKED)`,
    [eventId, kinds, reason],
  );
  return res.rowCount ?? 0;
}

/** Removes a mail that never went out (a reminder not due any more); its topic can be written again. */
export async function deleteMail(db: Queryable, id: number): Promise<void> {
  // 'sending': claimed by the caller's own transaction, which decided not to send it after all.
  await db.query(`DELETE FROM outgoing_mails WHERE id = $1 AND status IN ('queued', 'sending')`, [id]);
}

/** Gives up on a locked mail that cannot be prepared (no templates for its kind, a render error). */
export async function markMailFailed(db: Queryable, id: number, error: string): Promise<void> {
  await db.query(
    `UPDATE outgoing_mails SET status = 'failed', last_error = $2, payload = '{}' WHERE id = $1`,
    [id, error],
  );
}

/** A mail that must not go out any more (its reason no longer holds), with the reason. */
export async function markMailSkipped(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query(
    `UPDATE outgoing_mails SET status = 'skipped', last_error = $2, payload = '{}' WHERE id = $1`,
    [id, reason],
  );
}

/** A mail to one registrant as the organiser's detail page lists it: what, its delivery state, when. */
export interface RegistrationMail {
  id: number;
  kind: MailKind;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  subject: string | null;
  locale: 'en' | 'ja';
  createdAt: Date;
  sentAt: Date | null;
}

/** Every mail to a registration, newest first. */
export async function mailsForRegistration(
  db: Queryable,
  registrationId: number,
): Promise<RegistrationMail[]> {
  const res = await db.query<Record<string, unknown>>(
    `SELECT id, kind, status, attempts, last_error, subject, locale, created_at, sent_at
       FROM outgoing_mails WHERE registration_id = $1 ORDER BY created_at DESC, id DESC`,
    [registrationId],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as MailKind,
    status: r.status as RegistrationMail['status'],
    attempts: r.attempts as number,
    lastError: r.last_error as string | null,
    subject: r.subject as string | null,
    locale: r.locale as 'en' | 'ja',
    createdAt: r.created_at as Date,
    sentAt: r.sent_at as Date | null,
  }));
}

/** Skips the registrant's pending mails of these kinds, with the reason; returns how many. */
export async function skipPendingMailsOf(
  db: Queryable,
  registrationId: number,
  kinds: readonly MailKind[],
  reason: string,
): Promise<number> {
  const res = await db.query(
    // A mail being sent right now is locked: left alone (its delivery checks the registration again).
    `UPDATE outgoing_mails SET status = 'skipped', last_error = $3, payload = '{}'
      WHERE id IN (SELECT id FROM outgoing_mails
                    WHERE registration_id = $1 AND kind = ANY ($2::text[]) AND status = 'queued'
                    FOR UPDATE SKIP LOCKED)`,
    [registrationId, kinds, reason],
  );
  return res.rowCount ?? 0;
}
