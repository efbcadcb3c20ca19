import crypto from 'node:crypto';
import type pg from 'pg';
import { eventBySlug, importEvent, type EventInput } from '../../src/events';
import { eventRegistrants } from '../../src/registrations';
import { eventDoc } from '../helpers/events';
import { throwawayDatabase } from './database';
import { fmt, type BenchContext, type Figure } from './figures';
import { pooled, runLoad, type Connection, type LoadResult } from './load';
import { startBaseline, startProduct, type Server } from './processes';

/**
 * P1 (registration POST through the HTML form), P2 (the Japanese event page), P6 (the web process's
 * memory under P1) and the growth of P1 with the registrations an event already has. The product's web
 * role and the minimal baseline run as processes of their own on one throwaway database; each figure is
 * measured in rounds that alternate baseline and product, after an uncounted warm-up of each.
 * BENCH_SECONDS sets a round's length (default 8), BENCH_ROUNDS the rounds of each (default 2).
 */

const connections = 50;
const roundMs = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const warmMs = 3000;
const dayMs = 24 * 3600_000;
const runTag = crypto.randomBytes(3).toString('hex');

const seedSql = `
INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
  interpretation, consented_at, created_at, updated_at)
SELECT $1, 'confirmed', 'seed' || g || '@example.org',
  CASE WHEN g % 2 = 0 THEN '山田' ELSE 'Smith' END, CASE WHEN g % 2 = 0 THEN '花子' ELSE 'Jane' END,
  'cooperative', 'JP', CASE WHEN g % 2 = 0 THEN 'ja' ELSE 'en' END, 'ja', now(), now(), now()
FROM generate_series(1, $2) g`;

/** An event a month ahead, its form open, with `seeded` confirmed registrants already. */
async function benchEvent(
  pool: pg.Pool,
  slug: string,
  overrides: Partial<EventInput>,
  seeded = 0,
): Promise<string> {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  await importEvent(
    pool,
    eventDoc({
      slug,
      startsAt: iso(now + 30 * dayMs),
      endsAt: iso(now + 30 * dayMs + 2 * 3600_000),
      registrationClosesAt: iso(now + 29 * dayMs),
      ...overrides,
    }),
    { now: new Date(now), actor: 'bench' },
    eventRegistrants,
  );
  const event = (await eventBySlug(pool, slug))!;
  if (seeded) await pool.query(seedSql, [event.id, seeded]);
  await pool.query('ANALYZE registrations');
  return slug;
}

interface FormState {
  cookie: string;
  token: string;
}

/** P1's connection set-up: GET the Japanese page once for the CSRF cookie and the form's token. */
async function formState(conn: Omit<Connection<FormState>, 'state'>, slug: string): Promise<FormState> {
  const page = await conn.send({ method: 'GET', path: `/events/${slug}?lang=ja` });
  const cookie = [page.headers['set-cookie'] ?? []]
    .flat()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || !token) throw new Error(`no form on /events/${slug} (${page.status})`);
  return { cookie, token };
}

function registrationBody(email: string, token: string): string {
  return new URLSearchParams({
    _csrf: token,
    email,
    familyName: '山田',
    givenName: '花子',
    organisation: '日本協同組合連携機構',
    affiliation: 'cooperative',
    country: 'JP',
    locale: 'ja',
    interpretation: 'ja',
    consent: 'yes',
  }).toString();
}

/** P1 load on the product: new registrations with unique addresses, 303 each. */
function registrations(server: Server, slug: string, round: string, ms: number): Promise<LoadResult> {
  return runLoad<FormState>({
    port: server.port,
    connections,
    durationMs: ms,
    expect: 303,
    setup: (conn) => formState(conn, slug),
    request: (conn, i) => ({
      method: 'POST',
      path: `/events/${slug}/register?lang=ja`,
      headers: { cookie: conn.state.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: registrationBody(`p1-${runTag}-${round}-${conn.index}-${i}@example.org`, conn.state.token),
    }),
  });
}

/** P1 load on the baseline: the same bodies to its one-INSERT handler. */
function baselineInserts(server: Server, round: string, ms: number): Promise<LoadResult> {
  return runLoad<null>({
    port: server.port,
    connections,
    durationMs: ms,
    expect: 303,
    setup: async () => null,
    request: (conn, i) => ({
      method: 'POST',
      path: '/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: registrationBody(`b-${runTag}-${round}-${conn.index}-${i}@example.org`, 'x'),
    }),
  });
}

function pageLoad(server: Server, path: string, ms: number): Promise<LoadResult> {
  return runLoad<null>({
    port: server.port,
    connections,
    durationMs: ms,
    expect: 200,
    setup: async () => null,
    request: () => ({ method: 'GET', path }),
  });
}

/** Runs `baseline` and `product` in alternating rounds after a warm-up of each; pools the rounds. */
async function alternate(
  product: (round: string, ms: number) => Promise<LoadResult>,
  baseline: (round: string, ms: number) => Promise<LoadResult>,
  onProductRound?: () => void,
) {
  await baseline('warm', warmMs);
  await product('warm', warmMs);
  const p: LoadResult[] = [];
  const b: LoadResult[] = [];
  for (let r = 0; r < rounds; r++) {
    b.push(await baseline(String(r), roundMs));
    onProductRound?.();
    p.push(await product(String(r), roundMs));
  }
  return { product: pooled(p), baseline: pooled(b), productRounds: p, baselineRounds: b };
}

function summary(r: LoadResult): Record<string, unknown> {
  return {
    requests: r.requests,
    rps: Math.round(r.rps),
    p50Ms: Number(r.p50Ms.toFixed(1)),
    p99Ms: Number(r.p99Ms.toFixed(1)),
    failures: r.failures,
    statuses: r.statuses,
  };
}

function describe(r: LoadResult): string {
  return `${fmt.rate(r.rps, 'req/s')}, p99 ${fmt.ms(r.p99Ms)}`;
}

/** A throughput row and a p99 row for a figure measured beside its baseline. */
function loadFigures(
  id: string,
  what: string,
  m: { product: LoadResult; baseline: LoadResult },
  minRatio: number,
  p99FloorMs: number,
): Figure[] {
  const ratio = m.product.rps / m.baseline.rps;
  const p99Limit = Math.max(p99FloorMs, 3 * m.baseline.p99Ms);
  const clean = m.product.failures === 0 && m.baseline.failures === 0;
  return [
    {
      id,
      what: `${what}: throughput`,
      tsunagaru: fmt.rate(m.product.rps, 'req/s'),
      baseline: fmt.rate(m.baseline.rps, 'req/s'),
      ratio,
      target: `>= ${minRatio}x`,
      met: clean && ratio >= minRatio,
      data: { product: summary(m.product), baseline: summary(m.baseline) },
    },
    {
      id,
      what: `${what}: p99`,
      tsunagaru: fmt.ms(m.product.p99Ms),
      baseline: fmt.ms(m.baseline.p99Ms),
      ratio: m.product.p99Ms / m.baseline.p99Ms,
      target: `<= ${fmt.ms(p99Limit)}`,
      met: clean && m.product.p99Ms <= p99Limit,
    },
  ];
}

function checkAnswers(what: string, r: LoadResult): void {
  if (r.failures) console.warn(`! ${what}: ${r.failures} unexpected answers: ${JSON.stringify(r.statuses)}`);
}

/** The guarantees P1 must keep, checked on the rows after the load. */
async function p1Guarantees(pool: pg.Pool, slug: string): Promise<Record<string, number>> {
  const res = await pool.query<{ confirmed: string; mails: string; audits: string; capacity: number }>(
    `SELECT (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
            (SELECT count(*) FROM outgoing_mails m WHERE m.event_id = e.id) AS mails,
            (SELECT count(*) FROM audit_log a WHERE a.event_id = e.id AND a.action = 'registration.created') AS audits,
            e.capacity
       FROM events e WHERE e.slug = $1`,
    [slug],
  );
  const row = res.rows[0]!;
  const out = {
    confirmed: Number(row.confirmed),
    mails: Number(row.mails),
    audits: Number(row.audits),
    capacity: row.capacity,
  };
  if (out.confirmed > out.capacity || out.mails !== out.confirmed || out.audits !== out.confirmed) {
    throw new Error(`P1 broke a guarantee: ${JSON.stringify(out)}`);
  }
  return out;
}

/** The bench's entry point for the web figures. */
export async function run(ctx: BenchContext): Promise<Figure[]> {
  const wantsP1 = ctx.wants('P1') || ctx.wants('P6');
  if (!wantsP1 && !ctx.wants('P2') && !ctx.wants('growth')) return [];
  const db = await throwawayDatabase(4);
  await db.pool.query(
    `CREATE TABLE bench_baseline (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,
       family_name text NOT NULL, given_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const capacity = { capacity: 1_000_000, waitlist: false };
  const p1 = await benchEvent(db.pool, 'bench-p1', capacity);
  const p2 = await benchEvent(db.pool, 'bench-p2', { capacity: 500, waitlist: true }, 300);
  const growth = ctx.wants('growth')
    ? [
        [0, await benchEvent(db.pool, 'bench-grow-0', capacity, 0)],
        [10_000, await benchEvent(db.pool, 'bench-grow-10k', capacity, 10_000)],
        [50_000, await benchEvent(db.pool, 'bench-grow-50k', capacity, 50_000)],
      ]
    : [];
  const product = await startProduct(db.url);
  const baseline = await startBaseline(db.url);
  const figures: Figure[] = [];
  try {
    if (wantsP1) {
      const m = await alternate(
        (round, ms) => registrations(product, p1, round, ms),
        (round, ms) => baselineInserts(baseline, round, ms),
        () => product.resetPeak(),
      );
      checkAnswers('P1 product', m.product);
      checkAnswers('P1 baseline', m.baseline);
      const kept = await p1Guarantees(db.pool, p1);
      if (ctx.wants('P1')) {
        figures.push(...loadFigures('P1', 'registration POST (form)', m, 0.35, 150));
        figures[figures.length - 2]!.data!.guarantees = kept;
      }
      if (ctx.wants('P6')) {
        const peak = product.peakRssMiB();
        figures.push({
          id: 'P6',
          what: 'web process peak RSS under P1',
          tsunagaru: `${peak.toFixed(0)} MiB`,
          baseline: `${baseline.peakRssMiB().toFixed(0)} MiB`,
          ratio: peak / baseline.peakRssMiB(),
          target: '<= 200 MiB',
          met: peak <= 200,
        });
      }
    }
    if (ctx.wants('P2')) {
      const m = await alternate(
        (_round, ms) => pageLoad(product, `/events/${p2}?lang=ja`, ms),
        (_round, ms) => pageLoad(baseline, '/bare', ms),
      );
      checkAnswers('P2 product', m.product);
      checkAnswers('P2 baseline', m.baseline);
      figures.push(...loadFigures('P2', 'Japanese event page GET', m, 0.25, 100));
    }
    let first: LoadResult | undefined;
    for (const [seeded, slug] of growth as [number, string][]) {
      const r = await registrations(product, slug, 'g', roundMs);
      checkAnswers(`growth ${seeded}`, r);
      first ??= r;
      figures.push({
        id: 'growth',
        what: `P1 after ${seeded.toLocaleString('en-US')} registrations`,
        tsunagaru: describe(r),
        baseline: `P1 after 0: ${fmt.rate(first.rps, 'req/s')}`,
        ratio: r.rps / first.rps,
        target: 'report',
        met: null,
        data: summary(r),
      });
    }
  } finally {
    await product.stop();
    await baseline.stop();
    await db.drop();
  }
  return figures;
}
