import { withTransaction, type Queryable } from '../db/pool';
import { loggerFor } from '../logger';
import * as q from '../outbox';
import { setInviteSent } from '../registrations';
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
  const claim = q.claimOf(claimed.mail);
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
  const claim = q.claimOf(mail);
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
