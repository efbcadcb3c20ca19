import { isDatabaseUnavailable } from '../db/unavailable';
import { loggerFor } from '../logger';
import * as q from '../outbox';
import { claimMails, DEFAULT_LEASE_SECONDS, type Claimed } from './delivery.claim';
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
 * can repeat a mail: the server accepted it and the record could not be written. A message's end (which
 * makes the server accept it) waits until fewer than UNRECORDED_AT_ONCE (2) of the worker's mails are
 * between their end and their record, so a worker that dies repeats at most that many.
 */

/**
 * Claims and sends up to `limit` due mails, each recorded as soon as the server answers; resolves with
 * how many were claimed once every one of them is recorded.
 */
export async function deliverDueMails(deps: DeliveryDeps, limit: number): Promise<number> {
  // The leases start when the claim's statement runs, after this instant.
  const leasedAt = Date.now();
  const claimed = await claimMails(deps, { limit });
  // Every mail of the batch is settled before the next claim, even when one's record failed.
  const settled = await Promise.allSettled(claimed.map((c) => settle(deps, c, leasedAt)));
  for (const [i, s] of settled.entries()) {
    if (s.status === 'fulfilled')
      log.debug({ mailId: claimed[i]!.mail.id, outcome: s.value }, 'mail delivery');
    else
      log.error(
        { err: s.reason, mailId: claimed[i]!.mail.id },
        'could not record a mail; sent again after its lease',
      );
  }
  return claimed.length;
}

/**
 * Delivers the one mail `mailId` if it is due and its turn: 'busy' when it is due but another mail to
 * the registrant goes first (it stays due and is taken once that one is done), 'not_due' when it is
 * not waiting to be sent (sent, skipped, leased by another worker, or not due yet).
 */
export async function deliverMail(deps: DeliveryDeps, mailId: number): Promise<DeliveryOutcome> {
  const leasedAt = Date.now();
  const [claimed] = await claimMails(deps, { id: mailId });
  if (!claimed) return (await q.mailIsDue(deps.pool, mailId)) ? 'busy' : 'not_due';
  const outcome = await settle(deps, claimed, leasedAt);
  log.debug({ mailId, outcome }, 'mail delivery');
  return outcome;
}

function settle(deps: DeliveryDeps, claimed: Claimed, leasedAt: number): Promise<DeliveryOutcome> {
  return 'outcome' in claimed ? Promise.resolve(claimed.outcome) : sendAndRecord(deps, claimed, leasedAt);
}

/** How long the record waits between tries while the database is unreachable, in seconds. */
const RECORD_RETRY_SECONDS = [1, 2, 4, 8];

async function sendAndRecord(
  deps: DeliveryDeps,
  claimed: ClaimedMail,
  leasedAt: number,
): Promise<DeliveryOutcome> {
  const entered = await enterGate(deps, claimed, leasedAt);
  if (entered === 'closed')
    return (await q.giveBackMail(deps.pool, q.claimOf(claimed.mail))) ? 'given_back' : 'taken_over';
  if (!entered) return 'taken_over';
  // The message's end waits for a place among the few mails that may be accepted and not yet recorded.
  let recorded: (() => void) | undefined;
  let sendSettled = false;
  const gate = deps.gate;
  const beforeEnd =
    gate &&
    (async () => {
      const place = await gate.end();
      // The send failed while it waited (its connection was lost): the place goes straight back.
      if (sendSettled) place();
      else recorded = place;
    });
  let result: SendResult;
  try {
    await deps.transport.send(claimed.message, { mailId: claimed.mail.id, at: claimed.at, beforeEnd });
    result = { ok: true };
  } catch (err) {
    result = { ok: false, err };
  } finally {
    sendSettled = true;
    entered();
  }
  try {
    return await record(deps, claimed, result);
  } finally {
    recorded?.();
  }
}

/**
 * The server has answered: a record lost now would send an accepted mail again once the lease runs
 * out. A database that went away for a moment is given a few more tries, well inside the lease; for a
 * mail the server accepted, as many as it takes while the database is unreachable, so its place is
 * kept and no further mail of this worker is accepted unrecorded meanwhile.
 */
async function record(
  deps: DeliveryDeps,
  claimed: ClaimedMail,
  result: SendResult,
): Promise<DeliveryOutcome> {
  for (let i = 0; ; i++) {
    try {
      return await recordSend(deps, claimed, result);
    } catch (err) {
      const waitForDatabase = result.ok && isDatabaseUnavailable(err);
      if (i >= RECORD_RETRY_SECONDS.length && !waitForDatabase) throw err;
      log.warn({ err, mailId: claimed.mail.id }, 'could not record the outcome of a send; trying again');
      const delay = RECORD_RETRY_SECONDS[Math.min(i, RECORD_RETRY_SECONDS.length - 1)]!;
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
  }
}

/** A mail that waited longer than this for a slot of the gate has its lease renewed before it is sent. */
const WAITED_MS = 1000;

/**
 * Takes a slot of the worker's send gate, if it has one, renewing the mail's lease every quarter lease
 * while it waits and once more as it enters after any real wait; resolves to the function that gives
 * the slot back, undefined when the lease was taken over meanwhile or that last renewal failed (the
 * mail is then not sent now; it is due again when its lease runs out), or 'closed' when the worker is
 * stopping (the caller gives the mail back to the queue).
 */
async function enterGate(
  deps: DeliveryDeps,
  claimed: ClaimedMail,
  leasedAt: number,
): Promise<(() => void) | undefined | 'closed'> {
  if (!deps.gate) return () => undefined;
  const leaseSeconds = deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const claim = q.claimOf(claimed.mail);
  let renewed = leasedAt;
  let lost = false;
  const renew = async () => {
    const at = Date.now();
    try {
      if (await q.renewLease(deps.pool, claim, leaseSeconds)) renewed = at;
      else lost = true;
    } catch (err) {
      log.warn({ err, mailId: claim.id }, 'could not renew the lease of a mail waiting to be sent');
    }
  };
  const renewing = new Set<Promise<void>>();
  const release = await deps.gate.enter(
    () => {
      const p = renew().finally(() => renewing.delete(p));
      renewing.add(p);
    },
    (leaseSeconds * 1000) / 4,
  );
  await Promise.all(renewing);
  if (!release) return 'closed';
  // After any real wait the mail goes only with a lease renewed just now: a whole lease ahead of it.
  if (!lost && Date.now() - renewed > WAITED_MS) {
    const before = renewed;
    await renew();
    if (renewed === before) lost = true;
  }
  if (lost) {
    release();
    log.warn({ mailId: claim.id }, 'lease not renewed while the mail waited to be sent; not sending it now');
    return undefined;
  }
  return release;
}
