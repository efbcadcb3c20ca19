import { prepared, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import type { EventRow } from './events.queries';
import type { EventRecord } from './events.types';

/** Named queries for the part of an event a registration decides on (the rest: events.queries.ts). */

/** The columns of RegistrationTerms. */
const termsColumns = `id, slug, status, starts_at, display_timezones, registration_opens_at, registration_closes_at,
  capacity, waitlist, approval, zoom_kind, zoom_id`;
const termsByIdShared = prepared(
  'events.terms_by_id_shared',
  `SELECT ${termsColumns} FROM events WHERE id = $1 FOR SHARE`,
);

/**
 * What a registration decides on, as its transaction reads the event under the SHARE lock: whether the
 * form is open, the seats, approval and Zoom; none of the texts, questions or branding.
 */
export type RegistrationTerms = Pick<
  EventRecord,
  | 'id'
  | 'slug'
  | 'status'
  | 'startsAt'
  | 'displayTimezones'
  | 'registrationOpensAt'
  | 'registrationClosesAt'
  | 'capacity'
  | 'waitlist'
  | 'approval'
  | 'zoom'
>;

/** An events row as `termsColumns` selects it (EventRow has every one of these). */
export type TermsRow = Pick<
  EventRow,
  | 'id'
  | 'slug'
  | 'status'
  | 'starts_at'
  | 'display_timezones'
  | 'registration_opens_at'
  | 'registration_closes_at'
  | 'capacity'
  | 'waitlist'
  | 'approval'
  | 'zoom_kind'
  | 'zoom_id'
>;

export function toTerms(r: TermsRow): RegistrationTerms {
  return {
    id: Number(r.id),
    slug: r.slug,
    status: r.status,
    startsAt: r.starts_at,
    displayTimezones: r.display_timezones,
    registrationOpensAt: r.registration_opens_at,
    registrationClosesAt: r.registration_closes_at,
    capacity: r.capacity,
    waitlist: r.waitlist,
    approval: r.approval,
    zoom: r.zoom_kind && r.zoom_id ? { kind: r.zoom_kind, id: r.zoom_id } : null,
  };
}

/**
 * Reads the event row with a SHARE lock for the rest of the transaction: registrations hold it together,
 * side by side, while anything that takes `lockedEvent` (an edit, a cancellation, a promotion) waits for
 * them to finish and they wait for it. So a registration never commits into an event that was cancelled
 * or closed after it read it, and a promotion always sees every committed seat.
 */
export async function sharedLockedEvent(db: Queryable, id: number): Promise<RegistrationTerms> {
  const res = await db.query<TermsRow>(termsByIdShared([id]));
  if (!res.rows[0]) throw new DomainError('not_found', 'errors:notFound');
  return toTerms(res.rows[0]);
}
