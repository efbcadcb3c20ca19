import type { Queryable } from '../db/pool';

/** Named queries for finding due reminders and follow-ups and writing their mail rows. */

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

/**
 * Writes the next `limit` rows of a reminder or follow-up (confirmed registrants who did not unsubscribe
 * and have no row for the topic yet, by id after `afterId`). The unique (registration, topic) index
 * makes a second writer harmless. Returns the new mail ids and the last registration id looked at
 * (undefined when there was nobody left).
 */
export async function insertTopicMails(
  db: Queryable,
  m: {
    eventId: number;
    kind: string;
    topic: string;
    seatBefore: Date | null;
    afterId: number;
    limit: number;
    at: Date;
  },
): Promise<{ ids: number[]; lastId: number | undefined }> {
  const res = await db.query<{ ids: string[]; last_id: string | null }>(
    `WITH picked AS (
       SELECT r.id, r.event_id, r.email, r.locale
         FROM registrations r
        WHERE r.event_id = $1 AND r.status = 'confirmed' AND r.unsubscribed_at IS NULL AND r.id > $5
          AND ($4::timestamptz IS NULL OR coalesce(r.promoted_at, r.created_at) < $4)
          AND NOT EXISTS (SELECT 1 FROM outgoing_mails o
                           WHERE o.event_id = $1 AND o.topic = $3 AND o.registration_id = r.id)
        ORDER BY r.id
        LIMIT $6),
     written AS (
       INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at,
         next_attempt_at, topic)
       SELECT $2, event_id, id, email, locale, $7, now(), $3 FROM picked
       ON CONFLICT (registration_id, topic) WHERE topic IS NOT NULL DO NOTHING
       RETURNING id)
     SELECT array(SELECT id FROM written ORDER BY id) AS ids, (SELECT max(id) FROM picked) AS last_id`,
    [m.eventId, m.kind, m.topic, m.seatBefore, m.afterId, m.limit, m.at],
  );
  const row = res.rows[0]!;
  return { ids: row.ids.map(Number), lastId: row.last_id === null ? undefined : Number(row.last_id) };
}

/** How the rows of each topic of an event stand: topic → status → count (the workspace's progress). */
export async function topicTallies(
  db: Queryable,
  eventId: number,
): Promise<Map<string, Record<string, number>>> {
  const res = await db.query<{ topic: string; status: string; n: string }>(
    `SELECT topic, status, count(*) AS n FROM outgoing_mails
      WHERE event_id = $1 AND topic IS NOT NULL AND event_message_id IS NULL
      GROUP BY topic, status`,
    [eventId],
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of res.rows) {
    const t = out.get(r.topic) ?? {};
    t[r.status] = Number(r.n);
    out.set(r.topic, t);
  }
  return out;
}
