import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { loadConfig } from '../../src/config';
import {
  composeMessage,
  headerText,
  newMessageId,
  parseAddress,
  unsubscribeHeaders,
} from '../../src/delivery/compose';
import {
  retryDelaySeconds,
  defaultRetryPolicy,
  isPermanent,
  failureText,
} from '../../src/delivery/delivery.job';
import { createTransport, emlFileName } from '../../src/delivery/transport';
import { eventDoc } from '../helpers/app';
import { startSmtpSink } from '../helpers/smtp';
import { eventRecord } from '../helpers/events';
import type { EventRecord } from '../../src/events';

/** The tags of a message's DKIM-Signature, whitespace removed. */
function dkimTags(text: string): Record<string, string> {
  const header = /^DKIM-Signature: (.*(?:\r\n[ \t].*)*)/m.exec(text)![1]!.replace(/\r\n[ \t]+/g, ' ');
  return Object.fromEntries(
    header.split(';').map((p) => {
      const [k, ...v] = p.trim().split('=');
      return [k!, v.join('=').replace(/\s+/g, '')];
    }),
  );
}

/**
 * Verifies an rsa-sha256 DKIM signature with relaxed/relaxed canonicalisation (RFC 6376 3.4.2, 3.4.4,
 * 3.7): the body hash, then the signature over the signed headers and the signature header itself.
 */
function verifyDkim(text: string, publicKey: crypto.KeyObject): boolean {
  const split = text.indexOf('\r\n\r\n');
  const headerLines = text.slice(0, split).split(/\r\n(?![ \t])/);
  const relaxed = (line: string) => {
    const colon = line.indexOf(':');
    const value = line
      .slice(colon + 1)
      .replace(/\r\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .trim();
    return `${line.slice(0, colon).trim().toLowerCase()}:${value}`;
  };
  const tags = dkimTags(text);
  const body = text
    .slice(split + 4)
    .split('\r\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').replace(/[ \t]+$/, ''))
    .join('\r\n')
    .replace(/(\r\n)*$/, '\r\n');
  if (tags.bh !== crypto.createHash('sha256').update(body).digest('base64')) return false;
  // Each name in h= takes the last instance of that header not yet taken.
  const pool = headerLines.filter((l) => !/^dkim-signature:/i.test(l));
  const signedHeaders = tags.h!.split(':').flatMap((name) => {
    const i = pool
      .map((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase())
      .lastIndexOf(name.toLowerCase());
    return i < 0 ? [] : [relaxed(pool.splice(i, 1)[0]!)];
  });
  const signature = headerLines.find((l) => /^dkim-signature:/i.test(l))!;
  const unsigned = relaxed(signature).replace(/(\bb=)[^;]*/, '$1');
  const data = [...signedHeaders, unsigned].join('\r\n');
  return crypto.verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b!, 'base64'));
}

/** Headers, transports and retry arithmetic, without a database. */
function event(): EventRecord {
  return eventRecord(eventDoc());
}

function message(name: string, subject: string) {
  return composeMessage({
    kind: 'registration.confirmed',
    lang: 'en',
    event: event(),
    to: { name, address: 'hanako@example.org' },
    rendered: { subject, html: '<p>Hello</p>', text: 'Hello' },
    invite: { method: 'REQUEST', ics: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n' },
    mailFrom: 'Tsunagaru <no-reply@events.example.org>',
    messageId: '<id@events.example.org>',
    date: new Date('2026-12-01T00:00:00Z'),
  });
}

async function raw(options: Mail.Options): Promise<string> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return String((await t.sendMail(options)).message);
}

/** The header block of a raw message, unfolded, one header per entry. */
function headerNames(rawMessage: string): string[] {
  const head = rawMessage.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').map((l) => l.split(':')[0]!.toLowerCase());
}

describe('composing a message', () => {
  it('when a name or subject carries CR/LF, then no extra header is created', async () => {
    const text = await raw(message('Hanako\r\nBcc: victim@example.net', 'Hi\r\nX-Injected: yes\n'));
    const names = headerNames(text);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    const parsed = await simpleParser(text);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe('Hi X-Injected: yes');
  });

  it('when text holds control characters, then headerText turns them into single spaces', () => {
    expect(headerText('a\r\n\tb\u2028c\u0000')).toBe('a b c');
  });

  it('when MAIL_FROM has a display name, then the address and our Message-ID domain come from it', () => {
    expect(parseAddress('Tsunagaru <no-reply@events.example.org>')).toEqual({
      name: 'Tsunagaru',
      address: 'no-reply@events.example.org',
    });
    expect(parseAddress('plain@example.org')).toEqual({ name: '', address: 'plain@example.org' });
    expect(newMessageId('Tsunagaru <no-reply@events.example.org>')).toMatch(
      /^<[0-9a-f-]{36}@events\.example\.org>$/,
    );
  });

  it('when an invite is attached, then the MIME method equals the METHOD line and the organiser and contact are set', async () => {
    const parsed = await simpleParser(await raw(message('Hanako Yamada', 'Confirmed')));
    const cal = parsed.attachments.find((a) => a.contentType === 'text/calendar')!;
    expect(cal.content.toString()).toContain('METHOD:REQUEST');
    expect(JSON.stringify(cal.headers.get('content-type'))).toContain('"method":"REQUEST"');
    expect(parsed.from?.value[0]).toEqual({
      name: 'ILO Office for Japan',
      address: 'no-reply@events.example.org',
    });
    expect(parsed.replyTo?.text).toBe('tokyo@ilo.example');
    expect(parsed.headers.get('x-tsunagaru-kind')).toBe('registration.confirmed');
  });
});

describe('transports', () => {
  it('when no SMTP_URL is set, then each message is written as an .eml file named by time and id', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-eml-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
    const transport = createTransport(config);
    const at = new Date('2026-12-16T06:00:00.123Z');
    await transport.send(message('山田 花子', '参加登録のご確認'), { mailId: 42, at });
    transport.close();
    const file = path.join(dataDir, 'outbox', emlFileName(42, at));
    expect(path.basename(file)).toBe('20261216T060000123Z-42.eml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('\r\n');
    const parsed = await simpleParser(text);
    expect(parsed.subject).toBe('参加登録のご確認');
    expect(fs.readdirSync(path.join(dataDir, 'outbox'))).toEqual([path.basename(file)]);
  });

  describe.each(['files', 'SMTP'] as const)('DKIM, %s', (via) => {
    it('when DKIM settings are present, then messages carry a DKIM-Signature for that domain and selector that verifies with the public key over the headers and body sent', async () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-dkim-'));
      const sink = via === 'SMTP' ? await startSmtpSink() : undefined;
      const config = loadConfig({
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DKIM_DOMAIN: 'events.example.org',
        DKIM_SELECTOR: 'mail2026',
        DKIM_PRIVATE_KEY: privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString()
          .replace(/\n/g, '\\n'),
        ...(sink && { SMTP_URL: sink.url }),
      });
      const transport = createTransport(config);
      const at = new Date('2026-12-16T06:00:00Z');
      const signed = message('Hanako', 'Signed');
      signed.headers = {
        ...(signed.headers as Record<string, string>),
        ...unsubscribeHeaders({
          url: 'https://events.example.org/unsubscribe/x',
          mailto: 'tokyo@ilo.example',
        }),
      };
      // Over SMTP the end of the message waits for beforeEnd, after the signature was made.
      let ended = 0;
      await transport.send(signed, { mailId: 7, at, beforeEnd: async () => void ended++ });
      transport.close();
      await sink?.close();
      const text = sink
        ? sink.received[0]!.raw
        : fs.readFileSync(path.join(dataDir, 'outbox', emlFileName(7, at)), 'utf8');
      expect(ended).toBe(sink ? 1 : 0);

      const tags = dkimTags(text);
      expect(tags.d).toBe('events.example.org');
      expect(tags.s).toBe('mail2026');
      // RFC 8058: both unsubscribe headers are signed, so providers may offer one-click unsubscribe.
      expect(tags.h!.toLowerCase().split(':')).toEqual(
        expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']),
      );
      expect(verifyDkim(text, publicKey)).toBe(true);
      // A message changed after signing does not verify.
      expect(verifyDkim(text.replace('Subject: Signed', 'Subject: Signet'), publicKey)).toBe(false);
    });
  });

  it('when only some DKIM settings are present, then the configuration is refused with a clear message', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', DKIM_DOMAIN: 'events.example.org' })).toThrow(
      /DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY must be set together/,
    );
  });
});

describe('retrying', () => {
  it('when attempts fail, then delays double from one minute to at most an hour, and 32 attempts span more than 24 hours', () => {
    const delays = Array.from({ length: 31 }, (_, i) => retryDelaySeconds(defaultRetryPolicy, i + 1));
    expect(delays.slice(0, 7)).toEqual([60, 120, 240, 480, 960, 1920, 3600]);
    expect(Math.max(...delays)).toBe(3600);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600);
  });

  it('when the server refuses the recipient or the message with 5xx, then the failure is permanent; 4xx, lost connections and 5xx to our login or sender are temporary', () => {
    expect(isPermanent({ responseCode: 550, command: 'RCPT TO' })).toBe(true);
    expect(isPermanent({ responseCode: 554, command: 'DATA' })).toBe(true);
    expect(isPermanent({ responseCode: 451, command: 'RCPT TO' })).toBe(false);
    expect(isPermanent({ responseCode: 535, command: 'AUTH PLAIN' })).toBe(false);
    expect(isPermanent({ responseCode: 553, command: 'MAIL FROM' })).toBe(false);
    expect(isPermanent(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      false,
    );
    expect(failureText({ responseCode: 550, response: '550 5.1.1 No such user', code: 'EENVELOPE' })).toBe(
      'EENVELOPE: 550 5.1.1 No such user',
    );
  });
});
