import { loggerFor } from '../logger';
import * as q from '../outbox';
import { claimMails, type Claimed } from './delivery.claim';
import { recordSend, type SendResult } from './delivery.record';
import type { ClaimedMail, DeliveryDeps, DeliveryOutcome } from './delivery.types';

export { DEFAULT_LEASE_SECONDS } from './delivery.claim';
export { defaultRetryPolicy, retryDelaySeconds, isPermanent, failureText } from './delivery.record';
export { ZOOM_WAIT_SECONDS } from './registrant.delivery';
export type { DeliveryDeps, DeliveryOutcome, RetryPolicy } from './delivery.types';

const log = loggerFor('mail');

/**
 * Delivering outgoing mails. `outgoing_mails` is the queue: a row is due from its next_attempt_at, and
 * workers take due rows under a lease:
 *
 * 1. the claim (delivery.claim.ts), one short transaction for a batch: lease due rows, decide what each
 *    mail must be now, mint its links, render;
 * 2. the send, holding neither a transaction nor a database connection while the mail server talks;
 * 3. the record (delivery.record.ts): sent, retry or failed, written only while the row is still
 *    leased under this claim.
 *
 * A crash before the claim commits leaves the rows as they were; a crash after it leaves them 'sending'
 * until their lease runs out, when they are due again and another worker takes them. The one case that
 * can repeat a mail: the server accepted it and the record could not be written.
 */

/**
 * Claims and sends up to `limit` due mails, each recorded as soon as the server answers; resolves with
 * how many were claimed once every one of them is recorded.
 */
export async function deliverDueMails(deps: DeliveryDeps, limit: number): Promise<number> {
  const claimed = await claimMails(deps, { limit });
  const outcomes = await Promise.all(claimed.map((c) => settle(deps, c)));
  for (const [i, outcome] of outcomes.entries())
    log.debug({ mailId: claimed[i]!.mail.id, outcome }, 'mail delivery');
  return claimed.length;
}

/**
 * Delivers the one mail `mailId` if it is due and its turn: 'busy' when it is due but another mail to
 * the registrant goes first (it stays due and is taken once that one is done), 'not_due' when it is
 * not waiting to be sent (sent, skipped, leased by another worker, or not due yet).
 */
export async function deliverMail(deps: DeliveryDeps, mailId: number): Promise<DeliveryOutcome> {
  const [claimed] = await claimMails(deps, { id: mailId });
  if (!claimed) return (await q.mailIsDue(deps.pool, mailId)) ? 'busy' : 'not_due';
  const outcome = await settle(deps, claimed);
  log.debug({ mailId, outcome }, 'mail delivery');
  return outcome;
}

function settle(deps: DeliveryDeps, claimed: Claimed): Promise<DeliveryOutcome> {
  return 'outcome' in claimed ? Promise.resolve(claimed.outcome) : sendAndRecord(deps, claimed);
}

/** How long the record waits between tries while the database is unreachable, in seconds. */
const RECORD_RETRY_SECONDS = [1, 2, 4, 8];

async function sendAndRecord(deps: DeliveryDeps, claimed: ClaimedMail): Promise<DeliveryOutcome> {
  let result: SendResult;
  try {
    await deps.transport.send(claimed.message, { mailId: claimed.mail.id, at: claimed.at });
    result = { ok: true };
  } catch (err) {
    result = { ok: false, err };
  }
  // The server has answered: a record lost now would send an accepted mail again once the lease runs
  // out, so a database that went away for a moment is given a few more tries, well inside the lease.
  for (let i = 0; ; i++) {
    try {
      return await recordSend(deps, claimed, result);
    } catch (err) {
      if (i >= RECORD_RETRY_SECONDS.length) throw err;
      log.warn({ err, mailId: claimed.mail.id }, 'could not record the outcome of a send; trying again');
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_SECONDS[i]! * 1000));
    }
  }
}
