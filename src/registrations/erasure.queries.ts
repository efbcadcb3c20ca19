import type { Queryable } from '../db/pool';
import { registrationColumns, toRegistration, type Registration } from './registration.row';

/**
 * Named SQL for erasing registrants' personal data (the retention period, a person's request). An erased
 * registration keeps its status, affiliation, country, languages, times and attendance, so counts and
 * breakdowns stay; its address becomes a placeholder unique to the row (the one-per-address index
 * still holds) and its personal links are deleted, so they stop working.
 */

/** Every registration with this address, in every event, oldest first (erased ones no longer match). */
export async function registrationsByEmail(db: Queryable, email: string): Promise<Registration[]> {
  const res = await db.query(
    `SELECT ${registrationColumns} FROM registrations r
      WHERE lower(r.email) = lower($1) AND r.erased_at IS NULL
      ORDER BY r.created_at, r.id`,
    [email],
  );
  return res.rows.map(toRegistration);
}

/** The event's registrations whose personal data is still held (for the retention run). */
export async function unerasedRegistrationsOfEvent(db: Queryable, eventId: number): Promise<Registration[]> {
  const res = await db.query(
    `SELECT ${registrationColumns} FROM registrations r
      WHERE r.event_id = $1 AND r.erased_at IS NULL ORDER BY r.id`,
    [eventId],
  );
  return res.rows.map(toRegistration);
}

/**
 * Erases the personal data of these registrations and deletes their personal links (manage, join,
 * unsubscribe). They count as unsubscribed, so no reminder or message is written for them any more.
 * Returns how many rows it erased (already erased ones are left alone).
 */
export async function eraseRegistrationRows(db: Queryable, ids: number[], now: Date): Promise<number> {
  if (!ids.length) return 0;
  await db.query('DELETE FROM registration_tokens WHERE registration_id = ANY($1::bigint[])', [ids]);
  const res = await db.query(
    `UPDATE registrations
        SET email = 'erased-' || id || '@erased.invalid', family_name = '', given_name = '',
            family_name_kana = NULL, given_name_kana = NULL, organisation = NULL, answers = '{}',
            unsubscribed_at = COALESCE(unsubscribed_at, $2), erased_at = $2, updated_at = $2
      WHERE id = ANY($1::bigint[]) AND erased_at IS NULL`,
    [ids, now],
  );
  return res.rowCount ?? 0;
}
