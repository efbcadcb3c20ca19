import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Config } from '../config';
import { outboxDir } from './outbox-files';

/**
 * Where mails go: an SMTP server (SMTP_URL, pooled connections), or, when none is configured, an RFC 5322
 * `.eml` file per mail in DATA_DIR/outbox, readable in the outbox viewer. Both sign with DKIM when the
 * DKIM settings are present.
 */
export interface MailTransport {
  /** Hands one message over; rejects with the server's error when it is refused. */
  send(message: Mail.Options, meta: { mailId: number; at: Date }): Promise<{ response: string }>;
  close(): void;
  /** For the start-up log: "smtp://mail.example:587" or "files in /data/outbox". */
  readonly description: string;
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

function dkimOptions(config: Config) {
  return config.dkim
    ? {
        domainName: config.dkim.domain,
        keySelector: config.dkim.selector,
        privateKey: config.dkim.privateKey,
        headerFieldNames: dkimSignedHeaders,
      }
    : undefined;
}

/** How many mails the SMTP transport hands over at once, each on a connection of its own. */
export const SMTP_CONNECTIONS = 4;

/** The transport the configuration asks for. */
export function createTransport(config: Config): MailTransport {
  return config.smtpUrl ? smtpTransport(config, config.smtpUrl) : fileTransport(config);
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
    dkim: dkimOptions(config),
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const shown = new URL(url);
  shown.password = '';
  shown.username = '';
  return {
    async send(message) {
      const info = await transporter.sendMail(message);
      return { response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
    description: `${shown.protocol}//${shown.host}`,
  };
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
    dkim: dkimOptions(config),
  });
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
