import type pg from 'pg';
import { insertAuditEntry } from '../audit/audit.queries';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import type { Language } from '../i18n';
import { enqueue, queues } from '../jobs/queue';
import { queueEventMails } from '../mail';
import { eventInputSchema, eventIssues, type EventInput } from './events.schemas';
import * as q from './events.queries';
import type { EventRecord, Texts } from './events.types';

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
  ctx: { now: Date; actor: string },
): Promise<SavedEvent> {
  const input = parseEventInput(doc);
  return withTransaction(pool, (tx) => saveEvent(tx, input, ctx));
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
  ctx: { now: Date; actor: string },
): Promise<SavedEvent> {
  await q.lockSlug(tx, input.slug);
  const existing = await q.eventBySlug(tx, input.slug);
  if (!existing) {
    const event = await q.insertEvent(tx, input, ctx.now);
    await insertAuditEntry(tx, { actor: ctx.actor, action: 'event.created', eventId: event.id, at: ctx.now });
    return { event, created: true, changed: Object.keys(input), notified: 0 };
  }
  const changed = changedFields(toEventJson(existing), toEventJson({ ...existing, ...fromInput(input) }));
  if (!changed.length) return { event: existing, created: false, changed, notified: 0 };
  // A draft nobody registered for changes silently; one taken back to draft after people registered
  // does not, so that publishing it again tells them what changed meanwhile.
  const noticeable =
    changed.some((f) => (noticeableFields as readonly string[]).includes(f)) &&
    (existing.status !== 'draft' || (await q.hasRegistrations(tx, existing.id)));
  const revision = existing.revision + (noticeable ? 1 : 0);
  const event = await q.updateEvent(tx, input, revision, ctx.now);
  const notified = noticeable ? await notifyRegistrants(tx, existing, event, ctx.now) : 0;
  if (seatsMayHaveFreed(existing, event)) {
    await enqueue(tx, queues.waitlistPromote, { eventId: event.id }, { singletonKey: `event-${event.id}` });
  }
  await insertAuditEntry(tx, {
    actor: ctx.actor,
    action: 'event.updated',
    eventId: event.id,
    data: { changed, revision, notified },
    at: ctx.now,
  });
  return { event, created: false, changed, notified };
}

/**
 * Queues the mails a noticeable change calls for, in the same transaction: a cancellation (with a
 * calendar CANCEL) to everyone registered when the event is cancelled, otherwise an update (with the
 * same invite UID and a higher SEQUENCE) to every confirmed registrant. An update still waiting to go
 * out is replaced by the new one, which tells everything since the registrant's last invite.
 */
async function notifyRegistrants(
  tx: Queryable,
  before: EventRecord,
  after: EventRecord,
  now: Date,
): Promise<number> {
  if (after.status === 'cancelled' && before.status !== 'cancelled') {
    return queueEventMails(tx, {
      eventId: after.id,
      kind: 'event.cancelled',
      statuses: ['confirmed', 'waitlisted'],
      at: now,
      replacesPending: ['event.updated'],
    });
  }
  if (after.status !== 'published') return 0;
  return queueEventMails(tx, {
    eventId: after.id,
    kind: 'event.updated',
    statuses: ['confirmed'],
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

/** The text in `lang`, or in the other language with `fallback` set so the page can say so. */
export function pickText(
  texts: Texts,
  lang: Language,
): { text: string; lang: Language; fallback: boolean } | undefined {
  const own = texts[lang];
  if (own) return { text: own, lang, fallback: false };
  const other: Language = lang === 'en' ? 'ja' : 'en';
  const theirs = texts[other];
  return theirs ? { text: theirs, lang: other, fallback: true } : undefined;
}
