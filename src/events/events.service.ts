import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { enqueue, queues } from '../jobs/queue';
import {
  changedFields,
  fromInput,
  isPlainObject,
  mergePatch,
  parseEventInput,
  toEventJson,
} from './event-document';
import { isNoticeable, notifyRegistrants } from './event-notices';
import type { EventInput } from './events.schemas';
import * as q from './events.queries';
import type { EventRecord, Registrants } from './events.types';

export { parseEventInput, toEventJson } from './event-document';
export { changeImpact, type ChangeImpact } from './event-notices';
export {
  registrationClosesAt,
  registrationWindow,
  type RegistrationWindow,
  type WindowTerms,
} from './registration-window';

/**
 * Commands on events (import, create, patch, cancel, duplicate: each saved with its audit entry and the
 * mails it calls for) and the public lookups. The document shape is in event-document.ts, what
 * registrants hear in event-notices.ts, the registration window in registration-window.ts.
 */

/**
 * Creates the event with the document's slug, or replaces the one that has it. Nothing changes when
 * the document is invalid.
 */
export async function importEvent(
  pool: pg.Pool,
  doc: unknown,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  const input = parseEventInput(doc);
  return withTransaction(pool, async (tx) => {
    // A document written before events had a retention period (an old export) keeps the stored one:
    // personal data is never given a deadline without an organiser deciding it.
    if (!isPlainObject(doc) || !('retentionDays' in doc)) {
      // Under the slug's lock (saveEvent takes it again, which the same transaction may), so a save
      // of the same event in between cannot change the period this import keeps.
      await q.lockSlug(tx, input.slug);
      const existing = await q.eventBySlug(tx, input.slug);
      if (existing) input.retentionDays = existing.retentionDays;
    }
    return saveEvent(tx, input, ctx, registrants);
  });
}

/** Who saves and when: `actor` is the audit log's label, `userId` the account (it owns events it creates). */
export interface SaveContext {
  now: Date;
  actor: string;
  userId?: number | null;
  /**
   * Whether the actor may create events, as accounts decides it (`actingAs`). Creating (and copying)
   * is refused without it, so the workspace, the API and any later surface cannot disagree.
   */
  mayCreateEvents?: boolean;
}

export interface SavedEvent {
  event: EventRecord;
  created: boolean;
  changed: string[];
  /** How many registrants were sent an update or cancellation mail because of this change. */
  notified: number;
}

/**
 * Inserts or replaces (by slug) a validated event inside the caller's transaction, with an audit entry.
 * On a published or cancelled event (or a draft that has registrants) a change of time, title, meeting
 * link or status raises the revision.
 */
export async function saveEvent(
  tx: Queryable,
  input: EventInput,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  await q.lockSlug(tx, input.slug);
  const existing = await q.eventBySlug(tx, input.slug);
  if (!existing) return insertNewEvent(tx, input, ctx);
  const before = toEventJson(existing);
  const changed = changedFields(before, toEventJson(fromInput(input, existing)));
  if (!changed.length) return { event: existing, created: false, changed, notified: 0 };
  const noticeable = await isNoticeable(tx, registrants, existing, changed);
  const revision = existing.revision + (noticeable ? 1 : 0);
  const event = await q.updateEvent(tx, input, revision, ctx.now);
  const notified = noticeable ? await notifyRegistrants(tx, registrants, existing, event, ctx.now) : 0;
  await zoomFollowUp(tx, existing, event, changed);
  if (seatsMayHaveFreed(existing, event)) {
    await enqueue(tx, queues.waitlistPromote, { eventId: event.id }, { singletonKey: `event-${event.id}` });
  }
  const after = toEventJson(event);
  await insertAuditEntry(tx, {
    actor: ctx.actor,
    userId: ctx.userId,
    action: auditAction(existing, event),
    eventId: event.id,
    data: {
      changed,
      revision,
      notified,
      before: Object.fromEntries(changed.map((f) => [f, before[f as keyof EventInput]])),
      after: Object.fromEntries(changed.map((f) => [f, after[f as keyof EventInput]])),
    },
    at: ctx.now,
  });
  return { event, created: false, changed, notified };
}

/**
 * What Zoom must hear after a save (written as jobs in the save's transaction; nothing waits on Zoom):
 * a newly linked webinar, or a change of status, brings the registrants up to date (the backlog, or
 * every cancellation); a move of a still-linked event patches Zoom's start and duration.
 */
async function zoomFollowUp(
  tx: Queryable,
  before: EventRecord,
  after: EventRecord,
  changed: string[],
): Promise<void> {
  if (!after.zoom && !before.zoom) return;
  const key = { singletonKey: `event-${after.id}` };
  if (changed.includes('zoom') || changed.includes('status')) {
    await enqueue(tx, queues.zoomSync, { eventId: after.id }, key);
  }
  const moved = ['startsAt', 'endsAt', 'timezone'].some((f) => changed.includes(f));
  if (after.zoom && moved && !changed.includes('zoom')) {
    await enqueue(tx, queues.zoomMove, { eventId: after.id }, key);
  }
}

/**
 * Inserts an event whose slug is free (the caller holds the slug lock) with its `event.created` audit
 * entry. A new event has nobody to tell, so this needs no `Registrants`: the demo seed calls it alone.
 */
export async function insertNewEvent(
  tx: Queryable,
  input: EventInput,
  ctx: SaveContext,
): Promise<SavedEvent> {
  const event = await q.insertEvent(tx, input, ctx.now, ctx.userId ?? null);
  await insertAuditEntry(tx, {
    actor: ctx.actor,
    userId: ctx.userId,
    action: 'event.created',
    eventId: event.id,
    data: { after: toEventJson(event) },
    at: ctx.now,
  });
  return { event, created: true, changed: Object.keys(input), notified: 0 };
}

/** `event.published` and `event.cancelled` stand out in the log; everything else is `event.updated`. */
function auditAction(before: EventRecord, after: EventRecord): string {
  if (before.status !== after.status && after.status !== 'draft') return `event.${after.status}`;
  return 'event.updated';
}

/** Creates an event; `slug_taken` (409) when the slug is in use. */
export async function createEvent(
  pool: pg.Pool,
  doc: unknown,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  if (!ctx.mayCreateEvents) throw new DomainError('forbidden', 'errors:forbidden');
  const input = parseEventInput(doc);
  return withTransaction(pool, async (tx) => {
    await q.lockSlug(tx, input.slug);
    if (await q.slugTaken(tx, input.slug)) {
      throw new DomainError(
        'slug_taken',
        'errors:slugTaken',
        { slug: input.slug },
        { '$.slug': 'errors:slugTaken' },
      );
    }
    return saveEvent(tx, input, ctx, registrants);
  });
}

/**
 * Applies a JSON Merge Patch (RFC 7396) to an event: objects merge, `null` removes a member (so the
 * field takes its default), arrays and other values replace. The slug cannot change.
 */
export async function patchEvent(
  pool: pg.Pool,
  slug: string,
  patch: unknown,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  if (!isPlainObject(patch)) throw new DomainError('validation_failed', 'errors:badRequest');
  return changeLocked(pool, slug, ctx, registrants, (current) => {
    const doc = mergePatch(current, patch) as Record<string, unknown>;
    if (doc.slug !== slug) {
      throw new DomainError('validation_failed', 'errors:slugFixed', {}, { '$.slug': 'errors:slugFixed' });
    }
    return doc;
  });
}

/** Reads the event under its slug lock, derives the new document, and saves it in one transaction. */
function changeLocked(
  pool: pg.Pool,
  slug: string,
  ctx: SaveContext,
  registrants: Registrants,
  change: (current: EventInput) => unknown,
): Promise<SavedEvent> {
  return withTransaction(pool, async (tx) => {
    await q.lockSlug(tx, slug);
    const current = await exportEvent(tx, slug);
    return saveEvent(tx, parseEventInput(change(current)), ctx, registrants);
  });
}

/** Cancels an event: registrants get the cancellation mail (with a calendar CANCEL). */
export async function cancelEvent(
  pool: pg.Pool,
  slug: string,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  return changeLocked(pool, slug, ctx, registrants, (current) => {
    assertCancellable(current);
    return { ...current, status: 'cancelled' };
  });
}

/**
 * Only a published event can be cancelled: a cancelled one already is (`event_cancelled`), and a draft
 * has no registrants to tell, so it stays a draft (`conflict`). Surfaces may ask before they show a
 * confirmation; cancelEvent asks again under the event's lock.
 */
export function assertCancellable(event: Pick<EventRecord, 'status'>): void {
  if (event.status === 'cancelled') throw new DomainError('event_cancelled', 'errors:eventCancelled');
  if (event.status !== 'published') throw new DomainError('conflict', 'errors:cancelNotPublished');
}

/**
 * Copies an event under a new slug as a draft, for series: same texts, questions, zones and
 * reminders; the organiser then sets the new date. Registrations are not copied.
 */
export async function duplicateEvent(
  pool: pg.Pool,
  slug: string,
  newSlug: string,
  ctx: SaveContext,
  registrants: Registrants,
): Promise<SavedEvent> {
  const current = await exportEvent(pool, slug);
  return createEvent(pool, { ...current, slug: newSlug, status: 'draft' }, ctx, registrants);
}

/** More seats, or no limit any more, on a published event with a waiting list. */
function seatsMayHaveFreed(before: EventRecord, after: EventRecord): boolean {
  if (after.status !== 'published' || !after.waitlist) return false;
  if (after.capacity === null) return before.capacity !== null;
  return before.capacity !== null && after.capacity > before.capacity;
}

/** The event JSON for a slug; `not_found` when there is none. */
export async function exportEvent(db: Queryable, slug: string): Promise<EventInput> {
  const event = await q.eventBySlug(db, slug);
  if (!event) throw new DomainError('not_found', 'errors:noEventWithSlug', { slug });
  return toEventJson(event);
}

/** An event the public may see (published or cancelled); drafts and unknown slugs are `not_found`. */
export async function publicEvent(db: Queryable, slug: string): Promise<EventRecord> {
  const event = await q.eventBySlug(db, slug);
  if (!event || event.status === 'draft')
    throw new DomainError('not_found', 'errors:eventNotFound', { slug });
  return event;
}

/** Published events that have not ended, soonest first. */
export function upcomingEvents(db: Queryable, now: Date): Promise<EventRecord[]> {
  return q.upcomingPublishedEvents(db, now);
}

/** Text in `lang`, else in the other language (see i18n/texts.ts). */
export { pickText } from '../i18n';
