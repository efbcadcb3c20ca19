import type { Queryable } from '../db/pool';

/**
 * The advisory lock that keeps two workers from writing the same topic's rows at once. The recipients
 * come from `src/registrations`, their rows are written by `src/outbox`.
 */

/**
 * Tries to become the one writer of a topic's rows for the rest of the transaction. Another worker
 * doing the same topic at the same moment makes this false, and that worker finishes the batch.
 */
export async function tryLockTopic(db: Queryable, eventId: number, topic: string): Promise<boolean> {
  const res = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended('schedule:' || $1::text || ':' || $2, 0)) AS locked`,
    [eventId, topic],
  );
  return res.rows[0]!.locked;
}
