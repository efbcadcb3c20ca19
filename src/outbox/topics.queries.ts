import type { Queryable } from '../db/pool';
import type { MailRecipient } from './outbox.queries';

/**
 * Named queries for the mails written in bulk by topic: reminders, the follow-up and organisers'
 * messages. The callers pick the recipients (registrations owns that table); this folder writes their
 * rows and counts how they stand, since `outgoing_mails` is queried nowhere else.
 */

/**
 * Writes one queued row of `kind` and `topic` per recipient, in registration order, and returns the new
 * mail ids. The unique (registration, topic) index makes a repeated or concurrent write harmless: a
 * recipient who already has the topic's row gets no second one (and no id back).
 */
export async function insertTopicMails(
  db: Queryable,
  m: {
    kind: string;
    topic: string;
    recipients: readonly MailRecipient[];
    at: Date;
    /** The organiser's message an event.message row carries. */
    eventMessageId?: number;
  },
): Promise<number[]> {
  if (!m.recipients.length) return [];
  const res = await db.query<{ id: string }>(
    `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, created_at,
       next_attempt_at, topic, event_message_id)
     SELECT $1, p.event_id, p.id, p.email, p.locale, $2, now(), $3, $4
       FROM unnest($5::bigint[], $6::bigint[], $7::text[], $8::text[]) AS p(id, event_id, email, locale)
      ORDER BY p.id
     ON CONFLICT (registration_id, topic) WHERE topic IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      m.kind,
      m.at,
      m.topic,
      m.eventMessageId ?? null,
      m.recipients.map((r) => r.id),
      m.recipients.map((r) => r.eventId),
      m.recipients.map((r) => r.email),
      m.recipients.map((r) => r.locale),
    ],
  );
  return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** How the rows of each topic of an event stand: topic → status → count (the workspace's progress). */
export async function topicTallies(
  db: Queryable,
  eventId: number,
): Promise<Map<string, Record<string, number>>> {
  const res = await db.query<{ topic: string; status: string; n: string }>(
    `SELECT topic, status, count(*) AS n FROM outgoing_mails
      WHERE event_id = $1 AND topic IS NOT NULL AND event_message_id IS NULL AND invitee_id IS NULL
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

/** How many mail rows an organiser's message has (its recipients, once the fan-out is done). */
export async function messageMailCount(db: Queryable, messageId: number): Promise<number> {
  const res = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM outgoing_mails WHERE event_message_id = $1',
    [messageId],
  );
  return Number(res.rows[0]!.n);
}

/** How the mails of each of these messages stand: message id → status → count. */
export async function messageMailTallies(
  db: Queryable,
  messageIds: readonly number[],
): Promise<Map<number, Record<string, number>>> {
  const res = await db.query<{ event_message_id: string; status: string; n: string }>(
    `SELECT event_message_id, status, count(*) AS n FROM outgoing_mails
      WHERE event_message_id = ANY($1::bigint[])
      GROUP BY event_message_id, status`,
    [messageIds],
  );
  const out = new Map<number, Record<string, number>>();
  for (const r of res.rows) {
    const id = Number(r.event_message_id);
    const t = out.get(id) ?? {};
    t[r.status] = Number(r.n);
    out.set(id, t);
  }
  return out;
}

/** One invitee an invitation or its reminder goes to (the invitations folder picks them). */
export interface InviteeRecipient {
  inviteeId: number;
  eventId: number;
  email: string;
  locale: 'en' | 'ja';
}

/**
 * Writes one queued row of `kind` and `topic` per invitee and returns the new mail ids. The unique
 * (invitee, topic) index makes a repeated or concurrent write harmless: an invitee who already has the
 * topic's row (an invitation, or reminder number 2) gets no second one and no id back.
 */
export async function insertInviteeMails(
  db: Queryable,
  m: { kind: string; topic: string; recipients: readonly InviteeRecipient[]; at: Date },
): Promise<number[]> {
  if (!m.recipients.length) return [];
  const res = await db.query<{ id: string }>(
    `INSERT INTO outgoing_mails (kind, event_id, invitee_id, recipient, locale, created_at, next_attempt_at, topic)
     SELECT $1, p.event_id, p.id, p.email, p.locale, $2, now(), $3
       FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::text[]) AS p(id, event_id, email, locale)
      ORDER BY p.id
     ON CONFLICT (invitee_id, topic) WHERE invitee_id IS NOT NULL AND topic IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      m.kind,
      m.at,
      m.topic,
      m.recipients.map((r) => r.inviteeId),
      m.recipients.map((r) => r.eventId),
      m.recipients.map((r) => r.email),
      m.recipients.map((r) => r.locale),
    ],
  );
  return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** The highest number among topics `<prefix><n>` of an event's invitee mails (0 when none). */
export async function lastInviteeTopicNumber(
  db: Queryable,
  eventId: number,
  prefix: string,
): Promise<number> {
  const res = await db.query<{ n: number | null }>(
    `SELECT max(substr(topic, length($2) + 1)::int) AS n FROM outgoing_mails
      WHERE event_id = $1 AND invitee_id IS NOT NULL AND starts_with(topic, $2)`,
    [eventId, prefix],
  );
  return res.rows[0]?.n ?? 0;
}

/** How the invitee mails of an event stand: topic → status → count. */
export async function inviteeMailTallies(
  db: Queryable,
  eventId: number,
): Promise<Map<string, Record<string, number>>> {
  const res = await db.query<{ topic: string; status: string; n: string }>(
    `SELECT topic, status, count(*) AS n FROM outgoing_mails
      WHERE event_id = $1 AND invitee_id IS NOT NULL GROUP BY topic, status`,
    [eventId],
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of res.rows) out.set(r.topic, { ...out.get(r.topic), [r.status]: Number(r.n) });
  return out;
}
