import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { setLogLevel } from '../../src/logger';
import { figureTable, type BenchContext, type Figure } from './figures';

/**
 * `npm run bench [-- P1 P2 P3 P4 P6 growth]`: measures each figure of Tsunagaru beside its minimal
 * baseline in the same run, prints one table (figure, Tsunagaru, baseline, ratio, target, met) and writes
 * it to bench/results/<date>.json. Without arguments every figure is measured. It starts what it needs:
 * databases on TEST_DATABASE_URL's server (or an embedded PostgreSQL), an SMTP server that discards,
 * the product's web role from dist/ with NODE_ENV=production, and the baselines.
 * Benchmarks are not jest tests: they report numbers rather than pass or fail.
 */

const ids = ['P1', 'P2', 'P3', 'P4', 'P6', 'growth'];
const benches: { file: string; covers: string[] }[] = [
  { file: './web.bench', covers: ['P1', 'P2', 'P6', 'growth'] },
  { file: './export.bench', covers: ['P3'] },
  { file: './mail.bench', covers: ['P4'] },
];

async function serverVersion(): Promise<string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return 'embedded PostgreSQL';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const asked = process.argv.slice(2).map((a) => (a.toLowerCase() === 'growth' ? 'growth' : a.toUpperCase()));
  const unknown = asked.filter((a) => !ids.includes(a));
  if (unknown.length) throw new Error(`unknown figure ${unknown.join(', ')}; choose from ${ids.join(' ')}`);
  const ctx: BenchContext = { wants: (id) => !asked.length || asked.includes(id) };
  const started = Date.now();
  const figures: Figure[] = [];
  for (const bench of benches) {
    if (!bench.covers.some((id) => ctx.wants(id))) continue;
    console.log(`# ${bench.file.slice(2)} (${bench.covers.filter((id) => ctx.wants(id)).join(', ')})`);
    const mod = (await import(bench.file)) as { run: (ctx: BenchContext) => Promise<Figure[]> };
    figures.push(...(await mod.run(ctx)));
  }
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    postgres: await serverVersion(),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${figureTable(figures)}\n`);
  console.log(
    `${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres}; ${seconds} s`,
  );
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:]/g, '-').replace(/\..*/, '')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), asked, seconds, machine, figures }, null, 2) + '\n',
  );
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
