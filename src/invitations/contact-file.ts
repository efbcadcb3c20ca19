import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import { decodeCsv, parseCsv } from '../text';
import { contactRows, type ContactRow, type ListProblem } from './contacts';

/**
 * An uploaded contact list (CSV or XLSX) as contact rows. XLSX is told by its content (a zip), not by
 * its name, so a renamed file still reads; anything else is read as CSV.
 */

/** The largest contact list file taken. */
export const maxListBytes = 2 * 1024 * 1024;

/** Why an uploaded file could not be read at all. */
export type FileProblem = ListProblem | 'unreadable';

/** The rows of an uploaded contact list, or why there are none. */
export async function readContactFile(
  data: Buffer,
): Promise<{ rows: ContactRow[] } | { problem: FileProblem }> {
  if (!data.length) return { problem: 'empty' };
  const zip = data[0] === 0x50 && data[1] === 0x4b;
  if (!zip) return contactRows(parseCsv(decodeCsv(data)));
  const cells = await xlsxCells(data);
  return cells ? contactRows(cells) : { problem: 'unreadable' };
}

/** The first worksheet's cells as text, row by row; undefined when the file is not a workbook. */
async function xlsxCells(data: Buffer): Promise<string[][] | undefined> {
  const workbook = new (exceljs().Workbook)();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    return undefined;
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return undefined;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) values.push(row.getCell(c).text ?? '');
    rows.push(values);
  });
  return rows.filter((r) => r.some((v) => v.trim() !== ''));
}

/**
 * exceljs costs about 25 MB of memory once loaded, so the first XLSX list loads it: processes that never
 * read one do without it.
 */
function exceljs(): typeof ExcelJS {
  return createRequire(__filename)('exceljs') as typeof ExcelJS;
}
