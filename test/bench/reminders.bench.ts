import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type Config } from '../../src/config';
import { eventBySlug, eventPageUrl, importEvent, type EventRecord } from '../../src/events';
import { composeMessage, newMessageId, parseAddress } from '../../src/delivery/compose';
import { renderMail } from '../../src/delivery/render';
import { displayName, registrationById, type Registration, eventRegistrants } from '../../src/registrations';
import { queueDueMails } from '../../src/reminders';
import { startWorker } from '../../src/worker/worker';
import { eventDoc } from '../helpers/events';
import { throwawayDatabase } from './database';

/**
 * 10,000 reminders to a local SMTP sink: (a) queueDueMails writing the rows, (b) the product delivering
 * them (startWorker in this process, its pooled SMTP transport), (c) plain nodemailer pooled sending of
 * 10,000 comparable messages, rendered beforehand, to the same sink. Reports rows/s for (a), mails/s for
 * (b) and (c) and their ratio: what the outbox, the queue and per-mail rendering cost over bare SMTP.
 *
 * (b) is the steady state: the worker runs when the reminder comes due, and the time runs from the due
 * moment (queueDueMails starting, its batches delivered as they commit) to the last row sent. (b') is a
 * worker that starts while 10,000 rows of another event wait, as after a deploy in the middle of a
 * reminder: it also queues every waiting mail again (harmless duplicates that cost queue work).
 * Uses TEST_DATABASE_URL, or an embedded server in a temporary DATA_DIR. BENCH_REMINDERS=n for fewer.
 */

const mailCount = Number(process.env.BENCH_REMINDERS ?? 10_000);
/** Mails the worker sends at once; nodemailer gets the product transport's connection count. */
const concurrency = 8;
const maxConnections = 4;
const startsAt = new Date('2026-12-16T06:00:00Z');
/** Half an hour before the start: the one-hour reminder is due. */
const now = new Date(startsAt.getTime() - 30 * 60_000);

const seedSql = `
INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
  interpretation, consented_at, created_at, updated_at)
SELECT $1, 'confirmed', 'person' || g || '@example.org',
  CASE WHEN g % 2 = 0 THEN '山田' ELSE 'Smith' END, CASE WHEN g % 2 = 0 THEN '花子' ELSE 'Jane' END,
  'cooperative', 'JP', CASE WHEN g % 2 = 0 THEN 'ja' ELSE 'en' END, 'ja', $2, $2, $2
FROM generate_series(1, $3) g`;

/** An SMTP server that accepts and discards every message, counting them. */
async function discardingSink() {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        accepted++;
        callback();
      });
      stream.resume();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

async function sentCount(pool: pg.Pool, eventId: number): Promise<number> {
  const res = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM outgoing_mails WHERE event_id = $1 AND status = 'sent'`,
    [eventId],
  );
  return Number(res.rows[0]!.n);
}

const dayMs = 24 * 3600_000;

/** An event starting `days` after the first, with `mailCount` registrants who registered well before. */
async function seededEvent(pool: pg.Pool, slug: string, days: number): Promise<EventRecord> {
  const shift = (iso: string) => new Date(Date.parse(iso) + days * dayMs).toISOString();
  const doc = eventDoc({ slug, reminders: ['PT1H'] });
  await importEvent(
    pool,
    { ...doc, startsAt: shift(doc.startsAt), endsAt: shift(doc.endsAt) },
    {
      now: new Date('2026-09-01T00:00:00Z'),
      actor: 'bench',
    },
    eventRegistrants,
  );
  const event = (await eventBySlug(pool, slug))!;
  await pool.query(seedSql, [event.id, new Date('2026-12-01T00:00:00Z'), mailCount]);
  return event;
}

/** Waits until every reminder row of the event is sent. */
async function allSent(pool: pg.Pool, eventId: number): Promise<void> {
  while ((await sentCount(pool, eventId)) < mailCount) await new Promise((r) => setTimeout(r, 200));
}

/** Jobs of the delivery queue still waiting (duplicates of mails already sent, once all are). */
async function waitingJobs(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-deliver' AND state IN ('created', 'retry')`,
  );
  return Number(res.rows[0]!.n);
}

/**
 * (c)'s messages: the reminder rendered once per language (with the links a delivery would mint), then
 * composed for each recipient with their address, a Message-ID and the unsubscribe headers.
 */
async function preparedMessages(pool: pg.Pool, config: Config, event: EventRecord): Promise<Mail.Options[]> {
  const res = await pool.query<{ id: string; email: string; locale: 'en' | 'ja' }>(
    `SELECT id, email, locale FROM registrations WHERE event_id = $1 ORDER BY id`,
    [event.id],
  );
  const token = () => crypto.randomBytes(32).toString('base64url');
  const rendered = new Map<
    string,
    { reg: Registration; mail: ReturnType<typeof renderMail>; unsub: string }
  >();
  for (const lang of ['en', 'ja'] as const) {
    const row = res.rows.find((r) => r.locale === lang)!;
    const reg = (await registrationById(pool, Number(row.id)))!;
    const unsub = `${config.baseUrl}/unsubscribe/${token()}`;
    const mail = renderMail({
      kind: 'event.reminder',
      lang,
      event,
      registration: reg,
      links: {
        eventPage: eventPageUrl(config.baseUrl, event.slug, lang),
        join: `${config.baseUrl}/join/${token()}`,
        manage: `${config.baseUrl}/manage/${token()}`,
        unsubscribe: unsub,
      },
      reminder: { minutesBefore: 30 },
    });
    rendered.set(lang, { reg, mail, unsub });
  }
  return res.rows.map((r) => {
    const { reg, mail, unsub } = rendered.get(r.locale)!;
    return composeMessage({
      kind: 'event.reminder',
      lang: r.locale,
      event,
      to: { name: displayName(reg), address: r.email },
      rendered: mail,
      unsubscribe: { url: unsub, mailto: event.contactEmail ?? parseAddress(config.mailFrom).address },
      mailFrom: config.mailFrom,
      messageId: newMessageId(config.mailFrom),
      date: now,
    });
  });
}

/** (c): plain nodemailer, pooled like the product's transport, every message handed over at once. */
async function plainNodemailer(url: string, messages: Mail.Options[]): Promise<void> {
  const transporter = nodemailer.createTransport({ url, pool: true, maxConnections } as Parameters<
    typeof nodemailer.createTransport
  >[0]);
  try {
    await Promise.all(messages.map((m) => transporter.sendMail(m)));
  } finally {
    transporter.close();
  }
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The benchmark's entry point, called by run.ts. */
export async function run(): Promise<void> {
  const db = await throwawayDatabase(concurrency + 4);
  const sink = await discardingSink();
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      SMTP_URL: sink.url,
      BASE_URL: 'https://events.example.org',
      MAIL_FROM: 'Tsunagaru <no-reply@events.example.org>',
      SEED_DEMO: 'false',
    });
    // Two events: the second starts a day later, so its reminder is due a day later.
    const event = await seededEvent(db.pool, 'bench-reminders', 0);
    const second = await seededEvent(db.pool, 'bench-reminders-restart', 1);
    await db.pool.query('ANALYZE registrations');
    console.log(
      `${mailCount.toLocaleString('en-US')} confirmed registrants per event, the 1-hour reminder due`,
    );

    // (a) and (b): the worker is up, its clock before the reminder's moment, when the reminder comes due.
    let clock = new Date(now.getTime() - 60 * 60_000);
    const options = { config, now: () => clock, concurrency, scheduleSeconds: 3600 };
    let worker = await startWorker(db.pool, options);
    clock = now;
    const dueAt = performance.now();
    const queued = await timed(() => queueDueMails(db.pool, now));
    if (queued.result !== mailCount) throw new Error(`queueDueMails wrote ${queued.result} rows`);
    await allSent(db.pool, event.id);
    const product = { ms: performance.now() - dueAt };
    await worker.stop();

    // (b'): the second event's reminder is written while no worker runs; then one starts.
    clock = new Date(now.getTime() + dayMs);
    if ((await queueDueMails(db.pool, clock)) !== mailCount)
      throw new Error('the second event was not queued');
    const restarted = await timed(async () => {
      worker = await startWorker(db.pool, options);
      await allSent(db.pool, second.id);
    });
    await worker.stop();
    const leftOver = await waitingJobs(db.pool);

    const messages = await preparedMessages(db.pool, config, event);
    const before = sink.accepted();
    const plain = await timed(() => plainNodemailer(sink.url, messages));
    if (sink.accepted() - before !== mailCount) throw new Error(`the sink took ${sink.accepted() - before}`);

    const perSecond = (ms: number) => mailCount / (ms / 1000);
    console.log(
      '\n' +
        table(
          ['step', 'mails', 'total ms', 'per second'],
          [
            [
              '(a) queueDueMails: rows written',
              mailCount,
              queued.ms.toFixed(0),
              perSecond(queued.ms).toFixed(0),
            ],
            [
              `(b) product delivery, steady (worker, concurrency ${concurrency})`,
              mailCount,
              product.ms.toFixed(0),
              perSecond(product.ms).toFixed(1),
            ],
            [
              "(b') product delivery, worker started with the rows waiting",
              mailCount,
              restarted.ms.toFixed(0),
              perSecond(restarted.ms).toFixed(1),
            ],
            [
              `(c) plain nodemailer (pool, ${maxConnections} connections)`,
              mailCount,
              plain.ms.toFixed(0),
              perSecond(plain.ms).toFixed(1),
            ],
          ],
        ),
    );
    console.log(
      `\n(b) / (c): ${(perSecond(product.ms) / perSecond(plain.ms)).toFixed(3)} of plain nodemailer's rate`,
    );
    console.log(
      `(b') left ${leftOver.toLocaleString('en-US')} duplicate delivery jobs waiting when all its mails were sent`,
    );
  } finally {
    await sink.close();
    await db.drop();
  }
}
