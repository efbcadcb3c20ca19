import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { eventBySlug, importEvent, type EventInput, type EventRecord } from '../../src/events';
import {
  exportRegistrations,
  registrationCounts,
  registrationPage,
  type ExportFormat,
  eventRegistrants,
} from '../../src/registrations';
import { eventDoc } from '../helpers/events';
import { throwawayDatabase } from './database';

/**
 * Exports 100,000 registrations in every format from a throwaway database and reports speed and memory:
 * rows, time to first byte, total time, rows/s, file size, and the peak RSS and heap during the export
 * above the baseline just before it (sampled every 50 ms). Also times the organiser list's queries on the
 * same rows. Uses TEST_DATABASE_URL, or an embedded server in a temporary DATA_DIR.
 */

const rowCount = 100_000;
const formats: ExportFormat[] = ['csv', 'excel-csv', 'xlsx', 'json'];

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
  { id: 'note', type: 'text', label: { en: 'Anything else?', ja: 'その他' }, required: false, options: [] },
];

/** One INSERT … SELECT: every other registrant has a Japanese name with kana, the rest a Latin one. */
const seedSql = `
INSERT INTO registrations (event_id, status, email, family_name, given_name, family_name_kana, given_name_kana,
  organisation, affiliation, country, locale, interpretation, answers, consented_at, created_at,
  first_joined_at, join_clicks)
SELECT $1,
  CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 7 = 0 THEN 'waitlisted' ELSE 'confirmed' END,
  'person' || g || '@example.org',
  CASE WHEN g % 2 = 0 THEN (ARRAY['山田','鈴木','佐藤','高橋','田中'])[g % 5 + 1]
       ELSE (ARRAY['Smith','Müller','García','Dubois','Rossi'])[g % 5 + 1] END,
  CASE WHEN g % 2 = 0 THEN (ARRAY['花子','太郎','健二','美咲','翔'])[g % 5 + 1]
       ELSE (ARRAY['Jane','Jürgen','María','Élodie','Marco'])[g % 5 + 1] END,
  CASE WHEN g % 2 = 0 THEN (ARRAY['ヤマダ','すずき','サトウ','たかはし','タナカ'])[g % 5 + 1] END,
  CASE WHEN g % 2 = 0 THEN (ARRAY['ハナコ','たろう','ケンジ','みさき','ショウ'])[g % 5 + 1] END,
  CASE WHEN g % 3 = 0 THEN NULL WHEN g % 2 = 0 THEN '日本協同組合連携機構 ' || (g % 300)
       ELSE 'Cooperative "' || (g % 300) || '", Ltd.' END,
  (ARRAY['cooperative','sse-organisation','government','workers-or-employers','academia','student','other'])[g % 7 + 1],
  CASE WHEN g % 2 = 0 THEN 'JP' ELSE (ARRAY['CH','FR','DE','US','BR'])[g % 5 + 1] END,
  CASE WHEN g % 3 = 0 THEN 'en' ELSE 'ja' END,
  CASE WHEN g % 4 = 0 THEN 'en' ELSE 'ja' END,
  jsonb_build_object('sector', CASE WHEN g % 2 = 0 THEN 'coop' ELSE 'ngo' END, 'note', 'メモ ' || g),
  now(),
  timestamptz '2026-10-01T00:00:00Z' + g * interval '10 seconds',
  CASE WHEN g % 3 = 0 THEN timestamptz '2026-12-16T06:00:00Z' + (g % 600) * interval '1 second' END,
  CASE WHEN g % 3 = 0 THEN 1 ELSE 0 END
FROM generate_series(1, $2) g`;

interface Measure {
  format: string;
  rows: number;
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  rssMb: number;
  heapMb: number;
  /** Heap still used after the export and a full GC, above the baseline: what the export kept. */
  keptMb: number;
}

const mb = (n: number) => n / 1024 / 1024;

/** One export to a file, with the memory sampled every 50 ms against the baseline taken just before. */
async function measure(
  pool: pg.Pool,
  event: EventRecord,
  format: ExportFormat,
  file: string,
): Promise<Measure> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const start = performance.now();
  let firstByte = 0;
  const out = new PassThrough();
  out.once('data', () => (firstByte = performance.now()));
  const fileStream = fs.createWriteStream(file);
  out.pipe(fileStream);
  const rows = await exportRegistrations(pool, event, {}, format, 'ja', out);
  await finished(fileStream);
  const totalMs = performance.now() - start;
  clearInterval(sampler);
  (globalThis as { gc?: () => void }).gc?.();
  const kept = process.memoryUsage().heapUsed - base.heapUsed;
  return {
    format,
    rows,
    ttfbMs: firstByte - start,
    totalMs,
    bytes: fs.statSync(file).size,
    rssMb: mb(peakRss - base.rss),
    heapMb: mb(peakHeap - base.heapUsed),
    keptMb: mb(kept),
  };
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Times the organiser list on the same rows: the first page, a search, a name sort, the counts. */
async function listingTimes(pool: pg.Pool, eventId: number): Promise<(string | number)[][]> {
  const page = { sort: 'registered' as const, dir: 'desc' as const, page: 1, perPage: 50 };
  const cases: [string, () => Promise<unknown>][] = [
    ['page 1, newest first', () => registrationPage(pool, eventId, {}, page)],
    [
      'page 1000, newest first',
      () => registrationPage(pool, eventId, {}, { ...page, page: 1000, perPage: 50 }),
    ],
    ['search "やまだ"', () => registrationPage(pool, eventId, { q: 'やまだ' }, page)],
    ['search "person4242@"', () => registrationPage(pool, eventId, { q: 'person4242@' }, page)],
    ['status=waitlisted', () => registrationPage(pool, eventId, { status: 'waitlisted' }, page)],
    ['sort by name', () => registrationPage(pool, eventId, {}, { ...page, sort: 'name', dir: 'asc' })],
    ['counts + search', () => registrationCounts(pool, eventId, { q: 'やまだ' })],
  ];
  const rows: (string | number)[][] = [];
  for (const [label, work] of cases) {
    await work(); // warm the cache and the plan first
    rows.push([label, (await timed(work)).toFixed(1)]);
  }
  return rows;
}

/** The benchmark's entry point, called by run.ts. */
export async function run(): Promise<void> {
  const db = await throwawayDatabase(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-bench-out-'));
  try {
    await importEvent(
      db.pool,
      eventDoc({ slug: 'bench-event', questions }),
      {
        now: new Date('2026-09-01T00:00:00Z'),
        actor: 'bench',
      },
      eventRegistrants,
    );
    const event = (await eventBySlug(db.pool, 'bench-event'))!;
    const seedMs = await timed(() => db.pool.query(seedSql, [event.id, rowCount]));
    await db.pool.query('ANALYZE registrations');
    console.log(
      `Inserted ${rowCount.toLocaleString('en-US')} registrations in ${(seedMs / 1000).toFixed(1)} s`,
    );

    const results: Measure[] = [];
    for (const format of formats) results.push(await measure(db.pool, event, format, path.join(dir, format)));
    console.log(
      '\n' +
        table(
          [
            'format',
            'rows',
            'TTFB ms',
            'total ms',
            'rows/s',
            'size MB',
            'peak RSS +MB',
            'peak heap +MB',
            'kept +MB',
          ],
          results.map((r) => [
            r.format,
            r.rows,
            r.ttfbMs.toFixed(0),
            r.totalMs.toFixed(0),
            Math.round(r.rows / (r.totalMs / 1000)),
            mb(r.bytes).toFixed(1),
            r.rssMb.toFixed(1),
            r.heapMb.toFixed(1),
            r.keptMb.toFixed(1),
          ]),
        ),
    );
    console.log('\n' + table(['organiser list (100k rows)', 'ms'], await listingTimes(db.pool, event.id)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}
