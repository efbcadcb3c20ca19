import { withTransaction, type Queryable } from '../db/pool';
import * as q from '../outbox';
import { LinkTokenBatch } from '../registrations';
import type { ClaimedMail, DeliveryDeps, DeliveryOutcome } from './delivery.types';
import { prepareInvitationMail } from './invitation.delivery';
import { markUnpreparable, prepareRegistrantMail, readBatch, type Prepared } from './registrant.delivery';

/**
 * How long a claimed mail is its worker's alone: longer than the SMTP transport's timeouts together
 * (connection 30 s, greeting 30 s, socket 60 s), so a worker that is alive records its outcome before
 * anyone may take the mail over.
 */
export const DEFAULT_LEASE_SECONDS = 180;

/** A mail of a claim: ready to send, or what became of it instead (its row already says so). */
export type Claimed = ClaimedMail | { mail: q.OutgoingMail; outcome: DeliveryOutcome };

/**
 * The claim: one short transaction that leases a batch of due mails (`leaseDueMails`: a registrant's
 * mails one at a time and oldest first), reads what they need once for the batch, decides what each
 * must be, mints their links (one statement for the batch), renders and composes them. A mail that
 * must not go ends here (skipped, taken back, failed), and one waiting for its Zoom link goes back to
 * queued. A crash before the commit leaves every row as it was. `pick`: up to `limit` due mails, or the
 * one mail `id` if it is due and its turn.
 */
export async function claimMails(
  deps: DeliveryDeps,
  pick: { limit: number } | { id: number },
): Promise<Claimed[]> {
  return withTransaction(deps.pool, async (tx) => {
    const leaseSeconds = deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    const leased =
      'id' in pick
        ? await q.leaseDueMails(tx, { limit: 1, leaseSeconds, ids: [pick.id], whoseTurn: true })
        : await q.leaseDueMails(tx, { limit: pick.limit, leaseSeconds });
    // Short: the earliest due mails may be waiting behind others to their registrants; look past them.
    if ('limit' in pick && leased.length < pick.limit)
      leased.push(
        ...(await q.leaseDueMails(tx, { limit: pick.limit - leased.length, leaseSeconds, whoseTurn: true })),
      );
    if (!leased.length) return [];
    const now = deps.now();
    const ctx = {
      tx,
      config: deps.config,
      now,
      reads: await readBatch(tx, leased),
      tokens: new LinkTokenBatch(),
    };
    const claimed: Claimed[] = [];
    for (const mail of leased) {
      // An invitee's mail (no registration): the row lock and the lease alone keep it to one delivery.
      let prepared: Prepared;
      try {
        prepared =
          mail.registrationId === 0
            ? await invitation(tx, deps, mail)
            : await prepareRegistrantMail(ctx, mail);
      } catch (err) {
        // The database or the connection failed: the whole claim is rolled back, every row as it was.
        if (typeof (err as { code?: unknown }).code === 'string') throw err;
        // A mail that cannot be prepared must not hold back the rest of its batch, claim after claim.
        prepared = { outcome: await markUnpreparable(tx, mail, err) };
      }
      claimed.push(
        'outcome' in prepared ? { mail, outcome: prepared.outcome } : { ...prepared, mail, at: now },
      );
    }
    await ctx.tokens.save(tx);
    return claimed;
  });
}

/** An invitee's invitation or reminder, or what became of it (see invitation.delivery.ts). */
async function invitation(tx: Queryable, deps: DeliveryDeps, mail: q.OutgoingMail): Promise<Prepared> {
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
