import type { Queryable } from '../db/pool';
import { toMailRecipient, type MailRecipient } from './recipients.queries';
import type { Affiliation } from './registrations.schemas';
import {
  attendedSql,
  registrationColumns,
  toRegistration,
  type Registration,
  type RegistrationRow,
  type RegistrationStatus,
} from './registration.row';

/**
 * Named SQL for the organiser's registration list and its exports. Every query shares ONE static filter
 * predicate whose values are bound parameters $1–$8 (a NULL parameter means "no filter"), so no SQL text
 * is ever built from what the organiser typed; sorting picks a whole ORDER BY clause from a fixed map.
 */

/** What the organiser narrows the list by; an absent field is no filter. */
export interface RegistrationFilters {
  /** Search in names, kana, e-mail and organisation: case, kana and width insensitive; every word must match. */
  q?: string;
  status?: RegistrationStatus;
  affiliation?: Affiliation;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** The registrant's mail language (registrations.locale). */
  language?: 'en' | 'ja';
  interpretation?: 'en' | 'ja';
  /** true: clicked their join link at least once; false: never did. */
  joined?: boolean;
}

/** The orders the list can be sorted in; each maps to a fixed ORDER BY that ends with the id. */
export type RegistrationSort = 'registered' | 'name' | 'email' | 'organisation' | 'country' | 'status';

// Hiragana ぁ..ゖ (U+3041–3096) and ゝゞ sit exactly 0x60 code points below their katakana.
const hiragana = String.fromCodePoint(...range(0x3041, 0x3096), 0x309d, 0x309e);
const katakana = String.fromCodePoint(...range(0x30a1, 0x30f6), 0x30fd, 0x30fe);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * A text folded for sorting: NFKC (half-width katakana to full-width, full-width Latin to ASCII), hiragana
 * to katakana, lower case. Built from constants only; every function in it is IMMUTABLE, so it can be indexed.
 */
function folded(sqlExpr: string): string {
  return `lower(translate(normalize(${sqlExpr}, NFKC), '${hiragana}', '${katakana}'))`;
}

/**
 * Every searchable field of a registration in one text, a newline between fields. Searching scans the
 * event's rows (about 0.1–0.5 s for 100,000 in the bench); a pg_trgm index on this expression was tried
 * and the planner does not use it for these case-insensitive alternations, so none is proposed.
 */
const haystack = `(r.family_name || E'\\n' || r.given_name || E'\\n' || r.family_name || r.given_name || E'\\n' ||
  coalesce(r.family_name_kana, '') || E'\\n' || coalesce(r.given_name_kana, '') || E'\\n' ||
  coalesce(r.family_name_kana, '') || coalesce(r.given_name_kana, '') || E'\\n' || r.email || E'\\n' ||
  coalesce(r.organisation, ''))`;

/**
 * The shared predicate (the exports' cursor in export.queries.ts uses it too). $2 holds one pattern per search word (text[]); every one must match the
 * haystack, case-insensitively (~*).
 */
export const filtered = `r.event_id = $1
  AND ($2::text[] IS NULL OR NOT EXISTS (
        SELECT 1 FROM unnest($2::text[]) AS w(pattern) WHERE NOT ${haystack} ~* w.pattern))
  AND ($3::text IS NULL OR r.status = $3)
  AND ($4::text IS NULL OR r.affiliation = $4)
  AND ($5::text IS NULL OR r.country = $5)
  AND ($6::text IS NULL OR r.locale = $6)
  AND ($7::text IS NULL OR r.interpretation = $7)
  AND ($8::boolean IS NULL OR ${attendedSql} = $8)`;

/*
 * Search is kana-, width- and case-insensitive without touching each row: folding the stored text in SQL
 * (translate + normalize over 100,000 rows) took seconds in the bench. Instead each search word, once
 * NFKC-normalised, is expanded into every form the stored text may take — katakana, hiragana, full-width
 * Latin, half-width katakana — and those literals (escaped) become one pattern matched with ~*, which
 * also ignores case. Only a stored text mixing hiragana and katakana inside the searched word is missed.
 */
const toKatakana = (s: string) => s.replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => shift(c, 0x60));
const toHiragana = (s: string) => s.replace(/[\u30a1-\u30f6\u30fd\u30fe]/g, (c) => shift(c, -0x60));
const toFullWidth = (s: string) => s.replace(/[\u0021-\u007e]/g, (c) => shift(c, 0xfee0));
// Half-width katakana from what NFKC makes of each of them (ｶ -> カ, ﾞ -> combining dakuten U+3099).
const halfWidth = new Map(
  range(0xff61, 0xff9f).map((cp) => [String.fromCodePoint(cp).normalize('NFKC'), String.fromCodePoint(cp)]),
);
const toHalfWidth = (s: string) =>
  [...toKatakana(s).normalize('NFD')].map((c) => halfWidth.get(c) ?? c).join('');

function shift(c: string, by: number): string {
  return String.fromCharCode(c.charCodeAt(0) + by);
}

/**
 * A literal in a PostgreSQL regular expression: every character that is not a letter or digit escaped,
 * and each cased letter as a class of both cases ([jJ], [ｊＪ]). ~* alone folds case by the database's
 * collation, which under the C locale (the embedded server's) leaves full-width Latin case-sensitive.
 */
function literal(s: string): string {
  return [...s]
    .map((c) => {
      const lower = c.toLowerCase();
      const upper = c.toUpperCase();
      if (lower !== upper && [...lower].length === 1 && [...upper].length === 1) return `[${lower}${upper}]`;
      return /[\p{L}\p{N}]/u.test(c) ? c : `\\${c}`;
    })
    .join('');
}

/**
 * One pattern per word of a search (split on any white space, ideographic too; at most 10 words of 100
 * characters): the word as typed (so ㈱ finds ㈱), its NFKC form, and that form's other spellings.
 */
function searchPatterns(q: string | undefined): string[] | null {
  const words = [...new Set((q ?? '').split(/\s+/u).filter(Boolean))].slice(0, 10);
  if (!words.length) return null;
  return words.map((word) => {
    const typed = word.slice(0, 100);
    const w = typed.normalize('NFKC');
    const forms = new Set([typed, w, toKatakana(w), toHiragana(w)]);
    if (/[\u0021-\u007e]/.test(w)) forms.add(toFullWidth(w));
    if (/[\u30a1-\u30fe]/.test(toKatakana(w))) forms.add(toHalfWidth(w));
    return `(?:${[...forms].map(literal).join('|')})`;
  });
}

/** The values for $1–$8 of the shared predicate. */
export function filterParams(eventId: number, f: RegistrationFilters): unknown[] {
  return [
    eventId,
    searchPatterns(f.q),
    f.status ?? null,
    f.affiliation ?? null,
    f.country ?? null,
    f.language ?? null,
    f.interpretation ?? null,
    f.joined ?? null,
  ];
}

// Japanese names sort by their reading (kana) when the registrant gave one. Only organisation can be NULL
// (sorted last both ways); the other keys keep plain ASC/DESC so (event_id, created_at, id) serves "registered".
const sortKeys: Record<RegistrationSort, string[]> = {
  registered: ['r.created_at'],
  name: [
    folded('coalesce(r.family_name_kana, r.family_name)'),
    folded('coalesce(r.given_name_kana, r.given_name)'),
  ],
  email: ['lower(r.email)'],
  organisation: [folded('r.organisation')],
  country: ['r.country'],
  status: ['r.status'],
};

/** The ORDER BY for a sort and direction: fixed text only, always ending with the id as tie-break. */
function orderBy(sort: RegistrationSort, dir: 'asc' | 'desc'): string {
  const d = dir === 'desc' ? 'DESC' : 'ASC';
  const keys = sortKeys[sort] ?? sortKeys.registered;
  const nulls = sort === 'organisation' ? ' NULLS LAST' : '';
  return [...keys.map((k) => `${k} ${d}${nulls}`), `r.id ${d}`].join(', ');
}

/** How many registrations of the event match the filters. */
export async function matchingCount(db: Queryable, eventId: number, f: RegistrationFilters): Promise<number> {
  const res = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM registrations r WHERE ${filtered}`,
    filterParams(eventId, f),
  );
  return Number(res.rows[0]?.n ?? 0);
}

/** One page of matching registrations in the chosen order. */
export async function registrationsPage(
  db: Queryable,
  eventId: number,
  f: RegistrationFilters,
  o: { sort: RegistrationSort; dir: 'asc' | 'desc'; limit: number; offset: number },
): Promise<Registration[]> {
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns} FROM registrations r WHERE ${filtered}
      ORDER BY ${orderBy(o.sort, o.dir)} LIMIT $9 OFFSET $10`,
    [...filterParams(eventId, f), o.limit, o.offset],
  );
  return res.rows.map(toRegistration);
}

/** Where a keyset slice resumes: created_at as exact UTC text (microseconds, which a Date would lose), and id. */
export interface SlicePosition {
  at: string;
  id: number;
}

/** Matching registrations after `after` in (created_at, id) order, each with its own position. */
export async function registrationsAfter(
  db: Queryable,
  eventId: number,
  f: RegistrationFilters,
  o: { after: SlicePosition | null; limit: number },
): Promise<{ row: Registration; position: SlicePosition }[]> {
  const res = await db.query<RegistrationRow & { position_at: string }>(
    `SELECT ${registrationColumns},
            to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS position_at
       FROM registrations r
      WHERE ${filtered}
        AND ($9::timestamp IS NULL OR (r.created_at, r.id) > ($9::timestamp AT TIME ZONE 'UTC', $10::bigint))
      ORDER BY r.created_at, r.id
      LIMIT $11`,
    [...filterParams(eventId, f), o.after?.at ?? null, o.after?.id ?? null, o.limit],
  );
  return res.rows.map((r) => ({
    row: toRegistration(r),
    position: { at: r.position_at, id: Number(r.id) },
  }));
}

/** Counts for the whole event (not filtered), plus how many match the filters. */
export async function registrationTallies(db: Queryable, eventId: number, f: RegistrationFilters) {
  const res = await db.query<
    Record<
      'total' | 'confirmed' | 'waitlisted' | 'cancelled' | 'pending' | 'declined' | 'joined' | 'matching',
      string
    >
  >(
    `SELECT count(*) FILTER (WHERE r.status IN ('confirmed', 'waitlisted', 'pending')) AS total,
            count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
            count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
            count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
            count(*) FILTER (WHERE r.status = 'pending') AS pending,
            count(*) FILTER (WHERE r.status = 'declined') AS declined,
            count(*) FILTER (WHERE ${attendedSql}) AS joined,
            count(*) FILTER (WHERE ${filtered}) AS matching
       FROM registrations r WHERE r.event_id = $1`,
    filterParams(eventId, f),
  );
  const r = res.rows[0]!;
  return {
    total: Number(r.total),
    confirmed: Number(r.confirmed),
    waitlisted: Number(r.waitlisted),
    cancelled: Number(r.cancelled),
    pending: Number(r.pending),
    declined: Number(r.declined),
    joined: Number(r.joined),
    matching: Number(r.matching),
  };
}

/*
 * The recipients of an organiser's message: the matching registrations that are live (confirmed or on the
 * waiting list) and did not unsubscribe. Here because they share the list's predicate.
 */
const messageRecipient = `${filtered} AND r.status IN ('confirmed', 'waitlisted') AND r.unsubscribed_at IS NULL`;

/** How many registrations a message with these filters would go to now. */
export async function messageRecipientCount(
  db: Queryable,
  eventId: number,
  f: RegistrationFilters,
): Promise<number> {
  const res = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM registrations r WHERE ${messageRecipient}`,
    filterParams(eventId, f),
  );
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * The next `limit` recipients of a message (by registration id) who have no mail row for it yet. Reads
 * `outgoing_mails` only to leave those out; `src/outbox` writes the rows, and its unique (registration,
 * topic) index makes a repeated or concurrent run harmless.
 */
export async function messageRecipientBatch(
  db: Queryable,
  m: { eventId: number; filters: RegistrationFilters; messageId: number; limit: number },
): Promise<MailRecipient[]> {
  const res = await db.query<{ id: string; event_id: string; email: string; locale: 'en' | 'ja' }>(
    `SELECT r.id, r.event_id, r.email, r.locale
       FROM registrations r
      WHERE ${messageRecipient}
        AND NOT EXISTS (SELECT 1 FROM outgoing_mails m
                         WHERE m.event_id = r.event_id AND m.topic = $9 AND m.registration_id = r.id)
      ORDER BY r.id
      LIMIT $10`,
    [...filterParams(m.eventId, m.filters), `message:${m.messageId}`, m.limit],
  );
  return res.rows.map(toMailRecipient);
}
