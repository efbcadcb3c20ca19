import crypto from 'node:crypto';
import type { Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { checkImage, isRefusal, logoHeight, type ImageKind } from './images';
import * as q from './images.queries';

/**
 * Storing and serving logo and cover images. An image is stored once and never changed, and its URL
 * carries the start of its hash, so browsers and mail clients may cache it for a year.
 */

/**
 * Checks and stores an uploaded image. Refuses, storing nothing, with `validation_failed` whose key
 * names the reason (`branding:errors.<reason>`) and, for an unsafe SVG, the problems found.
 */
export async function storeBrandingImage(
  db: Queryable,
  input: { kind: ImageKind; data: Buffer | undefined },
  ctx: { now: Date; userId?: number | null },
): Promise<q.ImageRef> {
  const checked = checkImage(input.kind, input.data);
  if (isRefusal(checked)) {
    const key = `branding:errors.${checked.reason}`;
    const problems = checked.reason === 'svgUnsafe' ? checked.problems : [];
    throw new DomainError('validation_failed', key, { problems }, { [input.kind]: key });
  }
  const data = input.data!;
  return q.insertImage(db, {
    kind: input.kind,
    contentType: checked.contentType,
    data,
    mailPng: checked.mailPng ?? null,
    width: checked.width,
    height: checked.height,
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    at: ctx.now,
    userId: ctx.userId ?? null,
  });
}

const extensions = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg' } as const;

/** The site path of an image as uploaded: `/branding/images/<id>-<hash>.<ext>`. */
export function imagePath(ref: q.ImageRef): string {
  return `/branding/images/${ref.id}-${ref.sha256.slice(0, 16)}.${extensions[ref.contentType]}`;
}

/** The site path of a logo's PNG for mails: `/branding/images/<id>-<hash>.mail.png`. */
export function mailLogoPath(ref: q.ImageRef): string {
  return `/branding/images/${ref.id}-${ref.sha256.slice(0, 16)}.mail.png`;
}

/** A logo's shown size: 40 px high, at most 200 px wide, keeping its proportions. */
export function logoBox(ref: Pick<q.ImageRef, 'width' | 'height'>): { width: number; height: number } {
  const width = Math.round((logoHeight * ref.width) / ref.height);
  if (width <= 200) return { width, height: logoHeight };
  return { width: 200, height: Math.max(1, Math.round((200 * ref.height) / ref.width)) };
}

/** What an image path asks for, or undefined when it cannot name an image. */
export function parseImagePath(file: string): { id: number; hash: string; mail: boolean } | undefined {
  const m = /^(\d{1,15})-([0-9a-f]{16})\.(png|jpg|svg|mail\.png)$/.exec(file);
  return m ? { id: Number(m[1]), hash: m[2]!, mail: m[3] === 'mail.png' } : undefined;
}

/**
 * The bytes and type to serve for an image path, or `not_found` when the path names no image (a wrong
 * id, hash or extension): a stale URL never shows another image.
 */
export async function servedImage(
  db: Queryable,
  file: string,
): Promise<{ contentType: string; data: Buffer; svg: boolean }> {
  const want = parseImagePath(file);
  const image = want && (await q.imageContent(db, want.id));
  if (!want || !image || !image.sha256.startsWith(want.hash)) {
    throw new DomainError('not_found', 'errors:notFound');
  }
  if (want.mail) {
    if (!image.mailPng) throw new DomainError('not_found', 'errors:notFound');
    return { contentType: 'image/png', data: image.mailPng, svg: false };
  }
  if (imagePath(image) !== `/branding/images/${file}`) throw new DomainError('not_found', 'errors:notFound');
  return { contentType: image.contentType, data: image.data, svg: image.contentType === 'image/svg+xml' };
}
