import readline from 'node:readline';
import type pg from 'pg';
import { loadConfig } from '../config';
import { erasePerson, personData, type PersonData } from '../privacy';
import { flags } from './accounts.command';

/**
 * A person's requests about their data, from the command line (the machine's operator acts as an
 * admin):
 *
 *   npm run cli -- person export --email E        everything held about E, as JSON (access request)
 *   npm run cli -- person erase --email E [--yes] erase all of it (asks first without --yes)
 */

/** `person export --email E`: prints what is held about the address as JSON. */
export async function runPersonExport(pool: pg.Pool, args: string[]): Promise<number> {
  const f = flags(args);
  const data = await personData(pool, { email: f.email, actor: 'cli' });
  console.log(JSON.stringify(data, null, 2));
  return 0;
}

/** The lines that say what an erasure would take, without repeating the data itself. */
function erasurePreview(data: PersonData): string[] {
  const slugs = [...new Set(data.registrations.map((r) => r.event.slug))];
  return [
    `Registrations: ${data.registrations.length}${slugs.length ? ` (${slugs.join(', ')})` : ''}`,
    `Mails: ${data.mails.length} (not yet sent: ${data.mails.filter((m) => m.status === 'queued' || m.status === 'sending').length})`,
    `Audit entries: ${data.auditEntries.length}`,
    `Zoom registrants: ${data.zoom.length}`,
  ];
}

/** One line from stdin (a terminal or a pipe); empty at its end. */
async function askLine(prompt: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write(prompt);
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer.trim();
}

/**
 * `person erase --email E [--yes]`: erases everything held about the address. Without `--yes` it says
 * what it would erase and asks y/N on stdin; anything but y/yes changes nothing.
 */
export async function runPersonErase(pool: pg.Pool, args: string[]): Promise<number> {
  const yes = args.includes('--yes');
  const f = flags(args.filter((a) => a !== '--yes'));
  const data = await personData(pool, { email: f.email, actor: 'cli' });
  if (!yes) {
    console.log(`Would erase everything held about ${data.email}:`);
    for (const line of erasurePreview(data)) console.log(`  ${line}`);
    if (!/^y(es)?$/i.test(await askLine('Erase it? [y/N] '))) {
      console.log('Nothing erased.');
      return 1;
    }
  }
  const done = await erasePerson(pool, {
    email: data.email,
    actor: 'cli',
    now: new Date(),
    dataDir: loadConfig().dataDir,
  });
  console.log(
    `Erased: ${done.registrations} registrations in ${done.events.length} events, ${done.mails} mails ` +
      `(${done.cancelledMails} not sent), ${done.auditEntries} audit entries, ${done.files} mail files.`,
  );
  return 0;
}
