import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { lockedEvent, type EventRecord } from '../events';
import { queueMail } from '../outbox';
import type { OrganiserContext } from './organiser.service';
import type { Registration } from './registration.row';
import * as q from './registrations.queries';
import { announceRegistration, seatFor } from './registrations.service';

/**
 * The organisers' decision on registrations that await approval (events with `approval`). Approving
 * gives a seat while one is free, through the same path as a new registration (the confirmation with
 * its invite, and the Zoom sync on a Zoom event), else a place on the waiting list with its mail;
 * declining sends the reason. One transaction per call, under the event's exclusive lock, so the seat
 * count is exact and two organisers deciding at once decide each registration once.
 */

/** The organisers' reason for declining, in one or both languages. */
export interface DeclineReason {
  en?: string;
  ja?: string;
}

/** What the organisers decide about which registrations of which event. */
export interface Decision {
  eventId: number;
  registrationIds: readonly number[];
  decision: 'approve' | 'decline';
  reason?: DeclineReason | null;
  /**
   * One registration asked for by its id (the API): a registration that is not pending is refused
   * (409). Otherwise (the Attendees tab's selection) those are passed over and counted.
   */
  strict?: boolean;
}

/** What became of a decision: how many got which status, and how many were passed over. */
export interface DecisionOutcome {
  confirmed: number;
  waitlisted: number;
  declined: number;
  /** Not pending (decided already, cancelled) or not of this event. */
  notPending: number;
  /** Approved while the event was full without a waiting list: still pending. */
  full: number;
}

function refuse(key: string): never {
  throw new DomainError('conflict', `attendees:errors.${key}`);
}

/** Approves or declines the given registrations; see the module comment. */
export async function decideRegistrations(
  pool: pg.Pool,
  d: Decision,
  ctx: OrganiserContext,
): Promise<DecisionOutcome> {
  return withTransaction(pool, async (tx) => {
    const event = await lockedEvent(tx, d.eventId);
    if (event.status === 'cancelled') refuse('eventCancelled');
    if (event.status !== 'published') refuse('notPublished');
    const out: DecisionOutcome = { confirmed: 0, waitlisted: 0, declined: 0, notPending: 0, full: 0 };
    for (const id of [...new Set(d.registrationIds)].sort((a, b) => a - b)) {
      const reg = await q.registrationById(tx, id, { lock: true });
      if (!reg || reg.eventId !== event.id) {
        if (d.strict) throw new DomainError('not_found', 'attendees:errors.notFound');
        out.notPending++;
      } else if (reg.status !== 'pending') {
        if (d.strict) refuse('notPending');
        out.notPending++;
      } else {
        const status = d.decision === 'approve' ? await approve(tx, event, reg, ctx) : undefined;
        if (d.decision === 'decline') await decline(tx, event, reg, d.reason ?? null, ctx);
        if (status === 'full' && d.strict) refuse('eventFullApproval');
        out[status ?? 'declined']++;
      }
    }
    return out;
  });
}

/** A seat while one is free, else the waiting list; 'full' (nothing changed) when it has none. */
async function approve(
  tx: Queryable,
  event: EventRecord,
  reg: Registration,
  ctx: OrganiserContext,
): Promise<'confirmed' | 'waitlisted' | 'full'> {
  const status = await seatFor(tx, event);
  if (status === 'full') return 'full';
  await q.decideRegistrationRow(tx, reg.id, { status, reason: null, at: ctx.now });
  await announceRegistration(tx, event, { id: reg.id, status, form: reg, at: ctx.now });
  await audit(tx, reg, 'registration.approved', { status }, ctx);
  return status;
}

/** Declined, with the reason kept for its mail (rendered in the registrant's language). */
async function decline(
  tx: Queryable,
  event: EventRecord,
  reg: Registration,
  reason: DeclineReason | null,
  ctx: OrganiserContext,
): Promise<void> {
  await q.decideRegistrationRow(tx, reg.id, { status: 'declined', reason, at: ctx.now });
  await queueMail(tx, {
    kind: 'registration.declined',
    eventId: event.id,
    registrationId: reg.id,
    recipient: reg.email,
    locale: reg.locale,
    at: ctx.now,
  });
  await audit(tx, reg, 'registration.declined', reason ? { reason } : undefined, ctx);
}

async function audit(
  tx: Queryable,
  reg: Registration,
  action: string,
  data: Record<string, unknown> | undefined,
  ctx: OrganiserContext,
): Promise<void> {
  await insertAuditEntry(tx, {
    actor: ctx.actor,
    userId: ctx.userId,
    action,
    eventId: reg.eventId,
    registrationId: reg.id,
    data,
    at: ctx.now,
  });
}

/**
 * A decline reason from untrusted input (the API body, the workspace form): each language trimmed,
 * empty ones left out, at most 2,000 characters; null when none is given. Throws `validation_failed`
 * for anything else.
 */
export function parseDeclineReason(value: unknown): DeclineReason | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) invalidReason();
  const out: DeclineReason = {};
  for (const [lang, text] of Object.entries(value as Record<string, unknown>)) {
    if (lang !== 'en' && lang !== 'ja') invalidReason();
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string' || text.length > 2000) invalidReason();
    const trimmed = text.trim();
    if (trimmed) out[lang] = trimmed;
  }
  return out.en || out.ja ? out : null;
}

function invalidReason(): never {
  throw new DomainError(
    'validation_failed',
    'attendees:errors.invalidReason',
    {},
    { reason: 'attendees:errors.invalidReason' },
  );
}
