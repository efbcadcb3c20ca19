import { wallClockMs } from '../time';
import type { ExportCell, ExportLayout } from './export.columns';
import { ZipWriter, type ZipEntryWriter } from './export.zip';

/**
 * An export as an XLSX workbook, written directly: the package is a ZIP of a few XML parts, and only
 * the worksheet grows with the rows, so it is streamed row by row while the other parts are fixed text.
 * (exceljs's streaming writer took four times longer than this for 100,000 rows, and held tens of
 * megabytes of unsent XML because it ignores backpressure.)
 *
 * What a reader sees: one worksheet named after the event; a bold header row in a named sans face
 * (without a name and size LibreOffice shows a serif), frozen; column widths; instants as real
 * date-time cells (yyyy-mm-dd hh:mm) holding the wall-clock time in the event's zone (spreadsheet
 * date-times have no zone; the header names it); numbers as numbers; texts as typed string cells,
 * which no spreadsheet evaluates, so they need no protective quote.
 */

const xmlHeader = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const mainNs = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const relNs = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const pkgRelNs = 'http://schemas.openxmlformats.org/package/2006/relationships';
const ct = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/** The style indexes of styles.xml's cellXfs: plain, the header's font, a date-time. */
const style = { header: 1, dateTime: 2 };

/** How a date-time cell reads: to the minute, as the organiser's own clock shows it. */
export const xlsxDateFormat = 'yyyy-mm-dd hh:mm';

const contentTypes =
  xmlHeader +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  `<Override PartName="/xl/workbook.xml" ContentType="${ct}.sheet.main+xml"/>` +
  `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${ct}.worksheet+xml"/>` +
  `<Override PartName="/xl/styles.xml" ContentType="${ct}.styles+xml"/>` +
  '</Types>';

const packageRels =
  xmlHeader +
  `<Relationships xmlns="${pkgRelNs}">` +
  `<Relationship Id="rId1" Type="${relNs}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

const workbookRels =
  xmlHeader +
  `<Relationships xmlns="${pkgRelNs}">` +
  `<Relationship Id="rId1" Type="${relNs}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${relNs}/styles" Target="styles.xml"/>` +
  '</Relationships>';

/** Calibri 11 for the body, bold Calibri 11 for the header; custom number format 164 for date-times. */
const styles =
  xmlHeader +
  `<styleSheet xmlns="${mainNs}">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${xlsxDateFormat}"/></numFmts>` +
  '<fonts count="2">' +
  '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '</fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

function workbook(sheetName: string): string {
  return (
    xmlHeader +
    `<workbook xmlns="${mainNs}" xmlns:r="${relNs}">` +
    `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
    '</workbook>'
  );
}

/** Excel's limit for a worksheet name, and the characters it refuses in one. */
export function xlsxSheetName(name: string): string {
  return name.replace(/[\\/?*[\]:]/g, '-').slice(0, 31) || 'registrations';
}

// Control characters are what these two look for, so the lint rule against them in patterns is off.
/* eslint-disable no-control-regex */
const notXml = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
const needsEscape = /[&<>"\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */

/**
 * A text as XML 1.0 can carry it, escaped. Control characters other than tab and line feed, and the
 * non-characters U+FFFE and U+FFFF, are dropped: XML forbids them and one of them makes Excel refuse the
 * whole workbook. Line breaks become LF, which any XML reader turns an unescaped CR into anyway.
 */
export function escapeXml(v: string): string {
  // Most texts need none of this: one test, then the copy-free path.
  if (!needsEscape.test(v)) return v;
  return v
    .replace(notXml, '')
    .replace(/\r\n?/g, '\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A column's letters: 0 -> A, 25 -> Z, 26 -> AA. */
function columnName(i: number): string {
  let name = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Days since 1899-12-30 (Excel's day 0, after its 1900 leap year), from a wall-clock reading in ms. */
function serialDay(wallMs: number): string {
  return String(Math.floor(wallMs / 1000) / 86_400 + 25_569);
}

/** One cell's XML; nothing for an empty cell. */
function cellXml(ref: string, v: ExportCell, zone: string): string {
  if (v === null) return '';
  if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
  if (v instanceof Date)
    return `<c r="${ref}" s="${style.dateTime}"><v>${serialDay(wallClockMs(v, zone))}</v></c>`;
  // t="str": a string cell held in the cell itself, as exceljs wrote it and every reader takes it.
  return `<c r="${ref}" t="str"><v>${escapeXml(v)}</v></c>`;
}

function sheetStart(layout: ExportLayout, refs: string[]): string {
  const cols = layout.columns
    .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
    .join('');
  const header = layout.columns
    .map((c, i) => `<c r="${refs[i]}1" s="${style.header}" t="str"><v>${escapeXml(c.header)}</v></c>`)
    .join('');
  return (
    xmlHeader +
    `<worksheet xmlns="${mainNs}" xmlns:r="${relNs}">` +
    '<sheetViews><sheetView workbookViewId="0">' +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>' +
    '</sheetView></sheetViews>' +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    `<cols>${cols}</cols>` +
    `<sheetData><row r="1">${header}</row>`
  );
}

const sheetEnd =
  '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';

/** The workbook's writer: worksheet XML in pieces, then `finish` closes the package (not `out`). */
export interface XlsxWriter {
  /** The XML of the next row, numbered after the ones before it. */
  row(cells: ExportCell[]): string;
  /** Adds rows' XML to the worksheet; resolves when the archive can take more. */
  write(xml: string): Promise<void>;
  finish(): Promise<void>;
}

/** Starts a workbook on `out`: the fixed parts, then the worksheet up to its header row. */
export async function startXlsx(out: NodeJS.WritableStream, layout: ExportLayout): Promise<XlsxWriter> {
  const zip = new ZipWriter(out);
  await zip.add('[Content_Types].xml', contentTypes);
  await zip.add('_rels/.rels', packageRels);
  await zip.add('xl/workbook.xml', workbook(xlsxSheetName(layout.sheetName)));
  await zip.add('xl/_rels/workbook.xml.rels', workbookRels);
  await zip.add('xl/styles.xml', styles);
  const refs = layout.columns.map((_, i) => columnName(i));
  const sheet: ZipEntryWriter = await zip.open('xl/worksheets/sheet1.xml');
  await sheet.write(sheetStart(layout, refs));
  let n = 1;
  return {
    row(cells) {
      n++;
      let xml = `<row r="${n}">`;
      for (let i = 0; i < cells.length; i++) xml += cellXml(`${refs[i]}${n}`, cells[i]!, layout.zone);
      return xml + '</row>';
    },
    write: (xml) => sheet.write(xml),
    async finish() {
      await sheet.write(sheetEnd);
      await sheet.close();
      await zip.finish();
    },
  };
}
