import type pg from 'pg';
import { auditEntriesForEvent, insertAuditEntry, type AuditRecord } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { lockedEvent, type EventRecord } from '../events';
import { mailsForRegistration, queueMail, type MailKind, type RegistrationMail } from '../outbox';
import type { RegistrationFilters } from './listing.queries';
import { promoteWaiting } from './manage.service';
import { registrationRecord, restoreRegistrationRow } from './organiser.queries';
import type { Registration } from './registration.row';
import * as q from './registrations.queries';
import { announcements } from './registrations.service';
import { syncZoomSoon } from './zoom-sync';

/**
 * What an organiser does to one registration from the workspace: cancel it, restore a cancelled one,
 * promote someone from the waiting list, send the confirmation again; and the record of an export.
 * Each command takes plain input (the registration's id and its event's id, checked to belong
 * together), the clock and the acting account; it writes the change, the registrant's mail and the
 * audit entry in one transaction, locking the event row first and the registration second, as
 * registering and the personal links do. Refusals are `conflict` with a key of the attendees namespace.
 */

/** Which registration, of which event (the event the workspace page is about). */
export interface RegistrationRef {
  eventId: number;
  registrationId: number;
}

/** Who acts, and when: the audit log's actor label and account id. */
export interface OrganiserContext {
  now: Date;
  actor: string;
  userId: number | null;
}

function refuse(key: string, params: Record<string, unknown> = {}): never {
  throw new DomainError('conflict', `attendees:errors.${key}`, params);
}

/** The event (locked) and the registration (locked), or not_found when they do not belong together. */
async function lockedPair(tx: Queryable, ref: RegistrationRef) {
  const event = await lockedEvent(tx, ref.eventId);
  const reg = await q.registrationById(tx, ref.registrationId, { lock: true });
  if (!reg || reg.eventId !== ref.eventId) throw new DomainError('not_found', 'attendees:errors.notFound');
  return { event, reg };
}

/** Restore, promote and resend send the registrant a mail, which only a published event's can be. */
function assertMailable(event: EventRecord): void {
  if (event.status === 'cancelled') refuse('eventCancelled');
  if (event.status !== 'published') refuse('notPublished');
}

async function mailAndAudit(
  tx: Queryable,
  event: EventRecord,
  reg: Registration,
  kind: MailKind,
  audit: { action: string; data?: Record<string, unknown> },
  ctx: OrganiserContext,
) {
  await queueMail(tx, {
    kind,
    eventId: event.id,
    registrationId: reg.id,
    recipient: reg.email,
    locale: reg.locale,
    at: ctx.now,
  });
  await insertAuditEntry(tx, {
    actor: ctx.actor,
    userId: ctx.userId,
    action: audit.action,
    eventId: event.id,
    registrationId: reg.id,
    data: audit.data,
    at: ctx.now,
  });
}

/**
 * Cancels a live registration for the organiser: the registrant gets the cancellation mail (with a
 * calendar CANCEL when they hold an invite) and a freed seat goes to the waiting list. Unlike the
 * registrant's own link, this works after the event, so the organiser can correct the record.
 * Cancelling a cancelled registration changes nothing.
 */
export async function cancelRegistrationForOrganiser(
  pool: pg.Pool,
  ref: RegistrationRef,
  ctx: OrganiserContext,
): Promise<{ alreadyCancelled: boolean; promoted: number }> {
  return withTransaction(pool, async (tx) => {
    const { event, reg } = await lockedPair(tx, ref);
    if (reg.status === 'cancelled') return { alreadyCancelled: true, promoted: 0 };
    if (reg.status === 'declined') refuse('notLive');
    await q.cancelRegistrationRow(tx, reg.id, ctx.now);
    const audit = { action: 'registration.cancelled', data: { previousStatus: reg.status } };
    await mailAndAudit(tx, event, reg, 'registration.cancelled', audit, ctx);
    const promoted = reg.status === 'confirmed' ? await promoteWaiting(tx, event, ctx.now) : 0;
    await syncZoomSoon(tx, event);
    return { alreadyCancelled: false, promoted };
  });
}

/**
 * Makes a cancelled registration live again: confirmed when a seat is free, on the waiting list when
 * the event is full and has one, refused when it is full without one, or when the same address has
 * registered again meanwhile (one live registration per address). The invite revision rises, so the
 * new calendar REQUEST outranks the CANCEL the registrant's calendar holds.
 */
export async function restoreRegistration(
  pool: pg.Pool,
  ref: RegistrationRef,
  ctx: OrganiserContext,
): Promise<{ status: 'confirmed' | 'waitlisted' }> {
  return withTransaction(pool, async (tx) => {
    const { event, reg } = await lockedPair(tx, ref);
    if (reg.status !== 'cancelled') refuse('notCancelled');
    assertMailable(event);
    if (await q.liveRegistrationByEmail(tx, event.id, reg.email)) refuse('emailTaken', { email: reg.email });
    const seatFree = event.capacity === null || (await q.seatsTaken(tx, event.id)) < event.capacity;
    if (!seatFree && !event.waitlist) refuse('eventFull');
    const status = seatFree ? 'confirmed' : 'waitlisted';
    await restoreRegistrationRow(tx, reg.id, status, ctx.now);
    const kind = status === 'confirmed' ? 'registration.confirmed' : 'registration.waitlisted';
    await mailAndAudit(tx, event, reg, kind, { action: 'registration.restored', data: { status } }, ctx);
    if (status === 'confirmed') await syncZoomSoon(tx, event);
    return { status };
  });
}

/**
 * Gives a waiting registrant a seat now, by the organiser's decision: unlike the automatic waiting
 * list, this may exceed the capacity (that is what a manual promotion is for), and says so in the
 * audit entry. The registrant gets the promotion mail with their join link and invite.
 */
export async function promoteRegistration(
  pool: pg.Pool,
  ref: RegistrationRef,
  ctx: OrganiserContext,
): Promise<{ overCapacity: boolean }> {
  return withTransaction(pool, async (tx) => {
    const { event, reg } = await lockedPair(tx, ref);
    if (reg.status !== 'waitlisted') refuse('notWaitlisted');
    assertMailable(event);
    const overCapacity = event.capacity !== null && (await q.seatsTaken(tx, event.id)) >= event.capacity;
    await q.promoteRegistrationRow(tx, reg.id, ctx.now);
    const audit = { action: 'registration.promoted', data: { overCapacity } };
    await mailAndAudit(tx, event, reg, 'registration.promoted', audit, ctx);
    await syncZoomSoon(tx, event);
    return { overCapacity };
  });
}

/**
 * Sends a live registrant their mail again: the confirmation (with fresh links and the invite) or,
 * on the waiting list, the waiting-list mail. Only for a published event, whose mails can go out.
 * Locks like the other actions, so a cancel or promotion at the same moment cannot make the recorded
 * kind wrong.
 */
export async function resendConfirmation(
  pool: pg.Pool,
  ref: RegistrationRef,
  ctx: OrganiserContext,
): Promise<{ kind: MailKind }> {
  return withTransaction(pool, async (tx) => {
    const { event, reg } = await lockedPair(tx, ref);
    if (reg.status === 'cancelled' || reg.status === 'declined') refuse('notLive');
    assertMailable(event);
    const kind = announcements[reg.status];
    await mailAndAudit(
      tx,
      event,
      reg,
      kind,
      { action: 'registration.confirmation_resent', data: { kind } },
      ctx,
    );
    return { kind };
  });
}

/** Records in the audit log that someone downloaded registrations: which format, filters and how many rows. */
export async function recordRegistrationExport(
  db: Queryable,
  e: { eventId: number; format: string; filters: RegistrationFilters; rows: number },
  ctx: OrganiserContext,
): Promise<void> {
  await insertAuditEntry(db, {
    actor: ctx.actor,
    userId: ctx.userId,
    action: 'registrations.exported',
    eventId: e.eventId,
    data: { format: e.format, filters: e.filters, rows: e.rows },
    at: ctx.now,
  });
}

/** Everything the organiser's detail page shows about one registration. */
export interface RegistrationDetail {
  registration: Registration;
  mails: RegistrationMail[];
  audit: AuditRecord[];
}

/** One registration of the event with its mails and audit trail (both newest first); not_found otherwise. */
export async function registrationDetail(
  db: Queryable,
  eventId: number,
  registrationId: number,
): Promise<RegistrationDetail> {
  const registration = await registrationRecord(db, eventId, registrationId);
  if (!registration) throw new DomainError('not_found', 'attendees:errors.notFound');
  return {
    registration,
    mails: await mailsForRegistration(db, registrationId),
    audit: await auditEntriesForEvent(db, eventId, { registrationId, limit: 200 }),
  };
}
