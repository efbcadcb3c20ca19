import type pg from 'pg';
import { withTransaction, type Queryable } from '../db/pool';
import { loggerFor } from '../logger';
import * as q from '../outbox';
import { setInviteSent, setInvitesSent } from '../registrations';
import type { ClaimedMail, DeliveryDeps, DeliveryOutcome, RetryPolicy } from './delivery.types';

const log = loggerFor('mail');

/**
 * 1, 2, 4 … minutes, then hourly: the 32nd attempt comes about 26 hours after the first, so a mail
 * server that is down for a day still gets every mail.
 */
export const defaultRetryPolicy: RetryPolicy = { baseSeconds: 60, maxSeconds: 3600, maxAttempts: 32 };

/** The delay after the `attempt`-th failed attempt. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/** What the mail server said: it took the message, or it did not (the error). */
export type SendResult = { ok: true } | { ok: false; err: unknown };

/**
 * The record: one short transaction that writes the outcome of a send (sent and what the registrant's
 * calendar now holds, or a retry, or failed), only while the mail is still leased under this claim.
 * When the lease ran out and another worker took the mail over, nothing is written: 'taken_over'.
 */
export async function recordSend(
  deps: DeliveryDeps,
  claimed: ClaimedMail,
  result: SendResult,
): Promise<DeliveryOutcome> {
  const claim = { id: claimed.mail.id, attempt: claimed.mail.attempts };
  const sent = {
    messageId: String(claimed.message.messageId),
    subject: claimed.subject,
    locale: claimed.locale,
    at: claimed.at,
  };
  const invite = claimed.invite;
  // A mail without an invite is recorded in one statement: no transaction needed around it.
  if (result.ok && !invite)
    return (await q.markMailSent(deps.pool, claim, sent)) ? 'sent' : takenOver(claimed.mail);
  return withTransaction(deps.pool, async (tx) => {
    if (!result.ok) return recordFailure(tx, deps.policy, claimed.mail, result.err);
    if (!(await q.markMailSent(tx, claim, sent))) return takenOver(claimed.mail);
    await setInviteSent(tx, invite!.registrationId, invite!.snapshot);
    return 'sent';
  });
}

/**
 * Records the mails the server took, many per transaction: a send that finishes while a record is
 * being written waits for it and goes into the next one, as in a group commit, so a worker sending
 * many mails at once writes one transaction for several of them rather than one each. Each caller
 * learns its own outcome ('sent', or 'taken_over' when its lease was taken over); a record that could
 * not be written rejects every mail in it (the caller tries them again one by one).
 */
export class SentRecorder {
  private pending: {
    claimed: ClaimedMail;
    done: (o: DeliveryOutcome) => void;
    fail: (e: unknown) => void;
  }[] = [];
  private writing = false;

  constructor(private readonly pool: pg.Pool) {}

  /** Records a mail the server took; resolves once its record is committed. */
  sent(claimed: ClaimedMail): Promise<DeliveryOutcome> {
    return new Promise((done, fail) => {
      this.pending.push({ claimed, done, fail });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          const recorded = await recordSentMany(
            this.pool,
            batch.map((b) => b.claimed),
          );
          for (const b of batch) b.done(recorded.has(b.claimed.mail.id) ? 'sent' : takenOver(b.claimed.mail));
        } catch (err) {
          for (const b of batch) b.fail(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** Sent, for mails the server took, under their claims, with what their registrants' calendars now hold. */
async function recordSentMany(pool: pg.Pool, claimed: readonly ClaimedMail[]): Promise<Set<number>> {
  const sent = claimed.map((c) => ({
    id: c.mail.id,
    attempt: c.mail.attempts,
    messageId: String(c.message.messageId),
    subject: c.subject,
    locale: c.locale,
    at: c.at,
  }));
  // Mails without an invite are recorded in one statement: no transaction needed around it.
  if (!claimed.some((c) => c.invite)) return q.markMailsSent(pool, sent);
  return withTransaction(pool, async (tx) => {
    const recorded = await q.markMailsSent(tx, sent);
    await setInvitesSent(
      tx,
      claimed.filter((c) => c.invite && recorded.has(c.mail.id)).map((c) => c.invite!),
    );
    return recorded;
  });
}

/**
 * Permanent: a 5xx answer to this recipient or this message (RCPT TO, DATA). Everything else is
 * temporary and retried: 4xx, a lost connection, a full disk, and also a 5xx to our login or our sender
 * address, which is the installation's problem to fix, not a reason to give up on the registrant.
 */
export function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: unknown; command?: unknown };
  const code = e.responseCode;
  return (
    typeof code === 'number' && code >= 500 && code < 600 && (e.command === 'RCPT TO' || e.command === 'DATA')
  );
}

/** The server's own words when it gave any, else the error. */
export function failureText(err: unknown): string {
  const e = err as { response?: unknown; message?: unknown; code?: unknown };
  const text = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? err);
  return (typeof e.code === 'string' && !text.includes(e.code) ? `${e.code}: ${text}` : text).slice(0, 2000);
}

async function recordFailure(
  tx: Queryable,
  policy: RetryPolicy,
  mail: q.OutgoingMail,
  err: unknown,
): Promise<DeliveryOutcome> {
  const claim = { id: mail.id, attempt: mail.attempts };
  const text = failureText(err);
  if (isPermanent(err)) {
    if (!(await q.markSendingMailFailed(tx, claim, text))) return takenOver(mail);
    log.warn({ mailId: mail.id, kind: mail.kind, error: text }, 'mail refused for good');
    return 'failed';
  }
  if (mail.attempts >= policy.maxAttempts) {
    if (!(await q.markSendingMailFailed(tx, claim, `gave up after ${mail.attempts} attempts: ${text}`)))
      return takenOver(mail);
    log.warn({ mailId: mail.id, kind: mail.kind, error: text }, 'mail given up after repeated failures');
    return 'failed';
  }
  const delaySeconds = retryDelaySeconds(policy, mail.attempts);
  const next = await q.markMailForRetry(tx, claim, { error: text, delaySeconds });
  if (!next) return takenOver(mail);
  log.info({ mailId: mail.id, attempt: mail.attempts, delaySeconds, error: text }, 'mail deferred');
  return 'retry';
}

function takenOver(mail: q.OutgoingMail): 'taken_over' {
  log.warn(
    { mailId: mail.id, kind: mail.kind, attempt: mail.attempts },
    'lease ran out before the outcome was recorded; another worker took the mail over',
  );
  return 'taken_over';
}
