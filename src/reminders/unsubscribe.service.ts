import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { lockRegistrationMail, optionalKinds, skipNote, skipPendingMailsOf } from '../outbox';
import { registrationForLink, setUnsubscribed, type RegistrationWithEvent } from '../registrations';

/**
 * Unsubscribing (RFC 8058 one-click, or the button on the page): the registration gets no more
 * reminders, follow-up or organiser messages. Confirmations, changes and cancellations still go: they
 * are about the registration itself. Resuming undoes it for what is still to come.
 */

/**
 * Stops optional mails for the registration behind an unsubscribe token, at once: it waits (up to 10 s)
 * for a mail being sent to them right now, then skips every pending optional mail, so nothing more goes
 * out after the answer. Repeating it changes nothing.
 */
export async function unsubscribe(pool: pg.Pool, token: string, now: Date): Promise<RegistrationWithEvent> {
  return withTransaction(pool, async (tx) => {
    const found = await registrationForLink(tx, token, 'unsubscribe');
    await lockRegistrationMail(tx, found.registration.id, 10_000);
    const changed = await setUnsubscribed(tx, found.registration.id, now);
    const skipped = await skipPendingMailsOf(
      tx,
      found.registration.id,
      optionalKinds,
      skipNote('unsubscribed'),
    );
    if (changed) {
      await insertAuditEntry(tx, {
        at: now,
        actor: `attendee:${found.registration.email.toLowerCase()}`,
        action: 'registration.unsubscribed',
        eventId: found.event.id,
        registrationId: found.registration.id,
        data: { skipped },
      });
    }
    return {
      ...found,
      registration: { ...found.registration, unsubscribedAt: found.registration.unsubscribedAt ?? now },
    };
  });
}

/** Undoes an unsubscribe: reminders and messages still to come reach the registrant again. */
export async function resubscribe(pool: pg.Pool, token: string, now: Date): Promise<RegistrationWithEvent> {
  return withTransaction(pool, async (tx) => {
    const found = await registrationForLink(tx, token, 'unsubscribe');
    const changed = await setUnsubscribed(tx, found.registration.id, null);
    if (changed) {
      await insertAuditEntry(tx, {
        at: now,
        actor: `attendee:${found.registration.email.toLowerCase()}`,
        action: 'registration.resubscribed',
        eventId: found.event.id,
        registrationId: found.registration.id,
      });
    }
    return { ...found, registration: { ...found.registration, unsubscribedAt: null } };
  });
}
