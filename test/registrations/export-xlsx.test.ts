import zlib from 'node:zlib';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { EventRecord } from '../../src/events';
import { exportRegistrations } from '../../src/registrations';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * The XLSX export is written by the product itself (a ZIP of a few XML parts). These tests read the
 * file back two ways: entry by entry with a ZIP reader of their own (every CRC and size checked), and
 * as a workbook with exceljs's reader, for what a spreadsheet shows: cell types, date-times and their
 * format, the header's font, the frozen row, widths.
 */

interface ZipEntry {
  name: string;
  data: Buffer;
}

/** Reads an archive from its central directory, inflating every entry and checking its CRC and size. */
function unzip(file: Buffer): ZipEntry[] {
  const end = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBe(file.length - 22);
  const count = file.readUInt16LE(end + 10);
  let at = file.readUInt32LE(end + 16);
  expect(at + file.readUInt32LE(end + 12)).toBe(end);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(file.readUInt32LE(at)).toBe(0x02014b50);
    const [crc, compressed, size] = [16, 20, 24].map((o) => file.readUInt32LE(at + o));
    const nameLength = file.readUInt16LE(at + 28);
    const extra = file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
    const offset = file.readUInt32LE(at + 42);
    const name = file.toString('utf8', at + 46, at + 46 + nameLength);
    expect(file.readUInt32LE(offset)).toBe(0x04034b50);
    const start = offset + 30 + file.readUInt16LE(offset + 26) + file.readUInt16LE(offset + 28);
    const data = zlib.inflateRawSync(file.subarray(start, start + compressed!));
    expect({ name, size: data.length, crc: zlib.crc32(data) }).toEqual({ name, size, crc });
    // The data descriptor after the data repeats the CRC and sizes.
    const descriptor = start + compressed!;
    expect(file.readUInt32LE(descriptor)).toBe(0x08074b50);
    expect([4, 8, 12].map((o) => file.readUInt32LE(descriptor + o))).toEqual([crc, compressed, size]);
    entries.push({ name, data });
    at += 46 + nameLength + extra;
  }
  return entries;
}

function collect(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

describe('the XLSX export', () => {
  let t: TestApp;
  let event: EventRecord;

  async function xlsx(ev: EventRecord = event): Promise<Buffer> {
    const sink = collect();
    await exportRegistrations(t.db.pool, ev, {}, 'xlsx', 'en', sink.out);
    return sink.bytes();
  }

  async function insert(eventId: number, email: string, organisation: string | null, createdAt: string) {
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, organisation, affiliation,
         country, locale, interpretation, answers, consented_at, created_at, first_joined_at)
       VALUES ($1, 'confirmed', $2, '山田', 'Hanako', $3, 'academia', 'JP', 'ja', 'en', '{}', $4, $4, $5)`,
      [eventId, email, organisation, createdAt, email.startsWith('joined') ? '2026-03-29T01:15:00Z' : null],
    );
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    event = await makeEvent(t, { questions: [] });
  });

  it('when exported, then the archive holds the package parts with valid CRCs and texts as escaped, typed string cells', async () => {
    await insert(event.id, 'a@example.org', 'A & B <Co-op> "Kobe"\r\nBranch', '2026-11-10T00:00:00Z');
    const entries = unzip(await xlsx());
    expect(entries.map((e) => e.name).sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml')!.data.toString('utf8');
    // Escaped once, line break as LF, and a typed string cell (never a formula).
    expect(sheet).toContain('<c r="I2" t="str"><v>A &amp; B &lt;Co-op&gt; &quot;Kobe&quot;\nBranch</v></c>');
    expect(sheet).not.toContain('<f>');
    expect(sheet.endsWith('</worksheet>')).toBe(true);
  });

  it('when read by a spreadsheet, then ids are numbers, instants are formatted date-times on the event clock, texts are strings and the header is bold Calibri 11, frozen', async () => {
    const zurich = await makeEvent(t, { slug: 'zurich', timezone: 'Europe/Zurich', questions: [] });
    // The Swiss clocks go forward at 01:00 UTC on 29 March 2026: a second before it is 01:59:59 CET,
    // a quarter of an hour after it 03:15 CEST.
    await insert(zurich.id, 'joined@example.org', '=1+1', '2026-03-29T00:59:59.900Z');
    await insert(zurich.id, 'later@example.org', null, '2026-07-01T12:00:00Z');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx(zurich)) as unknown as ArrayBuffer);
    const ws = book.worksheets[0]!;
    expect(ws.name).toBe('zurich');
    expect(ws.rowCount).toBe(3);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(8).width).toBe(32);
    const header = ws.getRow(1);
    expect(header.getCell(2).value).toBe('Registered at (Europe/Zurich)');
    expect(header.getCell(14).value).toBe('First join click (Europe/Zurich)');
    for (const i of [1, 2, 14]) {
      expect(header.getCell(i).font).toMatchObject({ bold: true, name: 'Calibri', size: 11 });
    }
    const [first, second] = [ws.getRow(2), ws.getRow(3)];
    expect(first.getCell(1).type).toBe(ExcelJS.ValueType.Number);
    // Wall-clock times, seconds kept and milliseconds dropped: CET in March, CEST in July.
    const dates = [first.getCell(2), first.getCell(14), second.getCell(2)];
    expect(dates.map((c) => c.type)).toEqual(Array(3).fill(ExcelJS.ValueType.Date));
    expect(dates.map((c) => (c.value as Date).toISOString())).toEqual([
      '2026-03-29T01:59:59.000Z',
      '2026-03-29T03:15:00.000Z',
      '2026-07-01T14:00:00.000Z',
    ]);
    expect(dates.map((c) => c.numFmt)).toEqual(Array(3).fill('yyyy-mm-dd hh:mm'));
    expect(first.getCell(9).type).toBe(ExcelJS.ValueType.String);
    expect(first.getCell(9).value).toBe('=1+1');
    // Nothing for a missing organisation or a registrant who never joined.
    expect(second.getCell(9).type).toBe(ExcelJS.ValueType.Null);
    expect(second.getCell(14).type).toBe(ExcelJS.ValueType.Null);
  });

  it('when the output closes in the middle (a download cancelled), then the export fails for every format and its database connection is free again', async () => {
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
         interpretation, consented_at, created_at)
       SELECT $1, 'confirmed', 'p' || g || '@example.org', '山田', 'No.' || g, 'other', 'JP', 'ja', 'ja',
              now(), timestamptz '2026-11-01T00:00:00Z' + g * interval '1 second'
         FROM generate_series(1, 5000) g`,
      [event.id],
    );
    for (const format of ['xlsx', 'csv', 'json'] as const) {
      let received = 0;
      const out: Writable = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _enc, cb) {
          received += chunk.length;
          // The client goes away after some 20 kB; its connection closes without an error.
          if (received > 20_000) out.destroy();
          setTimeout(cb, 1);
        },
      });
      await expect(exportRegistrations(t.db.pool, event, {}, format, 'en', out)).rejects.toThrow(
        'export output closed',
      );
      expect(received).toBeLessThan(200_000);
      expect(t.db.pool.idleCount).toBe(t.db.pool.totalCount);
    }
  });

  it('when nothing matches, then the workbook still opens with its header row only', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx()) as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.rowCount).toBe(1);
    expect(book.worksheets[0]!.getRow(1).getCell(1).value).toBe('ID');
  });
});
