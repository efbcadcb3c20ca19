import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { staleBuild } from '../../src/build-info';
import { paths } from '../../src/paths';

/**
 * Product processes for tests that start them as an operator does (`npm start`, `node dist/main.js`):
 * the build they run, free ports, and waiting for an answer or an exit.
 */

export const root = path.resolve(__dirname, '..', '..');

/** Builds dist/ when it is missing or older than the sources, as `npm start` would insist. */
export function ensureBuilt(): void {
  // The same check `npm start` makes, asked as if running from dist/.
  if (!staleBuild(paths.build)) return;
  const res = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}\n${res.stderr}`);
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A started process with everything it printed so far. */
export interface Started {
  readonly child: ChildProcess;
  output(): string;
  /** Settles with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Starts `command args` in the project folder with `env` added to a minimal environment. */
export function start(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => out, exited };
}

/** Resolves with the body once GET `url` answers 200; fails after `ms` with what was last seen. */
export async function waitFor200(url: string, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status === 200) return body;
      last = `${res.status} ${body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms (last: ${last})`);
}

/** Resolves once `check()` is true; fails after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while a process with this id exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
