import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { commitBehind, withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import {
  lockedEvent,
  publicEvent,
  registrationWindow,
  sharedLockedEvent,
  type EventRecord,
  type WindowTerms,
} from '../events';
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
export function assertRegistrationOpen(
  event: WindowTerms & Pick<EventRecord, 'displayTimezones'>,
  now: Date,
  lang: Language,
): void {
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
 * duplicates neutrally and decides the seat from the event's seat count. Confirming someone adds to the
 * count's stripe of its own server process (a trigger, in the same statement; migration
 * 20261211500000), so confirmations do not queue behind each other's commits. Under the SHARE lock a
 * confirmation stands only while the seats it sees plus one for every other connection the server
 * allows (each could be confirming someone unseen) stay within the capacity, checked before the writes
 * and again right after the insert; nearer the capacity the attempt is rolled back and decided again
 * under the event's exclusive lock, which waits for every SHARE holder, as every promotion is. Two submissions of one
 * address at once meet at the unique index (the insert waits for the first and inserts nothing); the
 * later one is decided again and answered as a duplicate.
 *
 * Statements that do not need each other's answers are sent together (src/db/pool.ts pipelines them), so
 * the transaction costs two round trips: the reads, then the writes with COMMIT sent behind them. The
 * seat count's row is held only while PostgreSQL carries out the second; the exact count after the
 * insert aborts the transaction itself when the event was oversold (seats_within_capacity).
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
      return await withTransaction(pool, (tx) => register(tx, event, req, form, answers, exclusive));
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TryAgain)) throw err;
      exclusive = true;
    }
  }
}

/**
 * The attempt met a change it cannot answer from where it stands: someone else took the last seat
 * between our reading the count and confirming, or another submission of the same address committed
 * between our look for it and our insert. Rolled back and decided again under the event's exclusive lock.
 */
class TryAgain extends Error {}

async function register(
  tx: pg.PoolClient,
  event: EventRecord,
  req: RegistrationRequest,
  form: RegistrationForm,
  answers: Record<string, string | string[]>,
  exclusive: boolean,
): Promise<RegistrationOutcome> {
  // One round trip, with BEGIN (pipelined, src/db/pool.ts): what the registration decides on, from the
  // event under its lock (not its texts: the outcome carries `event` as read before the transaction);
  // its seat count, the address's registration if it has one, and the id the registration will have.
  const eventId = event.id;
  const [current, { taken, unseen, existing, newId: registrationId }] = await Promise.all([
    exclusive ? lockedEvent(tx, eventId) : sharedLockedEvent(tx, eventId),
    q.formState(tx, eventId, form.email),
  ]);
  assertRegistrationOpen(current, req.now, req.pageLang);
  // Someone registered already is answered as before, even when the event has filled up since.
  if (existing) {
    await tellAlreadyRegistered(tx, current, existing, form.email, req.now);
    return { status: 'duplicate', locale: form.locale, event };
  }
  // With approval, a registration waits for the organisers and holds no seat until they approve it.
  const status = current.approval ? 'pending' : seatForCount(current, taken);
  if (status === 'full') throw new DomainError('event_full', 'errors:eventFull');
  // Near the capacity, the seats others may be confirming unseen could take it past: decide under the
  // exclusive lock instead, before writing anything.
  if (status === 'confirmed' && !exclusive && current.capacity !== null && taken + unseen >= current.capacity)
    throw new TryAgain();
  // A confirmation holds its stripe of the seat count from its insert until COMMIT, so everything the
  // registration writes goes out in one round trip with the COMMIT behind it: the insert, the count after
  // it (which aborts the transaction when the seats might now exceed the capacity), the mail record (its
  // own delivery job), the audit entry. The stripe is then held only while PostgreSQL works. An
  // invitation's hook (`after`) may read what came back first, so with one the COMMIT waits for the answers.
  const recountAgainst = status === 'confirmed' && !exclusive ? current.capacity : null;
  const writing = Promise.allSettled([
    q.insertRegistration(tx, { id: registrationId, eventId: current.id, status, form, answers, at: req.now }),
    recountAgainst === null ? undefined : q.seatsWithinCapacity(tx, current.id, recountAgainst),
    announceRegistration(tx, current, { id: registrationId, status, form, at: req.now }),
    insertAuditEntry(tx, {
      actor: auditActor(form),
      action: auditActions[status],
      eventId: current.id,
      registrationId,
      at: req.now,
    }),
  ]);
  const committed = req.after ? undefined : commitBehind(tx);
  // Handled here so that a lost connection, answered before the writes are looked at, is no unhandled
  // rejection; it is awaited below.
  committed?.catch(() => undefined);
  const [inserted, seats, ...rest] = await writing;
  // Any failure above made PostgreSQL answer the COMMIT with a rollback: wait for it before deciding.
  const didCommit = committed && (await committed);
  // The address was registered by a submission that committed after our look (the unique index made
  // the insert do nothing, so the rows naming it failed), or others took the last seats between our
  // count and our insert: decided again, as a duplicate or under the exclusive lock.
  if (inserted.status === 'fulfilled' && inserted.value === undefined) throw new TryAgain();
  if (seats.status === 'rejected' && (seats.reason as { code?: string }).code === q.OVERSOLD)
    throw new TryAgain();
  const failed = [inserted, seats, ...rest].find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (committed && !didCommit)
    throw new Error('the registration was rolled back though every statement succeeded');
  await req.after?.(tx, { registrationId, eventId: current.id, email: form.email });
  return { status, locale: form.locale, event };
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
  const mail = {
    kind: announcements[r.status],
    eventId: event.id,
    registrationId: r.id,
    recipient: r.form.email,
    locale: r.form.locale,
    at: r.at,
  };
  await Promise.all([queueMail(tx, mail), r.status === 'confirmed' ? syncZoomSoon(tx, event) : undefined]);
}

/** Tells the owner of an address registered already, by mail, that they are (the visitor sees success). */
async function tellAlreadyRegistered(
  tx: Queryable,
  event: Pick<EventRecord, 'id'>,
  existing: { id: number; locale: Language },
  email: string,
  at: Date,
): Promise<void> {
  await queueMail(tx, {
    kind: 'registration.already_registered',
    eventId: event.id,
    registrationId: existing.id,
    recipient: email,
    locale: existing.locale,
    at,
  });
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
