import readline from 'node:readline';
import type pg from 'pg';
import {
  createAccount,
  createApiToken,
  firstAdmin,
  roles,
  sessionActor,
  setPasswordByCli,
  userByEmail,
  type Role,
} from '../accounts';
import { withTransaction } from '../db/pool';

/**
 * `user create`, `user password` and `token create`. The password never travels on the command line (it would stay in
 * the shell history and in `ps`): it is read from standard input, or asked for without echo on a
 * terminal.
 *
 *   npm run cli -- user create --email E [--name N] [--role admin|organiser|viewer]
 *   npm run cli -- user password --email E
 *   npm run cli -- token create --name N [--user EMAIL]
 */

/** `--key value` pairs after the command. Unknown or repeated keys are the caller's to reject. */
export function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new Error(`Unexpected argument "${args[i]}"`);
    out[m[1]!] = m[2] ?? args[++i] ?? '';
  }
  return out;
}

/** Reads one secret line from a terminal without echoing it, or all of stdin when it is a pipe. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  muted._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

/** The new password for `email`: from stdin, or asked twice on a terminal (undefined when they differ). */
async function newPassword(email: string): Promise<string | undefined> {
  const password = await readPassword(`Password for ${email}: `);
  if (process.stdin.isTTY && password !== (await readPassword('Again: '))) {
    console.error('The two passwords are not the same.');
    return undefined;
  }
  return password;
}

/** Creates an account; the first admin is usually made this way on a server without a browser. */
export async function runUserCreate(pool: pg.Pool, args: string[]): Promise<number> {
  const f = flags(args);
  if (!f.email) {
    console.error('Usage: npm run cli -- user create --email E [--name N] [--role admin|organiser|viewer]');
    return 2;
  }
  const role = (f.role ?? 'admin') as Role;
  if (!roles.includes(role)) {
    console.error(`--role must be one of ${roles.join(', ')}`);
    return 2;
  }
  const password = await newPassword(f.email);
  if (password === undefined) return 1;
  const user = await withTransaction(pool, (tx) =>
    createAccount(
      tx,
      { email: f.email!, name: f.name ?? '', role, password },
      { now: new Date(), by: 'cli' },
    ),
  );
  console.log(`Created ${user.role} account ${user.email}.`);
  return 0;
}

/**
 * Sets an account's password (a forgotten one, or the last admin's, when nobody can sign in to make a
 * reset link). The account's sessions end; its API tokens stay.
 */
export async function runUserPassword(pool: pg.Pool, args: string[]): Promise<number> {
  const f = flags(args);
  if (!f.email) {
    console.error('Usage: npm run cli -- user password --email E');
    return 2;
  }
  const password = await newPassword(f.email);
  if (password === undefined) return 1;
  const user = await setPasswordByCli(pool, { email: f.email, password }, new Date());
  console.log(`Password changed for ${user.email}; its sessions have ended.`);
  return 0;
}

/** Creates an API token for an account (the oldest admin by default) and prints it, once. */
export async function runTokenCreate(pool: pg.Pool, args: string[]): Promise<number> {
  const f = flags(args);
  if (!f.name) {
    console.error('Usage: npm run cli -- token create --name N [--user EMAIL]');
    return 2;
  }
  const user = f.user ? await userByEmail(pool, f.user) : await firstAdmin(pool);
  if (!user || user.disabledAt) {
    console.error(f.user ? `No active account ${f.user}.` : 'No admin account yet: run `user create` first.');
    return 1;
  }
  const actor = { ...sessionActor(user), label: `cli (${user.email})` };
  const { token } = await createApiToken(pool, { name: f.name }, { now: new Date(), by: actor });
  console.error(`Token "${f.name}" for ${user.email} (${user.role}). It is shown only now; store it safely:`);
  console.log(token);
  return 0;
}
