import type { EventEmitter } from 'node:events';
import type { Stream } from 'node:stream';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import {
  neutraliseFormula,
  wallClockDate,
  zonedIso,
  zonedMinute,
  type ExportCell,
  type ExportLayout,
} from './export.columns';
import type { ExportRegistration } from './export.queries';

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
  const line = (r: ExportRegistration) => csvLine(layout.cells(r).map((c) => csvText(c, layout.zone, excel)));
  return {
    async write(rows) {
      await writeText(out, (started ? '' : start()) + rows.map(line).join(''));
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
      const text = (first ? '[\n' : ',\n') + rows.map((r) => JSON.stringify(layout.record(r))).join(',\n');
      first = false;
      await writeText(out, text);
    },
    async finish() {
      await writeText(out, first ? '[]\n' : '\n]\n');
      await ended(out);
    },
  };
}

/**
 * A text as XML can carry it. exceljs already drops C0 control characters; the non-characters U+FFFE
 * and U+FFFF, which XML 1.0 forbids too, it lets through, and one of them makes Excel refuse the whole
 * workbook. Line breaks become LF, which any XML reader turns an unescaped CR into anyway.
 */
function xmlText(v: string): string {
  return v.replace(/[\uFFFE\uFFFF]/g, '').replace(/\r\n?/g, '\n');
}

/** Excel's limit for a worksheet name, and the characters it refuses in one. */
function sheetName(name: string): string {
  return name.replace(/[\\/?*[\]:]/g, '-').slice(0, 31) || 'registrations';
}

/** XML of committed rows not yet compressed into the zip, above which the export stops fetching. */
const xlsxBacklog = 1024 * 1024;

/**
 * Waits until the zip has caught up with the rows committed so far. exceljs 4.4 writes a worksheet's
 * XML into its own buffer (`stream`), which feeds archiver's entry stream (`pipes[0]`) without heeding
 * its backpressure: deflate being slower than XML, 100,000 rows piled up ~50 MB there in the bench. So
 * the backlog is read from those internals (0 if exceljs ever changes shape: no wait, as before) and
 * polled down; then `out` itself, which the zip is piped into, must have drained.
 */
async function zipCaughtUp(sheet: ExcelJS.Worksheet, out: Out): Promise<void> {
  type Internals = {
    stream?: { bufSize?: number; buffers?: unknown[]; pipes?: { _writableState?: { length?: number } }[] };
  };
  const buf = (sheet as unknown as Internals).stream;
  const backlog = () =>
    (buf?.buffers?.length ?? 0) * (buf?.bufSize ?? 0) + (buf?.pipes?.[0]?._writableState?.length ?? 0);
  while (backlog() > xlsxBacklog) {
    if (out.destroyed) throw new Error('export output closed');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (out.writableNeedDrain) await drained(out);
}

/** How a date-time cell reads: to the minute, as the organiser's own clock shows it. */
const xlsxDateFormat = 'yyyy-mm-dd hh:mm';

/** The header's face, named: without a name and size LibreOffice falls back to a serif font. */
const xlsxHeaderFont = { name: 'Calibri', family: 2, size: 11, bold: true };

/**
 * XLSX through exceljs's streaming writer: each row is committed (serialised and dropped) as soon as it
 * is added; no shared strings table, which would keep every string until the end. Instants are real
 * date-time cells holding the wall-clock time in the event's zone (Excel dates have no zone; the header
 * names it). Texts are typed string cells, which no spreadsheet evaluates, so they need no protective
 * quote. Bold, frozen header row.
 */
function xlsxSink(Excel: typeof ExcelJS, out: Out, layout: ExportLayout): ExportSink {
  const workbook = new Excel.stream.xlsx.WorkbookWriter({
    stream: out as unknown as Stream,
    useSharedStrings: false,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet(sheetName(layout.sheetName), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = layout.columns.map((c) => ({ width: c.width }));
  const header = sheet.addRow(layout.columns.map((c) => c.header));
  header.font = xlsxHeaderFont;
  header.commit();
  return {
    async write(rows) {
      for (const r of rows) {
        const cells = layout.cells(r);
        const row = sheet.addRow(
          cells.map((v) =>
            typeof v === 'string' ? xmlText(v) : v instanceof Date ? wallClockDate(v, layout.zone) : v,
          ),
        );
        cells.forEach((v, i) => {
          if (v instanceof Date) row.getCell(i + 1).numFmt = xlsxDateFormat;
        });
        row.commit();
      }
      await zipCaughtUp(sheet, out);
    },
    async finish() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

/**
 * exceljs costs about 25 MB of memory once loaded, so the first XLSX export loads it: CSV and JSON
 * exports, and processes that never write a spreadsheet, do without it. (A plain require: this code is
 * CommonJS, and jest runs it without ES module support.)
 */
function exceljs(): typeof ExcelJS {
  return createRequire(__filename)('exceljs') as typeof ExcelJS;
}

/** The sink for a format, ready for the first rows. */
export async function openSink(format: ExportFormat, out: Out, layout: ExportLayout): Promise<ExportSink> {
  switch (format) {
    case 'csv':
      return csvSink(out, layout, false);
    case 'excel-csv':
      return csvSink(out, layout, true);
    case 'xlsx':
      return xlsxSink(exceljs(), out, layout);
    case 'json':
      return jsonSink(out, layout);
  }
}
