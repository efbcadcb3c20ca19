import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import { loadConfig, type Config } from '../../src/config';
import { deliverMail, type RetryPolicy } from '../../src/delivery/delivery.job';
import type { MailTransport } from '../../src/delivery/transport';
import type { TestApp } from './app';

/** The app's configuration with mail going to `smtpUrl`. */
export function mailConfig(t: TestApp, smtpUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.db.url,
    SEED_DEMO: 'false',
    SMTP_URL: smtpUrl,
    BASE_URL: 'https://events.example.org',
    MAIL_FROM: 'Tsunagaru <no-reply@events.example.org>',
    ...extra,
  });
}

/** Retries fast enough for a test: 1 s, then 2 s. */
export const fastRetries: RetryPolicy = { baseSeconds: 1, maxSeconds: 2, maxAttempts: 50 };

/**
 * Delivers every due mail once, oldest first, the way the worker's job would, and returns the outcomes.
 * Deterministic: no queue polling, the test decides when mail goes out.
 */
export async function deliverDue(t: TestApp, transport: MailTransport, config: Config) {
  const { rows } = await t.db.pool.query<{ id: string }>(
    `SELECT id FROM outgoing_mails WHERE status = 'queued' AND next_attempt_at <= now() ORDER BY id`,
  );
  const outcomes = [];
  for (const r of rows) {
    outcomes.push(
      await deliverMail(
        { pool: t.db.pool, transport, config, now: t.clock.now, policy: fastRetries },
        Number(r.id),
      ),
    );
  }
  return outcomes;
}

/** The calendar part of a parsed mail: the MIME method and the parsed VCALENDAR. */
export function inviteOf(mail: ParsedMail) {
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) return undefined;
  const text = part.content.toString('utf8');
  const vcalendar = new ICAL.Component(ICAL.parse(text));
  const vevent = vcalendar.getFirstSubcomponent('vevent')!;
  // Time zones defined in the invite itself resolve its TZIDs.
  for (const vtz of vcalendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const event = new ICAL.Event(vevent);
  const contentType = String(
    part.headers.get('content-type') ? JSON.stringify(part.headers.get('content-type')) : '',
  );
  return {
    text,
    contentType,
    method: String(vcalendar.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    status: String(vevent.getFirstPropertyValue('status') ?? ''),
    start: event.startDate.toJSDate(),
    end: event.endDate.toJSDate(),
    summary: event.summary,
    description: event.description,
    attendees: vevent.getAllProperties('attendee').map((p) => ({
      value: String(p.getFirstValue()),
      rsvp: p.getParameter('rsvp'),
    })),
    alarms: vevent.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger'))),
  };
}

/** The personal links in a mail's text part. */
export function linksIn(mail: ParsedMail) {
  const text = mail.text ?? '';
  return {
    join: /https:\/\/events\.example\.org\/join\/[A-Za-z0-9_-]{43}/.exec(text)?.[0],
    manage: /https:\/\/events\.example\.org\/manage\/[A-Za-z0-9_-]{43}/.exec(text)?.[0],
  };
}
