import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { lockedEvent, publicEvent, registrationWindow, sharedLockedEvent, type EventRecord } from '../events';
import { formatInstant } from '../time';
import type { Language } from '../i18n';
import { queueMail } from '../outbox';
import { syncZoomSoon } from './zoom-sync';
import { loggerFor } from '../logger';
import * as q from './registrations.queries';
import { parseRegistrationForm, type RegistrationForm } from './registrations.schemas';

const log = loggerFor('registrations');

/** What became of a submitted form. `duplicate` and `ignored` look like success to the visitor. */
export type RegistrationOutcome =
  | { status: 'confirmed' | 'waitlisted' | 'pending' | 'duplicate'; locale: Language; event: EventRecord }
  | { status: 'ignored'; locale: Language; event: EventRecord }
  | { status: 'invalid'; fields: Record<string, string>; event: EventRecord };

export interface RegistrationRequest {
  slug: string;
  body: Record<string, unknown>;
  pageLang: Language;
  now: Date;
  /**
   * Runs in the registration's transaction once it is written (not for a duplicate): how an invitation
   * link records the registration it led to.
   */
  after?: (tx: Queryable, r: { registrationId: number; eventId: number; email: string }) => Promise<void>;
}

/** Refuses when the form is not accepting registrations at `now`, saying when it opens or closed. */
export function assertRegistrationOpen(event: EventRecord, now: Date, lang: Language): void {
  const w = registrationWindow(event, now);
  const zones = event.displayTimezones;
  if (w.state === 'cancelled') throw new DomainError('event_cancelled', 'errors:eventCancelled');
  if (w.state === 'not_open') {
    throw new DomainError('registration_not_open', 'errors:registrationNotOpen', {
      when: formatInstant(w.opensAt, zones, lang),
    });
  }
  if (w.state === 'closed') {
    throw new DomainError('registration_closed', 'errors:registrationClosed', {
      when: formatInstant(w.closedAt, zones, lang),
    });
  }
}

/**
 * Registers an attendee from a submitted form. Validation happens before any transaction; then, in one
 * transaction, the registration, its mail record and its audit entry are written together.
 *
 * Registrations for one event run side by side: each holds the event row with a SHARE lock (so an edit,
 * a cancellation or a promotion waits for them, and they for it), re-checks the window, answers
 * duplicates neutrally and decides the seat from the event's seat count. Confirming someone updates that
 * count (a trigger, in the same statement), which locks its row until commit: the count read right after
 * is exact, and if it exceeds the capacity (others took the last seats meanwhile) the attempt is rolled
 * back and decided again under the event's exclusive lock, as every promotion is. Two submissions of one
 * address at once meet at the unique index (the insert waits for the first and inserts nothing); the
 * later one is answered as a duplicate.
 */
export async function registerAttendee(
  pool: pg.Pool,
  req: RegistrationRequest,
): Promise<RegistrationOutcome> {
  const event = await publicEvent(pool, req.slug);
  assertRegistrationOpen(event, req.now, req.pageLang);
  if (typeof req.body.website === 'string' && req.body.website.trim() !== '') {
    log.info({ event: event.slug }, 'honeypot field filled; submission ignored');
    return { status: 'ignored', locale: req.pageLang, event };
  }
  const parsed = parseRegistrationForm(req.body, event.questions, req.pageLang);
  if (!parsed.ok) return { status: 'invalid', fields: parsed.fields, event };
  const { form, answers } = parsed;

  let exclusive = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, (tx) => register(tx, event.id, req, form, answers, exclusive));
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TryAgain)) throw err;
      exclusive = true;
    }
  }
}

/**
 * The attempt met a change it cannot answer from where it stands: someone else took the last seat
 * between our reading the count and confirming, or the registration that blocked our address was
 * cancelled meanwhile. Rolled back and decided again under the event's exclusive lock.
 */
class TryAgain extends Error {}

async function register(
  tx: pg.PoolClient,
  eventId: number,
  req: RegistrationRequest,
  form: RegistrationForm,
  answers: Record<string, string | string[]>,
  exclusive: boolean,
): Promise<RegistrationOutcome> {
  // The lock and the seat count go out together (pipelined, with BEGIN): one round trip. The count
  // read beside the SHARE lock is a first guess, exact only under the exclusive lock; see below.
  const [current, taken] = await Promise.all([
    exclusive ? lockedEvent(tx, eventId) : sharedLockedEvent(tx, eventId),
    q.seatsTaken(tx, eventId),
  ]);
  assertRegistrationOpen(current, req.now, req.pageLang);
  // With approval, a registration waits for the organisers and holds no seat until they approve it.
  const status = current.approval ? 'pending' : seatForCount(current, taken);
  if (status === 'full') {
    // Someone registered already is answered as before, even when the event has filled up since.
    if (await duplicate(tx, current, req, form))
      return { status: 'duplicate', locale: form.locale, event: current };
    throw new DomainError('event_full', 'errors:eventFull');
  }
  const id = await q.insertRegistration(tx, { eventId: current.id, status, form, answers, at: req.now });
  if (id === undefined) {
    if (await duplicate(tx, current, req, form))
      return { status: 'duplicate', locale: form.locale, event: current };
    throw new TryAgain();
  }
  // From the insert on, a confirmation holds the seat count's row until COMMIT, so what follows is sent
  // in one go: the exact count, the mail record and the audit entry do not depend on each other, and if
  // the count says the event was oversold the whole transaction is rolled back anyway.
  const recount = status === 'confirmed' && current.capacity !== null && !exclusive;
  const [seats] = await Promise.all([
    recount ? q.seatsTaken(tx, current.id) : undefined,
    announceRegistration(tx, current, { id, status, form, at: req.now }),
    insertAuditEntry(tx, {
      actor: auditActor(form),
      action: auditActions[status],
      eventId: current.id,
      registrationId: id,
      at: req.now,
    }),
  ]);
  if (seats !== undefined && current.capacity !== null && seats > current.capacity) throw new TryAgain();
  await req.after?.(tx, { registrationId: id, eventId: current.id, email: form.email });
  return { status, locale: form.locale, event: current };
}

/** The audit action of a new registration from the form, by the status it got. */
const auditActions = {
  confirmed: 'registration.created',
  waitlisted: 'registration.waitlisted',
  pending: 'registration.requested',
} as const;

/** The mail that tells a registrant the status they just got (or, sent again, where they stand). */
export const announcements = {
  confirmed: 'registration.confirmed',
  waitlisted: 'registration.waitlisted',
  pending: 'registration.pending',
} as const;

/**
 * What follows a new registration (or an approved one) in its own transaction, however it came (the
 * form, the API, an organiser, an approval): the confirmation, waiting-list or received-for-approval
 * mail, and for a seat, the Zoom registration when the event is on Zoom.
 */
export async function announceRegistration(
  tx: Queryable,
  event: Pick<EventRecord, 'id' | 'zoom'>,
  r: {
    id: number;
    status: 'confirmed' | 'waitlisted' | 'pending';
    form: Pick<RegistrationForm, 'email' | 'locale'>;
    at: Date;
  },
): Promise<void> {
  await queueMail(tx, {
    kind: announcements[r.status],
    eventId: event.id,
    registrationId: r.id,
    recipient: r.form.email,
    locale: r.form.locale,
    at: r.at,
  });
  if (r.status === 'confirmed') await syncZoomSoon(tx, event);
}

/**
 * When the address is registered already, tells its owner by mail (the visitor is answered as if it were
 * new) and returns true; false when it is not.
 */
async function duplicate(
  tx: pg.PoolClient,
  event: EventRecord,
  req: RegistrationRequest,
  form: RegistrationForm,
): Promise<boolean> {
  const existing = await q.liveRegistrationByEmail(tx, event.id, form.email);
  if (!existing) return false;
  await queueMail(tx, {
    kind: 'registration.already_registered',
    eventId: event.id,
    registrationId: existing.id,
    recipient: form.email,
    locale: existing.locale,
    at: req.now,
  });
  return true;
}

/** Whether a new registrant would get a seat, a waiting-list place, or nothing: for the event page. */
export async function availability(db: Queryable, event: EventRecord): Promise<'open' | 'waitlist' | 'full'> {
  if (event.capacity === null || (await q.seatsTaken(db, event.id)) < event.capacity) return 'open';
  return event.waitlist ? 'waitlist' : 'full';
}

/** Confirmed while seats remain, else the waiting list if the event has one, else full. */
export async function seatFor(
  tx: Queryable,
  event: EventRecord,
): Promise<'confirmed' | 'waitlisted' | 'full'> {
  return seatForCount(event, event.capacity === null ? 0 : await q.seatsTaken(tx, event.id));
}

/** seatFor with the confirmed seats already counted. */
function seatForCount(
  event: Pick<EventRecord, 'capacity' | 'waitlist'>,
  taken: number,
): 'confirmed' | 'waitlisted' | 'full' {
  if (event.capacity === null || taken < event.capacity) return 'confirmed';
  return event.waitlist ? 'waitlisted' : 'full';
}

function auditActor(form: RegistrationForm): string {
  return `attendee:${form.email.toLowerCase()}`;
}
