import type { Queryable } from '../db/pool';

/** Named SQL on `zoom_registrants` and `zoom_presence` (owned here; rows map to camelCase once). */

export type ZoomRegistrantState = 'pending' | 'registered' | 'failed' | 'cancelled';

/** A registration's place on the event's Zoom webinar. */
export interface ZoomRegistrantRecord {
  registrationId: number;
  eventId: number;
  zoomId: string;
  state: ZoomRegistrantState;
  registrantId: string | null;
  joinUrl: string | null;
  error: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  minutes: number | null;
  updatedAt: Date;
}

interface Row {
  registration_id: string;
  event_id: string;
  zoom_id: string;
  state: ZoomRegistrantState;
  registrant_id: string | null;
  join_url: string | null;
  error: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  minutes: number | null;
  updated_at: Date;
}

const columns = `registration_id, event_id, zoom_id, state, registrant_id, join_url, error, attempts,
  next_attempt_at, minutes, updated_at`;

function toRecord(r: Row): ZoomRegistrantRecord {
  return {
    registrationId: Number(r.registration_id),
    eventId: Number(r.event_id),
    zoomId: r.zoom_id,
    state: r.state,
    registrantId: r.registrant_id,
    joinUrl: r.join_url,
    error: r.error,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    minutes: r.minutes,
    updatedAt: r.updated_at,
  };
}

/** Every Zoom registrant row of an event. */
export async function zoomRegistrantsOfEvent(
  db: Queryable,
  eventId: number,
): Promise<ZoomRegistrantRecord[]> {
  const res = await db.query<Row>(
    `SELECT ${columns} FROM zoom_registrants WHERE event_id = $1 ORDER BY registration_id`,
    [eventId],
  );
  return res.rows.map(toRecord);
}

/** One registration's Zoom row, if it has one. */
export async function zoomRegistrantOf(
  db: Queryable,
  registrationId: number,
): Promise<ZoomRegistrantRecord | undefined> {
  const res = await db.query<Row>(`SELECT ${columns} FROM zoom_registrants WHERE registration_id = $1`, [
    registrationId,
  ]);
  return res.rows[0] && toRecord(res.rows[0]);
}

/**
 * Records that a registration is to be registered on `zoomId`: a new row, or a fresh start for one that
 * belonged to another webinar (the event was linked elsewhere). A row for the same webinar is kept.
 */
export async function markPending(
  db: Queryable,
  r: { registrationId: number; eventId: number; zoomId: string; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO zoom_registrants (registration_id, event_id, zoom_id, state, created_at, updated_at)
     VALUES ($1, $2, $3, 'pending', $4, $4)
     ON CONFLICT (registration_id) DO UPDATE
       SET zoom_id = EXCLUDED.zoom_id, state = 'pending', registrant_id = NULL, join_url = NULL, error = NULL,
           attempts = 0, next_attempt_at = NULL, minutes = NULL, updated_at = EXCLUDED.updated_at
       WHERE zoom_registrants.zoom_id <> EXCLUDED.zoom_id`,
    [r.registrationId, r.eventId, r.zoomId, r.now],
  );
}

/** Zoom accepted the registration: its registrant id and personal join URL. */
export async function markRegistered(
  db: Queryable,
  r: { registrationId: number; registrantId: string; joinUrl: string; now: Date },
): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants SET state = 'registered', registrant_id = $2, join_url = $3, error = NULL,
       next_attempt_at = NULL, attempts = attempts + 1, updated_at = $4
     WHERE registration_id = $1`,
    [r.registrationId, r.registrantId, r.joinUrl, r.now],
  );
}

/** Zoom refused for good: the message is kept for the organiser. */
export async function markFailed(db: Queryable, ids: number[], error: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants SET state = 'failed', error = $2, next_attempt_at = NULL,
       attempts = attempts + 1, updated_at = $3
     WHERE registration_id = ANY($1::bigint[])`,
    [ids, error.slice(0, 1000), now],
  );
}

/** Zoom could not take it now: try again at `at`. */
export async function markRetry(
  db: Queryable,
  ids: number[],
  at: Date,
  error: string,
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants SET next_attempt_at = $2, error = $3, attempts = attempts + 1, updated_at = $4
     WHERE registration_id = ANY($1::bigint[])`,
    [ids, at, error.slice(0, 1000), now],
  );
}

/** Cancelled on Zoom (the registration was cancelled, or the event). */
export async function markCancelled(db: Queryable, ids: number[], now: Date): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants SET state = 'cancelled', next_attempt_at = NULL, error = NULL, updated_at = $2
     WHERE registration_id = ANY($1::bigint[])`,
    [ids, now],
  );
}

/** Starts rows afresh (Zoom would not reinstate them): to be registered anew. */
export async function markUnregistered(db: Queryable, ids: number[], now: Date): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants SET state = 'pending', registrant_id = NULL, join_url = NULL, error = NULL,
       attempts = 0, next_attempt_at = NULL, updated_at = $2
     WHERE registration_id = ANY($1::bigint[])`,
    [ids, now],
  );
}

/** Takes the event's sync lock for the rest of the transaction: one sync per event at a time. */
export async function lockEventSync(db: Queryable, eventId: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`zoom-sync:${eventId}`]);
}

/** Stores minutes present (from the report or its CSV), by registration. */
export async function setMinutes(
  db: Queryable,
  r: { registrationId: number; eventId: number; zoomId: string; minutes: number; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO zoom_registrants (registration_id, event_id, zoom_id, state, minutes, created_at, updated_at)
     VALUES ($1, $2, $3, 'registered', $4, $5, $5)
     ON CONFLICT (registration_id) DO UPDATE SET minutes = EXCLUDED.minutes, updated_at = EXCLUDED.updated_at`,
    [r.registrationId, r.eventId, r.zoomId, r.minutes, r.now],
  );
}

/** A participant joined (webhook). */
export async function insertPresence(
  db: Queryable,
  p: {
    eventId: number;
    registrationId: number | null;
    participantKey: string;
    email: string | null;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO zoom_presence (event_id, registration_id, participant_key, email, joined_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [p.eventId, p.registrationId, p.participantKey, p.email, p.at],
  );
}

/** A participant left (webhook): closes their latest open stay. */
export async function closePresence(
  db: Queryable,
  p: { eventId: number; participantKey: string; at: Date },
): Promise<boolean> {
  const res = await db.query(
    `UPDATE zoom_presence SET left_at = $3
      WHERE id = (SELECT id FROM zoom_presence
                   WHERE event_id = $1 AND participant_key = $2 AND left_at IS NULL
                   ORDER BY joined_at DESC LIMIT 1)`,
    [p.eventId, p.participantKey, p.at],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Stays recorded for an event (webhooks), oldest first. */
export async function presenceOfEvent(
  db: Queryable,
  eventId: number,
): Promise<{ registrationId: number | null; email: string | null; joinedAt: Date; leftAt: Date | null }[]> {
  const res = await db.query<{
    registration_id: string | null;
    email: string | null;
    joined_at: Date;
    left_at: Date | null;
  }>(
    `SELECT registration_id, email, joined_at, left_at FROM zoom_presence WHERE event_id = $1 ORDER BY joined_at, id`,
    [eventId],
  );
  return res.rows.map((r) => ({
    registrationId: r.registration_id === null ? null : Number(r.registration_id),
    email: r.email,
    joinedAt: r.joined_at,
    leftAt: r.left_at,
  }));
}

/** Forgets Zoom's registrant id of erased registrants once Zoom has cancelled them. */
export async function forgetRegistrantIds(db: Queryable, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db.query(
    'UPDATE zoom_registrants SET registrant_id = NULL WHERE registration_id = ANY($1::bigint[])',
    [ids],
  );
}

/** What the Zoom tables hold about these registrations (a person's access request). */
export async function zoomDataOf(
  db: Queryable,
  ids: number[],
): Promise<{ registrationId: number; state: string; joinUrl: string | null; minutes: number | null }[]> {
  const res = await db.query<{
    registration_id: string;
    state: string;
    join_url: string | null;
    minutes: number | null;
  }>(
    `SELECT registration_id, state, join_url, minutes FROM zoom_registrants
      WHERE registration_id = ANY($1::bigint[]) ORDER BY registration_id`,
    [ids],
  );
  return res.rows.map((r) => ({
    registrationId: Number(r.registration_id),
    state: r.state,
    joinUrl: r.join_url,
    minutes: r.minutes,
  }));
}

/**
 * Scrubs the Zoom tables of these registrations (and of stays recorded under `email`): join URLs,
 * errors and addresses go; minutes and states stay for attendance. Zoom's registrant id is forgotten
 * too, except on rows still registered when `keepToCancel`: the sync needs it to cancel them on Zoom
 * (and forgets it then).
 */
export async function scrubZoomData(
  db: Queryable,
  ids: number[],
  email: string | null,
  keepToCancel: boolean,
): Promise<void> {
  await db.query(
    `UPDATE zoom_registrants
        SET join_url = NULL, error = NULL,
            registrant_id = CASE WHEN $2 AND state = 'registered' THEN registrant_id END
      WHERE registration_id = ANY($1::bigint[])`,
    [ids, keepToCancel],
  );
  await db.query(
    `UPDATE zoom_presence SET email = NULL, participant_key = 'erased:' || id
      WHERE registration_id = ANY($1::bigint[]) OR ($2::text IS NOT NULL AND lower(email) = lower($2))`,
    [ids, email],
  );
}
