import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import DKIM from 'nodemailer/lib/dkim';
import type Mail from 'nodemailer/lib/mailer';
import type { Config } from '../config';
import { outboxDir } from './outbox-files';

/**
 * Where mails go: an SMTP server (SMTP_URL, pooled connections), or, when none is configured, an RFC 5322
 * `.eml` file per mail in DATA_DIR/outbox, readable in the outbox viewer. Both sign with DKIM when the
 * DKIM settings are present.
 */
export interface MailTransport {
  /**
   * Hands one message over; rejects with the server's error when it is refused. An SMTP transport
   * sends the message's end, which makes the server accept it, only once `beforeEnd` has resolved.
   */
  send(message: Mail.Options, meta: SendMeta): Promise<{ response: string }>;
  close(): void;
  /** For the start-up log: "smtp://mail.example:587" or "files in /data/outbox". */
  readonly description: string;
}

export interface SendMeta {
  mailId: number;
  at: Date;
  beforeEnd?: () => Promise<void>;
}

/**
 * The headers DKIM signs: nodemailer's usual list plus List-Unsubscribe-Post, which RFC 8058 requires
 * to be signed (with List-Unsubscribe) before a mail provider offers one-click unsubscribe.
 */
export const dkimSignedHeaders = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-ID',
  'Content-Description',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'Auto-Submitted',
  'Content-Language',
].join(':');

function dkimSigner(dkim: NonNullable<Config['dkim']>): DKIM {
  return new DKIM({
    domainName: dkim.domain,
    keySelector: dkim.selector,
    privateKey: dkim.privateKey,
    headerFieldNames: dkimSignedHeaders,
  });
}

/** How many mails the SMTP transport hands over at once, each on a connection of its own. */
export const SMTP_CONNECTIONS = 4;

/** The transport the configuration asks for. */
export function createTransport(config: Config): MailTransport {
  return config.smtpUrl ? smtpTransport(config, config.smtpUrl) : fileTransport(config);
}

/** The message as it goes on the wire: signed, then with its end held back until `beforeEnd`. */
type Outgoing = Mail.Options & { beforeEnd?: () => Promise<void> };

/**
 * The steps of every message on its way out, for both transports: signed with DKIM when the settings
 * are present (nodemailer's signer as a stream step: the transport's own `dkim` option would sign after
 * every step, and the signature needs the whole message), then, when the send gives a `beforeEnd`, its
 * end held back until that resolves.
 */
function addOutgoingSteps(transporter: Pick<Mail, 'use'>, config: Config): void {
  const dkim = config.dkim && dkimSigner(config.dkim);
  transporter.use('stream', (mail, done) => {
    const { beforeEnd } = mail.data as Outgoing;
    mail.message.processFunc((input) => {
      const signed = dkim ? dkim.sign(input) : input;
      return beforeEnd ? holdEnd(signed, beforeEnd) : signed;
    });
    done();
  });
}

function smtpTransport(config: Config, url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    // A server that hangs must not hold a mail (and its database transaction) for long.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  addOutgoingSteps(transporter, config);
  const shown = new URL(url);
  shown.password = '';
  shown.username = '';
  return {
    async send(message, meta) {
      const outgoing: Outgoing = meta.beforeEnd ? { ...message, beforeEnd: meta.beforeEnd } : message;
      const info = await transporter.sendMail(outgoing);
      return { response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
    description: `${shown.protocol}//${shown.host}`,
  };
}

/**
 * Passes the message through and ends it once `beforeEnd` resolves: the end of DATA cannot leave before
 * then, whatever is buffered. The SMTP connection reads the message once the server has accepted the
 * envelope, and nothing is read ahead here, so the wait comes near the end of the conversation.
 */
function holdEnd(input: Readable, beforeEnd: () => Promise<void>): Readable {
  const held = new Transform({
    readableHighWaterMark: 0,
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: (callback) => void beforeEnd().then(() => callback(), callback),
  });
  // Not stream.pipeline: it would make an AbortError for every message it finishes.
  input.once('error', (err) => held.destroy(err));
  return input.pipe(held);
}

/** A sortable, unique file name: UTC time to the millisecond, then the mail id. */
export function emlFileName(mailId: number, at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace('.', '')}-${mailId}.eml`;
}

function fileTransport(config: Config): MailTransport {
  const dir = outboxDir(config.dataDir);
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  addOutgoingSteps(transporter, config);
  // The files hold working join, manage and unsubscribe links: only the product's own user reads them.
  let folderReady: Promise<void> | undefined;
  const ensureFolder = async () => {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
  };
  return {
    async send(message, meta) {
      const info = await transporter.sendMail(message);
      await (folderReady ??= ensureFolder());
      const file = path.join(dir, emlFileName(meta.mailId, meta.at));
      // Written under a temporary name and renamed, so the viewer never shows half a message.
      const partial = `${file}.partial`;
      await fs.writeFile(partial, info.message as Buffer, { mode: 0o600 });
      await fs.rename(partial, file);
      return { response: `written to ${path.basename(file)}` };
    },
    close: () => transporter.close(),
    description: `files in ${dir}`,
  };
}
