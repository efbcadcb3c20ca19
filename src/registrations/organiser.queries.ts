import type { Queryable } from '../db/pool';
import { registrationColumns, toRegistrationRow, type RegistrationRow, type Row } from './listing.queries';

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

/** The registration with this id at this event, or undefined. */
export async function registrationRecord(
  db: Queryable,
  eventId: number,
  id: number,
): Promise<RegistrationRecord | undefined> {
  const res = await db.query<Row & { invite_revision: number }>(
    `SELECT ${registrationColumns}, r.invite_revision FROM registrations r WHERE r.id = $1 AND r.event_id = $2`,
    [id, eventId],
  );
  const row = res.rows[0];
  return row && { ...toRegistrationRow(row), inviteRevision: row.invite_revision };
}
