import type { Queryable } from '../db/pool';
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

interface MailRow {
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

const columns = `id, kind, event_id, registration_id, recipient, locale, status, attempts, last_error, created_at,
  sent_at, topic, event_message_id, invitee_id`;

function toMail(r: MailRow): OutgoingMail {
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

/** Inserts one pending mail and returns its id. */
export async function insertOutgoingMail(db: Queryable, m: MailToQueue): Promise<number> {
  const res = await db.query<{ id: string }>(
    `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`,
    [m.kind, m.eventId, m.registrationId, m.recipient, m.locale, m.at],
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

/**
 * Locks a mail that is due for the rest of the transaction and counts the attempt: a queued row whose
 * next attempt is now or past, or a row left 'sending' by a worker whose lease ran out (it died, or its
 * mail server hung past every timeout). Such a row is queued again here, so the claim sees one state.
 * Undefined when it is not due, already handled, or another worker holds it.
 */
export async function lockDueMail(db: Queryable, id: number): Promise<OutgoingMail | undefined> {
  const res = await db.query<MailRow>(
    `UPDATE outgoing_mails SET attempts = attempts + 1, status = 'queued', locked_until = NULL
      WHERE id = (SELECT id FROM outgoing_mails
                   WHERE id = $1 AND status IN ('queued', 'sending') AND next_attempt_at <= now()
                     AND (status = 'queued' OR locked_until <= now())
                   FOR UPDATE SKIP LOCKED)
      RETURNING ${columns}`,
    [id],
  );
  return res.rows[0] && toMail(res.rows[0]);
}

/**
 * True when another mail to the registrant must go first: one being sent under a lease that still runs,
 * or an older one that is due now. One mail per registrant is in flight, oldest first, so an update
 * never overtakes the confirmation.
 */
export async function registrantMailAhead(
  db: Queryable,
  m: { registrationId: number; mailId: number },
): Promise<boolean> {
  const res = await db.query(
    `SELECT 1 FROM outgoing_mails
      WHERE registration_id = $1 AND id <> $2
        AND ((status = 'sending' AND locked_until > now())
             OR (status = 'queued' AND id < $2 AND next_attempt_at <= now()))
      LIMIT 1`,
    [m.registrationId, m.mailId],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Leases a locked mail for `leaseSeconds`: it is 'sending' until then, and no transaction is held while
 * it goes over SMTP. The claim is the attempt number lockDueMail counted: the outcome is recorded only
 * while the row is still 'sending' under that number, so a worker whose lease ran out and was taken
 * over cannot overwrite the outcome of the one that took it.
 */
export async function leaseMail(db: Queryable, id: number, leaseSeconds: number): Promise<void> {
  await db.query(
    `UPDATE outgoing_mails SET status = 'sending', locked_until = now() + make_interval(secs => $2)
      WHERE id = $1`,
    [id, leaseSeconds],
  );
}

/** Which lease an outcome is recorded under: the mail and the attempt that claimed it. */
export interface MailClaim {
  id: number;
  attempt: number;
}

/**
 * Records a delivered mail with the language it went out in (the registrant's at that moment), and
 * forgets any secret its row carried. False (nothing changed) when the claim's lease was taken over.
 */
export async function markMailSent(
  db: Queryable,
  claim: MailClaim,
  m: { messageId: string; subject: string; locale: Language; at: Date },
): Promise<boolean> {
  const res = await db.query(
    `UPDATE outgoing_mails
        SET status = 'sent', sent_at = $3, message_id = $4, subject = $5, locale = $6, last_error = NULL,
            payload = '{}', locked_until = NULL
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [claim.id, claim.attempt, m.at, m.messageId, m.subject, m.locale],
  );
  return res.rowCount === 1;
}

/**
 * Puts a mail being sent back to queued after a temporary failure, to be tried again after
 * `delaySeconds`; the time of that attempt, or undefined when the claim's lease was taken over.
 */
export async function markMailForRetry(
  db: Queryable,
  claim: MailClaim,
  m: { error: string; delaySeconds: number },
): Promise<Date | undefined> {
  const res = await db.query<{ next_attempt_at: Date }>(
    `UPDATE outgoing_mails
        SET status = 'queued', locked_until = NULL, last_error = $3,
            next_attempt_at = now() + make_interval(secs => $4)
      WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING next_attempt_at`,
    [claim.id, claim.attempt, m.error, m.delaySeconds],
  );
  return res.rows[0]?.next_attempt_at;
}

/** Gives up on a mail being sent (refused for good, or too many failures); false when taken over. */
export async function markSendingMailFailed(
  db: Queryable,
  claim: MailClaim,
  error: string,
): Promise<boolean> {
  const res = await db.query(
    `UPDATE outgoing_mails SET status = 'failed', last_error = $3, payload = '{}', locked_until = NULL
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [claim.id, claim.attempt, error],
  );
  return res.rowCount === 1;
}

/** Removes a mail that never went out (a reminder not due any more); its topic can be written again. */
export async function deleteMail(db: Queryable, id: number): Promise<void> {
  await db.query(`DELETE FROM outgoing_mails WHERE id = $1 AND status = 'queued'`, [id]);
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

/**
 * Mails whose job was lost, by id after `afterId`: queued and due for at least `overdueSeconds`, or
 * 'sending' under a lease that ran out at least that long ago (the worker died mid-send).
 */
export async function overdueMailIds(
  db: Queryable,
  m: { overdueSeconds: number; afterId: number; limit: number },
): Promise<number[]> {
  // next_attempt_at of a 'sending' row is before its claim, so the first line keeps to outgoing_mails_due.
  const res = await db.query<{ id: string }>(
    `SELECT id FROM outgoing_mails
      WHERE status IN ('queued', 'sending') AND next_attempt_at <= now() - make_interval(secs => $1)
        AND (status = 'queued' OR locked_until <= now() - make_interval(secs => $1))
        AND id > $2
      ORDER BY id
      LIMIT $3`,
    [m.overdueSeconds, m.afterId, m.limit],
  );
  return res.rows.map((r) => Number(r.id));
}

/** Mails left 'sending' under a lease that has run out (their worker died mid-send), by id after `afterId`. */
export async function expiredLeaseMailIds(
  db: Queryable,
  m: { afterId: number; limit: number },
): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `SELECT id FROM outgoing_mails
      WHERE status IN ('queued', 'sending') AND next_attempt_at <= now()
        AND status = 'sending' AND locked_until <= now() AND id > $1
      ORDER BY id
      LIMIT $2`,
    [m.afterId, m.limit],
  );
  return res.rows.map((r) => Number(r.id));
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

/** The advisory lock that lets one mail at a time go to a registrant, across every worker process. */
const registrationLock = `hashtextextended('mail-to-registration:' || $1::text, 0)`;

/** Takes the registrant's mail lock if free (until commit); false when a mail to them is being sent. */
export async function tryLockRegistrationMail(db: Queryable, registrationId: number): Promise<boolean> {
  const res = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(${registrationLock}) AS locked`,
    [registrationId],
  );
  return res.rows[0]!.locked;
}

/**
 * Waits (up to `waitMs`) for a mail being sent to the registrant to finish, then holds their mail lock
 * until commit. True when it got the lock with no mail in flight; false when the wait ran out (a mail
 * server that hangs). A mail is sent outside any transaction, under a lease: holding the lock stops new
 * claims, and the wait goes on until the leased one is recorded (or its lease runs out).
 */
export async function lockRegistrationMail(
  db: Queryable,
  registrationId: number,
  waitMs: number,
): Promise<boolean> {
  const until = Date.now() + waitMs;
  let locked = false;
  for (;;) {
    locked ||= await tryLockRegistrationMail(db, registrationId);
    if (locked && !(await registrantMailInFlight(db, registrationId))) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** True while a mail to the registrant is being sent under a lease that still runs. */
async function registrantMailInFlight(db: Queryable, registrationId: number): Promise<boolean> {
  const res = await db.query(
    `SELECT 1 FROM outgoing_mails
      WHERE registration_id = $1 AND status = 'sending' AND locked_until > now() LIMIT 1`,
    [registrationId],
  );
  return (res.rowCount ?? 0) > 0;
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
