import type { Queryable } from '../db/pool';
import type { Language } from '../i18n';
import { mailColumns, toMail, type MailRow, type OutgoingMail } from './outbox.queries';

/**
 * Named queries for delivering outgoing_mails under a lease: take a due row, keep a registrant's mails
 * one at a time and in order, lease the row while it is sent, record the outcome under the claim that
 * sent it, and find the rows whose job or worker was lost.
 */

/**
 * The advisory lock that lets one mail at a time be claimed for a registrant, across every worker
 * process, keyed by the registration id in the SQL expression `id`.
 */
function registrationLock(id: string): string {
  return `hashtextextended('mail-to-registration:' || ${id}::text, 0)`;
}

/**
 * SQL, true while the mail `o` (a table alias) waits to be sent: queued with its next attempt now or
 * past, or left 'sending' by a worker whose lease ran out. The next_attempt_at of a 'sending' row is
 * before its claim, so the first line keeps to the index outgoing_mails_due.
 */
function isDue(o: string): string {
  return `${o}.status IN ('queued', 'sending') AND ${o}.next_attempt_at <= now()
          AND (${o}.status = 'queued' OR ${o}.locked_until <= now())`;
}

/** The columns of an OutgoingMail, of the table updated under the alias `m`. */
const leasedColumns = mailColumns.replace(/(\w+)/g, 'm.$1');

/**
 * Takes up to `limit` mails that are due (queued with their next attempt now or past, or left 'sending'
 * by a worker whose lease ran out) and leases them in one statement: each row is locked for the rest of
 * the caller's transaction, its attempt counted (the claim's stamp: outcomes are recorded only under
 * it), and it is 'sending' until `leaseSeconds` from now, so once the transaction commits no other
 * worker takes it while it goes over SMTP with no transaction held. Rows another transaction holds are
 * passed over (SKIP LOCKED), so workers in many processes take disjoint batches.
 *
 * A registrant's mails go one at a time and oldest first, so an update never overtakes the
 * confirmation (`waitsBehind`), and not while another transaction holds the registrant's mail lock (an
 * unsubscribe waiting for the mail in flight); the lock is then held by the caller until commit. An
 * invitee's mail (no registration) has no such order. With `ids`, only those rows are considered.
 * Earliest due first (the index order); returned by id.
 *
 * The candidates are the earliest due rows, a few times more than asked for since other workers may
 * be leasing some of them right now. Plain (`whoseTurn` false), they are read through
 * outgoing_mails_due alone, which stays cheap however long the queue; but when they are all mails
 * waiting behind others to the same registrants, nothing is leased. `whoseTurn` picks only mails whose
 * turn it is, checking each due row on its way, which costs a look per due row when PostgreSQL reads
 * them all: the caller asks so when the plain lease came back short.
 */
export async function leaseDueMails(
  db: Queryable,
  m: { limit: number; leaseSeconds: number; ids?: readonly number[]; whoseTurn?: boolean },
): Promise<OutgoingMail[]> {
  // The candidates are locked, passing over those another transaction holds, checked again, and the
  // registrant's lock is tried only for the rows updated.
  const res = await db.query<MailRow>(
    `WITH candidates AS MATERIALIZED (
       SELECT h.id FROM outgoing_mails h
        WHERE ${isDue('h')}
          AND ($3::bigint[] IS NULL OR h.id = ANY ($3::bigint[]))
          ${m.whoseTurn ? `AND (h.registration_id IS NULL OR NOT ${waitsBehind('h')})` : ''}
        ORDER BY h.next_attempt_at
        LIMIT $1 * 8
     ), due AS (
       SELECT o.id FROM outgoing_mails o JOIN candidates c ON c.id = o.id
        WHERE ${isDue('o')}
          AND (o.registration_id IS NULL OR NOT ${waitsBehind('o')})
        LIMIT $1
        FOR UPDATE OF o SKIP LOCKED
     )
     UPDATE outgoing_mails m
        SET attempts = m.attempts + 1, status = 'sending', locked_until = now() + make_interval(secs => $2)
       FROM due
      WHERE m.id = due.id
        AND (m.registration_id IS NULL OR pg_try_advisory_xact_lock(${registrationLock('m.registration_id')}))
      RETURNING ${leasedColumns}`,
    [m.limit, m.leaseSeconds, m.ids ?? null],
  );
  return res.rows.map(toMail).sort((a, b) => a.id - b.id);
}

/**
 * SQL, true while the mail `o` (a table alias) must wait behind another mail to its registrant: one
 * leased now, or an older one not sent yet (queued, due or waiting for its retry or its Zoom link, or
 * left 'sending' by a worker that died, which is then taken first).
 */
function waitsBehind(o: string): string {
  return `EXISTS (
    SELECT 1 FROM outgoing_mails a
     WHERE a.registration_id = ${o}.registration_id AND a.id <> ${o}.id
       AND ((a.status = 'sending' AND (a.locked_until > now() OR a.id < ${o}.id))
            OR (a.status = 'queued' AND a.id < ${o}.id)))`;
}

/**
 * Whether a mail is waiting to be sent (queued, or left 'sending' under a lease that ran out), whatever
 * keeps it waiting: a mail that was not leased and is due waits its registrant's turn.
 */
export async function mailIsDue(db: Queryable, id: number): Promise<boolean> {
  const res = await db.query(`SELECT 1 FROM outgoing_mails m WHERE m.id = $1 AND ${isDue('m')}`, [id]);
  return (res.rowCount ?? 0) > 0;
}

/** Puts a claimed mail back to queued, due again after `delaySeconds` (it waits for something). */
export async function unclaimMail(db: Queryable, id: number, delaySeconds: number): Promise<void> {
  await db.query(
    `UPDATE outgoing_mails
        SET status = 'queued', locked_until = NULL, next_attempt_at = now() + make_interval(secs => $2)
      WHERE id = $1`,
    [id, delaySeconds],
  );
}

/** Which lease an outcome is recorded under: the mail and the attempt that claimed it. */
export interface MailClaim {
  id: number;
  attempt: number;
}

/** The claim a leased mail is recorded (or given back) under. */
export function claimOf(mail: OutgoingMail): MailClaim {
  return { id: mail.id, attempt: mail.attempts };
}

/**
 * Gives a mail leased under `claim` but not sent back to the queue, due at once (its worker is
 * stopping); false when the lease was taken over meanwhile.
 */
export async function giveBackMail(db: Queryable, claim: MailClaim): Promise<boolean> {
  const res = await db.query(
    `UPDATE outgoing_mails SET status = 'queued', locked_until = NULL, next_attempt_at = now()
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [claim.id, claim.attempt],
  );
  return res.rowCount === 1;
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
 * Renews the lease of a claimed mail still waiting to be sent: leased again for `leaseSeconds` from
 * now. False (nothing changed) when the claim's lease was taken over.
 */
export async function renewLease(db: Queryable, claim: MailClaim, leaseSeconds: number): Promise<boolean> {
  const res = await db.query(
    `UPDATE outgoing_mails SET locked_until = now() + make_interval(secs => $3)
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [claim.id, claim.attempt, leaseSeconds],
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

/** Takes the registrant's mail lock if free (until commit); false when a mail to them is being sent. */
export async function tryLockRegistrationMail(db: Queryable, registrationId: number): Promise<boolean> {
  const res = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(${registrationLock('$1')}) AS locked`,
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
