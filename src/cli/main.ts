import fs from 'node:fs';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { DomainError } from '../errors';
import { exportEvent, importEvent, type EventIssue } from '../events';
import { tFor } from '../i18n';
import { setLogLevel } from '../logger';

/**
 * The organiser's command line. Works whether or not the server runs on the same DATA_DIR: it joins a
 * running embedded database or starts one for the length of the command.
 *
 *   npm run cli -- event import FILE.json   create the event, or update the one with that slug
 *   npm run cli -- event export SLUG        print the event as JSON
 *   npm run migrate                         apply pending migrations
 */
const usage = `Usage:
  npm run cli -- event import FILE.json
  npm run cli -- event export SLUG
  npm run cli -- migrate`;

const t = tFor('en');

/** Prints a DomainError the way an organiser reads it: the message, then each problem by JSON path. */
function explain(err: DomainError): string {
  const lines = [t(err.i18nKey, err.params)];
  const issues = err.params.issues as EventIssue[] | undefined;
  for (const issue of issues ?? []) lines.push(`  ${issue.path}: ${t(issue.key, issue.params)}`);
  return lines.join('\n');
}

async function run(args: string[]): Promise<number> {
  const [group, command, arg] = args;
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
      const applied = await migrate(db.pool);
      console.log(
        applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the database is up to date.',
      );
    } else if (command === 'import') {
      const res = await importEvent(db.pool, doc, { now: new Date(), actor: 'cli' });
      const what = res.created ? 'Created' : res.changed.length ? 'Updated' : 'Unchanged';
      console.log(`${what} event ${res.event.slug} (revision ${res.event.revision})`);
      if (!res.created && res.changed.length) console.log(`Changed: ${res.changed.join(', ')}`);
      if (res.notified) console.log(`Registrants to be mailed about this change: ${res.notified}`);
    } else {
      console.log(JSON.stringify(await exportEvent(db.pool, arg!), null, 2));
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
