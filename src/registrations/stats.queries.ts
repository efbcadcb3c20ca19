import type { Queryable } from '../db/pool';

/** Named queries behind the organiser's charts: counts only, never a registrant's details. */

/** How many registrations were made on one calendar day (YYYY-MM-DD in the event's zone). */
export interface DayCount {
  day: string;
  count: number;
}

/** One bar of a breakdown: the stored value (affiliation key, country code, language) and its count. */
export interface KeyCount {
  key: string;
  count: number;
}

/** Live registrations grouped four ways, each sorted by count (largest first), then key. */
export interface Breakdowns {
  affiliation: KeyCount[];
  country: KeyCount[];
  /** The mail language (`locale`). */
  language: KeyCount[];
  interpretation: KeyCount[];
}

/**
 * Registrations per calendar day in the event's time zone, cancelled ones included (they count on the day
 * they registered: the chart shows demand, not the current head count). The day is taken from
 * `created_at AT TIME ZONE $2`, so a registration at 15:30 UTC falls on the next day in Tokyo but the same
 * day in Zurich. Days without registrations between the first and the last are filled with zero, so the
 * bars sit on an even time axis; no registrations at all gives an empty list.
 */
export async function registrationsPerDay(
  db: Queryable,
  eventId: number,
  timeZone: string,
): Promise<DayCount[]> {
  const res = await db.query<{ day: string; n: string }>(
    `WITH per_day AS (
       SELECT date_trunc('day', created_at AT TIME ZONE $2)::date AS day, count(*) AS n
         FROM registrations
        WHERE event_id = $1
        GROUP BY 1
     ), span AS (
       SELECT min(day) AS first_day, max(day) AS last_day FROM per_day
     )
     SELECT to_char(d.day, 'YYYY-MM-DD') AS day, COALESCE(p.n, 0) AS n
       FROM span
      CROSS JOIN LATERAL generate_series(span.first_day::timestamp, span.last_day::timestamp, interval '1 day') AS d(day)
       LEFT JOIN per_day p ON p.day = d.day::date
      ORDER BY d.day`,
    [eventId, timeZone],
  );
  return res.rows.map((r) => ({ day: r.day, count: Number(r.n) }));
}

/**
 * Live (confirmed, waitlisted or awaiting approval; not cancelled or declined) registrations by affiliation, country, mail language and
 * interpretation language. One scan of the event's rows; the key tie-break uses the "C" collation so
 * the order does not depend on the database's locale.
 */
export async function registrationBreakdowns(db: Queryable, eventId: number): Promise<Breakdowns> {
  const res = await db.query<{ dimension: keyof Breakdowns; key: string; n: string }>(
    `WITH live AS (
       SELECT affiliation, country, locale, interpretation
         FROM registrations
        WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'pending')
     ), counted AS (
       SELECT 'affiliation' AS dimension, affiliation AS key, count(*) AS n FROM live GROUP BY affiliation
       UNION ALL
       SELECT 'country', rtrim(country), count(*) FROM live GROUP BY country
       UNION ALL
       SELECT 'language', locale, count(*) FROM live GROUP BY locale
       UNION ALL
       SELECT 'interpretation', interpretation, count(*) FROM live GROUP BY interpretation
     )
     SELECT dimension, key, n FROM counted ORDER BY dimension, n DESC, key COLLATE "C"`,
    [eventId],
  );
  const out: Breakdowns = { affiliation: [], country: [], language: [], interpretation: [] };
  for (const r of res.rows) out[r.dimension].push({ key: r.key, count: Number(r.n) });
  return out;
}

/** Registrations of each status, per event. */
export type StatusCounts = Record<'confirmed' | 'waitlisted' | 'cancelled' | 'pending' | 'declined', number>;

/** Registrations of each status at each of these events (absent: none at all). */
export async function statusCountsByEvent(
  db: Queryable,
  eventIds: readonly number[],
): Promise<Map<number, StatusCounts>> {
  const res = await db.query<{ event_id: string } & Record<keyof StatusCounts, string>>(
    `SELECT event_id,
            count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
            count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
            count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
            count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'declined') AS declined
       FROM registrations WHERE event_id = ANY($1::bigint[])
      GROUP BY event_id`,
    [eventIds],
  );
  return new Map(
    res.rows.map((r) => [
      Number(r.event_id),
      {
        confirmed: Number(r.confirmed),
        waitlisted: Number(r.waitlisted),
        cancelled: Number(r.cancelled),
        pending: Number(r.pending),
        declined: Number(r.declined),
      },
    ]),
  );
}
