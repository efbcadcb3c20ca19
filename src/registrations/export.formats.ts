import type { EventEmitter } from 'node:events';
import {
  neutraliseFormula,
  zonedIso,
  zonedMinute,
  type ExportCell,
  type ExportLayout,
} from './export.columns';
import type { ExportRegistration } from './export.queries';
import { startXlsx } from './export.xlsx';

/**
 * The file formats of an export. Each is a sink fed one cursor batch at a time: it lays the batch out,
 * writes it to `out` and resolves only when `out` can take more (backpressure), so however many rows
 * there are, at most a batch or so is ever held in memory.
 */

/** The formats an organiser can download. */
export type ExportFormat = 'csv' | 'excel-csv' | 'xlsx' | 'json';

/** A format's writer over one output stream. */
export interface ExportSink {
  /** Writes one batch; resolves when `out` is ready for the next. */
  write(rows: ExportRegistration[]): Promise<void>;
  /** Writes what closes the file, ends `out` and resolves once everything was flushed. */
  finish(): Promise<void>;
}

type Out = NodeJS.WritableStream & Partial<Pick<NodeJS.WriteStream, 'destroyed' | 'writableNeedDrain'>>;

/** Resolves on 'drain'; rejects if `out` fails or closes first (an HTTP client that went away). */
function drained(out: Out): Promise<void> {
  if (out.destroyed) return Promise.reject(new Error('export output closed'));
  const em = out as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      em.off('drain', onDrain);
      em.off('error', onError);
      em.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('export output closed'));
    em.on('drain', onDrain);
    em.on('error', onError);
    em.on('close', onClose);
  });
}

async function writeText(out: Out, text: string): Promise<void> {
  if (out.destroyed) throw new Error('export output closed');
  if (!out.write(text, 'utf8')) await drained(out);
}

function ended(out: Out): Promise<void> {
  const em = out as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    em.once('error', reject);
    out.end(() => resolve());
  });
}

/**
 * Text goes to `out` in pieces of about this many characters. A whole batch as one string is hundreds
 * of kilobytes, and V8 allocates a string that large directly in its large-object space, which only a
 * full collection frees: a hundred batches of them grew the export's memory by about 90 MB in the
 * bench. Pieces this size die young.
 */
const pieceChars = 16_384;

/** Writes `items` as `text` lays each out, in pieces through `put`, which waits while the output is full. */
async function writePieces<T>(
  put: (text: string) => Promise<void>,
  items: T[],
  text: (item: T) => string,
  first = '',
): Promise<void> {
  let piece = first;
  for (const item of items) {
    piece += text(item);
    if (piece.length >= pieceChars) {
      await put(piece);
      piece = '';
    }
  }
  if (piece) await put(piece);
}

/** One RFC 4180 field: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(cells: (string | number)[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/**
 * One cell as CSV text. Texts are neutralised against formulas. Instants: the plain flavour, read by
 * programs, keeps ISO 8601 with the offset; Excel's flavour writes "2026-12-01 09:30" in the event's
 * zone (named in the header), which Excel turns into a real date-time on opening.
 */
function csvText(cell: ExportCell, zone: string, excel: boolean): string | number {
  if (cell === null) return '';
  if (cell instanceof Date) return excel ? zonedMinute(cell, zone) : zonedIso(cell, zone);
  return typeof cell === 'string' ? neutraliseFormula(cell) : cell;
}

/** RFC 4180 CSV, CRLF line ends; the Excel flavour starts with a UTF-8 BOM so Excel reads Japanese right. */
function csvSink(out: Out, layout: ExportLayout, excel: boolean): ExportSink {
  const header = csvLine(layout.columns.map((c) => c.header));
  let started = false;
  const start = () => {
    started = true;
    return (excel ? '\uFEFF' : '') + header;
  };
  // One string per row, built in place: two arrays per row less to collect, 100,000 times.
  const line = (r: ExportRegistration) => {
    const cells = layout.cells(r);
    let text = '';
    for (let i = 0; i < cells.length; i++) {
      text += (i ? ',' : '') + csvField(csvText(cells[i]!, layout.zone, excel));
    }
    return text + '\r\n';
  };
  return {
    async write(rows) {
      await writePieces((text) => writeText(out, text), rows, line, started ? '' : start());
    },
    async finish() {
      if (!started) await writeText(out, start());
      await ended(out);
    },
  };
}

/** A JSON array written element by element, one record per line. */
function jsonSink(out: Out, layout: ExportLayout): ExportSink {
  let first = true;
  return {
    async write(rows) {
      if (!rows.length) return;
      const record = (r: ExportRegistration) => `${first ? '[\n' : ',\n'}${JSON.stringify(layout.record(r))}`;
      await writePieces(
        (text) => writeText(out, text),
        rows,
        (r) => {
          const text = record(r);
          first = false;
          return text;
        },
      );
    },
    async finish() {
      await writeText(out, first ? '[]\n' : '\n]\n');
      await ended(out);
    },
  };
}

/**
 * XLSX (export.xlsx.ts), a batch of rows at a time: the worksheet's XML is deflated on the thread pool
 * and written to `out` as it comes, and each batch waits until both can take more.
 */
async function xlsxSink(out: Out, layout: ExportLayout): Promise<ExportSink> {
  const book = await startXlsx(out, layout);
  return {
    async write(rows) {
      await writePieces(
        (text) => book.write(text),
        rows,
        (r) => book.row(layout.cells(r)),
      );
    },
    async finish() {
      await book.finish();
      await ended(out);
    },
  };
}

/** The sink for a format, ready for the first rows. */
export async function openSink(format: ExportFormat, out: Out, layout: ExportLayout): Promise<ExportSink> {
  switch (format) {
    case 'csv':
      return csvSink(out, layout, false);
    case 'excel-csv':
      return csvSink(out, layout, true);
    case 'xlsx':
      return xlsxSink(out, layout);
    case 'json':
      return jsonSink(out, layout);
  }
}
