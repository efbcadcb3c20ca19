import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type express from 'express';
import nodemailer from 'nodemailer';
import request from 'supertest';
import type { User } from '../../src/accounts';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { eventRegistrants } from '../../src/registrations';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const SESSION_SECRET = 'test-secret-test-secret-test-secret-0123';
const CALENDAR = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Tsunagaru//Test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:event-1@tsunagaru.test',
  'DTSTAMP:20261201T000000Z',
  'DTSTART:20261216T060000Z',
  'DTEND:20261216T081500Z',
  'SUMMARY:TSUNAGARU',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

/** A real mail as the product writes it: Japanese subject, text + HTML, an inline invite and invite.ics. */
async function mailBytes(opts: {
  subject: string;
  to?: string;
  date: string;
  kind?: string;
  newline?: 'unix' | 'windows';
}): Promise<Buffer> {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: opts.newline ?? 'unix',
  });
  const info = await transport.sendMail({
    from: 'Tsunagaru <no-reply@tsunagaru.test>',
    to: opts.to ?? 'hanako@example.org',
    replyTo: 'tokyo@ilo.example',
    subject: opts.subject,
    date: new Date(opts.date),
    text: 'ご登録ありがとうございます。\n参加リンクは当日お送りします。',
    html: '<p>ご登録ありがとうございます。</p><script>parent.document.title = "pwned"</script>',
    headers: { 'X-Tsunagaru-Kind': opts.kind ?? 'registration.confirmed' },
    icalEvent: { method: 'REQUEST', content: CALENDAR },
  });
  return info.message as Buffer;
}

/** The real app, built like test/helpers/app.ts but on a data directory of the test's choosing. */
function appWith(db: TestDatabase, dataDir: string, env: Record<string, string> = {}): express.Express {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    SEED_DEMO: 'false',
    DATA_DIR: dataDir,
    ...env,
  });
  return buildApp({
    pool: db.pool,
    config,
    sessionSecret: SESSION_SECRET,
    now: () => new Date('2026-12-20T00:00:00Z'),
    limits: { registrationsPerWindow: 1000, windowSeconds: 600 },
    registrants: eventRegistrants,
  });
}

/** A supertest agent for `app`, signed in to the workspace as `user` through the real sign-in form. */
async function agentFor(app: express.Express, user: User) {
  return (await signedInAgent(app, user.email)).agent;
}

/** The notice at the top of every outbox page, as the English page writes it (HTML-escaped). */
const enNotice =
  'Mails are written to files in DATA_DIR/outbox because no SMTP_URL is set: nothing here reached anyone&#39;s inbox.';

function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-outbox-'));
}

describe('outbox viewer in the workspace', () => {
  let db: TestDatabase;
  let dataDir: string;
  let app: express.Express;
  let admin: User;
  let agent: Awaited<ReturnType<typeof agentFor>>;
  const older = '20261216T060000123Z-41.eml';
  const newer = '20261217T093000456Z-42.eml';

  beforeAll(async () => {
    db = await createTestDatabase(2);
    dataDir = tempDataDir();
    const outbox = path.join(dataDir, 'outbox');
    fs.mkdirSync(outbox);
    fs.writeFileSync(
      path.join(outbox, older),
      // CRLF, as the product's file transport writes; the other mail uses LF.
      await mailBytes({
        subject: '【登録完了】TSUNAGARU 社会的連帯経済',
        date: '2026-12-16T06:00:00Z',
        newline: 'windows',
      }),
    );
    fs.writeFileSync(
      path.join(outbox, newer),
      await mailBytes({
        subject: '【リマインダー】明日開催です',
        to: 'taro@example.org',
        date: '2026-12-17T09:30:00Z',
        kind: 'reminder.day_before',
      }),
    );
    // Outside the outbox folder: must never be reachable through the viewer.
    fs.writeFileSync(
      path.join(dataDir, 'secret.eml'),
      await mailBytes({ subject: 'SECRET-OUTSIDE', date: '2026-12-01T00:00:00Z' }),
    );
    fs.symlinkSync(path.join(dataDir, 'secret.eml'), path.join(outbox, 'link.eml'));
    app = appWith(db, dataDir);
    admin = await createTestAccount(db.pool, { role: 'admin' });
    agent = await agentFor(app, admin);
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the list', () => {
    it('when mails are in the outbox, then the list shows their decoded Japanese subjects, newest first, with recipient and kind', async () => {
      const res = await agent.get('/admin/outbox?lang=en');
      expect(res.status).toBe(200);
      expect(res.text).toContain('【登録完了】TSUNAGARU 社会的連帯経済');
      expect(res.text).toContain('【リマインダー】明日開催です');
      expect(res.text.indexOf(newer)).toBeGreaterThan(0);
      expect(res.text.indexOf(newer)).toBeLessThan(res.text.indexOf(older));
      expect(res.text).toContain(`<a href="/admin/outbox/${older}">【登録完了】TSUNAGARU 社会的連帯経済</a>`);
      expect(res.text).toContain('taro@example.org');
      expect(res.text).toContain('<code>registration.confirmed</code>');
      expect(res.text).toContain('<code>reminder.day_before</code>');
    });

    it('when the page is in English or Japanese, then the date is written in that language', async () => {
      const en = await agent.get('/admin/outbox?lang=en');
      expect(en.text).toContain(
        '<time datetime="2026-12-16T06:00:00.000Z">Wed 16 Dec 2026, 06:00:00 UTC</time>',
      );
      const ja = await agent.get('/admin/outbox?lang=ja');
      expect(ja.text).toContain('<html lang="ja">');
      expect(ja.text).toContain('2026年12月16日(水) 06:00:00 UTC');
      expect(ja.text).toContain(
        'SMTP_URL が設定されていないため、メールは DATA_DIR/outbox のファイルに書き出されています。ここにあるメールは誰の受信箱にも届いていません。',
      );
    });

    it('when the list is shown, then it carries the outbox notice and is neither cached nor indexed', async () => {
      const res = await agent.get('/admin/outbox?lang=en');
      expect(res.text).toContain(enNotice);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-robots-tag']).toBe('noindex');
    });

    it('when the folder holds a symlink, then it is left out of the list and its target is never read', async () => {
      const res = await agent.get('/admin/outbox?lang=en');
      expect(res.text).not.toContain('SECRET-OUTSIDE');
      expect(res.text).not.toContain('link.eml');
    });
  });

  describe('one mail', () => {
    it('when a mail is opened, then its headers, text part, sandboxed HTML frame and download links are shown', async () => {
      const res = await agent.get(`/admin/outbox/${older}?lang=en`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(enNotice);
      expect(res.text).toContain('<h1>【登録完了】TSUNAGARU 社会的連帯経済</h1>');
      expect(res.text).toContain('&#34;Tsunagaru&#34; &lt;no-reply@tsunagaru.test&gt;');
      expect(res.text).toContain('hanako@example.org');
      expect(res.text).toContain('tokyo@ilo.example');
      expect(res.text).toContain('Wed 16 Dec 2026, 06:00:00 UTC');
      expect(res.text).toMatch(/<code>&lt;[^<]+@tsunagaru\.test&gt;<\/code>/);
      expect(res.text).toContain('<code>registration.confirmed</code>');
      expect(res.text).toContain(
        '<pre class="outbox-text">ご登録ありがとうございます。\n参加リンクは当日お送りします。</pre>',
      );
      expect(res.text).toContain(
        `<iframe class="outbox-html" sandbox src="/admin/outbox/${older}/html" title="HTML version of the mail"></iframe>`,
      );
      expect(res.text).toContain(`<a href="/admin/outbox/${older}/attachments/1" download>invite.ics</a>`);
      expect(res.text).toContain('calendar method REQUEST');
      expect(res.text).toContain(`<a href="/admin/outbox/${older}/raw" download>`);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-robots-tag']).toBe('noindex');
    });

    it('when a mail is opened, then its HTML (and any script in it) is not part of our page', async () => {
      const res = await agent.get(`/admin/outbox/${older}?lang=en`);
      expect(res.text).not.toContain('pwned');
      expect(res.text).not.toContain('<p>ご登録ありがとうございます。</p>');
    });

    it('when the HTML part is requested, then it is served alone under a CSP that forbids scripts and allows only our framing', async () => {
      const res = await agent.get(`/admin/outbox/${older}/html`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('<p>ご登録ありがとうございます。</p>');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'unsafe-inline'");
      expect(csp).toContain('img-src data:');
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toMatch(/(^|; )sandbox($|;)/);
      expect(csp).not.toContain('script-src');
      expect(csp).not.toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-robots-tag']).toBe('noindex');
    });

    it('when an ordinary page is served, then it still forbids all framing', async () => {
      const res = await agent.get(`/admin/outbox/${older}`);
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    });

    it('when the invite attachment is downloaded, then it is the calendar file, as an attachment', async () => {
      const res = await agent
        .get(`/admin/outbox/${older}/attachments/1`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/ics/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?invite\.ics"?$/);
      expect((res.body as Buffer).toString('utf8')).toBe(CALENDAR);
    });

    it('when the raw message is downloaded, then it is the file byte for byte, as message/rfc822', async () => {
      const res = await agent
        .get(`/admin/outbox/${newer}/raw`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^message\/rfc822/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename=${newer}`);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Buffer.compare(res.body as Buffer, fs.readFileSync(path.join(dataDir, 'outbox', newer)))).toBe(
        0,
      );
    });
  });

  describe('names that are not a mail in the outbox', () => {
    it.each([
      ['an encoded ../ to a file beside the outbox', '/admin/outbox/..%2Fsecret.eml'],
      ['an encoded ../ with encoded dots', '/admin/outbox/%2E%2E%2Fsecret.eml'],
      ['an encoded backslash', '/admin/outbox/..%5Csecret.eml'],
      ['an absolute path', `/admin/outbox/${encodeURIComponent('/etc/passwd.eml')}`],
      ['a traversal to the HTML route', '/admin/outbox/..%2Fsecret.eml/html'],
      ['a traversal to the raw route', '/admin/outbox/..%2F..%2Fpackage.json/raw'],
      ['a traversal to an attachment', '/admin/outbox/..%2Fsecret.eml/attachments/1'],
      ['a symlink pointing outside', '/admin/outbox/link.eml'],
      ['a symlink, raw', '/admin/outbox/link.eml/raw'],
      ['a name that is not .eml', '/admin/outbox/notes.txt'],
      ['a NUL byte', '/admin/outbox/x%00.eml'],
      ['a missing file', '/admin/outbox/20261231T000000000Z-99.eml'],
    ])('when the name is %s, then 404 with the not-found page', async (_label, url) => {
      const res = await agent.get(`${url}?lang=en`);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('SECRET-OUTSIDE');
    });

    it('when no mail has that name, then the not-found message is in the page language and not cached', async () => {
      const res = await agent.get('/admin/outbox/20261231T000000000Z-99.eml?lang=ja');
      expect(res.status).toBe(404);
      expect(res.text).toContain('送信トレイにこの名前のメールはありません。');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('when the attachment index is out of range or not a number, then 404', async () => {
      expect((await agent.get(`/admin/outbox/${older}/attachments/2`)).status).toBe(404);
      expect((await agent.get(`/admin/outbox/${older}/attachments/-1`)).status).toBe(404);
      expect((await agent.get(`/admin/outbox/${older}/attachments/abc`)).status).toBe(404);
    });
  });

  describe('empty and large outboxes', () => {
    it('when the outbox folder does not exist, then the empty state explains when mails appear', async () => {
      const dir = tempDataDir();
      try {
        const res = await (await agentFor(appWith(db, dir), admin)).get('/admin/outbox?lang=en');
        expect(res.status).toBe(200);
        expect(res.text).toContain(
          'When SMTP_URL is not set, every mail the product sends is saved as a file',
        );
        expect(res.text).not.toContain('<table');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('when the outbox folder is empty, then the Japanese page shows the empty state', async () => {
      const dir = tempDataDir();
      fs.mkdirSync(path.join(dir, 'outbox'));
      try {
        const res = await (await agentFor(appWith(db, dir), admin)).get('/admin/outbox?lang=ja');
        expect(res.status).toBe(200);
        expect(res.text).toContain('まだメールはありません。SMTP_URL が設定されていないときは');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('when there are more than 200 mails, then only the newest 200 are listed and the page says so', async () => {
      const dir = tempDataDir();
      const outbox = path.join(dir, 'outbox');
      fs.mkdirSync(outbox);
      const bytes = await mailBytes({ subject: 'Bulk', date: '2026-12-16T06:00:00Z' });
      const names = Array.from(
        { length: 201 },
        (_, i) => `20261216T${String(i).padStart(6, '0')}000Z-${i}.eml`,
      );
      for (const n of names) fs.writeFileSync(path.join(outbox, n), bytes);
      try {
        const res = await (await agentFor(appWith(db, dir), admin)).get('/admin/outbox?lang=en');
        expect(res.text).toContain('Showing the newest 200 of 201 mails.');
        expect(res.text).toContain(`/admin/outbox/${names[200]}`);
        expect(res.text).toContain(`/admin/outbox/${names[1]}`);
        expect(res.text).not.toContain(`/admin/outbox/${names[0]}"`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('who may open it', () => {
    const urls = () => [
      '/admin/outbox',
      `/admin/outbox/${older}`,
      `/admin/outbox/${older}/html`,
      `/admin/outbox/${older}/raw`,
      `/admin/outbox/${older}/attachments/1`,
    ];

    it('when NODE_ENV is production, then a signed-in admin is served the viewer too', async () => {
      const prod = appWith(db, dataDir, {
        NODE_ENV: 'production',
        SESSION_SECRET,
        // http, so the session cookie has no Secure flag and supertest sends it back.
        BASE_URL: 'http://events.example',
      });
      const prodAgent = await agentFor(prod, admin);
      const list = await prodAgent.get('/admin/outbox?lang=en');
      expect(list.status).toBe(200);
      expect(list.text).toContain(enNotice);
      expect(list.text).toContain(
        `<a href="/admin/outbox/${older}">【登録完了】TSUNAGARU 社会的連帯経済</a>`,
      );
      const detail = await prodAgent.get(`/admin/outbox/${older}?lang=en`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain('<h1>【登録完了】TSUNAGARU 社会的連帯経済</h1>');
      for (const url of urls()) expect((await prodAgent.get(url)).status).toBe(200);
    });

    it('when there is no session, then every outbox URL redirects to sign-in and shows no mail', async () => {
      for (const url of urls()) {
        const res = await request(app).get(url);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
        expect(res.text).not.toContain('TSUNAGARU 社会的連帯経済');
      }
    });

    it.each(['organiser', 'viewer'] as const)(
      'when a signed-in %s opens the outbox, then 403 and no mail is shown',
      async (role) => {
        const user = await createTestAccount(db.pool, { role });
        const other = await agentFor(app, user);
        for (const url of urls()) {
          const res = await other.get(url);
          expect(res.status).toBe(403);
          expect(res.text).not.toContain('TSUNAGARU 社会的連帯経済');
          expect(res.text).not.toContain('BEGIN:VCALENDAR');
        }
      },
    );
  });
});
