import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { lockedEvent, publicEvent, registrationWindow, type EventRecord } from '../events';
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
  | { status: 'confirmed' | 'waitlisted' | 'duplicate'; locale: Language; event: EventRecord }
  | { status: 'ignored'; locale: Language; event: EventRecord }
  | { status: 'invalid'; fields: Record<string, string>; event: EventRecord };

export interface RegistrationRequest {
  slug: string;
  body: Record<string, unknown>;
  pageLang: Language;
  now: Date;
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
 * Registers an attendee from a submitted form. Validation happens before any lock; then, in one
 * transaction, the event row is locked (the only lock taken), the window re-checked, duplicates
 * answered neutrally, the seat decided (confirmed, waiting list, or `event_full`), and the registration,
 * its mail record and its audit entry written together.
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

  return withTransaction(pool, async (tx) => {
    const current = await lockedEvent(tx, event.id);
    assertRegistrationOpen(current, req.now, req.pageLang);
    const existing = await q.liveRegistrationByEmail(tx, current.id, form.email);
    if (existing) {
      await queueMail(tx, {
        kind: 'registration.already_registered',
        eventId: current.id,
        registrationId: existing.id,
        recipient: form.email,
        locale: existing.locale,
        at: req.now,
      });
      return { status: 'duplicate', locale: form.locale, event: current };
    }
    const status = await seatFor(tx, current);
    const id = await q.insertRegistration(tx, { eventId: current.id, status, form, answers, at: req.now });
    await queueMail(tx, {
      kind: status === 'confirmed' ? 'registration.confirmed' : 'registration.waitlisted',
      eventId: current.id,
      registrationId: id,
      recipient: form.email,
      locale: form.locale,
      at: req.now,
    });
    await insertAuditEntry(tx, {
      actor: auditActor(form),
      action: `registration.${status === 'confirmed' ? 'created' : 'waitlisted'}`,
      eventId: current.id,
      registrationId: id,
      at: req.now,
    });
    if (status === 'confirmed') await syncZoomSoon(tx, current);
    return { status, locale: form.locale, event: current };
  });
}

/** Whether a new registrant would get a seat, a waiting-list place, or nothing: for the event page. */
export async function availability(db: Queryable, event: EventRecord): Promise<'open' | 'waitlist' | 'full'> {
  if (event.capacity === null || (await q.seatsTaken(db, event.id)) < event.capacity) return 'open';
  return event.waitlist ? 'waitlist' : 'full';
}

/** Confirmed while seats remain, else the waiting list if the event has one, else `event_full`. */
async function seatFor(tx: pg.PoolClient, event: EventRecord): Promise<'confirmed' | 'waitlisted'> {
  if (event.capacity === null) return 'confirmed';
  if ((await q.seatsTaken(tx, event.id)) < event.capacity) return 'confirmed';
  if (event.waitlist) return 'waitlisted';
  throw new DomainError('event_full', 'errors:eventFull');
}

function auditActor(form: RegistrationForm): string {
  return `attendee:${form.email.toLowerCase()}`;
}
