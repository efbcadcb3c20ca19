import type { Queryable } from '../db/pool';
import {
  registrationColumns,
  toRegistration,
  type Registration,
  type RegistrationRow,
} from './registration.row';

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

/** The registration with this id at this event (the organiser's detail page), or undefined. */
export async function registrationRecord(
  db: Queryable,
  eventId: number,
  id: number,
): Promise<Registration | undefined> {
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns} FROM registrations r WHERE r.id = $1 AND r.event_id = $2`,
    [id, eventId],
  );
  return res.rows[0] && toRegistration(res.rows[0]);
}
