import type pg from 'pg';
import { deleteExpiredResetLinks, deleteExpiredSessions } from '../accounts';
import type { Config } from '../config';
import { deleteOldRateLimitWindows } from '../rate-limits';
import { queues, startQueueRunner } from '../jobs/queue';
import { loggerFor } from '../logger';
import {
  defaultRetryPolicy,
  deliverMail,
  requeueExpiredLeases,
  requeueOverdueMails,
  type RetryPolicy,
} from '../delivery/delivery.job';
import { createTransport, type MailTransport } from '../delivery/transport';
import { promoteWaitingForEvent } from '../registrations';
import { queueDueMails } from '../reminders';
import { anonymiseDueEvents } from '../privacy';
import { startScheduler, type PeriodicTask } from './scheduler';
import { ZoomClient } from '../zoom-api';
import { workZoomQueues, zoomReportsTask, zoomResyncTask } from './zoom-jobs';

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
 * How often the worker looks for mails left 'sending' by a worker that died mid-send and whose lease has
 * run out: one indexed query, so a mail waits at most this long after its lease.
 */
const LEASE_SWEEP_SECONDS = 15;

/**
 * The background role: delivers mails and moves waiting lists up, through the pg-boss queue, and runs
 * the periodic work (due reminders and messages, the sweep, housekeeping) in its one scheduler. Any
 * number of worker processes may run against one database.
 */
export async function startWorker(pool: pg.Pool, opts: WorkerOptions): Promise<Worker> {
  const transport = opts.transport ?? createTransport(opts.config);
  const deps = {
    pool,
    transport,
    config: opts.config,
    now: opts.now,
    policy: opts.retryPolicy ?? { ...defaultRetryPolicy, baseSeconds: opts.config.mailRetryBaseSeconds },
    leaseSeconds: opts.config.mailLeaseSeconds,
  };
  const zoomDeps = {
    pool,
    now: opts.now,
    zoom: opts.config.zoom ? new ZoomClient(opts.config.zoom) : undefined,
  };
  const boss = await startQueueRunner(pool);
  const polling = { batchSize: 1, pollingIntervalSeconds: opts.pollingSeconds ?? 1 };
  const dueMails = dueMailsTask(pool, opts.now, opts.scheduleSeconds ?? 15);

  for (let i = 0; i < (opts.concurrency ?? 4); i++) {
    // pg-boss 10 waits the polling interval after every fetch, even one that found a job, which caps a
    // slot at one mail per interval (4 mails/s for a process by default: 10,000 reminders would take 42
    // minutes). A slot that has just delivered asks for the next job at once; only an empty queue waits.
    let slot = '';
    slot = await boss.work<{ mailId: number }>(queues.mailDeliver, polling, async ([job]) => {
      try {
        await deliverMail(deps, job!.data.mailId);
      } catch (err) {
        dueMails.troubled();
        throw err;
      } finally {
        boss.notifyWorker(slot);
      }
    });
  }
  await boss.work<{ eventId: number }>(queues.waitlistPromote, polling, async ([job]) => {
    const promoted = await promoteWaitingForEvent(pool, job!.data.eventId, opts.now());
    if (promoted) log.info({ eventId: job!.data.eventId, promoted }, 'waiting list moved up');
  });
  await workZoomQueues(boss, zoomDeps, polling);
  // Whatever a previous worker left half-done (killed mid-send) is due now; pick it up at once.
  await requeueOverdueMails(pool, 0);

  const scheduler = startScheduler([
    dueMails.task,
    { name: 'mail-sweep', everySeconds: 300, run: () => sweepOverdueMails(pool) },
    { name: 'mail-lease-sweep', everySeconds: LEASE_SWEEP_SECONDS, run: () => sweepExpiredLeases(pool) },
    {
      name: 'rate-limit-cleanup',
      everySeconds: 60,
      run: () => deleteOldRateLimitWindows(pool, new Date(opts.now().getTime() - 24 * 3600 * 1000)),
    },
    { name: 'session-cleanup', everySeconds: 60, run: () => deleteExpiredSessions(pool, opts.now()) },
    zoomReportsTask(pool, opts.now, Boolean(zoomDeps.zoom)),
    zoomResyncTask(pool, opts.now, Boolean(zoomDeps.zoom)),
    { name: 'reset-link-cleanup', everySeconds: 60, run: () => deleteExpiredResetLinks(pool, opts.now()) },
    retentionTask(pool, opts.now, opts.config.dataDir, Boolean(zoomDeps.zoom)),
  ]);
  // An organiser just sent a message: write its mails now rather than at the next tick.
  await boss.work(queues.mailSchedule, polling, () => scheduler.runNow(dueMails.task.name));
  log.info({ transport: transport.description }, 'worker started');

  return {
    async stop() {
      await scheduler.stop();
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 20_000 });
      transport.close();
      log.info('worker stopped');
    },
  };
}

/**
 * The periodic task that writes due reminders, follow-ups and messages. After a failure (the database
 * restarted, say; a failed delivery says so too through `troubled()`) the first run that succeeds also
 * re-queues every pending mail that is due, since the jobs of mails being sent at the time of the
 * failure may be stuck until pg-boss expires them; a duplicate job is harmless.
 */
function dueMailsTask(pool: pg.Pool, now: () => Date, everySeconds: number) {
  let troubled = false;
  const task: PeriodicTask = {
    name: 'due-mails',
    everySeconds,
    atStart: true,
    async run() {
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
        throw err;
      }
    },
  };
  return {
    task,
    troubled() {
      troubled = true;
    },
  };
}

/**
 * The retention period: hourly (and at start), anonymises the events whose retention days have passed;
 * with Zoom set up, their registrants are cancelled on Zoom too.
 */
function retentionTask(pool: pg.Pool, now: () => Date, dataDir: string, zoom = false): PeriodicTask {
  return {
    name: 'retention',
    everySeconds: 3600,
    atStart: true,
    async run() {
      const done = await anonymiseDueEvents(pool, now(), dataDir, { cancelOnZoom: zoom });
      if (done.events) log.info(done, 'personal data anonymised after the retention period');
    },
  };
}

/** Queues again the mails a worker left 'sending' when it died, now that their lease has run out. */
async function sweepExpiredLeases(pool: pg.Pool): Promise<void> {
  const requeued = await requeueExpiredLeases(pool);
  if (requeued) log.warn({ requeued }, 'mails whose lease ran out queued again');
}

/** Queues again the mails whose job was lost (a worker killed mid-send, before pg-boss noticed). */
async function sweepOverdueMails(pool: pg.Pool): Promise<void> {
  const requeued = await requeueOverdueMails(pool, OVERDUE_SECONDS);
  if (requeued) log.warn({ requeued }, 'overdue mails queued again');
}
