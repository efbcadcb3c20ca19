import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { DomainError } from '../errors';

/**
 * Reading the file outbox: when no SMTP_URL is set, every outgoing mail is written as an RFC 5322 file
 * `<DATA_DIR>/outbox/<UTC timestamp>-<mail id>.eml`. This module lists and parses those files for the
 * development outbox viewer. It only reads; it never writes, moves or deletes a file.
 *
 * A file name is the only input a visitor controls, so every function that opens a file goes through
 * `outboxFilePath`, which accepts a plain name in the outbox folder and nothing else.
 */

/** What a mail file name may look like: no slashes, no backslashes, nothing but a plain `.eml` name. */
export const OUTBOX_FILE_NAME = /^[A-Za-z0-9._-]+\.eml$/;

/** The most files the list shows: parsing is per file, and nobody reads past the newest few hundred. */
export const OUTBOX_LIST_LIMIT = 200;

/** The outbox folder inside the data directory (shared with the writer, so both agree on the place). */
export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

/** One line of the list: the headers a reader scans for. */
export interface OutboxEntry {
  name: string;
  /** The Date header; null when it is missing or unreadable. */
  date: Date | null;
  to: string;
  subject: string;
  /** The X-Tsunagaru-Kind header, e.g. `registration.confirmed`; null for mails without one. */
  kind: string | null;
}

/** The newest entries, and how many .eml files the folder holds in all. */
export interface OutboxListing {
  entries: OutboxEntry[];
  total: number;
}

/** An attachment (or an inline non-body part such as a text/calendar invite), without its content. */
export interface OutboxAttachment {
  index: number;
  filename: string;
  contentType: string;
  size: number;
  /** The iTIP method of a calendar part (REQUEST, CANCEL), when the part says one. */
  method: string | null;
}

/** One mail, parsed for the detail page. */
export interface OutboxMessage extends OutboxEntry {
  from: string;
  replyTo: string;
  messageId: string;
  text: string | null;
  html: string | null;
  attachments: OutboxAttachment[];
}

/** An attachment's bytes, ready to download. */
export interface OutboxAttachmentFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

function notFound(): DomainError {
  return new DomainError('not_found', 'outbox:notFound');
}

/**
 * The absolute path of a mail file, or not_found. The name must match OUTBOX_FILE_NAME AND resolve to a
 * direct child of the outbox folder: the pattern already excludes separators, and the second check keeps
 * that true even if the pattern is ever loosened.
 */
export function outboxFilePath(dir: string, name: string): string {
  if (!OUTBOX_FILE_NAME.test(name)) throw notFound();
  const base = path.resolve(dir);
  const file = path.resolve(base, name);
  if (path.dirname(file) !== base) throw notFound();
  return file;
}

/**
 * Reads a mail file's bytes. Only regular files count: a symlink (which could point anywhere on the
 * machine), a folder or a missing file is not_found.
 */
export async function readOutboxFile(dir: string, name: string): Promise<Buffer> {
  const file = outboxFilePath(dir, name);
  try {
    const stat = await fs.lstat(file);
    if (!stat.isFile()) throw notFound();
    return await fs.readFile(file);
  } catch (err) {
    if (isMissing(err)) throw notFound();
    throw err;
  }
}

/**
 * The newest `limit` mails, newest first. File names start with a UTC timestamp, so sorting names
 * descending is sorting by time without opening a file. Only each file's header block is parsed. A
 * missing folder is an empty outbox (nothing has been written yet), not an error.
 */
export async function listOutbox(dir: string, limit = OUTBOX_LIST_LIMIT): Promise<OutboxListing> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => OUTBOX_FILE_NAME.test(n));
  } catch (err) {
    if (isMissing(err)) return { entries: [], total: 0 };
    throw err;
  }
  names.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const entries = await Promise.all(names.slice(0, limit).map((name) => entryFor(dir, name)));
  return { entries: entries.filter((e): e is OutboxEntry => e !== null), total: names.length };
}

/** One list entry, or null when the file vanished or is not a regular file since the folder was read. */
async function entryFor(dir: string, name: string): Promise<OutboxEntry | null> {
  let raw: Buffer;
  try {
    raw = await readOutboxFile(dir, name);
  } catch (err) {
    if (err instanceof DomainError) return null;
    throw err;
  }
  return entryOf(name, await simpleParser(headerBlock(raw)));
}

/** The mail with its bodies and attachment list; not_found when the name is not a mail in the outbox. */
export async function readOutboxMessage(dir: string, name: string): Promise<OutboxMessage> {
  const mail = await simpleParser(await readOutboxFile(dir, name));
  return {
    ...entryOf(name, mail),
    from: addressText(mail.from),
    replyTo: addressText(mail.replyTo),
    messageId: mail.messageId ?? '',
    text: mail.text ?? null,
    html: mail.html === false ? null : mail.html,
    attachments: mail.attachments.map((a, index) => {
      const contentType = a.contentType || 'application/octet-stream';
      return {
        index,
        filename: a.filename || fallbackFilename(index, contentType),
        contentType,
        size: a.size ?? a.content.length,
        method: calendarMethod(a.headers.get('content-type')),
      };
    }),
  };
}

/** The mail's HTML part; not_found when the mail has none (a text-only mail). */
export async function readOutboxHtml(dir: string, name: string): Promise<string> {
  const mail = await simpleParser(await readOutboxFile(dir, name));
  if (mail.html === false) throw notFound();
  return mail.html;
}

/** One attachment's bytes by its position in the mail; not_found when there is no such attachment. */
export async function readOutboxAttachment(
  dir: string,
  name: string,
  index: number,
): Promise<OutboxAttachmentFile> {
  const mail = await simpleParser(await readOutboxFile(dir, name));
  const a = Number.isSafeInteger(index) && index >= 0 ? mail.attachments[index] : undefined;
  if (!a) throw notFound();
  const contentType = a.contentType || 'application/octet-stream';
  return { filename: a.filename || fallbackFilename(index, contentType), contentType, content: a.content };
}

function entryOf(name: string, mail: ParsedMail): OutboxEntry {
  const kind = mail.headers.get('x-tsunagaru-kind');
  return {
    name,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    to: addressText(mail.to),
    subject: mail.subject ?? '',
    kind: typeof kind === 'string' && kind.trim() ? kind.trim() : null,
  };
}

/** The header section and its blank line: enough to list a mail without decoding its parts. */
function headerBlock(raw: Buffer): Buffer {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const ends = [lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4].filter((i) => i >= 0);
  return ends.length ? raw.subarray(0, Math.min(...ends)) : raw;
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return [value]
    .flat()
    .map((a) => a.text)
    .join(', ');
}

/** The `method` parameter of a text/calendar Content-Type (nodemailer's inline invite part). */
function calendarMethod(header: unknown): string | null {
  const method = (header as { params?: Record<string, string> } | undefined)?.params?.method;
  return typeof method === 'string' && method ? method.toUpperCase() : null;
}

/** A download name for a part that has none, e.g. the inline calendar part: `part-1.ics`. */
function fallbackFilename(index: number, contentType: string): string {
  const ext: Record<string, string> = {
    'text/calendar': 'ics',
    'application/ics': 'ics',
    'text/plain': 'txt',
    'text/html': 'html',
  };
  return `part-${index + 1}.${ext[contentType.toLowerCase()] ?? 'bin'}`;
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
