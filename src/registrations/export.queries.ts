import type { Queryable } from '../db/pool';
import { filterParams, filtered, type RegistrationFilters } from './listing.queries';
import { attendedSql, minutesAttendedSql, registrantFields, type Registration } from './registration.row';

/**
 * Named SQL for the organiser's exports: one read-only snapshot, one server-side cursor over the
 * matching registrations (the list's filter predicate) in registration order, read in batches.
 */

/**
 * A registration as an export writes it: only the fields a column or a JSON record shows, so 100,000
 * rows do not carry mail, link and lifecycle bookkeeping through the database, the wire and the parser.
 * `minutesAttended` and `attended` are read for events on Zoom only (the only exports that show them);
 * elsewhere they are null. A whole `Registration` fits this type, so the API's list reuses the layout.
 */
export type ExportRegistration = ReturnType<typeof registrantFields> & {
  id: number;
  minutesAttended: number | null;
  attended: boolean | null;
};

interface ExportRow {
  id: string;
  status: Registration['status'];
  email: string;
  family_name: string;
  given_name: string;
  family_name_kana: string | null;
  given_name_kana: string | null;
  organisation: string | null;
  affiliation: Registration['affiliation'];
  country: string;
  locale: 'en' | 'ja';
  interpretation: 'en' | 'ja';
  answers: Record<string, string | string[]>;
  created_at: Date;
  first_joined_at: Date | null;
  minutes_attended: number | null;
  attended: boolean | null;
}

const exportCursor = 'registrations_export';

const exportFields = `r.id, r.status, r.email, r.family_name, r.given_name, r.family_name_kana,
  r.given_name_kana, r.organisation, r.affiliation, r.country, r.locale, r.interpretation, r.answers,
  r.created_at, r.first_joined_at`;

/*
 * Two fixed cursors: the attendance expressions are correlated subqueries per row (Zoom's minutes, the
 * event's window), about a third of the query's time over 100,000 rows, so only events on Zoom pay it.
 */
const declareSql = {
  plain: `DECLARE ${exportCursor} NO SCROLL CURSOR FOR
    SELECT ${exportFields}, NULL::int AS minutes_attended, NULL::boolean AS attended
      FROM registrations r WHERE ${filtered} ORDER BY r.created_at, r.id`,
  withAttendance: `DECLARE ${exportCursor} NO SCROLL CURSOR FOR
    SELECT ${exportFields}, ${minutesAttendedSql} AS minutes_attended, ${attendedSql} AS attended
      FROM registrations r WHERE ${filtered} ORDER BY r.created_at, r.id`,
};

/**
 * Makes the current transaction a read-only snapshot, so the count shown as progress and the rows the
 * cursor reads agree even while people keep registering. Must be the transaction's first statement.
 *
 * It also turns JIT compilation off for the transaction: the planner prices a cursor over 100,000 rows
 * high enough to compile it, and compiling took longer (0.4 s in the bench) than the whole scan without.
 */
export async function useExportSnapshot(db: Queryable): Promise<void> {
  await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await db.query('SET LOCAL jit = off');
}

/**
 * Opens a server-side cursor over the matching registrations in (created_at, id) order, with Zoom's
 * attendance when `withAttendance`. Must run inside a transaction; the cursor closes with it.
 */
export async function declareExportCursor(
  db: Queryable,
  eventId: number,
  f: RegistrationFilters,
  withAttendance: boolean,
): Promise<void> {
  await db.query(withAttendance ? declareSql.withAttendance : declareSql.plain, filterParams(eventId, f));
}

/** The next `n` rows of the export cursor; empty when it is exhausted. */
export async function fetchExportBatch(db: Queryable, n: number): Promise<ExportRegistration[]> {
  const res = await db.query<ExportRow>(`FETCH ${Math.trunc(n)} FROM ${exportCursor}`);
  // Added to the object registrantFields makes rather than spread into a new one: over 100,000 rows the
  // copy cost the CSV export a third of its time (P3 in `npm run bench`).
  return res.rows.map((r) =>
    Object.assign(registrantFields(r), {
      id: Number(r.id),
      minutesAttended: r.minutes_attended,
      attended: r.attended,
    }),
  );
}
