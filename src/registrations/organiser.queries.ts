import type { Queryable } from '../db/pool';
import type { RegistrationRow } from './listing.queries';

/** Named SQL for the organiser's actions on one registration and its detail page. */

/** Makes a cancelled registration live again, raising its invite revision. */
export async function restoreRegistrationRow(
  db: Queryable,
  id: number,
  status: 'confirmed' | 'waitlisted',
  at: Date,
): Promise<void> {
  await db.query(
    `UPDATE registrations
        SET status = $2, cancelled_at = NULL, updated_at = $3, invite_revision = invite_revision + 1
      WHERE id = $1`,
    [id, status, at],
  );
}

/** One registration of an event as the organiser's detail page shows it. */
export type RegistrationRecord = RegistrationRow & { inviteRevision: number };

interface DetailRow {
  id: string;
  status: RegistrationRow['status'];
  email: string;
  family_name: string;
  given_name: string;
  family_name_kana: string | null;
  given_name_kana: string | null;
  organisation: string | null;
  affiliation: RegistrationRow['affiliation'];
  country: string;
  locale: 'en' | 'ja';
  interpretation: 'en' | 'ja';
  answers: Record<string, string | string[]>;
  created_at: Date;
  cancelled_at: Date | null;
  promoted_at: Date | null;
  first_joined_at: Date | null;
  last_joined_at: Date | null;
  join_clicks: number;
  invite_revision: number;
}

/** The registration with this id at this event, or undefined. */
export async function registrationRecord(
  db: Queryable,
  eventId: number,
  id: number,
): Promise<RegistrationRecord | undefined> {
  const res = await db.query<DetailRow>(
    `SELECT id, status, email, family_name, given_name, family_name_kana, given_name_kana, organisation,
            affiliation, rtrim(country) AS country, locale, interpretation, answers, created_at, cancelled_at,
            promoted_at, first_joined_at, last_joined_at, join_clicks, invite_revision
       FROM registrations WHERE id = $1 AND event_id = $2`,
    [id, eventId],
  );
  const r = res.rows[0];
  return (
    r && {
      id: Number(r.id),
      status: r.status,
      email: r.email,
      familyName: r.family_name,
      givenName: r.given_name,
      familyNameKana: r.family_name_kana,
      givenNameKana: r.given_name_kana,
      organisation: r.organisation,
      affiliation: r.affiliation,
      country: r.country,
      locale: r.locale,
      interpretation: r.interpretation,
      answers: r.answers,
      createdAt: r.created_at,
      cancelledAt: r.cancelled_at,
      promotedAt: r.promoted_at,
      firstJoinedAt: r.first_joined_at,
      lastJoinedAt: r.last_joined_at,
      joinClicks: r.join_clicks,
      inviteRevision: r.invite_revision,
    }
  );
}
