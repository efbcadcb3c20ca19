import crypto from 'node:crypto';
import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { DomainError } from '../errors';
import type { Language } from '../i18n';
import type { SaveContext } from './events.service';
import { pickText } from './events.service';
import type { Texts } from './events.types';
import * as q from './files.queries';

/**
 * An event's uploaded files: PDF materials (slides, handouts) that organisers upload in the workspace
 * and that only the event's confirmed registrants download, through the manage token in their mails.
 * The bytes live in PostgreSQL (event_files.data); see the migration for why.
 */

/**
 * The largest file accepted: 20 MB. Slide decks with images stay below it, and a whole upload still
 * fits in memory comfortably (uploads are held in memory until stored; see event-files.routes.ts).
 */
export const maxFileBytes = 20 * 1024 * 1024;

/** Files per event: a generous list for one seminar, and a bound on what one event can store. */
export const maxFilesPerEvent = 30;

/** Characters per title, per language. */
export const maxFileTitleLength = 200;

/** Characters of a stored file name, the extension included. */
const maxFileNameLength = 120;

/** What an organiser uploads: the titles as typed, the browser's file name, the bytes (if any came). */
export interface NewEventFile {
  eventId: number;
  title: { en?: string; ja?: string };
  filename: string;
  data: Buffer | undefined;
}

/**
 * The uploader's file name made safe to store and to hand back in Content-Disposition: no folders
 * (some browsers send a full path), no control or direction-override characters, none of the
 * characters Windows refuses, a bounded length, and always ending in ".pdf". Japanese stays as it is.
 */
export function sanitiseFileName(name: string): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  // No leading dot: a hidden file on the registrant's disk helps nobody.
  const stem = cleaned.replace(/\.pdf$/i, '').replace(/^[.\s]+/, '');
  const chars = Array.from(stem || 'file').slice(0, maxFileNameLength - 4);
  return `${chars.join('').trim() || 'file'}.pdf`;
}

/** Whether the bytes are a PDF by their content (every PDF starts with "%PDF-"), whatever the browser said. */
export function looksLikePdf(data: Buffer): boolean {
  return data.subarray(0, 5).toString('latin1') === '%PDF-';
}

function titleOf(input: NewEventFile['title']): { title: Texts; fields: Record<string, string> } {
  const title: Texts = {};
  const fields: Record<string, string> = {};
  for (const lang of ['en', 'ja'] as const) {
    const text = (input[lang] ?? '').replace(/\s+/g, ' ').trim();
    if (text.length > maxFileTitleLength)
      fields[lang === 'en' ? 'titleEn' : 'titleJa'] = 'validation:tooLong';
    if (text) title[lang] = text;
  }
  if (!title.en && !title.ja) fields.title = 'files:errors.titleRequired';
  return { title, fields };
}

function fileProblem(data: Buffer | undefined): string | undefined {
  if (!data) return 'files:errors.missing';
  if (data.length === 0) return 'files:errors.empty';
  if (data.length > maxFileBytes) return 'files:errors.tooLarge';
  if (!looksLikePdf(data)) return 'files:errors.notPdf';
  return undefined;
}

/**
 * Stores an uploaded PDF for an event, with an `event.file_added` audit entry. Refuses, changing
 * nothing: a missing, empty, over-size or non-PDF file and a missing title (`validation_failed` with
 * field keys), and a file beyond the event's limit (`conflict`).
 */
export async function addEventFile(
  pool: pg.Pool,
  input: NewEventFile,
  ctx: SaveContext,
): Promise<q.EventFile> {
  const { title, fields } = titleOf(input.title);
  const problem = fileProblem(input.data);
  if (problem) fields.file = problem;
  if (Object.keys(fields).length || !input.data) {
    throw new DomainError('validation_failed', 'errors:invalidForm', {}, fields);
  }
  const data = input.data;
  return withTransaction(pool, async (tx) => {
    await q.lockEventFiles(tx, input.eventId);
    if ((await q.eventFileCount(tx, input.eventId)) >= maxFilesPerEvent) {
      throw new DomainError('conflict', 'files:errors.tooMany', { maxFiles: maxFilesPerEvent });
    }
    const file = await q.insertEventFile(tx, {
      eventId: input.eventId,
      title,
      filename: sanitiseFileName(input.filename),
      sizeBytes: data.length,
      sha256: crypto.createHash('sha256').update(data).digest('hex'),
      data,
      at: ctx.now,
      userId: ctx.userId ?? null,
    });
    await insertAuditEntry(tx, {
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'event.file_added',
      eventId: input.eventId,
      data: { fileId: file.id, filename: file.filename, sizeBytes: file.sizeBytes },
      at: ctx.now,
    });
    return file;
  });
}

/** Deletes one of an event's files, with an `event.file_removed` audit entry; `not_found` if it is not one. */
export async function removeEventFile(
  pool: pg.Pool,
  target: { eventId: number; fileId: number },
  ctx: SaveContext,
): Promise<q.EventFile> {
  return withTransaction(pool, async (tx) => {
    await q.lockEventFiles(tx, target.eventId);
    const file = await q.deleteEventFile(tx, target.eventId, target.fileId);
    if (!file) throw new DomainError('not_found', 'errors:notFound');
    await insertAuditEntry(tx, {
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'event.file_removed',
      eventId: target.eventId,
      data: { fileId: file.id, filename: file.filename, sizeBytes: file.sizeBytes },
      at: ctx.now,
    });
    return file;
  });
}

/** A file's title in `lang`, the other language as fallback (marked), its file name as a last resort. */
export function fileTitle(file: Pick<q.EventFile, 'title' | 'filename'>, lang: Language) {
  return pickText(file.title, lang) ?? { text: file.filename, lang, fallback: false };
}

/** "850 KB", "12.4 MB": a file's size for people, with the language's number format. */
export function fileSizeLabel(bytes: number, lang: Language): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: mb ? 1 : 0,
  }).format(Math.max(1, bytes / (mb ? 1024 * 1024 : 1024)));
}
