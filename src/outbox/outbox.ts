import type { Queryable } from '../db/pool';
import type { MailKind } from './mail-kinds';
import { skipNote } from './mail-notes';
import * as q from './outbox.queries';

/**
 * Recording mails. Call these inside the transaction of the change that causes the mail: the row
 * commits with the change or not at all, so a failed send never loses a registration and a rolled-back
 * registration never sends a mail. The row is its own delivery job: it is due from its
 * `next_attempt_at`, and the worker takes due rows from this table (src/delivery), after commit.
 */

/** Records one mail to one registrant, due now. */
export async function queueMail(tx: Queryable, m: q.MailToQueue): Promise<number> {
  return q.insertOutgoingMail(tx, m);
}

/**
 * Records one mail of `kind` to each of `recipients` (the registrants the caller picked, through
 * src/registrations), due now. With `replacesPending`, pending mails of those kinds
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
  return ids.length;
}
