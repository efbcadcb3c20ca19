import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Worker processes for tests that kill them (test/worker/fixtures/worker-process.ts), and the clock file
 * they share with the test.
 */

const root = path.resolve(__dirname, '..', '..');
const fixture = path.join(root, 'test', 'worker', 'fixtures', 'worker-process.ts');

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker in a process of its own. */
export interface WorkerProcess {
  /** Its EHLO name: what the SMTP sink records as each message's `client`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited, however. */
  readonly exited: Promise<Exit>;
  /** SIGTERM (a graceful stop: the mails in progress finish), then waits for the exit. */
  stop(): Promise<Exit>;
  /** SIGKILL: the process dies wherever it is, like a machine losing power. Waits for the exit. */
  kill(): Promise<Exit>;
}

export interface WorkerSpec {
  name: string;
  databaseUrl: string;
  smtpUrl: string;
  clockFile?: string;
  scheduleSeconds?: number;
  concurrency?: number;
  env?: Record<string, string>;
}

/** Starts a worker process and resolves once it polls for jobs ("ready"); fails if it exits first. */
export function spawnWorker(spec: WorkerSpec, readyMs = 30_000): Promise<WorkerProcess> {
  const smtp = new URL(spec.smtpUrl);
  // nodemailer takes options from the URL's query: `name` is the EHLO name.
  smtp.searchParams.set('name', spec.name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WORKER_DATABASE_URL: spec.databaseUrl,
    WORKER_SMTP_URL: smtp.toString(),
    ...(spec.clockFile && { WORKER_CLOCK_FILE: spec.clockFile }),
    ...(spec.scheduleSeconds !== undefined && { WORKER_SCHEDULE_SECONDS: String(spec.scheduleSeconds) }),
    ...(spec.concurrency !== undefined && { WORKER_CONCURRENCY: String(spec.concurrency) }),
    ...spec.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerProcess = {
    name: spec.name,
    child,
    exited,
    stop: () => signal(child, exited, 'SIGTERM'),
    kill: () => signal(child, exited, 'SIGKILL'),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${spec.name} not ready after ${readyMs} ms`));
    }, readyMs);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve(worker);
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`worker ${spec.name} exited before it was ready (${e.code ?? e.signal})`));
    });
  });
}

function signal(child: ChildProcess, exited: Promise<Exit>, sig: NodeJS.Signals): Promise<Exit> {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  return exited;
}

/** Kills whatever is still running (a test that failed half-way); for afterEach. */
export async function killAll(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
}

/** The instant every worker process reads as "now" (WORKER_CLOCK_FILE). */
export interface ClockFile {
  readonly path: string;
  set(at: Date | string): void;
  remove(): void;
}

/** A clock file in a temporary folder, set to `at`. */
export function clockFile(at: Date | string): ClockFile {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-clock-'));
  const file = path.join(dir, 'now');
  const set = (instant: Date | string) => {
    // Written aside and renamed: a worker never reads half an instant.
    fs.writeFileSync(`${file}.next`, new Date(instant).toISOString());
    fs.renameSync(`${file}.next`, file);
  };
  set(at);
  return { path: file, set, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `check` every 100 ms until it holds; fails with `what` after `ms`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 30_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
