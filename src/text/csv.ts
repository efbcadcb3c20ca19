/**
 * Reading CSV files people bring: contact lists saved from Excel or Google Sheets, and Zoom's reports.
 * Pure; no type guessing.
 */

/**
 * The text of a CSV file: UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else Shift_JIS.
 * A Shift_JIS file that happens to be valid UTF-8 is pure ASCII, which reads the same either way.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('shift_jis').decode(bytes);
  }
}

/**
 * Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes doubled, and line
 * breaks; CRLF or LF). A leading byte-order mark and blank lines are dropped. A tab-separated file
 * (Excel's "Unicode text") works too.
 */
export function parseCsv(input: string): string[][] {
  const text = input.replace(/^\uFEFF/, '');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') cell += text[++i];
      else quoted = false;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === sep) endCell();
    else if (c === '\n') endRow();
    else if (c === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  if (cell !== '' || row.length) endRow();
  return rows.filter((r) => r.some((v) => v.trim() !== ''));
}
