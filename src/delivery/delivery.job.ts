import type pg from 'pg';
import { loggerFor } from '../logger';
import * as q from '../outbox';
import { claimMail } from './delivery.claim';
import { recordSend, type SendResult } from './delivery.record';
import type { ClaimedMail, DeliveryDeps, DeliveryOutcome } from './delivery.types';

export { DEFAULT_LEASE_SECONDS } from './delivery.claim';
export { defaultRetryPolicy, retryDelaySeconds, isPermanent, failureText } from './delivery.record';
export { ZOOM_WAIT_SECONDS } from './registrant.delivery';
export type { DeliveryDeps, DeliveryOutcome, RetryPolicy } from './delivery.types';

const log = loggerFor('mail');

/**
 * Delivering one outgoing mail, the job behind every row of outgoing_mails, under a lease:
 *
 * 1. the claim (delivery.claim.ts), one short transaction: lock the due row, decide what the mail must
 *    be now, mint its links, render, and lease it ('sending' until the lease runs out);
 * 2. the send, holding neither a transaction nor a database connection while the mail server talks;
 * 3. the record (delivery.record.ts), one short transaction: sent, retry or failed, written only while
 *    the row is still leased under this claim.
 *
 * A crash before the claim commits leaves the row as it was; a crash after it leaves the row 'sending'
 * until its lease runs out, when it is due again (the lease sweep queues it) and another worker takes
 * it. The one case that can repeat a mail: the server accepted it and the record could not be written.
 */
export async function deliverMail(deps: DeliveryDeps, mailId: number): Promise<DeliveryOutcome> {
  const claimed = await claimMail(deps, mailId);
  const outcome = 'outcome' in claimed ? claimed.outcome : await sendAndRecord(deps, claimed);
  log.debug({ mailId, outcome }, 'mail delivery');
  return outcome;
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

/**
 * Re-queues mails whose job was lost (a worker killed between taking a job and finishing it, before
 * pg-boss noticed, or killed mid-send with its lease now run out). A duplicate job is harmless: the
 * row lock and the lease let only one delivery happen.
 */
export async function requeueOverdueMails(pool: pg.Pool, overdueSeconds: number): Promise<number> {
  return requeueAll((afterId) => q.overdueMailIds(pool, { overdueSeconds, afterId, limit: 500 }), pool);
}

/** Re-queues the mails left 'sending' by a worker that died mid-send, once their lease has run out. */
export async function requeueExpiredLeases(pool: pg.Pool): Promise<number> {
  return requeueAll((afterId) => q.expiredLeaseMailIds(pool, { afterId, limit: 500 }), pool);
}

async function requeueAll(page: (afterId: number) => Promise<number[]>, pool: pg.Pool): Promise<number> {
  let total = 0;
  let afterId = 0;
  for (;;) {
    const ids = await page(afterId);
    if (!ids.length) return total;
    await q.enqueueDeliveries(pool, ids);
    total += ids.length;
    afterId = ids[ids.length - 1]!;
  }
}
