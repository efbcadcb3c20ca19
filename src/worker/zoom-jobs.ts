import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { eventById, zoomEventsEndedBetween, zoomEventsNotEnded } from '../events';
import { DomainError } from '../errors';
import { enqueueMany, queues } from '../jobs/queue';
import { loggerFor } from '../logger';
import { moveOnZoom, pullZoomReport, syncEventRegistrants, type ZoomDeps } from '../zoom';

const log = loggerFor('worker');

/**
 * The Zoom jobs: registrant sync (its own retries, honouring Retry-After, are queued by the sync
 * itself), moving the webinar when the event moved, and the participant report. Without Zoom settings
 * the handlers do nothing, so a job left from a configured past finishes quietly.
 */
export async function workZoomQueues(
  boss: PgBoss,
  deps: ZoomDeps,
  polling: { batchSize: number; pollingIntervalSeconds: number },
): Promise<void> {
  await boss.work<{ eventId: number }>(queues.zoomSync, polling, async ([job]) => {
    const outcome = await syncEventRegistrants(deps, job!.data.eventId);
    if (outcome.registered || outcome.reinstated || outcome.cancelled || outcome.failed || outcome.retryAt) {
      log.info({ eventId: job!.data.eventId, ...outcome }, 'Zoom registrants synced');
    }
  });
  // Zoom's Retry-After queues the move again; a failure without it is retried by pg-boss with its backoff.
  await boss.work<{ eventId: number }>(queues.zoomMove, polling, async ([job]) => {
    const outcome = await moveOnZoom(deps, await eventById(deps.pool, job!.data.eventId));
    if (outcome !== 'nothing') log.info({ eventId: job!.data.eventId, outcome }, 'moving the event on Zoom');
  });
  await boss.work<{ eventId: number }>(queues.zoomReport, polling, async ([job]) => {
    try {
      const outcome = await pullZoomReport(deps, job!.data.eventId);
      log.info({ eventId: job!.data.eventId, matched: outcome.matched }, 'Zoom participant report pulled');
    } catch (err) {
      // Unlinked since, or Zoom refused for good: nothing a retry would change.
      if (err instanceof DomainError && err.code !== 'zoom_unavailable') {
        log.warn({ eventId: job!.data.eventId, code: err.code }, 'Zoom participant report not pulled');
        return;
      }
      throw err;
    }
  });
}

/**
 * The periodic task that asks for the participant report of events on Zoom once they have been over
 * for an hour (Zoom's reports are complete by then), and again each run for a day, which is harmless:
 * the minutes are replaced, not added.
 */
export function zoomReportsTask(pool: pg.Pool, now: () => Date, enabled: boolean) {
  return {
    name: 'zoom-reports',
    everySeconds: 3600,
    async run() {
      if (!enabled) return;
      const t = now().getTime();
      const events = await zoomEventsEndedBetween(pool, new Date(t - 25 * 3600_000), new Date(t - 3600_000));
      await enqueueMany(
        pool,
        queues.zoomReport,
        events.map((e) => ({ data: { eventId: e.id }, singletonKey: `event-${e.id}` })),
      );
    },
  };
}

/**
 * The periodic re-sync: every half hour, one sync job for each event on Zoom that has not ended. Each
 * run reads the current state, so it catches whatever a lost job or a change outside the usual paths
 * left behind; where everything is in line it asks Zoom nothing. A waiting job for the event makes this
 * one a no-op (one waiting job per event).
 */
export function zoomResyncTask(pool: pg.Pool, now: () => Date, enabled: boolean) {
  return {
    name: 'zoom-resync',
    everySeconds: 1800,
    async run() {
      if (!enabled) return;
      const events = await zoomEventsNotEnded(pool, now());
      await enqueueMany(
        pool,
        queues.zoomSync,
        events.map((e) => ({ data: { eventId: e.id }, singletonKey: `event-${e.id}` })),
      );
    },
  };
}
