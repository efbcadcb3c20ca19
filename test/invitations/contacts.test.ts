import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { readContactFile } from '../../src/invitations';
import { checkedContact, columnOf, languageOf } from '../../src/invitations/contacts';
import { decodeCsv, parseCsv } from '../../src/text';

/** Reading contact lists: encodings, header names in both languages, CSV quoting, XLSX. */

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name));

async function rowsOf(data: Buffer) {
  const read = await readContactFile(data);
  if (!('rows' in read)) throw new Error(`not read: ${read.problem}`);
  return read.rows;
}

describe('contact lists', () => {
  it('when a UTF-8 CSV starts with a BOM and uses English headers, then its rows are read with the BOM gone', async () => {
    const csv =
      '\uFEFFEmail,Family name,Given name,Organisation,Language\r\nann@example.org,Lee,Ann,"ILO, Geneva",en\r\n';
    const rows = await rowsOf(Buffer.from(csv, 'utf8'));
    expect(rows).toEqual([
      {
        line: 2,
        email: 'ann@example.org',
        familyName: 'Lee',
        givenName: 'Ann',
        organisation: 'ILO, Geneva',
        language: 'en',
      },
    ]);
  });

  it('when a CSV is saved in Shift_JIS with Japanese headers, then the Japanese names read correctly', async () => {
    const rows = await rowsOf(fixture('contacts-shift_jis.csv'));
    expect(rows.map((r) => [r.email, r.familyName, r.givenName, r.organisation, r.language])).toEqual([
      ['yamada@example.org', '山田', '花子', '日本協同組合連携機構', '日本語'],
      ['sato@example.org', '佐藤', '一郎', '生活協同組合', 'English'],
    ]);
  });

  it('when an XLSX workbook holds the list, then its first sheet is read whatever the column order', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('招待');
    sheet.addRow(['言語', '組織', 'メール', '名', '姓']);
    sheet.addRow(['ja', '連合', 'suzuki@example.org', '次郎', '鈴木']);
    sheet.addRow([]);
    sheet.addRow(['', '', 'kim@example.org', 'Min', 'Kim']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const rows = await rowsOf(data);
    expect(rows.map((r) => [r.email, r.familyName, r.givenName, r.organisation, r.language])).toEqual([
      ['suzuki@example.org', '鈴木', '次郎', '連合', 'ja'],
      ['kim@example.org', 'Kim', 'Min', '', ''],
    ]);
  });

  it('when a file has no e-mail column, no rows, or is a broken workbook, then it says so', async () => {
    expect(await readContactFile(Buffer.from('name,organisation\nAnn,ILO\n'))).toEqual({
      problem: 'noEmailColumn',
    });
    expect(await readContactFile(Buffer.from('email\n'))).toEqual({ problem: 'empty' });
    expect(await readContactFile(Buffer.from('PK\u0003\u0004 not really a zip'))).toEqual({
      problem: 'unreadable',
    });
  });

  it('when cells are quoted with commas, doubled quotes and line breaks, then they stay whole', () => {
    expect(parseCsv('a,b\n"x, ""y""","line1\nline2"\n\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', 'line1\nline2'],
    ]);
    expect(parseCsv('email\tname\nann@example.org\tAnn\n')).toEqual([
      ['email', 'name'],
      ['ann@example.org', 'Ann'],
    ]);
  });

  it('when bytes are valid UTF-8, then they read as UTF-8, and otherwise as Shift_JIS', () => {
    expect(decodeCsv(Buffer.from('姓', 'utf8'))).toBe('姓');
    expect(decodeCsv(Buffer.from([0x90, 0xa9]))).toBe('姓');
  });

  it('when headers and languages are written in either language, then they are understood', () => {
    expect(
      ['E-mail', 'メールアドレス', 'メール', 'Last name', '姓', '名', '所属', '組織', '言語'].map(columnOf),
    ).toEqual([
      'email',
      'email',
      'email',
      'familyName',
      'familyName',
      'givenName',
      'organisation',
      'organisation',
      'language',
    ]);
    expect(['en', 'English', 'ja', '日本語', 'JA', 'fr', ''].map(languageOf)).toEqual([
      'en',
      'en',
      'ja',
      'ja',
      'ja',
      undefined,
      undefined,
    ]);
  });

  it('when an address is malformed or a name holds control characters, then the row is refused with its reason', () => {
    const row = {
      line: 2,
      email: 'ann@example.org',
      familyName: 'Lee',
      givenName: 'Ann',
      organisation: '',
      language: '',
    };
    expect(checkedContact(row).ok).toBe(true);
    expect(checkedContact({ ...row, email: 'ａｎｎ＠ｅｘａｍｐｌｅ．ｏｒｇ' })).toMatchObject({
      ok: true,
      email: 'ann@example.org',
    });
    expect(checkedContact({ ...row, email: 'ann@' })).toEqual({ ok: false, reason: 'badAddress' });
    expect(checkedContact({ ...row, givenName: 'A\u202Enn' })).toEqual({ ok: false, reason: 'badText' });
  });
});
