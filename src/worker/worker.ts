import type pg from 'pg';
import { deleteOldRateLimitWindows } from '../http/rate-limit';
import { loggerFor } from '../logger';

const log = loggerFor('worker');

/** A running worker; stop() waits for the task in progress to finish. */
export interface Worker {
  stop(): Promise<void>;
}

/**
 * The background role. Today it keeps the rate-limit table small; mail delivery and reminders join it
 * in later releases. Every task runs on a timer, one at a time, and a failed run is logged and retried
 * at the next tick.
 */
export function startWorker(pool: pg.Pool, now: () => Date, intervalMs = 60_000): Worker {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      try {
        const removed = await deleteOldRateLimitWindows(pool, new Date(now().getTime() - 24 * 3600 * 1000));
        if (removed) log.debug({ removed }, 'old rate-limit windows removed');
      } catch (err) {
        log.error({ err }, 'worker task failed');
      }
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  log.info('worker started');
  return {
    async stop() {
      clearInterval(timer);
      await running;
      log.info('worker stopped');
    },
  };
}
