import type pg from 'pg';
import { deleteExpiredResetLinks, deleteExpiredSessions } from '../accounts';
import type { Config } from '../config';
import { deleteOldRateLimitWindows } from '../rate-limits';
import { queues, startQueueRunner } from '../jobs/queue';
import { loggerFor } from '../logger';
import {
  defaultRetryPolicy,
  deliverDueMails,
  type DeliveryDeps,
  type RetryPolicy,
} from '../delivery/delivery.job';
import { SendGate } from '../delivery/send-gate';
import { createTransport, SMTP_CONNECTIONS, type MailTransport } from '../delivery/transport';
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
  /** How often an idle worker looks for new jobs and due mails. */
  pollingSeconds?: number;
  /** Mails this process has claimed and is sending at once (16 by default, over the transport's connections). */
  concurrency?: number;
  /** How often this process looks for due reminders, follow-ups and unfinished messages. */
  scheduleSeconds?: number;
}

/** How long stopping waits for the mails being sent; any still unrecorded are sent again after their lease. */
const STOP_WAIT_MS = 20_000;

/**
 * The background role: delivers the due mails of outgoing_mails (its mail pumps), moves waiting lists
 * up and talks to Zoom through the pg-boss queues, and runs the periodic work (due reminders and
 * messages, housekeeping) in its one scheduler. Any number of worker processes may run against one
 * database.
 */
export async function startWorker(pool: pg.Pool, opts: WorkerOptions): Promise<Worker> {
  const transport = opts.transport ?? createTransport(opts.config);
  const deps: DeliveryDeps = {
    pool,
    transport,
    config: opts.config,
    now: opts.now,
    policy: opts.retryPolicy ?? { ...defaultRetryPolicy, baseSeconds: opts.config.mailRetryBaseSeconds },
    leaseSeconds: opts.config.mailLeaseSeconds,
    gate: new SendGate(SMTP_CONNECTIONS),
  };
  const zoomDeps = {
    pool,
    now: opts.now,
    zoom: opts.config.zoom ? new ZoomClient(opts.config.zoom) : undefined,
  };
  const boss = await startQueueRunner(pool);
  const polling = { batchSize: 1, pollingIntervalSeconds: opts.pollingSeconds ?? 1 };
  const dueMails = dueMailsTask(pool, opts.now, opts.scheduleSeconds ?? 15);

  await boss.work<{ eventId: number }>(queues.waitlistPromote, polling, async ([job]) => {
    const promoted = await promoteWaitingForEvent(pool, job!.data.eventId, opts.now());
    if (promoted) log.info({ eventId: job!.data.eventId, promoted }, 'waiting list moved up');
  });
  await workZoomQueues(boss, zoomDeps, polling);
  const mail = startMailPumps(deps, {
    mailsAtOnce: opts.concurrency ?? 16,
    pollMs: (opts.pollingSeconds ?? 1) * 1000,
  });

  const scheduler = startScheduler([
    dueMails,
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
  await boss.work(queues.mailSchedule, polling, () => scheduler.runNow(dueMails.name));
  log.info({ transport: transport.description }, 'worker started');

  return {
    async stop() {
      await scheduler.stop();
      await mail.stop(STOP_WAIT_MS);
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 20_000 });
      transport.close();
      log.info('worker stopped');
    },
  };
}

/** The periodic task that writes the rows of due reminders, follow-ups and messages. */
function dueMailsTask(pool: pg.Pool, now: () => Date, everySeconds: number): PeriodicTask {
  return {
    name: 'due-mails',
    everySeconds,
    atStart: true,
    async run() {
      const written = await queueDueMails(pool, now());
      if (written) log.info({ mails: written }, 'reminders, follow-ups and messages queued');
    },
  };
}

/**
 * The mail pumps: each claims a batch of due mails, sends them and claims the next batch at once, so
 * while one batch is sent the other pump is already claiming and rendering. A pump that found fewer
 * mails than it asked for, or whose claim failed (the database is away), waits `pollMs` before it
 * looks again. Mails a pump leased when the worker died are due again after their lease.
 */
function startMailPumps(deps: DeliveryDeps, opts: { mailsAtOnce: number; pollMs: number }) {
  const pumps = 2;
  const batch = Math.max(1, Math.ceil(opts.mailsAtOnce / pumps));
  let stopped = false;
  const wakes = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakes.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakes.add(wake);
    });
  async function pump(): Promise<void> {
    while (!stopped) {
      let claimed = 0;
      try {
        claimed = await deliverDueMails(deps, batch);
      } catch (err) {
        log.error({ err }, 'could not deliver due mails; trying again shortly');
      }
      if (claimed < batch && !stopped) await pause(opts.pollMs);
    }
  }
  const running = Promise.all(Array.from({ length: pumps }, () => pump()));
  return {
    /**
     * No new claims; mails waiting for a connection go back to the queue, due at once (for the next
     * worker, or this one when it starts again); waits up to `waitMs` for the mails being sent to be
     * recorded.
     */
    async stop(waitMs: number): Promise<void> {
      stopped = true;
      deps.gate?.close();
      for (const wake of [...wakes]) wake();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
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
