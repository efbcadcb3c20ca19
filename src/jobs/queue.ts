import PgBoss from 'pg-boss';
import pgBossVersion from 'pg-boss/version.json';
import type pg from 'pg';
import type { Queryable } from '../db/pool';
import { loggerFor } from '../logger';

const log = loggerFor('jobs');

/**
 * The job queue: pg-boss 10 in its own `pgboss` schema of our database. Jobs are written with the
 * caller's transaction (pass the transaction as `db`), so a job exists exactly when the change that
 * caused it committed. Jobs carry ids, never objects: a handler reads the current state itself.
 */

/** Every queue the product uses. */
export const queues = {
  /** Give free seats of one event to its waiting list: `{ eventId }`. */
  waitlistPromote: 'waitlist-promote',
  /**
   * Write the rows of due reminders, follow-ups and messages now rather than at the next tick (an
   * organiser just sent a message): no data.
   */
  mailSchedule: 'mail-schedule',
  /**
   * Bring one event's registrants on its Zoom webinar up to date (register the confirmed, cancel the
   * cancelled): `{ eventId }`. One waiting job per event (key `event-<id>`).
   */
  zoomSync: 'zoom-sync',
  /** Tell Zoom the event's new start and duration: `{ eventId }`. */
  zoomMove: 'zoom-move',
  /** Pull the participant report of an event's Zoom webinar after it ended: `{ eventId }`. */
  zoomReport: 'zoom-report',
} as const;
export type QueueName = (typeof queues)[keyof typeof queues];

/**
 * Queues earlier releases used and this one does not: `installQueues` deletes them with any jobs left
 * in them. 'mail-deliver' held a job per mail; outgoing_mails is now its own queue (src/delivery).
 */
const retiredQueues = ['mail-deliver'];

const SCHEMA = 'pgboss';

/** pg-boss runs its SQL through this, on our pool or on the caller's transaction. */
function executor(db: Queryable): PgBoss.Db {
  return { executeSql: (text, values) => db.query(text, values) };
}

/**
 * A pg-boss instance used only to write jobs; every call passes its own `db`, so this one never
 * touches a connection of its own and needs no start().
 */
const writer = new PgBoss({
  schema: SCHEMA,
  db: {
    executeSql: () => Promise.reject(new Error('jobs are always written through a given db')),
  },
});

export interface EnqueueOptions {
  /** Not before this instant. */
  startAfter?: Date;
  /**
   * On a queue with the `short` policy, at most one job per key waits at a time: enqueueing again
   * while one waits does nothing. (A job being worked on does not count.)
   */
  singletonKey?: string;
}

/** Writes one job in the caller's transaction (or on the pool). */
export async function enqueue(
  db: Queryable,
  name: QueueName,
  data: object,
  options: EnqueueOptions = {},
): Promise<void> {
  await writer.send(name, data, { ...options, db: executor(db) });
}

/** Writes many jobs in one statement, in the caller's transaction. */
export async function enqueueMany(
  db: Queryable,
  name: QueueName,
  jobs: { data: object; singletonKey?: string }[],
): Promise<void> {
  if (!jobs.length) return;
  await writer.insert(
    jobs.map((j) => ({ name, data: j.data, singletonKey: j.singletonKey })),
    { db: executor(db) },
  );
}

/**
 * How each queue behaves. The schedule run, the waiting-list and Zoom jobs keep one waiting job (per
 * event) at a time, which is all they need since each reads the current state when it runs. pg-boss's
 * own retries cover a handler that failed unexpectedly (a lost database connection).
 */
const queueOptions: Record<QueueName, { policy: 'standard' | 'short' }> = {
  [queues.waitlistPromote]: { policy: 'short' },
  [queues.mailSchedule]: { policy: 'short' },
  [queues.zoomSync]: { policy: 'short' },
  [queues.zoomMove]: { policy: 'short' },
  [queues.zoomReport]: { policy: 'short' },
};
const retries = { retryLimit: 10, retryDelay: 30, retryBackoff: true };

/** The pgboss schema version this pg-boss release expects. */
const schemaVersion = pgBossVersion.schema;

/**
 * True when the pgboss schema is at this release's version and holds every queue we use and none we
 * retired: then `installQueues` has nothing to do. Any error (no schema yet) counts as false.
 */
export async function queuesInstalled(db: Queryable): Promise<boolean> {
  try {
    const res = await db.query<{ version: number; queues: number; retired: number }>(
      `SELECT (SELECT version::int FROM ${SCHEMA}.version) AS version,
              (SELECT count(*)::int FROM ${SCHEMA}.queue WHERE name = ANY($1::text[])) AS queues,
              (SELECT count(*)::int FROM ${SCHEMA}.queue WHERE name = ANY($2::text[])) AS retired`,
      [Object.values(queues), retiredQueues],
    );
    const row = res.rows[0];
    return row?.version === schemaVersion && row.queues === Object.values(queues).length && row.retired === 0;
  } catch {
    return false;
  }
}

/**
 * Creates or upgrades the pgboss schema and our queues. Part of `migrate`, which calls it while it holds
 * the migration lock, so two processes never run it at once; safe to repeat.
 */
export async function installQueues(db: Queryable): Promise<void> {
  const boss = new PgBoss({ schema: SCHEMA, db: executor(db), supervise: false, schedule: false });
  await boss.start();
  for (const name of Object.values(queues)) {
    if (!(await boss.getQueue(name)))
      await boss.createQueue(name, { name, ...queueOptions[name], ...retries });
  }
  for (const name of retiredQueues) {
    // pg-boss deletes a queue only once no job refers to it.
    await db.query(`DELETE FROM ${SCHEMA}.job WHERE name = $1`, [name]);
    await boss.deleteQueue(name);
  }
  await boss.stop({ graceful: false, close: false, wait: true });
}

/** pg-boss's statements that record a job's outcome: complete (plans.completeJobs) and fail (plans.failJobs). */
const outcomeStatement =
  /^\s*WITH (?:results AS \(\s*UPDATE \S+\.job\s+SET completed_on|deleted_jobs AS \(\s*DELETE FROM \S+\.job)/;

/**
 * The runner's SQL. pg-boss 10 records the outcome of a job it ran without awaiting it
 * (timgit/pg-boss#577): when the database is unreachable at that moment, the rejection is unhandled and
 * Node ends the process, which is what a database restart did to every worker that was sending mail.
 * So an outcome that cannot be written is logged and dropped instead: the job stays active until pg-boss
 * expires it and runs it again, which each of our handlers allows (each reads the current state).
 */
function runnerExecutor(pool: pg.Pool): PgBoss.Db {
  return {
    executeSql: (text, values) => {
      const result = pool.query(text, values);
      if (!outcomeStatement.test(text)) return result;
      return result.catch((err: unknown) => {
        log.error({ err }, 'could not record the outcome of a job; it will run again when it expires');
        return { rows: [{ count: '0' }], rowCount: 0 } as unknown as pg.QueryResult;
      });
    },
  };
}

/**
 * A started pg-boss for the worker role: it polls and expires stuck jobs. It runs no cron schedules:
 * periodic work is the worker's own scheduler (`src/worker/scheduler.ts`).
 */
export async function startQueueRunner(pool: pg.Pool): Promise<PgBoss> {
  const boss = new PgBoss({
    schema: SCHEMA,
    db: runnerExecutor(pool),
    migrate: false,
    supervise: true,
    schedule: false,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  return boss;
}
