import { prepared, type Queryable } from '../db/pool';
import type { RegistrationForm } from './registrations.schemas';
import {
  registrationColumns,
  toRegistration,
  type InviteSnapshot,
  type LinkPurpose,
  type Registration,
  type RegistrationRow,
  type RegistrationStatus,
} from './registration.row';

/** Named queries for registrations. */

/** A live registration of the address $2 at the event $1. */
const liveByEmailSql = `SELECT id, status, locale FROM registrations
  WHERE event_id = $1 AND lower(email) = lower($2) AND status <> 'cancelled'`;
/** The seats taken at the event $1, and the confirmations other connections could be making unseen. */
const seatStateColumns = `(SELECT coalesce(sum(confirmed), 0)::integer FROM event_seats WHERE event_id = $1) AS taken,
  current_setting('max_connections')::integer - 1 AS unseen`;

const liveByEmail = prepared('registrations.live_by_email', liveByEmailSql);

/** A live (not cancelled) registration for this address at this event, whatever its case. */
export async function liveRegistrationByEmail(
  db: Queryable,
  eventId: number,
  email: string,
): Promise<{ id: number; status: RegistrationStatus; locale: 'en' | 'ja' } | undefined> {
  const res = await db.query<{ id: string; status: RegistrationStatus; locale: 'en' | 'ja' }>(
    liveByEmail([eventId, email]),
  );
  const row = res.rows[0];
  return row && { id: Number(row.id), status: row.status, locale: row.locale };
}

/**
 * Confirmed seats at an event: the sum of its rows in event_seats (at most 16, one per stripe), which
 * triggers keep in step with every change to registrations (migrations 20261207400000, 20261211500000),
 * so it costs the same at 50 or 50,000 registrations. Exact under the event's exclusive lock
 * (lockedEvent), which waits for every registration in progress.
 */
export async function seatsTaken(db: Queryable, eventId: number): Promise<number> {
  return (await seatState(db, eventId)).taken;
}

const seatStateSql = prepared('registrations.seat_state', `SELECT ${seatStateColumns}`);

/**
 * The seats taken, and how many confirmations the server could be carrying out unseen right now (one for
 * every other connection it allows): a registration under the SHARE lock confirms only while the two
 * together stay within the capacity.
 */
export async function seatState(db: Queryable, eventId: number): Promise<{ taken: number; unseen: number }> {
  const res = await db.query<{ taken: number; unseen: number }>(seatStateSql([eventId]));
  return { taken: Number(res.rows[0]?.taken ?? 0), unseen: Number(res.rows[0]?.unseen ?? 0) };
}

/** The SQLSTATE of seatsWithinCapacity's refusal (migrations 20261211420000, 20261211500000). */
export const OVERSOLD = 'TS001';

const seatsWithinCapacitySql = prepared(
  'registrations.seats_within_capacity',
  'SELECT seats_within_capacity($1, $2) AS n',
);

/**
 * The seats this transaction sees right after confirming someone under the event's SHARE lock, or an
 * error with code OVERSOLD when those plus the confirmations other connections could be making unseen
 * may exceed `capacity`: the error aborts the transaction, so a COMMIT already sent behind this
 * statement rolls back instead, and the registration is decided again under the exclusive lock.
 */
export async function seatsWithinCapacity(db: Queryable, eventId: number, capacity: number): Promise<number> {
  const res = await db.query<{ n: number }>(seatsWithinCapacitySql([eventId, capacity]));
  return Number(res.rows[0]!.n);
}

export interface NewRegistration {
  /** An id taken beforehand with newRegistrationId; a new one when absent. */
  id?: number;
  eventId: number;
  status: RegistrationStatus;
  form: RegistrationForm;
  answers: Record<string, string | string[]>;
  at: Date;
}

const formStateSql = prepared(
  'registrations.form_state',
  `SELECT ${seatStateColumns}, l.id AS existing_id, l.status AS existing_status, l.locale AS existing_locale,
          nextval(pg_get_serial_sequence('registrations', 'id')) AS new_id
     FROM (SELECT 1) AS one LEFT JOIN LATERAL (${liveByEmailSql} LIMIT 1) AS l ON true`,
);

/** Where a registration from the form stands before it writes, read in one statement. */
export interface FormState {
  /** Seats taken, and confirmations other connections could be making unseen (seatState). */
  taken: number;
  unseen: number;
  /** The address's live registration at the event, if it has one (liveRegistrationByEmail). */
  existing: { id: number; status: RegistrationStatus; locale: 'en' | 'ja' } | undefined;
  /**
   * An id for the registration about to be inserted (insertRegistration's `id`), so that the statements
   * referring to it (its mail, its audit entry) can be sent together with its insert.
   */
  newId: number;
}

/** seatState, liveRegistrationByEmail and a new registration id at once, for a registration from the form. */
export async function formState(db: Queryable, eventId: number, email: string): Promise<FormState> {
  const res = await db.query<{
    taken: number;
    unseen: number;
    existing_id: string | null;
    existing_status: RegistrationStatus | null;
    existing_locale: 'en' | 'ja' | null;
    new_id: string;
  }>(formStateSql([eventId, email]));
  const r = res.rows[0]!;
  return {
    taken: Number(r.taken),
    unseen: Number(r.unseen),
    existing:
      r.existing_id === null
        ? undefined
        : { id: Number(r.existing_id), status: r.existing_status!, locale: r.existing_locale! },
    newId: Number(r.new_id),
  };
}

const insertSql = prepared(
  'registrations.insert',
  `INSERT INTO registrations (id, event_id, status, email, family_name, given_name, family_name_kana,
     given_name_kana, organisation, affiliation, country, locale, interpretation, answers, consented_at,
     created_at, updated_at)
   OVERRIDING SYSTEM VALUE
   VALUES (COALESCE($15::bigint, nextval(pg_get_serial_sequence('registrations', 'id'))),
     $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)
   ON CONFLICT (event_id, lower(email)) WHERE status <> 'cancelled' DO NOTHING
   RETURNING id`,
);

/**
 * Inserts a registration and returns its id, or undefined when the address already has a live
 * registration at the event (the unique index decides, also between two submissions at once: the later
 * one waits for the first to commit and then inserts nothing).
 */
export async function insertRegistration(db: Queryable, r: NewRegistration): Promise<number | undefined> {
  const f = r.form;
  const res = await db.query<{ id: string }>(
    insertSql([
      r.eventId,
      r.status,
      f.email,
      f.familyName,
      f.givenName,
      f.familyNameKana,
      f.givenNameKana,
      f.organisation,
      f.affiliation,
      f.country,
      f.locale,
      f.interpretation,
      JSON.stringify(r.answers),
      r.at,
      r.id ?? null,
    ]),
  );
  return res.rows[0] && Number(res.rows[0].id);
}

/**
 * One registration by id, optionally locked for the rest of the transaction (NO KEY UPDATE: it does not
 * wait for the key-share lock a mail being delivered to this registrant holds).
 */
export async function registrationById(
  db: Queryable,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<Registration | undefined> {
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns} FROM registrations r WHERE r.id = $1 ${opts.lock ? 'FOR NO KEY UPDATE' : ''}`,
    [id],
  );
  return res.rows[0] && toRegistration(res.rows[0]);
}

/** The registration a link token belongs to, if the token exists for that purpose. */
export async function registrationByTokenHash(
  db: Queryable,
  hash: Buffer,
  purpose: LinkPurpose,
): Promise<Registration | undefined> {
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns}
       FROM registration_tokens t JOIN registrations r ON r.id = t.registration_id
      WHERE t.hash = $1 AND t.purpose = $2`,
    [hash, purpose],
  );
  return res.rows[0] && toRegistration(res.rows[0]);
}

/** Remembers what the registrant's calendar now holds. */
export async function setInviteSent(db: Queryable, id: number, snapshot: InviteSnapshot): Promise<void> {
  await db.query('UPDATE registrations SET invite_sent = $2 WHERE id = $1', [id, JSON.stringify(snapshot)]);
}

/**
 * Counts a click on the join link: the first and the latest, and the first inside the attendance window
 * (30 minutes before the start to the end), the only clicks that say someone attended.
 */
export async function recordJoinClick(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE registrations r
        SET first_joined_at = COALESCE(r.first_joined_at, $2), last_joined_at = $2, join_clicks = r.join_clicks + 1,
            window_joined_at = COALESCE(r.window_joined_at,
              (SELECT $2::timestamptz FROM events e
                WHERE e.id = r.event_id AND $2 BETWEEN e.starts_at - interval '30 minutes' AND e.ends_at))
      WHERE r.id = $1`,
    [id, at],
  );
}

/** Cancels a live registration; its invite sequence rises so the calendar accepts the cancellation. */
export async function cancelRegistrationRow(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE registrations
        SET status = 'cancelled', cancelled_at = $2, updated_at = $2, invite_revision = invite_revision + 1
      WHERE id = $1`,
    [id, at],
  );
}

/** The first in line on the waiting list (erased registrants cannot be told, so never), locked, or undefined. */
export async function firstWaiting(db: Queryable, eventId: number): Promise<Registration | undefined> {
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns} FROM registrations r
      WHERE r.event_id = $1 AND r.status = 'waitlisted' AND r.erased_at IS NULL
      ORDER BY r.created_at, r.id
      LIMIT 1
      FOR NO KEY UPDATE`,
    [eventId],
  );
  return res.rows[0] && toRegistration(res.rows[0]);
}

/** Gives a waiting registrant a seat. */
export async function promoteRegistrationRow(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE registrations SET status = 'confirmed', promoted_at = $2, updated_at = $2 WHERE id = $1`,
    [id, at],
  );
}

/** Changes the registrant's mail language and interpretation preference. */
export async function updatePreferences(
  db: Queryable,
  id: number,
  p: { locale: 'en' | 'ja'; interpretation: 'en' | 'ja'; at: Date },
): Promise<void> {
  await db.query('UPDATE registrations SET locale = $2, interpretation = $3, updated_at = $4 WHERE id = $1', [
    id,
    p.locale,
    p.interpretation,
    p.at,
  ]);
}

/**
 * Sets (an instant) or clears (null) the registration's unsubscribe; true when that changed anything.
 * Setting keeps the first instant.
 */
export async function setUnsubscribed(
  db: Queryable,
  registrationId: number,
  at: Date | null,
): Promise<boolean> {
  const res = await db.query(
    at
      ? 'UPDATE registrations SET unsubscribed_at = $2 WHERE id = $1 AND unsubscribed_at IS NULL'
      : 'UPDATE registrations SET unsubscribed_at = NULL WHERE id = $1 AND unsubscribed_at IS NOT NULL AND $2::timestamptz IS NULL',
    [registrationId, at],
  );
  return (res.rowCount ?? 0) > 0;
}

/** The details a correction may change (never the address, status or consent). */
export interface RegistrantDetails {
  familyName: string;
  givenName: string;
  familyNameKana: string | null;
  givenNameKana: string | null;
  organisation: string | null;
  affiliation: string;
  country: string;
}

/** Writes corrected details and answers of one registration. */
export async function updateRegistrantDetails(
  db: Queryable,
  id: number,
  d: RegistrantDetails & { answers: Record<string, string | string[]>; at: Date },
): Promise<void> {
  await db.query(
    `UPDATE registrations SET family_name = $2, given_name = $3, family_name_kana = $4, given_name_kana = $5,
            organisation = $6, affiliation = $7, country = $8, answers = $9, updated_at = $10
      WHERE id = $1`,
    [
      id,
      d.familyName,
      d.givenName,
      d.familyNameKana,
      d.givenNameKana,
      d.organisation,
      d.affiliation,
      d.country,
      JSON.stringify(d.answers),
      d.at,
    ],
  );
}

/** Who a Zoom webinar must know about: one event's registrations with the fields Zoom takes. */
export interface ZoomPerson {
  id: number;
  status: RegistrationStatus;
  email: string;
  givenName: string;
  familyName: string;
  locale: 'en' | 'ja';
  /** Their personal data was erased: cancelled on Zoom like a cancelled registration, never registered. */
  erased: boolean;
}

/** Every registration of an event (cancelled ones too), oldest first, for the Zoom registrant sync. */
export async function zoomPeople(db: Queryable, eventId: number): Promise<ZoomPerson[]> {
  const res = await db.query<{
    id: string;
    status: RegistrationStatus;
    email: string;
    given_name: string;
    family_name: string;
    locale: 'en' | 'ja';
    erased: boolean;
  }>(
    `SELECT id, status, email, given_name, family_name, locale, erased_at IS NOT NULL AS erased FROM registrations
      WHERE event_id = $1 ORDER BY created_at, id`,
    [eventId],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    status: r.status,
    email: r.email,
    givenName: r.given_name,
    familyName: r.family_name,
    locale: r.locale,
    erased: r.erased,
  }));
}

/**
 * Records the organisers' decision on a pending registration: its new status (a seat, the waiting list,
 * or declined with the reason), and when.
 */
export async function decideRegistrationRow(
  db: Queryable,
  id: number,
  d: {
    status: 'confirmed' | 'waitlisted' | 'declined';
    reason: { en?: string; ja?: string } | null;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `UPDATE registrations SET status = $2, decline_reason = $3, decided_at = $4, updated_at = $4
      WHERE id = $1 AND status = 'pending'`,
    [id, d.status, d.reason && JSON.stringify(d.reason), d.at],
  );
}
