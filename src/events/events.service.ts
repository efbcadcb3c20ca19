import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { enqueue, queues } from '../jobs/queue';
import { queueEventMails } from '../outbox';
import { eventInputSchema, eventIssues, type EventInput } from './events.schemas';
import * as q from './events.queries';
import type { EventRecord, LiveStatus, Registrants } from './events.types';

/**
 * Commands and views on events: import/export of the event JSON shape, the public list, and what an
 * attendee may do right now (the registration window).
 */

/** Fields whose change on a published event attendees must be told about (invite SEQUENCE rises). */
const noticeableFields = ['startsAt', 'endsAt', 'title', 'meetingUrl', 'status'] as const;

/** The event in the JSON shape the CLI prints and the API serves. */
export function toEventJson(e: EventRecord): EventInput {
  return {
    slug: e.slug,
    status: e.status,
    title: e.title,
    summary: e.summary,
    description: e.description,
    programme: e.programme,
    organisers: e.organisers,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    timezone: e.timezone,
    displayTimezones: e.displayTimezones,
    registrationOpensAt: e.registrationOpensAt?.toISOString() ?? null,
    registrationClosesAt: e.registrationClosesAt?.toISOString() ?? null,
    capacity: e.capacity,
    waitlist: e.waitlist,
    meetingUrl: e.meetingUrl,
    meetingPasscode: e.meetingPasscode,
    contactEmail: e.contactEmail,
    questions: e.questions,
    reminders: e.reminders,
    materials: e.materials,
    followUp: e.followUp,
    bilingualMail: e.bilingualMail,
  };
}

/** Validates an event document; throws `validation_failed` listing every problem by JSON path. */
export function parseEventInput(doc: unknown): EventInput {
  const parsed = eventInputSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = eventIssues(parsed.error);
    throw new DomainError(
      'validation_failed',
      'errors:invalidEvent',
      { count: issues.length, issues },
      Object.fromEntries(issues.map((i) => [i.path, i.key])),
    );
  }
  return parsed.data;
}

/**
 * JSON with every object's keys sorted. The stored side comes back from jsonb columns, which reorder
 * keys (a question reads back as {id, type, label, options, required}), so a plain JSON.stringify would
 * see a change in every event with questions.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

function changedFields(before: EventInput, after: EventInput): string[] {
  return (Object.keys(after) as (keyof EventInput)[]).filter(
    (k) => canonicalJson(before[k]) !== canonicalJson(after[k]),
  );
}

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
  return withTransaction(pool, (tx) => saveEvent(tx, input, ctx, registrants));
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
  const changed = changedFields(before, toEventJson({ ...existing, ...fromInput(input) }));
  if (!changed.length) return { event: existing, created: false, changed, notified: 0 };
  const noticeable = await isNoticeable(tx, registrants, existing, changed);
  const revision = existing.revision + (noticeable ? 1 : 0);
  const event = await q.updateEvent(tx, input, revision, ctx.now);
  const notified = noticeable ? await notifyRegistrants(tx, registrants, existing, event, ctx.now) : 0;
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

/**
 * Whether a change must be told to registrants. A draft nobody registered for changes silently; one
 * taken back to draft after people registered does not, so that publishing it again tells them what
 * changed meanwhile.
 */
async function isNoticeable(
  tx: Queryable,
  registrants: Registrants,
  existing: EventRecord,
  changed: string[],
): Promise<boolean> {
  return (
    changed.some((f) => (noticeableFields as readonly string[]).includes(f)) &&
    (existing.status !== 'draft' || (await registrants.any(tx, existing.id)))
  );
}

/** What saving `input` over the stored event would do, for the editor's warning before saving. */
export interface ChangeImpact {
  changed: string[];
  /** Registrants who would be mailed an updated invite (`update`) or a cancellation (`cancel`). */
  mail: { kind: 'update' | 'cancel'; recipients: number } | null;
}

/** Predicts the mails a save would queue, without saving. */
export async function changeImpact(
  db: Queryable,
  input: EventInput,
  registrants: Registrants,
): Promise<ChangeImpact> {
  const existing = await q.eventBySlug(db, input.slug);
  if (!existing) return { changed: Object.keys(input), mail: null };
  const changed = changedFields(toEventJson(existing), toEventJson({ ...existing, ...fromInput(input) }));
  if (!changed.length || !(await isNoticeable(db, registrants, existing, changed))) {
    return { changed, mail: null };
  }
  const mail = mailFor(existing, input);
  if (!mail) return { changed, mail: null };
  const recipients = await registrants.count(db, existing.id, mail.statuses);
  return { changed, mail: { kind: mail.kind === 'event.cancelled' ? 'cancel' : 'update', recipients } };
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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
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

/**
 * The mail a noticeable change calls for, and who gets it: a cancellation (with a calendar CANCEL) to
 * everyone registered when the event is cancelled, otherwise an update (with the same invite UID and a
 * higher SEQUENCE) to every confirmed registrant while it is published; none otherwise.
 */
function mailFor(
  before: Pick<EventRecord, 'status'>,
  after: Pick<EventRecord, 'status'>,
): { kind: 'event.cancelled' | 'event.updated'; statuses: LiveStatus[] } | undefined {
  if (after.status === 'cancelled' && before.status !== 'cancelled') {
    return { kind: 'event.cancelled', statuses: ['confirmed', 'waitlisted'] };
  }
  return after.status === 'published' ? { kind: 'event.updated', statuses: ['confirmed'] } : undefined;
}

/**
 * Queues the mails a noticeable change calls for (`mailFor`), in the same transaction and in
 * registration order. An update still waiting to go out is replaced by the new one, which tells
 * everything since the registrant's last invite.
 */
async function notifyRegistrants(
  tx: Queryable,
  registrants: Registrants,
  before: EventRecord,
  after: EventRecord,
  now: Date,
): Promise<number> {
  const mail = mailFor(before, after);
  if (!mail) return 0;
  return queueEventMails(tx, {
    eventId: after.id,
    kind: mail.kind,
    recipients: await registrants.forMail(tx, after.id, mail.statuses),
    at: now,
    replacesPending: ['event.updated'],
  });
}

/** More seats, or no limit any more, on a published event with a waiting list. */
function seatsMayHaveFreed(before: EventRecord, after: EventRecord): boolean {
  if (after.status !== 'published' || !after.waitlist) return false;
  if (after.capacity === null) return before.capacity !== null;
  return before.capacity !== null && after.capacity > before.capacity;
}

function fromInput(i: EventInput): Partial<EventRecord> {
  return {
    ...i,
    startsAt: new Date(i.startsAt),
    endsAt: new Date(i.endsAt),
    registrationOpensAt: i.registrationOpensAt ? new Date(i.registrationOpensAt) : null,
    registrationClosesAt: i.registrationClosesAt ? new Date(i.registrationClosesAt) : null,
  };
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

export type RegistrationWindow =
  | { state: 'open'; closesAt: Date }
  | { state: 'not_open'; opensAt: Date }
  | { state: 'closed'; closedAt: Date }
  | { state: 'cancelled' };

/** When registration closes: the configured instant, or the start of the event when none is set. */
export function registrationClosesAt(event: EventRecord): Date {
  return event.registrationClosesAt ?? event.startsAt;
}

/**
 * Whether the form accepts registrations at `now`. Opening is inclusive, closing exclusive: at the
 * closing instant itself registration is already closed.
 */
export function registrationWindow(event: EventRecord, now: Date): RegistrationWindow {
  if (event.status === 'cancelled') return { state: 'cancelled' };
  const closesAt = registrationClosesAt(event);
  if (event.registrationOpensAt && now < event.registrationOpensAt) {
    return { state: 'not_open', opensAt: event.registrationOpensAt };
  }
  if (now >= closesAt) return { state: 'closed', closedAt: closesAt };
  return { state: 'open', closesAt };
}

/** Text in `lang`, else in the other language (see i18n/texts.ts). */
export { pickText } from '../i18n';
