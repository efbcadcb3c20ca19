import type pg from 'pg';
import { withTransaction } from '../db/pool';
import { loggerFor } from '../logger';
import { insertTopicMails } from '../outbox';
import { topicRecipients } from '../registrations';
import { fanOutUnfinishedMessages } from '../messages';
import { eventsWithMailsDue } from '../events';
import { tryLockTopic } from './reminders.queries';
import { dueTopics, type DueTopic } from './schedule';

const log = loggerFor('reminders');

/**
 * The scheduled job behind reminders, follow-ups and messages: every worker process runs it every few
 * seconds. It finds what is due and writes one outgoing_mails row per recipient, `batchSize` rows per
 * transaction; each row is due at once, and the mail worker sends them like any other mail.
 *
 * Exactly once: a row's (registration, topic) is unique in the database, so a reminder can be written
 * once at most, whatever number of workers run this at the same time (an advisory lock per topic keeps
 * them from doing the same batch twice, the unique index makes it harmless if they did). Each batch
 * commits on its own, so a worker killed mid-run or a database restart loses nothing: the
 * next run, in any worker, writes the rest. Delivery is exactly once per row (see src/delivery/delivery.job.ts),
 * with its one documented exception.
 */
export async function queueDueMails(
  pool: pg.Pool,
  now: Date,
  opts: { batchSize?: number } = {},
): Promise<number> {
  const batchSize = opts.batchSize ?? 500;
  let written = 0;
  let failure: unknown;
  for (const event of await eventsWithMailsDue(pool, now)) {
    for (const due of dueTopics(event, now)) {
      // One topic that fails (a lost connection) must not hold up the others; the next run retries it.
      try {
        const n = await writeTopic(pool, event.id, due, now, batchSize);
        if (n) log.info({ eventId: event.id, topic: due.topic, mails: n }, 'mails due, queued');
        written += n;
      } catch (err) {
        failure ??= err;
        log.error({ err, eventId: event.id, topic: due.topic }, 'writing due mails failed');
      }
    }
  }
  written += await fanOutUnfinishedMessages(pool, now, batchSize);
  if (failure) throw failure;
  return written;
}

async function writeTopic(
  pool: pg.Pool,
  eventId: number,
  due: DueTopic,
  now: Date,
  batchSize: number,
): Promise<number> {
  let written = 0;
  let afterId = 0;
  for (;;) {
    const step = await withTransaction(pool, async (tx) => {
      if (!(await tryLockTopic(tx, eventId, due.topic))) return undefined;
      const recipients = await topicRecipients(tx, {
        eventId,
        topic: due.topic,
        seatBefore: due.seatBefore ?? null,
        afterId,
        limit: batchSize,
      });
      const ids = await insertTopicMails(tx, { kind: due.kind, topic: due.topic, recipients, at: now });
      return { ids, lastId: recipients.at(-1)?.id };
    });
    // Another worker holds this topic: it writes the rest.
    if (!step || step.lastId === undefined) return written;
    written += step.ids.length;
    afterId = step.lastId;
  }
}
