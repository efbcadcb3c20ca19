import type { Queryable } from '../db/pool';
import type { RegistrationForm } from './registrations.schemas';

/** Named queries for registrations. */

export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled';

/** A live (not cancelled) registration for this address at this event, whatever its case. */
export async function liveRegistrationByEmail(
  db: Queryable,
  eventId: number,
  email: string,
): Promise<{ id: number; status: RegistrationStatus; locale: 'en' | 'ja' } | undefined> {
  const res = await db.query<{ id: string; status: RegistrationStatus; locale: 'en' | 'ja' }>(
    `SELECT id, status, locale FROM registrations
      WHERE event_id = $1 AND lower(email) = lower($2) AND status <> 'cancelled'`,
    [eventId, email],
  );
  const row = res.rows[0];
  return row && { id: Number(row.id), status: row.status, locale: row.locale };
}

/** Confirmed seats at an event. */
export async function seatsTaken(db: Queryable, eventId: number): Promise<number> {
  const res = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM registrations WHERE event_id = $1 AND status = 'confirmed'`,
    [eventId],
  );
  return Number(res.rows[0]?.n ?? 0);
}

export interface NewRegistration {
  eventId: number;
  status: RegistrationStatus;
  form: RegistrationForm;
  answers: Record<string, string | string[]>;
  at: Date;
}

/** Inserts a registration and returns its id. */
export async function insertRegistration(db: Queryable, r: NewRegistration): Promise<number> {
  const f = r.form;
  const res = await db.query<{ id: string }>(
    `INSERT INTO registrations (event_id, status, email, family_name, given_name, family_name_kana,
       given_name_kana, organisation, affiliation, country, locale, interpretation, answers, consented_at,
       created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)
     RETURNING id`,
    [
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
    ],
  );
  return Number(res.rows[0]!.id);
}
