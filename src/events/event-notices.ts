import type { Queryable } from '../db/pool';
import { queueEventMails } from '../outbox';
import { changedFields, fromInput, toEventJson } from './event-document';
import * as q from './events.queries';
import type { EventInput } from './events.schemas';
import type { EventRecord, LiveStatus, Registrants } from './events.types';

/**
 * What registrants hear when an event changes: which changes are noticeable, which mail a change calls
 * for and to whom, the editor's prediction before saving, and queueing those mails in the save's
 * transaction.
 */

/** Fields whose change on a published event attendees must be told about (invite SEQUENCE rises). */
const noticeableFields = ['startsAt', 'endsAt', 'title', 'meetingUrl', 'status'] as const;

/**
 * Whether a change must be told to registrants. A draft nobody registered for changes silently; one
 * taken back to draft after people registered does not, so that publishing it again tells them what
 * changed meanwhile.
 */
export async function isNoticeable(
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
  const changed = changedFields(toEventJson(existing), toEventJson(fromInput(input, existing)));
  if (!changed.length || !(await isNoticeable(db, registrants, existing, changed))) {
    return { changed, mail: null };
  }
  const mail = mailFor(existing, input);
  if (!mail) return { changed, mail: null };
  const recipients = await registrants.count(db, existing.id, mail.statuses);
  return { changed, mail: { kind: mail.kind === 'event.cancelled' ? 'cancel' : 'update', recipients } };
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
    return { kind: 'event.cancelled', statuses: ['confirmed', 'waitlisted', 'pending'] };
  }
  return after.status === 'published' ? { kind: 'event.updated', statuses: ['confirmed'] } : undefined;
}

/**
 * Queues the mails a noticeable change calls for (`mailFor`), in the same transaction and in
 * registration order. An update still waiting to go out is replaced by the new one, which tells
 * everything since the registrant's last invite.
 */
export async function notifyRegistrants(
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
