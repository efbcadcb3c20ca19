import type { Queryable } from '../db/pool';
import type { BilingualTexts } from '../events';
import type { RegistrationFilters } from '../registrations';

/** Named queries for the organiser's messages (event_messages) and how their mails stand. */

/** A message as written, with who sent it and when its recipients' rows were all written. */
export interface EventMessage {
  id: number;
  eventId: number;
  subject: BilingualTexts;
  body: BilingualTexts;
  filters: RegistrationFilters;
  /** The recipient count the organiser saw before sending. */
  expected: number;
  /** How many rows were written, once the fan-out finished. */
  recipients: number | null;
  actor: string;
  createdAt: Date;
  queuedAt: Date | null;
}

interface MessageRow {
  id: string;
  event_id: string;
  subject: BilingualTexts;
  body: BilingualTexts;
  filters: RegistrationFilters;
  expected: number;
  recipients: number | null;
  actor: string;
  created_at: Date;
  queued_at: Date | null;
}

const columns = 'id, event_id, subject, body, filters, expected, recipients, actor, created_at, queued_at';

function toMessage(r: MessageRow): EventMessage {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    subject: r.subject,
    body: r.body,
    filters: r.filters,
    expected: r.expected,
    recipients: r.recipients,
    actor: r.actor,
    createdAt: r.created_at,
    queuedAt: r.queued_at,
  };
}

export async function insertEventMessage(
  db: Queryable,
  m: {
    eventId: number;
    subject: BilingualTexts;
    body: BilingualTexts;
    filters: RegistrationFilters;
    expected: number;
    actor: string;
    userId: number | null;
    at: Date;
    sendKey: string | null;
  },
): Promise<EventMessage | undefined> {
  const res = await db.query<MessageRow>(
    `INSERT INTO event_messages (event_id, subject, body, filters, expected, actor, user_id, created_at, send_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (event_id, send_key) WHERE send_key IS NOT NULL DO NOTHING
     RETURNING ${columns}`,
    [
      m.eventId,
      JSON.stringify(m.subject),
      JSON.stringify(m.body),
      JSON.stringify(m.filters),
      m.expected,
      m.actor,
      m.userId,
      m.at,
      m.sendKey,
    ],
  );
  return res.rows[0] && toMessage(res.rows[0]);
}

/** The event's message sent with this one-time key, if any. */
export async function eventMessageByKey(
  db: Queryable,
  eventId: number,
  sendKey: string,
): Promise<EventMessage | undefined> {
  const res = await db.query<MessageRow>(
    `SELECT ${columns} FROM event_messages WHERE event_id = $1 AND send_key = $2`,
    [eventId, sendKey],
  );
  return res.rows[0] && toMessage(res.rows[0]);
}

export async function eventMessageById(db: Queryable, id: number): Promise<EventMessage | undefined> {
  const res = await db.query<MessageRow>(`SELECT ${columns} FROM event_messages WHERE id = $1`, [id]);
  return res.rows[0] && toMessage(res.rows[0]);
}

/** Messages whose recipients' rows are not all written yet (a fan-out cut short), oldest first. */
export async function unfinishedMessageIds(db: Queryable): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    'SELECT id FROM event_messages WHERE queued_at IS NULL ORDER BY id LIMIT 100',
  );
  return res.rows.map((r) => Number(r.id));
}

/** Tries to become the one writer of a message's rows for the rest of the transaction. */
export async function tryLockMessage(db: Queryable, id: number): Promise<boolean> {
  const res = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended('message:' || $1::text, 0)) AS locked`,
    [id],
  );
  return res.rows[0]!.locked;
}

/** Records that every recipient's row exists, and how many there are. */
export async function markMessageQueued(
  db: Queryable,
  id: number,
  at: Date,
  recipients: number,
): Promise<void> {
  await db.query(
    `UPDATE event_messages SET queued_at = $2, recipients = $3 WHERE id = $1 AND queued_at IS NULL`,
    [id, at, recipients],
  );
}

/** Where a message's mails stand. `queued` includes those waiting to be retried or being sent. */
export interface MessageProgress {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
}

/** A message with its progress. */
export type MessageWithProgress = EventMessage & { progress: MessageProgress };

/** Where a message's mails stand, from their count per status. */
export function progressOf(p: Record<string, string | number | undefined>): MessageProgress {
  return {
    queued: Number(p.queued ?? 0) + Number(p.sending ?? 0),
    sent: Number(p.sent ?? 0),
    failed: Number(p.failed ?? 0),
    skipped: Number(p.skipped ?? 0),
  };
}

/** The event's messages, newest first (their progress comes from `src/outbox`). */
export async function eventMessages(db: Queryable, eventId: number): Promise<EventMessage[]> {
  const res = await db.query<MessageRow>(
    `SELECT ${columns} FROM event_messages m WHERE event_id = $1 ORDER BY created_at DESC, id DESC`,
    [eventId],
  );
  return res.rows.map(toMessage);
}
