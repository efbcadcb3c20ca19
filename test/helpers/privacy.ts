import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { loadConfig, type Config } from '../../src/config';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { encodeForm, formData, formSession, type TestApp } from './app';
import { linksIn } from './mail';

/** Mails written as `.eml` files in a data folder of the test's own, as without SMTP_URL. */
export interface FileOutbox {
  dataDir: string;
  config: Config;
  transport: MailTransport;
  files(): string[];
  /** The personal links in the newest mail file to `email`. */
  linksTo(email: string): Promise<{ join?: string; manage?: string }>;
  clear(): void;
  close(): void;
}

/** A fresh data folder, to hand the test app (DATA_DIR) and `fileOutbox` alike. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-privacy-'));
}

/** A file outbox for `t`'s database in `dataDir`, with extra settings (Zoom's, say). */
export function fileOutbox(
  t: TestApp,
  dataDir = tempDataDir(),
  extra: Record<string, string> = {},
): FileOutbox {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.db.url,
    SEED_DEMO: 'false',
    DATA_DIR: dataDir,
    BASE_URL: 'https://events.example.org',
    MAIL_FROM: 'Tsunagaru <no-reply@events.example.org>',
    ...extra,
  });
  const dir = path.join(dataDir, 'outbox');
  const files = () =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => n.endsWith('.eml'))
          .sort()
      : [];
  return {
    dataDir,
    config,
    transport: createTransport(config),
    files,
    async linksTo(email) {
      for (const name of files().reverse()) {
        const mail = await simpleParser(fs.readFileSync(path.join(dir, name)));
        if (mail.text?.includes('/manage/') && JSON.stringify(mail.to).includes(email)) return linksIn(mail);
      }
      return {};
    },
    clear: () => fs.rmSync(dir, { recursive: true, force: true }),
    close() {
      this.transport.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registers through the public form. */
export async function registerOnForm(t: TestApp, slug: string, data: Record<string, string>): Promise<void> {
  const { agent, token } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData(data) }));
  if (res.status !== 303) throw new Error(`registration answered ${res.status}`);
}

/**
 * Where a value still appears: every text-like column (text, varchar, char, json, jsonb) of every
 * table in every schema of the database, searched without case. Returns "table.column" for each hit.
 */
export async function placesHolding(t: TestApp, values: string[]): Promise<string[]> {
  const cols = await t.db.pool.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
      WHERE tb.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  const hits: string[] = [];
  for (const c of cols.rows) {
    const name = `"${c.table_schema}"."${c.table_name}"`;
    for (const v of values) {
      const res = await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${name} WHERE strpos(lower("${c.column_name}"::text), lower($1)) > 0`,
        [v],
      );
      if (res.rows[0]!.n > 0) hits.push(`${c.table_name}.${c.column_name}: ${v}`);
    }
  }
  return hits;
}
