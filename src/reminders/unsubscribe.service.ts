import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { lockRegistrationMail, optionalKinds, skipNote, skipPendingMailsOf } from '../outbox';
import { registrationForLink, setUnsubscribed, type RegistrationWithEvent } from '../registrations';
import { DomainError } from '../errors';
import type { EventRecord } from '../events';
import type { Language } from '../i18n';
import {
  inviteeForUnsubscribeLink,
  resubscribeInvitee,
  unsubscribeInvitee,
  type InviteeWithEvent,
} from '../invitations';

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

/** What the unsubscribe page shows, whether the link is a registrant's or an invitee's. */
export interface UnsubscribeState {
  event: EventRecord;
  locale: Language;
  unsubscribed: boolean;
  /** A registrant who may resume (not cancelled); an invitee always may. */
  live: boolean;
  /** Which texts the page uses: a registrant's optional mails, or an invitee's invitations. */
  texts: 'reminders:unsubscribe' | 'invitations:unsubscribe';
}

function fromRegistration(found: RegistrationWithEvent): UnsubscribeState {
  return {
    event: found.event,
    locale: found.registration.locale,
    unsubscribed: found.registration.unsubscribedAt !== null,
    live: found.registration.status !== 'cancelled',
    texts: 'reminders:unsubscribe',
  };
}

function fromInvitee(found: InviteeWithEvent): UnsubscribeState {
  return {
    event: found.event,
    locale: found.invitee.locale,
    unsubscribed: found.invitee.unsubscribedAt !== null,
    live: true,
    texts: 'invitations:unsubscribe',
  };
}

/**
 * Runs `asRegistrant` for a registrant's unsubscribe token, else `asInvitee` for an invitee's: the
 * tokens are random, so one is never mistaken for the other. Not found when it is neither.
 */
async function eitherToken(
  token: string,
  asRegistrant: () => Promise<RegistrationWithEvent>,
  asInvitee: () => Promise<InviteeWithEvent>,
): Promise<UnsubscribeState> {
  try {
    return fromRegistration(await asRegistrant());
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'not_found') throw err;
    return fromInvitee(await asInvitee());
  }
}

/** The state behind any unsubscribe link (a registrant's or an invitee's), for the page. */
export function unsubscribeState(pool: pg.Pool, token: string): Promise<UnsubscribeState> {
  return eitherToken(
    token,
    () => registrationForLink(pool, token, 'unsubscribe'),
    () => inviteeForUnsubscribeLink(pool, token),
  );
}

/** One-click unsubscribe by any unsubscribe link: a registrant's optional mails, or an invitee's invitations. */
export function unsubscribeByLink(pool: pg.Pool, token: string, now: Date): Promise<UnsubscribeState> {
  return eitherToken(
    token,
    () => unsubscribe(pool, token, now),
    () => unsubscribeInvitee(pool, token, now),
  );
}

/** Undoes an unsubscribe by any unsubscribe link. */
export function resubscribeByLink(pool: pg.Pool, token: string, now: Date): Promise<UnsubscribeState> {
  return eitherToken(
    token,
    () => resubscribe(pool, token, now),
    () => resubscribeInvitee(pool, token, now),
  );
}
