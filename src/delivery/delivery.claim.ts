import { withTransaction } from '../db/pool';
import * as q from '../outbox';
import type { ClaimedMail, DeliveryDeps, DeliveryOutcome } from './delivery.types';
import { prepareInvitationMail } from './invitation.delivery';
import { markUnpreparable, prepareRegistrantMail, type Prepared } from './registrant.delivery';

/**
 * How long a claimed mail is its worker's alone: longer than the SMTP transport's timeouts together
 * (connection 30 s, greeting 30 s, socket 60 s), so a worker that is alive records its outcome before
 * anyone may take the mail over.
 */
export const DEFAULT_LEASE_SECONDS = 180;

/** Seconds to wait before trying again when another mail to the same registrant goes first. */
const BUSY_DELAY_SECONDS = 2;

/**
 * The claim: one short transaction that takes a due mail, decides what it must be, mints its links,
 * renders and composes it, and leases it ('sending' until the lease runs out). Mails to one registrant
 * go one at a time and oldest first: the registrant's advisory lock is held only for this transaction,
 * and a mail is refused ('busy', queued again shortly) while another to them is leased or an older one
 * is due. A mail that must not go ends here (skipped, taken back, failed), and one waiting for its
 * Zoom link goes back to queued. A crash before the commit leaves the row as it was.
 */
export async function claimMail(
  deps: DeliveryDeps,
  mailId: number,
): Promise<ClaimedMail | { outcome: DeliveryOutcome }> {
  return withTransaction(deps.pool, async (tx) => {
    const turn = await q.mailTurn(tx, mailId);
    if (!turn) return { outcome: 'not_due' as const };
    if (!turn.free) {
      await q.enqueueDelivery(tx, mailId, new Date(Date.now() + BUSY_DELAY_SECONDS * 1000));
      return { outcome: 'busy' as const };
    }
    // An invitee's mail (no registration): the row lock and the lease alone keep it to one delivery.
    const mail = await q.claimDueMail(tx, mailId, deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
    if (!mail) return { outcome: 'not_due' as const };
    const now = deps.now();
    const prepared: Prepared =
      turn.registrationId === 0
        ? await invitation(tx, deps, mail)
        : await prepareRegistrantMail(tx, deps, mail, now);
    if ('outcome' in prepared) return prepared;
    return { ...prepared, mail, at: now };
  });
}

/** An invitee's invitation or reminder, or what became of it (see invitation.delivery.ts). */
async function invitation(
  tx: Parameters<typeof prepareInvitationMail>[0],
  deps: DeliveryDeps,
  mail: q.OutgoingMail,
): Promise<Prepared> {
  let prepared: Awaited<ReturnType<typeof prepareInvitationMail>>;
  try {
    prepared = await prepareInvitationMail(tx, deps, mail);
  } catch (err) {
    return { outcome: await markUnpreparable(tx, mail, err) };
  }
  if (!('skip' in prepared)) return prepared;
  await q.markMailSkipped(tx, mail.id, prepared.skip);
  return { outcome: 'skipped' };
}
