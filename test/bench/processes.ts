import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, freePort, start, waitFor200, waitUntil, type Started } from '../helpers/processes';

/**
 * The processes a web figure measures: the product's web role as an operator runs it (NODE_ENV=production,
 * `node dist/main.js web`, the built code) and the minimal Express + pg baseline, each a process of its
 * own, with their peak resident memory read from /proc while they run.
 */

export interface Server {
  port: number;
  pid: number;
  /** Highest resident set size seen by `sampleRss` so far, in MiB. */
  peakRssMiB(): number;
  resetPeak(): void;
  stop(): Promise<void>;
}

function rssMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function watched(proc: Started, port: number): Server {
  const pid = proc.child.pid!;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  return {
    port,
    pid,
    peakRssMiB: () => peak,
    resetPeak: () => (peak = rssMiB(pid)),
    async stop() {
      clearInterval(sampler);
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/**
 * Starts `node dist/main.js web` on `databaseUrl` with the per-address registration limit lifted
 * (REGISTRATION_RATE_LIMIT=off, so 50 connections from one address measure the product, not the limit).
 * BENCH_PROFILE=<dir> adds `--cpu-prof` and writes the profile there when the process stops.
 */
export async function startProduct(databaseUrl: string): Promise<Server> {
  ensureBuilt();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-bench-web-'));
  const profile = process.env.BENCH_PROFILE;
  const args = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : []),
    'dist/main.js',
    'web',
  ];
  const proc = start('node', args, {
    NODE_ENV: 'production',
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: crypto.randomBytes(48).toString('base64'),
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    REGISTRATION_RATE_LIMIT: 'off',
  });
  try {
    await waitFor200(`http://127.0.0.1:${port}/readyz`);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`the web process did not start: ${(err as Error).message}\n${proc.output()}`, {
      cause: err,
    });
  }
  const server = watched(proc, port);
  const stop = server.stop;
  server.stop = async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return server;
}

/** Starts the minimal Express + pg baseline (baselines/web.ts) on the same database. */
export async function startBaseline(databaseUrl: string): Promise<Server> {
  const proc = start('node', ['--import', 'tsx', 'test/bench/baselines/web.ts'], {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
  });
  await waitUntil(() => /listening \d+/.test(proc.output()), 'the baseline to listen');
  const port = Number(/listening (\d+)/.exec(proc.output())![1]);
  return watched(proc, port);
}
