import { z } from 'zod';
import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { visibleEvents, type EventRecord } from '../events';
import { searchInput } from '../text';
import { isCountryCode } from './countries';
import * as q from './listing.queries';
import type { RegistrationFilters, RegistrationSort } from './listing.queries';
import type { Registration } from './registration.row';
import { affiliations } from './registrations.schemas';
import { statusCountsByEvent } from './stats.queries';

/**
 * The organiser's registration list: filters and sort read from a query string, one page for the admin
 * screen (offset), one slice for the REST API (keyset), and the counts shown above the list. No HTTP
 * here: the admin routes and the API call these and render or serialise the result.
 */
export type { RegistrationFilters, RegistrationSort } from './listing.queries';

/** The sorts the list offers, in the order a sort menu shows them. */
export const registrationSorts = [
  'registered',
  'name',
  'email',
  'organisation',
  'country',
  'status',
] as const;

const choice = 'validation:choice';
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(blankIsAbsent, z.enum(values, { error: choice }).optional());

const filtersSchema = z.object({
  // A search only reads: characters the input policy refuses are removed, not refused.
  q: z.preprocess(
    blankIsAbsent,
    searchInput({ error: 'validation:invalid' })
      .trim()
      .max(200, 'validation:tooLong')
      .optional()
      .transform((v) => v || undefined),
  ),
  status: oneOf(['pending', 'confirmed', 'waitlisted', 'declined', 'cancelled']),
  affiliation: oneOf(affiliations),
  country: z.preprocess(
    blankIsAbsent,
    z
      .string({ error: 'validation:country' })
      .trim()
      .toUpperCase()
      .refine(isCountryCode, 'validation:country')
      .optional(),
  ),
  language: oneOf(['en', 'ja']),
  interpretation: oneOf(['en', 'ja']),
  joined: z.preprocess(
    blankIsAbsent,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: choice })
      .optional()
      .transform((v) => (v === undefined ? undefined : ['true', '1', 'yes'].includes(v))),
  ),
});

/** The names of the list's filters, in the order forms and command-line flags show them. */
export const registrationFilterNames = Object.keys(filtersSchema.shape) as (keyof RegistrationFilters)[];

/** Throws validation_failed naming the first problem of each field (field -> locale key). */
function invalid(error: z.ZodError): never {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'filters');
    fields[field] ??= issue.message.startsWith('validation:') ? issue.message : 'validation:invalid';
  }
  throw new DomainError('validation_failed', 'errors:invalidFilters', {}, fields);
}

/**
 * Reads the filters from an HTTP query object (or CLI flags). Empty strings mean "no filter"; keys it
 * does not know (page, sort, cursor…) are ignored; a value it cannot use, or a repeated key, is
 * `validation_failed` with the field's locale key, so the API can answer 422 and the page can say which.
 */
export function parseRegistrationFilters(query: Record<string, unknown>): RegistrationFilters {
  const parsed = filtersSchema.safeParse(query);
  if (!parsed.success) invalid(parsed.error);
  const out: RegistrationFilters = {};
  for (const [k, v] of Object.entries(parsed.data)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const sortSchema = z.object({
  sort: oneOf(registrationSorts),
  dir: oneOf(['asc', 'desc']),
});

/**
 * Reads `sort` and `dir` from a query object. Without a sort: newest registrations first. With a sort
 * but no direction: A→Z for text columns, newest first for "registered".
 */
export function parseSort(query: Record<string, unknown>): { sort: RegistrationSort; dir: 'asc' | 'desc' } {
  const parsed = sortSchema.safeParse(query);
  if (!parsed.success) invalid(parsed.error);
  const sort = parsed.data.sort ?? 'registered';
  return { sort, dir: parsed.data.dir ?? (sort === 'registered' ? 'desc' : 'asc') };
}

/** Largest page or slice a caller gets, whatever it asks for: keeps one request's memory bounded. */
export const maxPageSize = 500;

function clampSize(n: number): number {
  return Number.isFinite(n) ? Math.min(maxPageSize, Math.max(1, Math.trunc(n))) : 50;
}

/**
 * One page for the organiser's list: offset pagination in the chosen order (ties broken by id). `total`
 * counts everything matching the filters; a page past the end is answered with the last page, and
 * `page` says which page was returned.
 */
export async function registrationPage(
  db: Queryable,
  eventId: number,
  filters: RegistrationFilters,
  opts: { sort: RegistrationSort; dir: 'asc' | 'desc'; page: number; perPage: number },
): Promise<{ rows: Registration[]; total: number; page: number; pages: number }> {
  const perPage = clampSize(opts.perPage);
  const total = await q.matchingCount(db, eventId, filters);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(pages, Math.max(1, Math.trunc(opts.page) || 1));
  const rows = total
    ? await q.registrationsPage(db, eventId, filters, {
        sort: opts.sort,
        dir: opts.dir,
        limit: perPage,
        offset: (page - 1) * perPage,
      })
    : [];
  return { rows, total, page, pages };
}

const positionSchema = z.object({
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/),
  id: z.number().int().positive(),
});

function encodeCursor(p: q.SlicePosition): string {
  return Buffer.from(JSON.stringify({ at: p.at, id: p.id })).toString('base64url');
}

function decodeCursor(cursor: string): q.SlicePosition {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new Error('not base64url');
    const parsed = positionSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success && !Number.isNaN(Date.parse(`${parsed.data.at}Z`))) return parsed.data;
  } catch {
    // Falls through to the same answer as a well-formed but meaningless cursor.
  }
  throw new DomainError('validation_failed', 'errors:invalidFilters', {}, { cursor: 'validation:invalid' });
}

/**
 * Keyset pagination for the REST API, in (created_at, id) order: stable while people keep registering
 * (no row is skipped or repeated, unlike offsets). The cursor is opaque base64url holding the last row's
 * exact position; a cursor that does not decode is `validation_failed`. `nextCursor` is null at the end.
 */
export async function registrationSlice(
  db: Queryable,
  eventId: number,
  filters: RegistrationFilters,
  opts: { cursor?: string; limit: number },
): Promise<{ rows: Registration[]; nextCursor: string | null }> {
  const limit = clampSize(opts.limit);
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const found = await q.registrationsAfter(db, eventId, filters, { after, limit: limit + 1 });
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((f) => f.row),
    nextCursor: found.length > limit && last ? encodeCursor(last.position) : null,
  };
}

/** The counts above the list. */
export interface RegistrationCounts {
  /** Live registrations (confirmed, waitlisted and pending) of the whole event. */
  total: number;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  /** Awaiting the organisers' approval (holding no seat). */
  pending: number;
  declined: number;
  /** Registrations (any status) whose join link was clicked at least once. */
  joined: number;
  /** Registrations (any status) matching the filters. */
  matching: number;
}

/** Counts for the top of the list: the whole event's figures, unfiltered, plus how many match the filters. */
export function registrationCounts(
  db: Queryable,
  eventId: number,
  filters: RegistrationFilters,
): Promise<RegistrationCounts> {
  return q.registrationTallies(db, eventId, filters);
}

/** An event in the organiser's list, with its registration counts. */
export interface EventSummary {
  event: EventRecord;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  pending: number;
  declined: number;
}

/**
 * The events an account may see (every event for `userId` null: admins), newest start first, each with
 * its registration counts: the workspace's home and the API's event list.
 */
export async function eventSummaries(db: Queryable, userId: number | null): Promise<EventSummary[]> {
  const events = await visibleEvents(db, userId);
  const counts = await statusCountsByEvent(
    db,
    events.map((e) => e.id),
  );
  const none = { confirmed: 0, waitlisted: 0, cancelled: 0, pending: 0, declined: 0 };
  return events.map((event) => ({ event, ...(counts.get(event.id) ?? none) }));
}
