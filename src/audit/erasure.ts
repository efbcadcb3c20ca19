import type { Queryable } from '../db/pool';

/**
 * The audit log and a person's data: the entries about them (an access request), and scrubbing them so
 * that each entry keeps the fact (who acted, what, when, on which registration) without the personal
 * values (the retention period, an erasure request).
 */

/** What the log holds about one person: their registrations' entries, or their address anywhere. */
export interface PersonAuditEntry {
  id: number;
  occurredAt: Date;
  actor: string;
  action: string;
  eventId: number | null;
  registrationId: number | null;
  data: Record<string, unknown>;
}

/** The mark left where a personal value was. */
export const erasedMark = '[erased]';

/** Keys whose values are personal wherever they appear in an entry's data. */
const personalKeys = new Set([
  'email',
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'organisation',
  'answers',
  'name',
  'recipient',
]);

const matches = `(registration_id = ANY($1::bigint[])
  OR ($2::text IS NOT NULL AND (lower(actor) IN ('attendee:' || lower($2), 'invitee:' || lower($2))
                                OR strpos(lower(data::text), lower($2)) > 0)))`;

/** Entries about these registrations or naming this address, oldest first. */
export async function auditEntriesAbout(
  db: Queryable,
  ids: number[],
  email: string | null,
): Promise<PersonAuditEntry[]> {
  const res = await db.query<Record<string, unknown>>(
    `SELECT id, occurred_at, actor, action, event_id, registration_id, data
       FROM audit_log WHERE ${matches} ORDER BY occurred_at, id`,
    [ids, email],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    occurredAt: r.occurred_at as Date,
    actor: r.actor as string,
    action: r.action as string,
    eventId: r.event_id === null ? null : Number(r.event_id),
    registrationId: r.registration_id === null ? null : Number(r.registration_id),
    data: r.data as Record<string, unknown>,
  }));
}

/**
 * A JSON value with the personal values taken out: a personal key's value, and any text containing one
 * of `values` (names, the address, answers; compared without case), become `[erased]`.
 */
export function scrubbedValue(value: unknown, values: readonly string[], key?: string): unknown {
  if (key && personalKeys.has(key) && value !== null && value !== undefined) return erasedMark;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    return values.some((v) => lower.includes(v)) ? erasedMark : value;
  }
  if (Array.isArray(value)) return value.map((v) => scrubbedValue(v, values));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbedValue(v, values, k)]));
  }
  return value;
}

/** The personal values to look for in free text: each registration's own, and those of the address. */
export interface PersonalValues {
  byRegistration: ReadonlyMap<number, readonly string[]>;
  everywhere: readonly string[];
}

/** Values compared without case; one letter alone would match almost any text, so it is left out. */
function comparable(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim().toLowerCase()).filter((v) => v.length >= 2))];
}

/**
 * Scrubs the entries about these registrations (or naming `email`): personal values in their data, and
 * an attendee's or invitee's address in the actor (`attendee:erased`, `invitee:erased`). An entry about
 * a registration is searched for that registration's values (and the address's), not for every
 * registrant's (an entry found by the address alone, for all of them): an event's whole list at the end of its retention period costs one pass over its
 * entries, and one registrant's answer never erases a word in another's entry. Returns how many
 * entries changed.
 */
export async function scrubAuditEntries(
  db: Queryable,
  ids: number[],
  email: string | null,
  personal: PersonalValues,
): Promise<number> {
  const everywhere = comparable(personal.everywhere);
  const own = new Map([...personal.byRegistration].map(([id, v]) => [id, comparable([...v, ...everywhere])]));
  // An entry found by the address alone (no registration of these) may name any of them.
  let anyOfThem: string[] | undefined;
  let changed = 0;
  for (const e of await auditEntriesAbout(db, ids, email)) {
    const values =
      (e.registrationId !== null && own.get(e.registrationId)) ||
      (anyOfThem ??= comparable([...everywhere, ...[...own.values()].flat()]));
    const data = scrubbedValue(e.data, values) as Record<string, unknown>;
    const actor = /^(attendee|invitee):/.test(e.actor) ? `${e.actor.split(':')[0]}:erased` : e.actor;
    if (JSON.stringify(data) === JSON.stringify(e.data) && actor === e.actor) continue;
    await db.query('UPDATE audit_log SET data = $2, actor = $3 WHERE id = $1', [
      e.id,
      JSON.stringify(data),
      actor,
    ]);
    changed++;
  }
  return changed;
}
