import { DomainError } from '../errors';
import { patchEvent, type EventRecord, type Registrants, type SaveContext } from '../events';
import { enqueue, queues } from '../jobs/queue';
import { loggerFor } from '../logger';
import { ZoomError, zoomIdFrom, type ZoomClient, type ZoomKind, type ZoomSession } from '../zoom-api';
import type { ZoomDeps } from './sync.service';

const log = loggerFor('zoom');

/**
 * Linking an event to Zoom: creating the webinar or meeting on Zoom, reading what Zoom says about a
 * linked one (for the editor), and moving it when the event moves.
 */

/** A ZoomError as a DomainError: Zoom's own message for a refusal, "try later" otherwise. */
export function zoomProblem(err: unknown): never {
  if (err instanceof ZoomError) {
    if (err.retryable) throw new DomainError('zoom_unavailable', 'zoom:errors.unavailable');
    throw new DomainError('zoom_refused', 'zoom:errors.refused', { message: err.message });
  }
  throw err;
}

function requireClient(client: ZoomClient | undefined): ZoomClient {
  if (!client) throw new DomainError('zoom_not_configured', 'zoom:errors.notConfigured');
  return client;
}

/** The event's time in Zoom's terms: the start in UTC, whole minutes, the event's zone. */
export function zoomTiming(event: Pick<EventRecord, 'startsAt' | 'endsAt' | 'timezone'>) {
  return {
    startTime: event.startsAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    duration: Math.max(1, Math.round((event.endsAt.getTime() - event.startsAt.getTime()) / 60_000)),
    timezone: event.timezone,
  };
}

/**
 * Creates the event's webinar or meeting on Zoom (title, start, duration, zone; registration required)
 * and links it; `zoom_linked` (409) when the event already has one. The link is saved like any other
 * change, so the backlog of registrants is registered by the sync job that the save queues.
 */
export async function createOnZoom(
  deps: Pick<ZoomDeps, 'pool' | 'zoom'>,
  event: EventRecord,
  kind: ZoomKind,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<EventRecord> {
  const client = requireClient(deps.zoom);
  if (event.zoom) throw new DomainError('zoom_linked', 'zoom:errors.alreadyLinked');
  const topic = event.title.en ?? event.title.ja ?? event.slug;
  let session: ZoomSession;
  try {
    session = await client.createSession(kind, { topic, ...zoomTiming(event) });
  } catch (err) {
    zoomProblem(err);
  }
  log.info({ eventId: event.id, kind, zoomId: session.id }, 'created on Zoom');
  const saved = await patchEvent(deps.pool, event.slug, { zoom: { kind, id: session.id } }, ctx, registrants);
  return saved.event;
}

/** What the editor shows of a linked webinar: Zoom's topic and time, and whether they differ from ours. */
export interface ZoomCheck {
  session: ZoomSession;
  timeDiffers: boolean;
  topicDiffers: boolean;
}

/** Reads the linked webinar or meeting from Zoom, for the editor's comparison. */
export async function checkZoomSession(
  deps: Pick<ZoomDeps, 'zoom'>,
  event: EventRecord,
): Promise<ZoomCheck | undefined> {
  if (!event.zoom || !deps.zoom) return undefined;
  let session: ZoomSession;
  try {
    session = await deps.zoom.session(event.zoom.kind, event.zoom.id);
  } catch (err) {
    zoomProblem(err);
  }
  const ours = zoomTiming(event);
  const theirStart = session.startTime ? Date.parse(session.startTime) : NaN;
  const timeDiffers = theirStart !== event.startsAt.getTime() || session.duration !== ours.duration;
  const titles = [event.title.en, event.title.ja].filter(Boolean).map((t) => t!.trim());
  return { session, timeDiffers, topicDiffers: !titles.includes(session.topic.trim()) };
}

/** The Zoom id in an organiser's input (an id or a join link), or `validation_failed`. */
export function zoomLinkInput(kind: string, input: string): { kind: ZoomKind; id: string } {
  const id = zoomIdFrom(input);
  if (!id || (kind !== 'webinar' && kind !== 'meeting')) {
    throw new DomainError('validation_failed', 'zoom:errors.badId', {}, { zoomLink: 'zoom:errors.badId' });
  }
  return { kind, id };
}

/** What a move did: done, queued again for when Zoom said to come back, refused for good, or nothing to do. */
export type MoveOutcome = 'moved' | 'later' | 'refused' | 'nothing';

/**
 * Moves the linked webinar on Zoom to the event's current start and duration (the zoom-move job). A 429
 * or 5xx with `Retry-After` queues the move again for that moment; one without it is thrown, for the
 * queue's own backoff. A permanent refusal (the webinar deleted on Zoom, say) is logged, not retried.
 */
export async function moveOnZoom(deps: ZoomDeps, event: EventRecord | undefined): Promise<MoveOutcome> {
  if (!event?.zoom || !deps.zoom) return 'nothing';
  try {
    await deps.zoom.moveSession(event.zoom.kind, event.zoom.id, zoomTiming(event));
    return 'moved';
  } catch (err) {
    if (!(err instanceof ZoomError)) throw err;
    if (!err.retryable) {
      log.warn({ eventId: event.id, err: err.message }, 'Zoom refused to move the webinar');
      return 'refused';
    }
    if (err.retryAfterSeconds === undefined) throw err;
    const startAfter = new Date(deps.now().getTime() + err.retryAfterSeconds * 1000);
    await enqueue(
      deps.pool,
      queues.zoomMove,
      { eventId: event.id },
      { startAfter, singletonKey: `event-${event.id}` },
    );
    return 'later';
  }
}

/**
 * Links the event to an existing webinar or meeting, from its id or join link, after asking Zoom that
 * it exists (`zoom_refused` with Zoom's message when not). Saved like any change, so the sync job then
 * registers the event's confirmed registrants.
 */
export async function linkToZoom(
  deps: Pick<ZoomDeps, 'pool' | 'zoom'>,
  event: EventRecord,
  input: { kind: string; link: string },
  ctx: SaveContext,
  registrants: Registrants,
): Promise<EventRecord> {
  const client = requireClient(deps.zoom);
  const link = zoomLinkInput(input.kind, input.link);
  try {
    await client.session(link.kind, link.id);
  } catch (err) {
    zoomProblem(err);
  }
  return (await patchEvent(deps.pool, event.slug, { zoom: link }, ctx, registrants)).event;
}

/** Unlinks Zoom: registrants keep what Zoom sent them; nothing more is synced. */
export async function unlinkZoom(
  pool: ZoomDeps['pool'],
  event: EventRecord,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<EventRecord> {
  return (await patchEvent(pool, event.slug, { zoom: null }, ctx, registrants)).event;
}
