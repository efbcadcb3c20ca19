import type PgBoss from 'pg-boss';
import { eventById } from '../events';
import { queues } from '../jobs/queue';
import { loggerFor } from '../logger';
import { moveOnZoom, syncEventRegistrants, type ZoomDeps } from '../zoom';

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
    if (outcome.registered || outcome.cancelled || outcome.failed || outcome.retryAt) {
      log.info({ eventId: job!.data.eventId, ...outcome }, 'Zoom registrants synced');
    }
  });
  // A failed move (Zoom down) is retried by pg-boss with its backoff.
  await boss.work<{ eventId: number }>(queues.zoomMove, polling, async ([job]) => {
    if (await moveOnZoom(deps, await eventById(deps.pool, job!.data.eventId))) {
      log.info({ eventId: job!.data.eventId }, 'event moved on Zoom');
    }
  });
}
