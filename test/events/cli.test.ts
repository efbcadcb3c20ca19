import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { verify } from '@node-rs/argon2';
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { importEvent, type EventInput } from '../../src/events';
import { eventDoc } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { eventRegistrants } from '../../src/registrations';

/**
 * The organiser CLI as organisers run it: a real child process (tsx src/cli/main.ts) against a database
 * of this file's own. Each process start costs about a second, so every test spawns as few as it can
 * and prepares its starting state in-process through importEvent (the same path the CLI takes).
 */

const repoRoot = path.resolve(__dirname, '..', '..');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const validation = JSON.parse(fs.readFileSync(path.join(repoRoot, 'locales/en/validation.json'), 'utf8'));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase(2);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-cli-'));
});

afterAll(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await db.drop();
});

/** Runs the CLI with a clean environment: only what a shell would give it, plus the given settings. */
function cli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      ['src/cli/main.ts', ...args],
      {
        cwd: repoRoot,
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          TMPDIR: os.tmpdir(),
          DATABASE_URL: db.url,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

function writeFile(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function eventRow(slug: string) {
  const res = await db.pool.query('SELECT * FROM events WHERE slug = $1', [slug]);
  return res.rows[0] as Record<string, unknown> | undefined;
}

async function countOf(table: 'events' | 'audit_log'): Promise<number> {
  const res = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(res.rows[0]!.n);
}

/** Sets up an existing event without spawning the CLI. */
async function existing(doc: EventInput) {
  return importEvent(
    db.pool,
    doc,
    { now: new Date('2026-11-01T00:00:00Z'), actor: 'test' },
    eventRegistrants,
  );
}

const questions: EventInput['questions'] = [
  {
    id: 'sector',
    type: 'single',
    label: { en: 'Your sector', ja: '分野' },
    required: true,
    options: [
      { value: 'coop', label: { en: 'Cooperative', ja: '協同組合' } },
      { value: 'ngo', label: { en: 'NGO', ja: 'NGO' } },
    ],
  },
  { id: 'note', type: 'text', label: { en: 'Anything else?' }, required: false, options: [] },
];

describe('event import and export', () => {
  it('when a valid event file is imported, then it is created and "event export" prints the same event as JSON', async () => {
    const doc = eventDoc({ slug: 'cli-created', capacity: 80, waitlist: true, questions });
    const file = writeFile('created.json', doc);

    const imported = await cli(['event', 'import', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Created event cli-created \(revision 0\)$/m);
    expect(await eventRow('cli-created')).toMatchObject({ slug: 'cli-created', revision: 0, capacity: 80 });

    const exported = await cli(['event', 'export', 'cli-created']);
    expect(exported.code).toBe(0);
    const json = JSON.parse(exported.stdout) as EventInput;
    expect(json.slug).toBe('cli-created');
    expect(json.title).toEqual(doc.title);
    expect(json.status).toBe('published');
    // Written as +09:00 in the file; the export may spell it in UTC, but it is the same instant.
    expect(Date.parse(json.startsAt)).toBe(Date.parse('2026-12-16T06:00:00Z'));
    expect(Date.parse(json.endsAt)).toBe(Date.parse('2026-12-16T08:15:00Z'));
    expect(Date.parse(json.registrationClosesAt!)).toBe(Date.parse('2026-12-14T14:59:00Z'));
    expect(json.timezone).toBe('Asia/Tokyo');
    expect(json.displayTimezones).toEqual(['Asia/Tokyo', 'Europe/Zurich']);
    expect(json.capacity).toBe(80);
    expect(json.waitlist).toBe(true);
    expect(json.questions).toEqual(questions);
    expect(json.reminders).toEqual(['P1D', 'PT1H']);
    expect(json.meetingUrl).toBe('https://zoom.example/j/123');
  });

  it('when a published event is imported again with a changed title, then it is updated and its revision rises', async () => {
    const before = await existing(eventDoc({ slug: 'cli-update' }));
    expect(before.event.revision).toBe(0);
    const changedTitle = { en: 'TSUNAGARU — new title', ja: 'TSUNAGARU 新しいタイトル' };
    const file = writeFile('update.json', eventDoc({ slug: 'cli-update', title: changedTitle }));
    const eventsBefore = await countOf('events');

    const res = await cli(['event', 'import', file]);

    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Updated event cli-update \(revision 1\)$/m);
    expect(res.stdout).toMatch(/^Changed: title$/m);
    const row = await eventRow('cli-update');
    expect(row?.revision).toBe(1);
    expect(row?.title).toEqual(changedTitle);
    expect(await countOf('events')).toBe(eventsBefore);
  });

  it('when the same file is imported again, then it prints "Unchanged" and touches nothing', async () => {
    // With questions on purpose: they are stored as jsonb, which reads back with its keys reordered.
    const doc = eventDoc({ slug: 'cli-same', capacity: 30, questions });
    await existing(doc);
    const before = await eventRow('cli-same');
    const auditBefore = await countOf('audit_log');
    const file = writeFile('same.json', doc);

    const res = await cli(['event', 'import', file]);

    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Unchanged event cli-same \(revision 0\)$/m);
    expect(res.stdout).not.toContain('Changed:');
    expect(await eventRow('cli-same')).toEqual(before);
    expect(await countOf('audit_log')).toBe(auditBefore);
  });

  it('when the file has several problems, then it exits 1, lists every one with its JSON path and changes nothing', async () => {
    await existing(eventDoc({ slug: 'cli-invalid' }));
    const before = await eventRow('cli-invalid');
    const eventsBefore = await countOf('events');
    const auditBefore = await countOf('audit_log');
    const withoutTitle: Partial<EventInput> = eventDoc({ slug: 'cli-invalid', capacity: 10 });
    delete withoutTitle.title;
    const file = writeFile('invalid.json', {
      ...withoutTitle,
      timezone: 'Asia/Tokio',
      endsAt: '2026-12-16T14:00:00+09:00',
      reminders: ['1 day', 'PT1H'],
      venue: 'Tokyo',
    });

    const res = await cli(['event', 'import', file]);

    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('The event has 5 problem(s):');
    expect(lines).toContain(`  $.timezone: ${validation.event.timezone}`);
    expect(lines).toContain(`  $.endsAt: ${validation.event.endsBeforeStart}`);
    expect(lines).toContain(`  $.reminders[0]: ${validation.event.reminder}`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}\$\.title: must be object$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}\$: has unknown fields: venue$/));
    expect(lines).toHaveLength(6);
    expect(res.stderr).not.toContain('    at ');
    expect(await eventRow('cli-invalid')).toEqual(before);
    expect(await countOf('events')).toBe(eventsBefore);
    expect(await countOf('audit_log')).toBe(auditBefore);
  });

  it('when the file is not JSON, then it exits 1 naming the file, without a stack trace, and changes nothing', async () => {
    const eventsBefore = await countOf('events');
    const file = writeFile('broken.json', '{ "slug": "cli-broken", "title": ');

    const res = await cli(['event', 'import', file]);

    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`Could not read ${file} as JSON`);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).not.toContain('    at ');
    expect(await eventRow('cli-broken')).toBeUndefined();
    expect(await countOf('events')).toBe(eventsBefore);
  });

  it('when an unknown slug is exported, then it exits 1 with the not-found message and prints no JSON', async () => {
    const res = await cli(['event', 'export', 'no-such-event']);

    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim()).toBe('There is no event with the slug “no-such-event”.');
    expect(res.stderr).not.toContain('    at ');
  });
});

describe('registration export', () => {
  it('when the export command runs as its own process, then it writes the XLSX file a spreadsheet reads and says how many rows', async () => {
    const { event } = await existing(eventDoc({ slug: 'cli-export', questions }));
    await db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
         interpretation, answers, consented_at, created_at)
       SELECT $1, 'confirmed', 'p' || g || '@example.org', '山田', 'No.' || g, 'other', 'JP', 'ja', 'ja',
              '{"sector": "coop"}', now(), timestamptz '2026-11-01T00:00:00Z' + g * interval '1 minute'
         FROM generate_series(1, 3) g`,
      [event.id],
    );
    const file = path.join(tmp, 'registrations.xlsx');

    const res = await cli(['export', '--event', 'cli-export', '--format', 'xlsx', '--out', file]);

    expect(res).toMatchObject({ code: 0, stdout: '' });
    expect(res.stderr.trim()).toBe(`Exported 3 registrations to ${file}`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const ws = book.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(4).getCell(8).value).toBe('p3@example.org');
    expect(ws.getRow(4).getCell(14).value).toBe('Cooperative');
  });
});

describe('configuration', () => {
  it('when DATABASE_URL is not a URL, then it exits 1 with one "Invalid configuration" message and no stack trace', async () => {
    const res = await cli(['event', 'export', 'cli-created'], { DATABASE_URL: 'not-a-url' });

    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.startsWith('Invalid configuration:\n')).toBe(true);
    expect(res.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    // Every problem line names the setting at fault.
    const problems = res.stderr.trimEnd().split('\n').slice(1);
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(line).toMatch(/^ {2}- DATABASE_URL /);
    expect(res.stderr).not.toContain('    at ');
  });
});

describe('accounts and API tokens', () => {
  it('when an admin is created with the password on stdin, then it can sign in; a short password is refused and nothing is stored', async () => {
    const short = await cli(['user', 'create', '--email', 'cli-short@example.org'], {}, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('The password is too short');
    const made = await cli(
      ['user', 'create', '--email', 'cli-admin@example.org', '--name', '管理 太郎'],
      {},
      'a long enough passphrase\n',
    );
    expect(made.code).toBe(0);
    expect(made.stdout.trim()).toBe('Created admin account cli-admin@example.org.');
    const rows = await db.pool.query(`SELECT email, role, name, password_hash FROM users ORDER BY id`);
    expect(rows.rows.map((r) => [r.email, r.role, r.name])).toEqual([
      ['cli-admin@example.org', 'admin', '管理 太郎'],
    ]);
    expect(await verify(rows.rows[0].password_hash, 'a long enough passphrase')).toBe(true);

    const dup = await cli(
      ['user', 'create', '--email', 'CLI-ADMIN@example.org'],
      {},
      'a long enough passphrase\n',
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
  });

  it('when a token is created, then it is printed once on stdout and only its hash is stored', async () => {
    const res = await cli(['token', 'create', '--name', 'CRM sync']);
    expect(res.code).toBe(0);
    const token = res.stdout.trim();
    expect(token).toMatch(/^tsu_[A-Za-z0-9_-]{43}$/);
    expect(res.stderr).toContain('cli-admin@example.org');
    const stored = await db.pool.query(`SELECT name, token_hash FROM api_tokens`);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].name).toBe('CRM sync');
    expect(stored.rows[0].token_hash.equals(crypto.createHash('sha256').update(token).digest())).toBe(true);
  });

  it('when `user password` gets a new password on stdin, then weak ones are refused with the reason, a good one is set and that account’s sessions end', async () => {
    const make = (email: string) =>
      withTransaction(db.pool, (tx) =>
        createAccount(
          tx,
          { email, role: 'organiser', password: 'a long enough passphrase' },
          { now: new Date(), by: 'cli' },
        ),
      );
    const user = await make('cli-forgetful@example.org');
    const other = await make('cli-other@example.org');
    const session = (sid: string, userId: number) =>
      db.pool.query(`INSERT INTO sessions (sid, sess, expire) VALUES ($1, $2, now() + interval '1 hour')`, [
        sid,
        JSON.stringify({ cookie: {}, userId, signedInAt: Date.now() }),
      ]);
    await session('cli-forgetful-1', user.id);
    await session('cli-forgetful-2', user.id);
    await session('cli-other-1', other.id);

    const weak = await cli(['user', 'password', '--email', user.email], {}, '123456789012\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('common passwords');
    const mine = await cli(['user', 'password', '--email', user.email], {}, 'cli-forgetful rocks\n');
    expect(mine.code).toBe(1);
    expect(mine.stderr).toContain('contains your e-mail address');
    const unknown = await cli(
      ['user', 'password', '--email', 'nobody@example.org'],
      {},
      'violet kettle tram\n',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no account with the address nobody@example.org');
    const usage = await cli(['user', 'password']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('npm run cli -- user password --email E');
    const sessionsLeft = async () =>
      (await db.pool.query('SELECT sid FROM sessions ORDER BY sid')).rows.map((r) => r.sid);
    expect(await sessionsLeft()).toEqual(['cli-forgetful-1', 'cli-forgetful-2', 'cli-other-1']);

    const done = await cli(
      ['user', 'password', '--email', 'CLI-Forgetful@example.org'],
      {},
      'violet kettle under the morning tram\n',
    );
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe(
      'Password changed for cli-forgetful@example.org; its sessions have ended.',
    );
    const hash = (await db.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id])).rows[0];
    expect(await verify(hash.password_hash, 'violet kettle under the morning tram')).toBe(true);
    expect(await sessionsLeft()).toEqual(['cli-other-1']);
    const audit = await db.pool.query(
      `SELECT actor, data FROM audit_log WHERE action = 'account.password_changed' AND data->>'email' = $1`,
      [user.email],
    );
    expect(audit.rows).toEqual([{ actor: 'cli', data: { email: user.email, via: 'cli', sessionsEnded: 2 } }]);
  });

  it('when the command is unknown, then it prints the usage and exits 2', async () => {
    const res = await cli(['user', 'delete']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('npm run cli -- user create --email E');
  });
});
