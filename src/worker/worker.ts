import type pg from 'pg';
import { deleteExpiredResetLinks, deleteExpiredSessions } from '../accounts';
import type { Config } from '../config';
import { deleteOldRateLimitWindows } from '../rate-limits';
import { queues, startQueueRunner } from '../jobs/queue';
import { loggerFor } from '../logger';
import {
  defaultRetryPolicy,
  deliverMail,
  requeueOverdueMails,
  type RetryPolicy,
} from '../delivery/delivery.job';
import { createTransport, type MailTransport } from '../delivery/transport';
import { promoteWaitingForEvent } from '../registrations';
import { queueDueMails } from '../reminders';

const log = loggerFor('worker');

/** A running worker; stop() lets the jobs in progress finish. */
export interface Worker {
  stop(): Promise<void>;
}

export interface WorkerOptions {
  config: Config;
  now: () => Date;
  /** Defaults to the configured transport (SMTP_URL, else .eml files). */
  transport?: MailTransport;
  retryPolicy?: RetryPolicy;
  /** How often an idle worker looks for new jobs. */
  pollingSeconds?: number;
  /** Mails sent at once by this process. */
  concurrency?: number;
  /** How often this process looks for due reminders, follow-ups and unfinished messages. */
  scheduleSeconds?: number;
}

/** Mails still pending this long after they were due have lost their job; the sweep queues them again. */
const OVERDUE_SECONDS = 600;

/**
 * The background role: delivers mails and moves waiting lists up, through the pg-boss queue, and keeps
 * the rate-limit table small. Any number of worker processes may run against one database.
 */
export async function startWorker(pool: pg.Pool, opts: WorkerOptions): Promise<Worker> {
  const transport = opts.transport ?? createTransport(opts.config);
  const deps = {
    pool,
    transport,
    config: opts.config,
    now: opts.now,
    policy: opts.retryPolicy ?? defaultRetryPolicy,
  };
  const boss = await startQueueRunner(pool);
  const polling = { batchSize: 1, pollingIntervalSeconds: opts.pollingSeconds ?? 1 };
  const schedule = scheduler(pool, opts.now);

  for (let i = 0; i < (opts.concurrency ?? 4); i++) {
    // pg-boss 10 waits the polling interval after every fetch, even one that found a job, which caps a
    // slot at one mail per interval (4 mails/s for a process by default: 10,000 reminders would take 42
    // minutes). A slot that has just delivered asks for the next job at once; only an empty queue waits.
    let slot = '';
    slot = await boss.work<{ mailId: number }>(queues.mailDeliver, polling, async ([job]) => {
      try {
        await deliverMail(deps, job!.data.mailId);
      } catch (err) {
        schedule.troubled();
        throw err;
      } finally {
        boss.notifyWorker(slot);
      }
    });
  }
  await boss.work(queues.mailSchedule, polling, () => schedule.run());
  await boss.work<{ eventId: number }>(queues.waitlistPromote, polling, async ([job]) => {
    const promoted = await promoteWaitingForEvent(pool, job!.data.eventId, opts.now());
    if (promoted) log.info({ eventId: job!.data.eventId, promoted }, 'waiting list moved up');
  });
  await boss.work(queues.mailSweep, polling, async () => {
    const requeued = await requeueOverdueMails(pool, OVERDUE_SECONDS);
    if (requeued) log.warn({ requeued }, 'overdue mails queued again');
  });
  await boss.schedule(queues.mailSweep, '*/5 * * * *');
  // Whatever a previous worker left half-done (killed mid-send) is due now; pick it up at once.
  await requeueOverdueMails(pool, 0);

  const ticker = setInterval(
    () => void schedule.run().catch(() => undefined),
    (opts.scheduleSeconds ?? 15) * 1000,
  );
  void schedule.run().catch(() => undefined);

  const housekeeping = setInterval(() => {
    deleteOldRateLimitWindows(pool, new Date(opts.now().getTime() - 24 * 3600 * 1000)).catch((err: unknown) =>
      log.error({ err }, 'rate-limit cleanup failed'),
    );
    deleteExpiredSessions(pool, opts.now()).catch((err: unknown) =>
      log.error({ err }, 'session cleanup failed'),
    );
    deleteExpiredResetLinks(pool, opts.now()).catch((err: unknown) =>
      log.error({ err }, 'reset link cleanup failed'),
    );
  }, 60_000);
  housekeeping.unref();
  log.info({ transport: transport.description }, 'worker started');

  return {
    async stop() {
      clearInterval(housekeeping);
      clearInterval(ticker);
      await schedule.idle();
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 20_000 });
      transport.close();
      log.info('worker stopped');
    },
  };
}

/**
 * This process's run of the reminder schedule: one run at a time (a tick that comes while one runs is
 * dropped). After a failure (the database restarted, say) the first run that succeeds also re-queues
 * every pending mail that is due, since the jobs of mails being sent at the time of the failure may be
 * stuck until pg-boss expires them; a duplicate job is harmless.
 */
function scheduler(pool: pg.Pool, now: () => Date) {
  let running: Promise<void> | undefined;
  let again = false;
  let troubled = false;
  async function once() {
    try {
      const written = await queueDueMails(pool, now());
      if (written) log.info({ mails: written }, 'reminders, follow-ups and messages queued');
      if (troubled) {
        troubled = false;
        const requeued = await requeueOverdueMails(pool, 0);
        log.warn({ requeued }, 'database reachable again; due mails queued again');
      }
    } catch (err) {
      troubled = true;
      log.error({ err }, 'looking for due reminders failed; trying again at the next tick');
      throw err;
    }
  }
  return {
    /** Runs now; asked while a run is under way, it runs once more right after (it may have missed it). */
    run(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await once();
          } while (again);
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
    troubled() {
      troubled = true;
    },
    async idle() {
      await running?.catch(() => undefined);
    },
  };
}
