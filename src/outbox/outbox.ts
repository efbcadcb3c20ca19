import type { Queryable } from '../db/pool';
import { enqueue, enqueueMany, queues } from '../jobs/queue';
import type { MailKind } from './mail-kinds';
import { skipNote } from './mail-notes';
import * as q from './outbox.queries';

/**
 * Recording mails. Call these inside the transaction of the change that causes the mail: the row and
 * its delivery job commit with the change or not at all, so a failed send never loses a registration
 * and a rolled-back registration never sends a mail. Delivery happens after commit, in the worker.
 */

/** Records one mail to one registrant and queues its delivery. */
export async function queueMail(tx: Queryable, m: q.MailToQueue): Promise<number> {
  const id = await q.insertOutgoingMail(tx, m);
  await enqueueDelivery(tx, id);
  return id;
}

/**
 * Records one mail to one registrant under an id taken beforehand (newMailId) and queues its delivery:
 * the row and its job do not wait for each other, so both go out in one round trip (src/db/pool.ts).
 */
export async function queueMailAs(tx: Queryable, id: number, m: q.MailToQueue): Promise<void> {
  await Promise.all([q.insertOutgoingMail(tx, m, id), enqueueDelivery(tx, id)]);
}

/**
 * Records one mail of `kind` to each of `recipients` (the registrants the caller picked, through
 * src/registrations) and queues their deliveries. With `replacesPending`, pending mails of those kinds
 * for the event are skipped first: the new mail is rendered from the event as it is when delivered, so
 * it carries everything the older ones would have said.
 */
export async function queueEventMails(
  tx: Queryable,
  m: {
    eventId: number;
    kind: MailKind;
    recipients: readonly q.MailRecipient[];
    at: Date;
    replacesPending?: MailKind[];
  },
): Promise<number> {
  if (m.replacesPending?.length) {
    await q.skipPendingEventMails(tx, m.eventId, m.replacesPending, skipNote('replaced', m.kind));
  }
  const ids = await q.insertEventMails(tx, m);
  await enqueueDeliveries(tx, ids);
  return ids.length;
}

/** The delivery job of one mail, optionally not before `startAfter`. */
export async function enqueueDelivery(tx: Queryable, mailId: number, startAfter?: Date): Promise<void> {
  await enqueue(tx, queues.mailDeliver, { mailId }, { startAfter });
}

/** The delivery jobs of many mails, in one statement. */
export async function enqueueDeliveries(tx: Queryable, mailIds: number[]): Promise<void> {
  await enqueueMany(
    tx,
    queues.mailDeliver,
    mailIds.map((mailId) => ({ data: { mailId } })),
  );
}
