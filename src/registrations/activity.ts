import { auditEntriesForEvent, readableEntries, type ReadableEntry } from '../audit';
import type { Queryable } from '../db/pool';
import type { EventRecord } from '../events';
import type { Language } from '../i18n';
import { registrantNames } from './recipients.queries';

/**
 * An event's activity (or one registration's part of it) as the organiser reads it: the audit trail
 * with actions in words, actors by name (registrants by the name they registered with) and changes as
 * "field: before → after". Lives here because the registrants' names are this folder's rows.
 */
export async function eventActivity(
  db: Queryable,
  event: Pick<EventRecord, 'id' | 'timezone'>,
  lang: Language,
  opts: { registrationId?: number; limit?: number } = {},
): Promise<ReadableEntry[]> {
  const records = await auditEntriesForEvent(db, event.id, opts);
  const ids = [...new Set(records.flatMap((r) => (r.registrationId === null ? [] : [r.registrationId])))];
  const names = await registrantNames(db, event.id, ids);
  return readableEntries(records, { lang, timeZone: event.timezone, registrantNames: names });
}
