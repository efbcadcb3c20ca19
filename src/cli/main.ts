import { staleBuild } from '../build-info';
import fs from 'node:fs';
import v8 from 'node:v8';
import type pg from 'pg';
import { ConfigError, loadConfig } from '../config';
import { migrateDatabase, openDatabase } from '../db/database';
import { DomainError } from '../errors';
import type { EventIssue } from '../events';
import { tFor } from '../i18n';
import { setLogLevel } from '../logger';

/**
 * The organiser's command line. Works whether or not the server runs on the same DATA_DIR: it joins a
 * running embedded database or starts one for the length of the command.
 *
 *   npm run cli -- event import FILE.json   create the event, or update the one with that slug
 *   npm run cli -- event export SLUG        print the event as JSON
 *   npm run cli -- user create --email E    create an account (password from stdin or a prompt)
 *   npm run cli -- user password --email E  set an account's password (stdin or a prompt); ends its sessions
 *   npm run cli -- token create --name N    create an API token (printed once)
 *   npm run cli -- export --event SLUG ...  export the registrations (csv, excel-csv, xlsx, json)
 *   npm run cli -- person export --email E  everything held about one address, as JSON
 *   npm run cli -- person erase --email E   erase it (asks first; --yes does not)
 *   npm run migrate                         apply pending migrations
 */
const usage = `Usage:
  npm run cli -- event import FILE.json
  npm run cli -- event export SLUG
  npm run cli -- user create --email E [--name N] [--role admin|organiser|viewer]
  npm run cli -- user password --email E
  npm run cli -- token create --name N [--user EMAIL]
  npm run cli -- export --event SLUG --format csv|excel-csv|xlsx|json [--out FILE] [--lang en|ja]
  npm run cli -- person export --email E
  npm run cli -- person erase --email E [--yes]
  npm run cli -- migrate`;

/*
 * Modules loaded when a command needs them (a plain require: this code is CommonJS; `import()` would
 * make it an ES module load).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  accounts: () => require('./accounts.command') as typeof import('./accounts.command'),
  exports: () => require('./export.command') as typeof import('./export.command'),
  person: () => require('./person.command') as typeof import('./person.command'),
  events: () => require('../events') as typeof import('../events'),
  registrations: () => require('../registrations') as typeof import('../registrations'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * How far V8 lets the heap grow past what survived its last full collection before it collects again:
 * by default up to 4 times, which for an export (whose live data is a batch or two) meant about 70 MB
 * of dead objects at the peak of 100,000 (bench P3: 155 MiB resident). 1.6 times keeps the export of
 * 100,000 rows near 120 MiB for a few percent more CPU. Set by the export command only, for its own
 * process: `npm run cli -- export` and `node dist/cli/main.js export` alike, no node flag needed.
 */
const exportHeapGrowth = '--heap-growing-percent=60';

/**
 * Commands other than `event` and `migrate`: which words start them, and what runs them. Each loads
 * its own module when it runs, so a command pays for its own code only: the export of 100,000 rows
 * starts without the password checker's dictionaries, password hashing, or the privacy, invitation and
 * Zoom modules.
 */
const commands: Record<string, (db: { pool: pg.Pool }, args: string[]) => Promise<number>> = {
  'user create': (db, args) => lazy.accounts().runUserCreate(db.pool, args),
  'user password': (db, args) => lazy.accounts().runUserPassword(db.pool, args),
  'token create': (db, args) => lazy.accounts().runTokenCreate(db.pool, args),
  export: (db, args) => {
    v8.setFlagsFromString(exportHeapGrowth);
    return lazy.exports().runExportCommand(db, args);
  },
  'person export': (db, args) => lazy.person().runPersonExport(db.pool, args),
  'person erase': (db, args) => lazy.person().runPersonErase(db.pool, args),
};

const t = tFor('en');

/** Prints a DomainError the way an organiser reads it: the message, then each problem by JSON path. */
function explain(err: DomainError): string {
  const lines = [t(err.i18nKey, err.params)];
  const issues = err.params.issues as EventIssue[] | undefined;
  for (const issue of issues ?? []) lines.push(`  ${issue.path}: ${t(issue.key, issue.params)}`);
  if (!issues) for (const [field, key] of Object.entries(err.fields)) lines.push(`  ${field}: ${t(key)}`);
  return lines.join('\n');
}

async function run(args: string[]): Promise<number> {
  const stale = staleBuild();
  if (stale) {
    console.error(stale);
    return 1;
  }
  const [group, command, arg] = args;
  const named = commands[`${group} ${command}`]
    ? `${group} ${command}`
    : commands[group ?? '']
      ? group
      : undefined;
  if (named) {
    const rest = args.slice(named.split(' ').length);
    const config = loadConfig();
    setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const db = await openDatabase(config);
    try {
      return await commands[named]!(db, rest);
    } finally {
      await db.close();
    }
  }
  const isEvent = group === 'event' && (command === 'import' || command === 'export') && arg;
  if (!isEvent && group !== 'migrate') {
    console.error(usage);
    return 2;
  }
  let doc: unknown;
  if (group === 'event' && command === 'import') {
    try {
      doc = JSON.parse(fs.readFileSync(arg!, 'utf8'));
    } catch (err) {
      console.error(`Could not read ${arg} as JSON: ${(err as Error).message}`);
      return 1;
    }
  }
  const config = loadConfig();
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, { migrate: group !== 'migrate' });
  try {
    if (group === 'migrate') {
      const applied = await migrateDatabase(config, db.pool);
      console.log(
        applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the database is up to date.',
      );
    } else if (command === 'import') {
      const { eventRegistrants } = lazy.registrations();
      const res = await lazy
        .events()
        .importEvent(db.pool, doc, { now: new Date(), actor: 'cli' }, eventRegistrants);
      const what = res.created ? 'Created' : res.changed.length ? 'Updated' : 'Unchanged';
      console.log(`${what} event ${res.event.slug} (revision ${res.event.revision})`);
      if (!res.created && res.changed.length) console.log(`Changed: ${res.changed.join(', ')}`);
      if (res.notified) console.log(`Registrants to be mailed about this change: ${res.notified}`);
    } else {
      console.log(JSON.stringify(await lazy.events().exportEvent(db.pool, arg!), null, 2));
    }
    return 0;
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else if (err instanceof DomainError) console.error(explain(err));
    else console.error(`Failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
