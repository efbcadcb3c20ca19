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

/** Whose turn it is: the registration a mail is for (0 for an invitee's), and whether it may go now. */
export interface MailTurn {
  registrationId: number;
  /**
   * False while another mail to the registrant must go first: one being sent under a lease that still
   * runs, or an older one that is due now; or while another transaction holds the registrant's lock.
   */
  free: boolean;
}

/**
 * Takes the registrant's mail lock (until commit) for a mail still to be sent (queued, or left
 * 'sending' under a lease that ran out), and says whether it may go now: one mail per registrant is
 * in flight, oldest first, so an update never overtakes the confirmation (not even one whose worker
 * died while sending it: an older mail left 'sending' keeps the newer waiting until it is taken again
 * and sent). An invitee's mail (no
 * registration) is always free. Undefined when the mail is not waiting to be sent. One round trip.
 */
export async function mailTurn(db: Queryable, mailId: number): Promise<MailTurn | undefined> {
  const res = await db.query<{ registration_id: string | null; free: boolean }>(
    `SELECT o.registration_id,
            o.registration_id IS NULL OR (
              pg_try_advisory_xact_lock(${registrationLock('o.registration_id')})
              AND NOT EXISTS (
                SELECT 1 FROM outgoing_mails a
                 WHERE a.registration_id = o.registration_id AND a.id <> o.id
                   AND ((a.status = 'sending' AND (a.locked_until > now() OR a.id < o.id))
                        OR (a.status = 'queued' AND a.id < o.id AND a.next_attempt_at <= now())))
            ) AS free
       FROM outgoing_mails o
      WHERE o.id = $1 AND (o.status = 'queued' OR (o.status = 'sending' AND o.locked_until <= now()))`,
    [mailId],
  );
  const r = res.rows[0];
  return r && { registrationId: Number(r.registration_id ?? 0), free: r.free };
}

/**
 * Claims a mail that is due, in one statement: locks the row for the rest of the transaction, counts
 * the attempt, and leases it for `leaseSeconds` ('sending' until then), so once the transaction commits
 * no other worker takes it while it goes over SMTP with no transaction held. Due: queued with its next
 * attempt now or past, or left 'sending' by a worker whose lease ran out (it died, or its mail server
 * hung past every timeout). The claim's stamp is the attempt number: outcomes are recorded only under
 * it. A claim that does not send after all marks the row skipped or failed, deletes it, or puts it back
 * (`unclaimMail`) before it commits. Undefined when not due, already handled, or another worker holds it.
 */
export async function claimDueMail(
  db: Queryable,
  id: number,
  leaseSeconds: number,
): Promise<OutgoingMail | undefined> {
  const res = await db.query<MailRow>(
    `UPDATE outgoing_mails
        SET attempts = attempts + 1, status = 'sending', locked_until = now() + make_interval(secs => $2)
      WHERE id = (SELECT id FROM outgoing_mails
                   WHERE id = $1 AND status IN ('queued', 'sending') AND next_attempt_at <= now()
                     AND (status = 'queued' OR locked_until <= now())
                   FOR UPDATE SKIP LOCKED)
      RETURNING ${mailColumns}`,
    [id, leaseSeconds],
  );
  return res.rows[0] && toMail(res.rows[0]);
}

/** Puts a claimed mail back to queued (it waits for something, and its job comes again). */
export async function unclaimMail(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE outgoing_mails SET status = 'queued', locked_until = NULL WHERE id = $1`, [id]);
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
