import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { progressLine, runExportCommand } from '../../src/cli/export.command';
import type { EventInput, EventRecord } from '../../src/events';
import {
  exportContentType,
  exportFileName,
  exportRegistrations,
  registerAttendee,
  type ExportFormat,
  type RegistrationFilters,
} from '../../src/registrations';
import { exportBatchSize } from '../../src/registrations/export';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** Everything written to a stream, once the export has ended it. */
function collector(opts: { highWaterMark?: number; delayMs?: number } = {}) {
  const chunks: Buffer[] = [];
  let drains = 0;
  let maxBuffered = 0;
  const out: Writable = new Writable({
    highWaterMark: opts.highWaterMark ?? 16384,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      maxBuffered = Math.max(maxBuffered, out.writableLength);
      if (opts.delayMs) setTimeout(cb, opts.delayMs);
      else cb();
    },
  });
  out.on('drain', () => drains++);
  return {
    out,
    bytes: () => Buffer.concat(chunks),
    drains: () => drains,
    /** The most bytes ever waiting in the stream, and the largest single write. */
    buffering: () => ({ maxBuffered, largestChunk: Math.max(...chunks.map((c) => c.length)) }),
  };
}

/** A small RFC 4180 reader: CRLF records, quoted fields with doubled quotes; a bare line break fails. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\r' || c === '\n' || c === '"') throw new Error(`stray ${JSON.stringify(c)} at ${i}`);
    else field += c;
  }
  if (quoted || field !== '' || row.length) throw new Error('the last record does not end in CRLF');
  return rows;
}

const questions: EventInput['questions'] = [
  {
    id: 'sector',
    type: 'single',
    label: { en: 'Your sector', ja: '分野' },
    required: false,
    options: [
      { value: 'coop', label: { en: 'Cooperative', ja: '協同組合' } },
      { value: 'ngo', label: { en: 'NGO', ja: '非営利団体' } },
    ],
  },
  {
    id: 'topics',
    type: 'multiple',
    label: { en: 'Topics', ja: 'テーマ' },
    required: false,
    options: [
      { value: 'finance', label: { en: 'Finance', ja: '金融' } },
      { value: 'care', label: { en: 'Care', ja: 'ケア' } },
      { value: 'youth', label: { en: 'Youth' } },
    ],
  },
  { id: 'note', type: 'text', label: { en: 'Anything else?' }, required: false, options: [] },
];

/** The fixed English headers of an event in Tokyo: instants are headed with the zone they are shown in. */
const fixedEn = [
  'ID',
  'Registered at (JST)',
  'Status',
  'Family name',
  'Given name',
  'Family name (kana)',
  'Given name (kana)',
  'E-mail',
  'Organisation',
  'Affiliation',
  'Country or region',
  'Mail language',
  'Interpretation',
];

interface Seed {
  email: string;
  familyName?: string;
  givenName?: string;
  familyNameKana?: string | null;
  givenNameKana?: string | null;
  organisation?: string | null;
  status?: string;
  answers?: Record<string, string | string[]>;
  createdAt?: string;
  firstJoinedAt?: string | null;
}

/** A registration written straight to the table (for values the form would refuse, and exact times). */
async function seed(t: TestApp, eventId: number, s: Seed): Promise<number> {
  const res = await t.db.pool.query<{ id: string }>(
    `INSERT INTO registrations (event_id, status, email, family_name, given_name, family_name_kana,
       given_name_kana, organisation, affiliation, country, locale, interpretation, answers, consented_at,
       created_at, first_joined_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'academia', 'CH', 'en', 'ja', $9, $10, $10, $11) RETURNING id`,
    [
      eventId,
      s.status ?? 'confirmed',
      s.email,
      s.familyName ?? 'Doe',
      s.givenName ?? 'Jane',
      s.familyNameKana ?? null,
      s.givenNameKana ?? null,
      s.organisation === undefined ? 'ILO' : s.organisation,
      JSON.stringify(s.answers ?? {}),
      s.createdAt ?? '2026-11-10T00:00:00Z',
      s.firstJoinedAt ?? null,
    ],
  );
  return Number(res.rows[0]!.id);
}

describe('registration exports', () => {
  let t: TestApp;
  let event: EventRecord;

  async function exported(
    format: ExportFormat,
    lang: 'en' | 'ja' = 'en',
    filters: RegistrationFilters = {},
    ev: EventRecord = event,
  ) {
    const sink = collector();
    const count = await exportRegistrations(t.db.pool, ev, filters, format, lang, sink.out);
    return { count, bytes: sink.bytes() };
  }

  async function csvRows(
    format: 'csv' | 'excel-csv',
    lang: 'en' | 'ja' = 'en',
    filters: RegistrationFilters = {},
  ) {
    const { bytes } = await exported(format, lang, filters);
    const text = bytes.toString('utf8');
    return parseCsv(format === 'excel-csv' ? text.slice(1) : text);
  }

  async function xlsxSheet(lang: 'en' | 'ja' = 'en', filters: RegistrationFilters = {}) {
    const { bytes } = await exported('xlsx', lang, filters);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(book.worksheets).toHaveLength(1);
    return book.worksheets[0]!;
  }

  function sheetValues(ws: ExcelJS.Worksheet): unknown[][] {
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return rows;
  }

  /** The Japanese registrant of most tests, through the real form service at 09:30 Tokyo time. */
  async function registerHanako(overrides: Record<string, string | string[]> = {}) {
    t.clock.set('2026-12-01T00:30:00Z');
    const res = await registerAttendee(t.db.pool, {
      slug: event.slug,
      body: formData({
        familyName: '山田',
        givenName: '花子',
        familyNameKana: 'ヤマダ',
        givenNameKana: 'ハナコ',
        organisation: '日本協同組合連携機構',
        q_sector: 'coop',
        q_topics: ['finance', 'youth'],
        q_note: '手話通訳を希望します',
        ...overrides,
      }),
      pageLang: 'ja',
      now: t.clock.now(),
    });
    expect(res.status).toBe('confirmed');
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    event = await makeEvent(t, { questions });
  });

  it('when exported as excel-csv, then it starts with a UTF-8 BOM, ends lines in CRLF and Japanese names round-trip', async () => {
    await registerHanako();
    const { bytes, count } = await exported('excel-csv');
    expect(count).toBe(1);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const [header, row] = parseCsv(text.slice(1));
    expect(header).toEqual([...fixedEn, 'Your sector', 'Topics', 'Anything else?', 'First join click (JST)']);
    expect(row!.slice(3, 9)).toEqual([
      '山田',
      '花子',
      'ヤマダ',
      'ハナコ',
      'hanako@example.org',
      '日本協同組合連携機構',
    ]);
  });

  it('when exported as plain csv, then there is no BOM and commas, quotes and line breaks are quoted per RFC 4180', async () => {
    await registerHanako();
    await seed(t, event.id, { email: 'kobe@example.org', organisation: 'Co-op "Kobe", Ltd.\r\nBranch 2' });
    const { bytes } = await exported('csv');
    expect(bytes[0]).toBe('I'.charCodeAt(0));
    expect(bytes.toString('utf8')).toContain('"Co-op ""Kobe"", Ltd.\r\nBranch 2"');
    const rows = parseCsv(bytes.toString('utf8'));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r[8])).toEqual([
      'Organisation',
      'Co-op "Kobe", Ltd.\r\nBranch 2',
      '日本協同組合連携機構',
    ]);
    expect(rows[2]![3]).toBe('山田');
  });

  it('when exported as xlsx, then exceljs reads back a sheet named after the slug with a bold frozen header and Japanese intact', async () => {
    await registerHanako();
    // Characters XML cannot carry would make the whole workbook unreadable: they are dropped.
    await seed(t, event.id, {
      email: 'bell@example.org',
      organisation: 'Bell\u0007 Co\uFFFF',
      createdAt: '2026-12-02T00:00:00Z',
    });
    const ws = await xlsxSheet('ja');
    expect(ws.name).toBe('tsunagaru-test');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // A named sans face and size: without them LibreOffice shows the header in a serif font.
    expect(ws.getRow(1).getCell(1).font).toMatchObject({ bold: true, name: 'Calibri', size: 11 });
    expect(ws.getColumn(8).width).toBe(32);
    const [header, row, bell] = sheetValues(ws);
    expect(bell![8]).toBe('Bell Co');
    expect(header!.slice(0, 4)).toEqual(['ID', '申込日時（JST）', '状態', '姓']);
    expect(row![0]).toEqual(expect.any(Number));
    // A real date-time cell: 09:30 on the Tokyo clock (spreadsheet times have no zone; the header names it).
    const registered = ws.getRow(2).getCell(2);
    expect(registered.type).toBe(ExcelJS.ValueType.Date);
    expect((registered.value as Date).toISOString()).toBe('2026-12-01T09:30:00.000Z');
    expect(registered.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(row!.slice(2, 9)).toEqual([
      '参加確定',
      '山田',
      '花子',
      'ヤマダ',
      'ハナコ',
      'hanako@example.org',
      '日本協同組合連携機構',
    ]);
  });

  it('when a text starts like a formula, then csv and excel-csv carry it behind a single quote while xlsx types it as a string and JSON keeps it', async () => {
    const formulas = {
      familyName: '=1+1',
      givenName: '+81 3 1234',
      familyNameKana: '-5',
      givenNameKana: '\tタブ',
      organisation: '\r=cmd',
    };
    await seed(t, event.id, { email: '@SUM(A1)', ...formulas, answers: { note: '=HYPERLINK("x")' } });
    const expected = ["'=1+1", "'+81 3 1234", "'-5", "'\tタブ", "'@SUM(A1)", "'\r=cmd"];
    const note = `'=HYPERLINK("x")`;
    for (const format of ['csv', 'excel-csv'] as const) {
      const row = (await csvRows(format))[1]!;
      expect(row.slice(3, 9)).toEqual(expected);
      expect(row[15]).toBe(note);
    }
    const ws = await xlsxSheet();
    const row = ws.getRow(2);
    // A typed string cell is never evaluated, so it keeps the exact text with no visible quote.
    // XML carries a line break as LF, so the CR reads back as one.
    expect([3, 4, 5, 6, 7, 8].map((i) => row.getCell(i + 1).value)).toEqual([
      '=1+1',
      '+81 3 1234',
      '-5',
      '\tタブ',
      '@SUM(A1)',
      '\n=cmd',
    ]);
    expect(row.getCell(16).value).toBe('=HYPERLINK("x")');
    for (const i of [4, 5, 6, 7, 8, 9, 16]) {
      expect(row.getCell(i).type).toBe(ExcelJS.ValueType.String);
      expect(row.getCell(i).formula).toBeUndefined();
    }
    const [record] = JSON.parse((await exported('json')).bytes.toString('utf8'));
    expect(record).toMatchObject({ ...formulas, email: '@SUM(A1)', answers: { note: '=HYPERLINK("x")' } });
  });

  it('when an organisation starts with a full-width ＝＋－＠, then csv and excel-csv carry it behind a single quote, xlsx as a typed string', async () => {
    // Japanese Excel reads the full-width signs as formula starters, as it does the ASCII ones.
    const organisations = ['＝1+1', '＋81', '－5', '＠SUM(A1)'];
    for (const [i, organisation] of organisations.entries()) {
      await seed(t, event.id, {
        email: `fw${i}@example.org`,
        organisation,
        createdAt: `2026-11-1${i}T00:00:00Z`,
      });
    }
    const expected = organisations.map((o) => `'${o}`);
    for (const format of ['csv', 'excel-csv'] as const) {
      const rows = (await csvRows(format)).slice(1);
      expect(rows.map((r) => r[8]).sort()).toEqual([...expected].sort());
    }
    const ws = await xlsxSheet();
    const cells = [2, 3, 4, 5].map((r) => ws.getRow(r).getCell(9));
    expect(cells.map((c) => c.value).sort()).toEqual([...organisations].sort());
    expect(cells.map((c) => c.type)).toEqual(Array(4).fill(ExcelJS.ValueType.String));
  });

  it('when filters are given, then only the matching registrations are exported, in every format', async () => {
    await registerHanako();
    await seed(t, event.id, { email: 'waiting@example.org', status: 'waitlisted' });
    await seed(t, event.id, { email: 'gone@example.org', status: 'cancelled', familyNameKana: 'ヤマダ' });
    const filters: RegistrationFilters = { q: 'やまだ', status: 'confirmed' };
    expect((await csvRows('csv', 'en', filters)).map((r) => r[7])).toEqual(['E-mail', 'hanako@example.org']);
    expect(sheetValues(await xlsxSheet('en', filters)).map((r) => r[7])).toEqual([
      'E-mail',
      'hanako@example.org',
    ]);
    const json = JSON.parse((await exported('json', 'en', { status: 'waitlisted' })).bytes.toString('utf8'));
    expect(json.map((r: { email: string }) => r.email)).toEqual(['waiting@example.org']);
    expect((await exported('csv', 'en', { status: 'cancelled', q: 'nobody' })).count).toBe(0);
  });

  it('when the event has questions, then each gets a column headed in the export language with option labels, falling back to the other language', async () => {
    await registerHanako();
    const [enHeader, enRow] = await csvRows('csv', 'en');
    expect(enHeader!.slice(13, 16)).toEqual(['Your sector', 'Topics', 'Anything else?']);
    expect(enRow!.slice(13, 16)).toEqual(['Cooperative', 'Finance; Youth', '手話通訳を希望します']);
    const [jaHeader, jaRow] = await csvRows('excel-csv', 'ja');
    expect(jaHeader!.slice(13, 16)).toEqual(['分野', 'テーマ', 'Anything else?']);
    expect(jaRow!.slice(13, 16)).toEqual(['協同組合', '金融; Youth', '手話通訳を希望します']);
  });

  it('when lang is ja, then the header row and the status, affiliation and language values are in Japanese', async () => {
    await registerHanako({ affiliation: 'academia', locale: 'en', interpretation: 'ja' });
    const [header, row] = await csvRows('excel-csv', 'ja');
    expect(header).toEqual([
      'ID',
      '申込日時（JST）',
      '状態',
      '姓',
      '名',
      '姓（ふりがな）',
      '名（ふりがな）',
      'メールアドレス',
      'ご所属（団体名）',
      'ご所属の種別',
      '国・地域',
      'メールの言語',
      '通訳（聴講する言語）',
      '分野',
      'テーマ',
      'Anything else?',
      '参加リンクの初回クリック（JST）',
    ]);
    expect([row![2], row![9], row![10], row![11], row![12]]).toEqual([
      '参加確定',
      '研究者・大学関係者',
      'JP',
      '英語',
      '日本語',
    ]);
    const [, enRow] = await csvRows('csv', 'en');
    expect([enRow![2], enRow![9], enRow![11], enRow![12]]).toEqual([
      'Confirmed',
      'Researcher or academic',
      'English',
      'Japanese',
    ]);
  });

  it('when exported as JSON, then it is an array of records with codes, camelCase keys and answers by question id', async () => {
    await registerHanako();
    const { bytes, count } = await exported('json', 'ja');
    const records = JSON.parse(bytes.toString('utf8'));
    expect(count).toBe(1);
    expect(records).toEqual([
      {
        id: expect.any(Number),
        registeredAt: '2026-12-01T09:30:00+09:00',
        status: 'confirmed',
        familyName: '山田',
        givenName: '花子',
        familyNameKana: 'ヤマダ',
        givenNameKana: 'ハナコ',
        email: 'hanako@example.org',
        organisation: '日本協同組合連携機構',
        affiliation: 'cooperative',
        country: 'JP',
        locale: 'ja',
        interpretation: 'ja',
        answers: { sector: 'coop', topics: ['finance', 'youth'], note: '手話通訳を希望します' },
        firstJoinedAt: null,
      },
    ]);
    await t.db.pool.query('TRUNCATE registrations CASCADE');
    expect(JSON.parse((await exported('json')).bytes.toString('utf8'))).toEqual([]);
  });

  it("when the event is in another zone, then registered-at and the first join click carry that zone's offset, and never-joined is empty", async () => {
    const zurich = await makeEvent(t, { slug: 'zurich-event', timezone: 'Europe/Zurich', questions: [] });
    await seed(t, zurich.id, {
      email: 'joined@example.org',
      createdAt: '2026-12-01T08:30:00Z',
      firstJoinedAt: '2026-12-16T05:59:30.250Z',
    });
    await seed(t, zurich.id, { email: 'never@example.org', createdAt: '2026-12-02T08:30:00Z' });
    const rows = parseCsv((await exported('csv', 'en', {}, zurich)).bytes.toString('utf8'));
    // CET in winter, CEST in summer: the header names the zone, not one of its abbreviations.
    const zurichHeaders = [
      'ID',
      'Registered at (Europe/Zurich)',
      ...fixedEn.slice(2),
      'First join click (Europe/Zurich)',
    ];
    expect(rows[0]).toEqual(zurichHeaders);
    // Programs read the plain CSV and JSON: ISO 8601 with the offset, to the second.
    expect(rows.slice(1).map((r) => [r[1], r[13]])).toEqual([
      ['2026-12-01T09:30:00+01:00', '2026-12-16T06:59:30+01:00'],
      ['2026-12-02T09:30:00+01:00', ''],
    ]);
    const json = JSON.parse((await exported('json', 'en', {}, zurich)).bytes.toString('utf8'));
    expect(json.map((r: { firstJoinedAt: string | null }) => r.firstJoinedAt)).toEqual([
      '2026-12-16T06:59:30+01:00',
      null,
    ]);
    // Excel reads "YYYY-MM-DD HH:MM" typed into a CSV as a date-time: the event's wall clock.
    const excel = parseCsv((await exported('excel-csv', 'en', {}, zurich)).bytes.toString('utf8').slice(1));
    expect(excel[0]).toEqual(zurichHeaders);
    expect(excel.slice(1).map((r) => [r[1], r[13]])).toEqual([
      ['2026-12-01 09:30', '2026-12-16 06:59'],
      ['2026-12-02 09:30', ''],
    ]);
  });

  it('when the output is slow, then the export waits for it to drain before the next batch, writes every row once and reports progress', async () => {
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
         interpretation, consented_at, created_at)
       SELECT $1, 'confirmed', 'p' || g || '@example.org', '山田', 'No.' || g, 'other', 'JP', 'ja', 'ja',
              now(), timestamptz '2026-11-01T00:00:00Z' + g * interval '1 second'
         FROM generate_series(1, 2200) g`,
      [event.id],
    );
    const sink = collector({ highWaterMark: 1024, delayMs: 25 });
    const progress: [number, number][] = [];
    const count = await exportRegistrations(t.db.pool, event, {}, 'csv', 'en', sink.out, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(count).toBe(2200);
    expect(sink.drains()).toBeGreaterThan(0);
    // Never more than one batch waiting: the next batch is only written once the stream drained.
    const { maxBuffered, largestChunk } = sink.buffering();
    expect(maxBuffered).toBeLessThanOrEqual(largestChunk);
    const steps = Array.from({ length: Math.ceil(2200 / exportBatchSize) }, (_, i) =>
      Math.min(2200, (i + 1) * exportBatchSize),
    );
    expect(steps.length).toBeGreaterThan(1);
    expect(progress).toEqual([[0, 2200], ...steps.map((done) => [done, 2200])]);
    const rows = parseCsv(sink.bytes().toString('utf8'));
    expect(rows).toHaveLength(2201);
    const slowXlsx = collector({ highWaterMark: 1024, delayMs: 5 });
    expect(await exportRegistrations(t.db.pool, event, {}, 'xlsx', 'en', slowXlsx.out)).toBe(2200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(slowXlsx.bytes() as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.rowCount).toBe(2201);
    expect(book.worksheets[0]!.getRow(2201).getCell(8).value).toBe('p2200@example.org');
    expect(rows.slice(1).map((r) => r[7])).toEqual(
      Array.from({ length: 2200 }, (_, i) => `p${i + 1}@example.org`),
    );
  });

  it('when a file name and content type are asked, then they name the slug, the date in the event zone and the format', () => {
    // 15:30 UTC on 20 Nov is already 21 Nov in Tokyo.
    const now = new Date('2026-11-20T15:30:00Z');
    // The slug already starts with the product's name: it is not said twice.
    expect(exportFileName(event, 'excel-csv', now)).toBe('tsunagaru-test-registrations-20261121.csv');
    expect(exportFileName(event, 'xlsx', now)).toBe('tsunagaru-test-registrations-20261121.xlsx');
    expect(exportFileName(event, 'json', now)).toBe('tsunagaru-test-registrations-20261121.json');
    expect(exportFileName({ ...event, slug: 'coop-day' }, 'csv', now)).toBe(
      'tsunagaru-coop-day-registrations-20261121.csv',
    );
    expect(exportContentType('csv')).toMatch(/^text\/csv; charset=utf-8/);
    expect(exportContentType('xlsx')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(exportContentType('json')).toBe('application/json; charset=utf-8');
  });

  describe('the export command', () => {
    let tmp: string;
    let stderr: string[];
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-export-'));
      stderr = [];
      jest
        .spyOn(console, 'error')
        .mockImplementation((...args: unknown[]) => void stderr.push(args.join(' ')));
    });
    afterEach(() => {
      jest.restoreAllMocks();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('when run with --out and filters, then the file holds the matching rows in --lang and a summary is printed', async () => {
      await registerHanako();
      await seed(t, event.id, { email: 'waiting@example.org', status: 'waitlisted' });
      const file = path.join(tmp, 'out.csv');
      const code = await runExportCommand({ pool: t.db.pool }, [
        '--event',
        'tsunagaru-test',
        '--format',
        'excel-csv',
        '--out',
        file,
        '--lang',
        'ja',
        '--status',
        'confirmed',
      ]);
      expect(code).toBe(0);
      const bytes = fs.readFileSync(file);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parseCsv(bytes.toString('utf8').slice(1));
      expect(rows.map((r) => r[7])).toEqual(['メールアドレス', 'hanako@example.org']);
      expect(fs.readdirSync(tmp)).toEqual(['out.csv']);
      expect(stderr).toEqual([`1 件の申し込みを ${file} に書き出しました`]);
      const audit = await t.db.pool.query(
        `SELECT actor, data FROM audit_log WHERE action = 'registrations.exported' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.rows[0]).toEqual({
        actor: 'cli',
        data: { format: 'excel-csv', filters: { status: 'confirmed' }, rows: 1 },
      });
    });

    it('when run without --out, then the data goes to stdout and only the summary to stderr', async () => {
      await registerHanako();
      const stdout: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout.push(Buffer.from(chunk).toString('utf8'));
        return true;
      });
      const code = await runExportCommand({ pool: t.db.pool }, [
        '--event',
        'tsunagaru-test',
        '--format',
        'json',
      ]);
      jest.mocked(process.stdout.write).mockRestore();
      expect(code).toBe(0);
      expect(JSON.parse(stdout.join('')).map((r: { familyName: string }) => r.familyName)).toEqual(['山田']);
      expect(stderr).toEqual(['Exported 1 registration to standard output']);
    });

    it('when the progress bar is drawn, then it shows ten steps and grouped counts', () => {
      expect(progressLine(51_234, 100_000)).toBe('[#####.....] 51,234 / 100,000');
      expect(progressLine(0, 0)).toBe('[##########] 0 / 0');
      expect(progressLine(100_000, 100_000)).toBe('[##########] 100,000 / 100,000');
    });

    it('when the event does not exist or the arguments are wrong, then it fails with the reason and writes no file', async () => {
      const file = path.join(tmp, 'none.csv');
      expect(
        await runExportCommand({ pool: t.db.pool }, ['--event', 'nope', '--format', 'csv', '--out', file]),
      ).toBe(1);
      expect(stderr).toEqual(['There is no event with the slug “nope”.']);
      stderr.length = 0;
      expect(
        await runExportCommand({ pool: t.db.pool }, ['--event', 'tsunagaru-test', '--format', 'pdf']),
      ).toBe(2);
      expect(stderr[0]).toBe('--format must be one of: csv, excel-csv, xlsx, json.');
      stderr.length = 0;
      const badFilter = ['--event', 'tsunagaru-test', '--format', 'csv', '--status', 'gone', '--out', file];
      expect(await runExportCommand({ pool: t.db.pool }, badFilter)).toBe(1);
      expect(stderr.join('\n')).toContain('--status: Please choose one of the options.');
      expect(fs.readdirSync(tmp)).toEqual([]);
    });
  });
});
