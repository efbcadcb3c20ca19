import type pg from 'pg';
import { z } from 'zod';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { DomainError } from '../errors';
import { type BilingualTexts, type EventRecord, type SaveContext } from '../events';
import { enqueue, queues } from '../jobs/queue';
import { insertTopicMails, messageMailCount, messageMailTallies } from '../outbox';
import { messageRecipientBatch, messageRecipientCount, type RegistrationFilters } from '../registrations';
import { multilineText, text as oneLine } from '../text';
import * as q from './messages.queries';

/**
 * The organiser's messages to all or some registrants of an event. Sending writes the message and
 * its audit entry; the worker then writes one mail row per recipient in batches (the fan-out), each row
 * unique per (registration, message), so a fan-out cut short by a crash resumes without doubling.
 */

/** What the organiser writes: a subject and a body, each in English and Japanese. */
export interface MessageInput {
  subject: BilingualTexts;
  body: BilingualTexts;
}

// The subject is one line; the body is multi-line (tab and line feed kept, CR LF stored as LF).
const text = (max: number, key: 'subject' | 'body') =>
  (key === 'body' ? multilineText : oneLine)({ message: `validation:message.${key}` })
    .trim()
    .min(1, `validation:message.${key}`)
    .max(max, 'validation:tooLong');

const messageSchema = z.object({
  subject: z.object({ en: text(200, 'subject'), ja: text(200, 'subject') }),
  body: z.object({ en: text(20000, 'body'), ja: text(20000, 'body') }),
});

/**
 * Reads a message from a form or JSON body: `subject_en`, `subject_ja`, `body_en`, `body_ja` (a form)
 * or `{subject: {en, ja}, body: {en, ja}}` (JSON). Throws `validation_failed` with one locale key per
 * field (`subject.en` …) when a part is missing in either language.
 */
export function parseMessageInput(raw: Record<string, unknown>): MessageInput {
  const nested = (name: 'subject' | 'body') =>
    raw[name] && typeof raw[name] === 'object' ? raw[name] : { en: raw[`${name}_en`], ja: raw[`${name}_ja`] };
  const parsed = messageSchema.safeParse({ subject: nested('subject'), body: nested('body') });
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.');
    fields[path] ??= issue.message.startsWith('validation:') ? issue.message : 'validation:required';
  }
  throw new DomainError('validation_failed', 'errors:invalidMessage', {}, fields);
}

/** How many registrants a message with these filters goes to now (live, not unsubscribed). */
export function messageRecipients(
  db: pg.Pool | pg.PoolClient,
  eventId: number,
  filters: RegistrationFilters,
): Promise<number> {
  return messageRecipientCount(db, eventId, filters);
}

/**
 * Sends a message: records it (with the count the organiser saw) and its audit entry, and asks the
 * worker to write the recipients' mails now. Refused when nobody would receive it.
 */
export async function sendEventMessage(
  pool: pg.Pool,
  m: {
    event: EventRecord;
    input: MessageInput;
    filters: RegistrationFilters;
    expected: number;
    /** A one-time key: a second send with it returns the first message and sends nothing. */
    sendKey?: string;
    ctx: SaveContext;
  },
): Promise<q.EventMessage> {
  if (m.event.status === 'draft') throw new DomainError('validation_failed', 'errors:messageDraft');
  return withTransaction(pool, async (tx) => {
    const earlier = m.sendKey ? await q.eventMessageByKey(tx, m.event.id, m.sendKey) : undefined;
    if (earlier) return earlier;
    const count = await messageRecipientCount(tx, m.event.id, m.filters);
    if (count === 0) throw new DomainError('validation_failed', 'errors:messageNoRecipients');
    const message = await q.insertEventMessage(tx, {
      eventId: m.event.id,
      subject: m.input.subject,
      body: m.input.body,
      filters: m.filters,
      expected: m.expected,
      actor: m.ctx.actor,
      userId: m.ctx.userId ?? null,
      at: m.ctx.now,
      sendKey: m.sendKey ?? null,
    });
    // Sent twice at the same instant with one key: the other send recorded it.
    if (!message) return (await q.eventMessageByKey(tx, m.event.id, m.sendKey!))!;
    await insertAuditEntry(tx, {
      at: m.ctx.now,
      actor: m.ctx.actor,
      userId: m.ctx.userId ?? null,
      action: 'message.sent',
      eventId: m.event.id,
      data: { messageId: message.id, subject: m.input.subject, filters: m.filters, recipients: count },
    });
    await enqueue(tx, queues.mailSchedule, {});
    return message;
  });
}

/**
 * Writes the recipients' mail rows of one message, `batchSize` per transaction, and marks the message
 * queued when everyone has one. Another worker on the same message makes this return at once.
 */
export async function fanOutMessage(
  pool: pg.Pool,
  messageId: number,
  now: Date,
  batchSize = 500,
): Promise<number> {
  let written = 0;
  for (;;) {
    const step = await withTransaction(pool, async (tx) => {
      if (!(await q.tryLockMessage(tx, messageId))) return undefined;
      const message = await q.eventMessageById(tx, messageId);
      if (!message || message.queuedAt) return undefined;
      const recipients = await messageRecipientBatch(tx, {
        eventId: message.eventId,
        filters: message.filters,
        messageId,
        limit: batchSize,
      });
      const ids = await insertTopicMails(tx, {
        kind: 'event.message',
        topic: `message:${messageId}`,
        eventMessageId: messageId,
        recipients,
        at: now,
      });
      if (ids.length < batchSize) {
        await q.markMessageQueued(tx, messageId, now, await messageMailCount(tx, messageId));
      }
      return ids.length;
    });
    if (step === undefined) return written;
    written += step;
    if (step < batchSize) return written;
  }
}

/** Finishes every message whose recipients' rows are not all written. */
export async function fanOutUnfinishedMessages(pool: pg.Pool, now: Date, batchSize = 500): Promise<number> {
  let written = 0;
  for (const id of await q.unfinishedMessageIds(pool))
    written += await fanOutMessage(pool, id, now, batchSize);
  return written;
}

/** The event's messages, newest first, each with where its mails stand. */
export async function eventMessagesWithProgress(
  db: pg.Pool | pg.PoolClient,
  eventId: number,
): Promise<q.MessageWithProgress[]> {
  const messages = await q.eventMessages(db, eventId);
  const tallies = await messageMailTallies(
    db,
    messages.map((m) => m.id),
  );
  return messages.map((m) => ({ ...m, progress: q.progressOf(tallies.get(m.id) ?? {}) }));
}

export { eventMessageById, type EventMessage, type MessageWithProgress } from './messages.queries';
