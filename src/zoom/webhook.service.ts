import type pg from 'pg';
import { DomainError } from '../errors';
import { eventByZoomId } from '../events';
import { loggerFor } from '../logger';
import { zoomPeople } from '../registrations';
import { urlValidationAnswer, webhookVerdict } from '../zoom-api';
import * as q from './zoom.queries';

const log = loggerFor('zoom');

/** A webhook as it arrived: the raw body (the signature covers its exact bytes) and Zoom's headers. */
export interface ZoomWebhook {
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

const presenceEvents = new Set([
  'webinar.participant_joined',
  'webinar.participant_left',
  'meeting.participant_joined',
  'meeting.participant_left',
]);

/**
 * Takes one webhook from Zoom: refuses it (`unauthorized`) unless its signature matches and its
 * timestamp is within five minutes; answers the endpoint's URL validation; records a participant
 * joining or leaving a linked webinar or meeting, matched to a registration by Zoom registrant id, else
 * by e-mail. Anything else is acknowledged and ignored. Returns the JSON to answer with.
 */
export async function receiveZoomWebhook(
  pool: pg.Pool,
  secret: string | undefined,
  hook: ZoomWebhook,
  now: Date,
): Promise<Record<string, unknown>> {
  if (!secret) throw new DomainError('not_found', 'errors:notFound');
  const verdict = webhookVerdict(secret, hook, hook.rawBody, now);
  if (verdict !== 'ok') {
    log.warn({ verdict }, 'Zoom webhook refused');
    throw new DomainError('unauthorized', 'zoom:errors.webhookRefused');
  }
  let body: { event?: unknown; payload?: Record<string, unknown> };
  try {
    body = JSON.parse(hook.rawBody) as typeof body;
  } catch {
    throw new DomainError('validation_failed', 'errors:badRequest');
  }
  if (body.event === 'endpoint.url_validation') {
    const plainToken = body.payload?.plainToken;
    if (typeof plainToken !== 'string' || !plainToken)
      throw new DomainError('validation_failed', 'errors:badRequest');
    return urlValidationAnswer(secret, plainToken);
  }
  if (typeof body.event !== 'string' || !presenceEvents.has(body.event)) return { received: true };
  await recordPresence(pool, body.event, body.payload ?? {}, now);
  return { received: true };
}

/** A join or leave of a linked webinar: a new stay, or the end of the open one. */
async function recordPresence(
  pool: pg.Pool,
  kind: string,
  payload: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const object = (payload.object ?? {}) as Record<string, unknown>;
  const participant = (object.participant ?? {}) as Record<string, unknown>;
  const zoomId = String(object.id ?? '');
  const event = /^\d{9,12}$/.test(zoomId) ? await eventByZoomId(pool, zoomId) : undefined;
  if (!event) return;
  const registrantId = typeof participant.registrant_id === 'string' ? participant.registrant_id : '';
  const email = typeof participant.email === 'string' ? participant.email.trim().toLowerCase() : '';
  const key =
    String(participant.participant_uuid ?? '') || String(participant.user_id ?? '') || registrantId || email;
  if (!key) return;
  const at = (field: string) => {
    const v = participant[field];
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    return Number.isNaN(t) ? now : new Date(t);
  };
  if (kind.endsWith('_left')) {
    await q.closePresence(pool, { eventId: event.id, participantKey: key, at: at('leave_time') });
    return;
  }
  const registrationId = await matchRegistration(pool, event.id, registrantId, email);
  await q.insertPresence(pool, {
    eventId: event.id,
    registrationId,
    participantKey: key,
    email: email || null,
    at: at('join_time'),
  });
}

/** The registration behind a Zoom participant: by registrant id, else by e-mail. */
async function matchRegistration(
  pool: pg.Pool,
  eventId: number,
  registrantId: string,
  email: string,
): Promise<number | null> {
  if (registrantId) {
    const rows = await q.zoomRegistrantsOfEvent(pool, eventId);
    const hit = rows.find((r) => r.registrantId === registrantId);
    if (hit) return hit.registrationId;
  }
  if (!email) return null;
  const people = await zoomPeople(pool, eventId);
  const live = people.filter((p) => p.email.toLowerCase() === email);
  return (live.find((p) => p.status === 'confirmed') ?? live[0])?.id ?? null;
}
