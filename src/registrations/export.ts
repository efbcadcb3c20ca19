import { DateTime } from 'luxon';
import type pg from 'pg';
import { withTransaction } from '../db/pool';
import type { EventRecord } from '../events';
import type { Language } from '../i18n';
import { exportLayout } from './export.columns';
import { openSink, type ExportFormat } from './export.formats';
import * as q from './export.queries';
import { matchingCount, type RegistrationFilters } from './listing.queries';

/**
 * The organiser's exports of an event's registrations: CSV (plain, or Excel's flavour with a BOM), XLSX
 * and JSON, streamed from a database cursor so 100,000 rows cost no more memory than 500. No HTTP here:
 * a route sets the headers from exportContentType/exportFileName and passes its response as `out`.
 */
export type { ExportFormat } from './export.formats';

/** Every export format, for validating a format named in a query string or on the command line. */
export const exportFormats: readonly ExportFormat[] = ['csv', 'excel-csv', 'xlsx', 'json'];

/** True for a format name this module can write. */
export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (exportFormats as readonly string[]).includes(value);
}

/** The Content-Type of a format (both CSV flavours are UTF-8 text; `header=present` per RFC 4180). */
export function exportContentType(format: ExportFormat): string {
  switch (format) {
    case 'csv':
    case 'excel-csv':
      return 'text/csv; charset=utf-8; header=present';
    case 'xlsx':
      return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    case 'json':
      return 'application/json; charset=utf-8';
  }
}

/**
 * The download's file name, dated in the event's zone (the date the organiser sees on their calendar):
 * tsunagaru-<slug>-registrations-20261121.csv (.xlsx, .json); a slug that already starts with the
 * product's name is not prefixed twice (tsunagaru-demo-registrations-…). Slugs are ASCII, so the name
 * is safe in a Content-Disposition header as is.
 */
export function exportFileName(event: EventRecord, format: ExportFormat, now: Date): string {
  const day = DateTime.fromJSDate(now, { zone: event.timezone }).toFormat('yyyyLLdd');
  const ext = format === 'xlsx' ? 'xlsx' : format === 'json' ? 'json' : 'csv';
  const name = /^tsunagaru(-|$)/.test(event.slug) ? event.slug : `tsunagaru-${event.slug}`;
  return `${name}-registrations-${day}.${ext}`;
}

/**
 * Rows fetched from the cursor at a time: small enough to keep memory flat (two batches are held at
 * most), large enough that the round trips do not add up.
 */
export const exportBatchSize = 1000;

/**
 * Streams every registration of `event` matching `filters` to `out` (an Express response, a file,
 * stdout…) in registration order, and ends `out`. Reads a server-side cursor inside one read-only
 * REPEATABLE READ transaction on one pooled client, a batch per FETCH, and waits for 'drain' whenever
 * `out` is full, so memory stays flat for any number of rows and the count given to `onProgress` matches
 * the rows written even while people keep registering. The next batch is asked for before the current
 * one is written, so the database reads while this process formats. Returns the number of rows written.
 *
 * When it throws (the client went away, the database failed), `out` is left unfinished: the caller
 * destroys it, so a truncated file never looks complete.
 */
export async function exportRegistrations(
  pool: pg.Pool,
  event: EventRecord,
  filters: RegistrationFilters,
  format: ExportFormat,
  lang: Language,
  out: NodeJS.WritableStream,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const layout = exportLayout(event, lang);
  return withTransaction(pool, async (tx) => {
    await q.useExportSnapshot(tx);
    const total = await matchingCount(tx, event.id, filters);
    await q.declareExportCursor(tx, event.id, filters, event.zoom !== null);
    const sink = await openSink(format, out, layout);
    let done = 0;
    opts.onProgress?.(0, total);
    let next = q.fetchExportBatch(tx, exportBatchSize);
    try {
      for (;;) {
        const rows = await next;
        // A short batch was the cursor's last: no round trip to learn that it is empty.
        if (rows.length === exportBatchSize) next = q.fetchExportBatch(tx, exportBatchSize);
        if (rows.length) await sink.write(rows);
        done += rows.length;
        if (rows.length) opts.onProgress?.(done, total);
        if (rows.length < exportBatchSize) break;
      }
    } catch (err) {
      // A fetch already asked for may still fail behind the error that ends the export: it is settled
      // here (the transaction's ROLLBACK queues behind it on the client) rather than left unhandled.
      next.catch(() => undefined);
      throw err;
    }
    await sink.finish();
    return done;
  });
}
