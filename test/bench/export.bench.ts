import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventBySlug, importEvent, type EventInput } from '../../src/events';
import { eventRegistrants } from '../../src/registrations';
import { eventDoc } from '../helpers/events';
import { ensureBuilt, root } from '../helpers/processes';
import { throwawayDatabase } from './database';
import { fmt, type BenchContext, type Figure } from './figures';

/**
 * P3: the export of 100,000 registrations as an organiser runs it from the command line (`node
 * dist/cli/main.js export`, NODE_ENV=production, a process of its own), beside the bare script
 * baselines/csv-export.cjs (pg-query-stream into csv-stringify) over the same rows, alternating. Reports
 * wall time and the peak RSS the kernel saw for each process (baselines/max-rss.cjs, preloaded).
 * CSV must take at most 1.3x the script's time, XLSX at most 4x; peak RSS at most 150 MiB for either.
 */

const rowCount = Number(process.env.BENCH_EXPORT_ROWS ?? 100_000);

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

interface Run {
  ms: number;
  maxRssMiB: number;
  bytes: number;
}

/** Runs `node [args]` to completion and reports its wall time, peak RSS and the file it wrote. */
function measured(args: string[], env: Record<string, string>, file: string): Promise<Run> {
  const rssFile = `${file}.rss`;
  const started = performance.now();
  const child = spawn('node', ['--require', path.join(__dirname, 'baselines', 'max-rss.cjs'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BENCH_MAX_RSS_FILE: rssFile, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited with ${code}: ${err}`));
      resolve({
        ms,
        maxRssMiB: Number(fs.readFileSync(rssFile, 'utf8')) / 1024,
        bytes: fs.statSync(file).size,
      });
    });
  });
}

const best = (runs: Run[]) => runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
const peak = (runs: Run[]) => Math.max(...runs.map((r) => r.maxRssMiB));

/** The bench's entry point for P3. */
export async function run(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.wants('P3')) return [];
  ensureBuilt();
  const db = await throwawayDatabase(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-bench-out-'));
  try {
    await importEvent(
      db.pool,
      eventDoc({ slug: 'bench-event', questions }),
      { now: new Date('2026-09-01T00:00:00Z'), actor: 'bench' },
      eventRegistrants,
    );
    const event = (await eventBySlug(db.pool, 'bench-event'))!;
    const seedStart = performance.now();
    await db.pool.query(seedSql, [event.id, rowCount]);
    await db.pool.query('ANALYZE registrations');
    console.log(
      `${rowCount.toLocaleString('en-US')} registrations inserted in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    const productEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      SESSION_SECRET: crypto.randomBytes(48).toString('base64'),
      BASE_URL: 'https://events.example.org',
      DATA_DIR: dir,
      LOG_LEVEL: 'warn',
    };
    const product = (format: string, n: number) => {
      const file = path.join(dir, `product-${n}.${format}`);
      const profile = process.env.BENCH_PROFILE;
      const args = [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : []),
        'dist/cli/main.js',
        'export',
        '--event',
        'bench-event',
        '--format',
        format,
        '--out',
        file,
      ];
      return measured(args, productEnv, file);
    };
    const baseline = (n: number) => {
      const file = path.join(dir, `baseline-${n}.csv`);
      const script = path.join(__dirname, 'baselines', 'csv-export.cjs');
      return measured([script, String(event.id), file], { DATABASE_URL: db.url }, file);
    };
    const b: Run[] = [];
    const csv: Run[] = [];
    const xlsx: Run[] = [];
    for (let round = 0; round < 2; round++) {
      b.push(await baseline(round));
      csv.push(await product('csv', round));
      if (round === 0) xlsx.push(await product('xlsx', round)); // 4x is far enough above noise for one run
    }
    const base = best(b);
    const row = (what: string, runs: Run[], limit: number): Figure => {
      const r = best(runs);
      return {
        id: 'P3',
        what: `export of ${rowCount.toLocaleString('en-US')}, ${what}: time`,
        tsunagaru: fmt.ms(r.ms),
        baseline: fmt.ms(base.ms),
        ratio: r.ms / base.ms,
        target: `<= ${limit}x`,
        met: r.ms / base.ms <= limit,
        data: {
          runs: runs.map((x) => Math.round(x.ms)),
          baselineRuns: b.map((x) => Math.round(x.ms)),
          bytes: r.bytes,
        },
      };
    };
    const rss = Math.max(peak(csv), peak(xlsx));
    return [
      row('CSV', csv, 1.3),
      row('XLSX', xlsx, 4),
      {
        id: 'P3',
        what: 'export peak RSS (CSV / XLSX)',
        tsunagaru: `${peak(csv).toFixed(0)} / ${peak(xlsx).toFixed(0)} MiB`,
        baseline: `${peak(b).toFixed(0)} MiB`,
        ratio: rss / peak(b),
        target: '<= 150 MiB',
        met: rss <= 150,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}
