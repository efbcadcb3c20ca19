import type { Queryable } from '../db/pool';
import type { EventRecord } from '../events';
import { enqueue, queues } from '../jobs/queue';

/**
 * After a registration of an event with a Zoom webinar became confirmed or was cancelled: ask the
 * worker (in the caller's transaction) to bring the event's Zoom registrants up to date. Nothing here
 * waits on Zoom; `src/zoom` does the work. One waiting job per event, since it reads the current state.
 * Events without Zoom write nothing.
 */
export async function syncZoomSoon(tx: Queryable, event: Pick<EventRecord, 'id' | 'zoom'>): Promise<void> {
  if (!event.zoom) return;
  await enqueue(tx, queues.zoomSync, { eventId: event.id }, { singletonKey: `event-${event.id}` });
}
