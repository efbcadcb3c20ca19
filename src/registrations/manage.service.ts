import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { eventById, lockedEvent, type EventRecord } from '../events';
import { isLanguage, type Language } from '../i18n';
import { optionalKinds, queueMail, skipNote, skipPendingMailsOf } from '../outbox';
import * as q from './registrations.queries';
import type { LinkPurpose, Registration } from './registration.row';
import { hashToken, looksLikeToken } from './tokens';
import { syncZoomSoon } from './zoom-sync';

/**
 * What a registrant does through the personal links in their mails: follow the join link, see and
 * change their registration, cancel it. And what a freed seat causes: the waiting list moves up.
 */

/** A registration and its event, as the manage page shows them. */
export interface RegistrationWithEvent {
  registration: Registration;
  event: EventRecord;
}

/** The registration behind a link token; `not_found` for anything that is not a live token. */
export async function registrationForLink(
  db: Queryable,
  token: string,
  purpose: LinkPurpose,
): Promise<RegistrationWithEvent> {
  const registration = looksLikeToken(token)
    ? await q.registrationByTokenHash(db, hashToken(token), purpose)
    : undefined;
  const event = registration && (await eventById(db, registration.eventId));
  if (!registration || !event) throw new DomainError('not_found', 'errors:linkInvalid');
  return { registration, event };
}

/** Where a join link leads: the current meeting, or a page saying why not. */
export type JoinOutcome =
  | { state: 'redirect'; url: string }
  | ({
      state: 'cancelled' | 'waitlisted' | 'pending' | 'declined' | 'event_cancelled' | 'no_meeting_link';
    } & RegistrationWithEvent);

/**
 * Follows a join link. A confirmed registrant of a published event is sent to the event's CURRENT
 * meeting URL, so a changed Zoom link needs no new mail; the click is counted (first and last) when
 * `record` is set, which the route does for GET and not for HEAD (link checkers in mail filters).
 */
export async function followJoinLink(
  pool: pg.Pool,
  req: { token: string; purpose: LinkPurpose; now: Date; record: boolean },
  /** The registrant's own meeting link (Zoom's personal join URL), when a caller above knows one. */
  personalUrl?: (registrationId: number) => Promise<string | null>,
): Promise<JoinOutcome> {
  const found = await registrationForLink(pool, req.token, req.purpose);
  const { registration, event } = found;
  if (event.status === 'cancelled') return { state: 'event_cancelled', ...found };
  if (event.status !== 'published') return { state: 'no_meeting_link', ...found };
  if (registration.status === 'cancelled') return { state: 'cancelled', ...found };
  // Only a seat leads to the meeting: not the waiting list, nor a registration awaiting or refused approval.
  if (registration.status !== 'confirmed') return { state: registration.status, ...found };
  const url = (personalUrl && (await personalUrl(registration.id))) || event.meetingUrl;
  if (!url) return { state: 'no_meeting_link', ...found };
  if (req.record) await q.recordJoinClick(pool, registration.id, req.now);
  return { state: 'redirect', url };
}

/**
 * Whether the registration can still be changed or cancelled (withdrawn, while it awaits approval): until
 * the event ends. A declined one cannot.
 */
export function canManage({ registration, event }: RegistrationWithEvent, now: Date): boolean {
  return (
    registration.status !== 'cancelled' &&
    registration.status !== 'declined' &&
    event.status !== 'cancelled' &&
    now < event.endsAt
  );
}

/**
 * Cancels the registration behind a manage token: frees the seat, moves the waiting list up, and
 * queues the cancellation mail (which carries a calendar CANCEL when the registrant holds an invite).
 * Cancelling twice is not an error: the second time changes nothing.
 */
export async function cancelRegistration(
  pool: pg.Pool,
  req: { token: string; now: Date },
): Promise<{ alreadyCancelled: boolean; locale: Language }> {
  const found = await registrationForLink(pool, req.token, 'manage');
  return withTransaction(pool, async (tx) => {
    const event = await lockedEvent(tx, found.event.id);
    const reg = (await q.registrationById(tx, found.registration.id, { lock: true }))!;
    if (reg.status === 'cancelled') return { alreadyCancelled: true, locale: reg.locale };
    if (!canManage({ registration: reg, event }, req.now)) {
      throw new DomainError('registration_closed', 'errors:registrationLocked');
    }
    await q.cancelRegistrationRow(tx, reg.id, req.now);
    await queueMail(tx, {
      kind: 'registration.cancelled',
      eventId: event.id,
      registrationId: reg.id,
      recipient: reg.email,
      locale: reg.locale,
      at: req.now,
    });
    await insertAuditEntry(tx, {
      actor: `attendee:${reg.email.toLowerCase()}`,
      action: 'registration.cancelled',
      eventId: event.id,
      registrationId: reg.id,
      data: { previousStatus: reg.status },
      at: req.now,
    });
    if (reg.status === 'confirmed') await promoteWaiting(tx, event, req.now);
    await syncZoomSoon(tx, event);
    return { alreadyCancelled: false, locale: reg.locale };
  });
}

/**
 * Gives free seats to the waiting list, first come first served, each with a confirmation mail. Call it
 * with the event row locked (lockedEvent) whenever a seat may have freed up. Nobody is promoted into an
 * event that has started, is not published, or has no waiting list.
 */
export async function promoteWaiting(tx: Queryable, event: EventRecord, now: Date): Promise<number> {
  if (event.status !== 'published' || !event.waitlist || now >= event.startsAt) return 0;
  let promoted = 0;
  while (event.capacity === null || (await q.seatsTaken(tx, event.id)) < event.capacity) {
    const next = await q.firstWaiting(tx, event.id);
    if (!next) break;
    await q.promoteRegistrationRow(tx, next.id, now);
    await queueMail(tx, {
      kind: 'registration.promoted',
      eventId: event.id,
      registrationId: next.id,
      recipient: next.email,
      locale: next.locale,
      at: now,
    });
    await insertAuditEntry(tx, {
      actor: 'system:waiting-list',
      action: 'registration.promoted',
      eventId: event.id,
      registrationId: next.id,
      at: now,
    });
    promoted++;
  }
  if (promoted) await syncZoomSoon(tx, event);
  return promoted;
}

/** Promotes from the waiting list of one event, in a transaction of its own (the worker's job). */
export async function promoteWaitingForEvent(pool: pg.Pool, eventId: number, now: Date): Promise<number> {
  return withTransaction(pool, async (tx) => promoteWaiting(tx, await lockedEvent(tx, eventId), now));
}

/**
 * Changes the mail language and interpretation preference of the registration behind a manage token.
 * Invalid values change nothing and come back as field errors (locale keys).
 */
export async function changePreferences(
  pool: pg.Pool,
  req: { token: string; body: Record<string, unknown>; now: Date },
): Promise<{ ok: true; locale: Language } | { ok: false; fields: Record<string, string> }> {
  const { locale, interpretation } = req.body;
  const fields: Record<string, string> = {};
  if (!isLanguage(locale)) fields.locale = 'validation:choice';
  if (!isLanguage(interpretation)) fields.interpretation = 'validation:choice';
  if (!isLanguage(locale) || !isLanguage(interpretation)) return { ok: false, fields };
  // The reminders box is on the page's form only while it shows it; unticked means "no reminders".
  const reminders = req.body.remindersShown === undefined ? undefined : req.body.reminders === 'yes';
  const found = await registrationForLink(pool, req.token, 'manage');
  await withTransaction(pool, async (tx) => {
    // The same lock order as registering and cancelling: the event, then the registration.
    const event = await lockedEvent(tx, found.event.id);
    const reg = (await q.registrationById(tx, found.registration.id, { lock: true }))!;
    if (!canManage({ registration: reg, event }, req.now)) {
      throw new DomainError('registration_closed', 'errors:registrationLocked');
    }
    await q.updatePreferences(tx, reg.id, { locale, interpretation, at: req.now });
    const wasOn = reg.unsubscribedAt === null;
    if (reminders !== undefined && reminders !== wasOn) {
      await q.setUnsubscribed(tx, reg.id, reminders ? null : req.now);
      if (!reminders) await skipPendingMailsOf(tx, reg.id, optionalKinds, skipNote('unsubscribed'));
    }
    await insertAuditEntry(tx, {
      actor: `attendee:${reg.email.toLowerCase()}`,
      action: 'registration.preferences_changed',
      eventId: event.id,
      registrationId: reg.id,
      data: {
        before: { locale: reg.locale, interpretation: reg.interpretation, reminders: wasOn },
        after: { locale, interpretation, reminders: reminders ?? wasOn },
      },
      at: req.now,
    });
  });
  return { ok: true, locale };
}
