import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ical, { ICalCalendarMethod } from 'ical-generator';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type Config } from '../../src/config';
import { withTransaction } from '../../src/db/pool';
import { eventBySlug, eventPageUrl, importEvent, type EventRecord } from '../../src/events';
import { queueEventMails } from '../../src/outbox';
import { composeMessage, newMessageId, parseAddress } from '../../src/delivery/compose';
import { renderMail } from '../../src/delivery/render';
import { SMTP_CONNECTIONS } from '../../src/delivery/transport';
import { displayName, registrationById, type Registration, eventRegistrants } from '../../src/registrations';
import { queueDueMails } from '../../src/reminders';
import { startWorker } from '../../src/worker/worker';
import { eventDoc } from '../helpers/events';
import { throwawayDatabase } from './database';
import { fmt, type BenchContext, type Figure } from './figures';

/**
 * P4: mails delivered by the product's worker (startWorker in this process, its pooled SMTP transport)
 * to an SMTP server that discards, beside plain pooled nodemailer sending comparable messages to the same
 * server: (1) confirmations with a calendar invite (the baseline builds each invite with ical-generator),
 * (2) reminders, from the moment they come due (queueDueMails writing the rows, the worker sending them
 * as the batches commit) to the last one sent. Both must reach at least 0.5x plain nodemailer's rate.
 * Uses TEST_DATABASE_URL, or an embedded server. BENCH_MAILS=n mails of each kind (default 2,000).
 */

const mailCount = Number(process.env.BENCH_MAILS ?? 2_000);
/** The product transport's SMTP connections, which plain nodemailer gets too. */
const maxConnections = SMTP_CONNECTIONS;
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

/** Mails of the event not sent once all are: left queued or leased (none should be). */
async function unsentMails(pool: pg.Pool, eventId: number): Promise<number> {
  const res = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM outgoing_mails WHERE event_id = $1 AND status <> 'sent'`,
    [eventId],
  );
  return Number(res.rows[0]!.n);
}

/** A calendar invite built with plain ical-generator: what a bare sender would attach. */
function plainInvite(event: EventRecord, email: string, name: string): string {
  const cal = ical({ method: ICalCalendarMethod.REQUEST, prodId: '//bench//plain//EN' });
  cal.createEvent({
    id: `${crypto.randomUUID()}@events.example.org`,
    start: event.startsAt,
    end: event.endsAt,
    summary: event.title.en,
    description: event.summary.en,
    url: `https://events.example.org/events/${event.slug}`,
    organizer: { name: 'Tsunagaru', email: 'no-reply@events.example.org' },
    attendees: [{ name, email, rsvp: true }],
  });
  return cal.toString();
}

/**
 * The baseline's messages: the mail rendered once per language (with the links a delivery would mint),
 * then, at sending time, composed for each recipient with their address, a Message-ID, the unsubscribe
 * headers and, for confirmations, an invite of their own built with ical-generator.
 */
async function plainMessages(
  pool: pg.Pool,
  config: Config,
  event: EventRecord,
  kind: 'event.reminder' | 'registration.confirmed',
): Promise<() => Mail.Options[]> {
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
      kind,
      lang,
      event,
      registration: reg,
      links: {
        eventPage: eventPageUrl(config.baseUrl, event.slug, lang),
        join: `${config.baseUrl}/join/${token()}`,
        manage: `${config.baseUrl}/manage/${token()}`,
        unsubscribe: unsub,
      },
      reminder: kind === 'event.reminder' ? { minutesBefore: 30 } : undefined,
    });
    rendered.set(lang, { reg, mail, unsub });
  }
  return () =>
    res.rows.map((r) => {
      const { reg, mail, unsub } = rendered.get(r.locale)!;
      const name = displayName(reg);
      return composeMessage({
        kind,
        lang: r.locale,
        event,
        to: { name, address: r.email },
        rendered: mail,
        invite:
          kind === 'registration.confirmed'
            ? { method: 'REQUEST', ics: plainInvite(event, r.email, name) }
            : undefined,
        unsubscribe: { url: unsub, mailto: event.contactEmail ?? parseAddress(config.mailFrom).address },
        mailFrom: config.mailFrom,
        messageId: newMessageId(config.mailFrom),
        date: now,
      });
    });
}

/** Plain nodemailer, pooled like the product's transport, every message handed over at once. */
async function plainNodemailer(url: string, messages: () => Mail.Options[]): Promise<void> {
  const transporter = nodemailer.createTransport({ url, pool: true, maxConnections } as Parameters<
    typeof nodemailer.createTransport
  >[0]);
  try {
    await Promise.all(messages().map((m) => transporter.sendMail(m)));
  } finally {
    transporter.close();
  }
}

/** Records a confirmation for every registrant of the event, as registering does, in one transaction. */
async function queueConfirmations(pool: pg.Pool, event: EventRecord): Promise<void> {
  const res = await pool.query<{ id: string; email: string; locale: 'en' | 'ja' }>(
    `SELECT id, email, locale FROM registrations WHERE event_id = $1 ORDER BY id`,
    [event.id],
  );
  const recipients = res.rows.map((r) => ({
    id: Number(r.id),
    eventId: event.id,
    email: r.email,
    locale: r.locale,
  }));
  await withTransaction(pool, (tx) =>
    queueEventMails(tx, { eventId: event.id, kind: 'registration.confirmed', recipients, at: now }),
  );
}

function mailFigure(
  what: string,
  productMs: number,
  plainMs: number,
  extra: Record<string, unknown>,
): Figure {
  const rate = (ms: number) => mailCount / (ms / 1000);
  const ratio = rate(productMs) / rate(plainMs);
  return {
    id: 'P4',
    what,
    tsunagaru: fmt.rate(rate(productMs), 'mails/s'),
    baseline: fmt.rate(rate(plainMs), 'mails/s'),
    ratio,
    target: '>= 0.5x',
    met: ratio >= 0.5,
    data: { mails: mailCount, productMs: Math.round(productMs), plainMs: Math.round(plainMs), ...extra },
  };
}

/** The bench's entry point for P4. */
export async function run(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.wants('P4')) return [];
  // The worker as it runs in production (its default mails at once), on a pool of the default size.
  const db = await throwawayDatabase(10);
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
    // Two events: the second's start (and reminder) a day later; its registrants get confirmations.
    const event = await seededEvent(db.pool, 'bench-reminders', 0);
    const confirmed = await seededEvent(db.pool, 'bench-confirmations', 1);
    await db.pool.query('ANALYZE registrations');
    let clock = new Date(now.getTime() - 60 * 60_000);
    const options = { config, now: () => clock, scheduleSeconds: 3600 };

    // (1) confirmations with invites: the rows and their jobs are written, then a worker starts.
    await queueConfirmations(db.pool, confirmed);
    const confirmations = await timed(async () => {
      const worker = await startWorker(db.pool, options);
      await allSent(db.pool, confirmed.id);
      await worker.stop();
    });
    let before = sink.accepted();
    const invites = await plainMessages(db.pool, config, confirmed, 'registration.confirmed');
    const plainConfirmations = await timed(() => plainNodemailer(sink.url, invites));
    if (sink.accepted() - before !== mailCount) throw new Error(`the sink took ${sink.accepted() - before}`);

    // (2) reminders: the worker is up, its clock before the reminder's moment, when the reminder comes due.
    const worker = await startWorker(db.pool, options);
    clock = now;
    const dueAt = performance.now();
    const queued = await timed(() => queueDueMails(db.pool, now));
    if (queued.result !== mailCount) throw new Error(`queueDueMails wrote ${queued.result} rows`);
    await allSent(db.pool, event.id);
    const reminders = performance.now() - dueAt;
    await worker.stop();
    const messages = await plainMessages(db.pool, config, event, 'event.reminder');
    before = sink.accepted();
    const plainReminders = await timed(() => plainNodemailer(sink.url, messages));
    if (sink.accepted() - before !== mailCount) throw new Error(`the sink took ${sink.accepted() - before}`);

    const duplicates = sink.accepted() - 4 * mailCount;
    if (duplicates !== 0) throw new Error(`the sink took ${duplicates} mails more than were sent once each`);
    return [
      mailFigure('confirmations with invites', confirmations.ms, plainConfirmations.ms, {}),
      mailFigure('reminders', reminders, plainReminders.ms, {
        queueDueMailsMs: Math.round(queued.ms),
        unsent: await unsentMails(db.pool, event.id),
      }),
    ];
  } finally {
    await sink.close();
    await db.drop();
  }
}
