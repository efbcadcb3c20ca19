import type { Queryable } from '../db/pool';
import type { ImageKind, ImageType } from './images';

/** Named queries for stored logo and cover images (branding_images). Rows are never updated. */

/** What an event or the installation profile keeps of an image: enough to link and size it. */
export interface ImageRef {
  id: number;
  sha256: string;
  contentType: ImageType;
  width: number;
  height: number;
}

/** An image with its bytes, for serving it. */
export interface ImageContent extends ImageRef {
  data: Buffer;
  mailPng: Buffer | null;
}

interface ImageRow {
  id: string;
  sha256: string;
  content_type: ImageType;
  width: number;
  height: number;
}

const toRef = (r: ImageRow): ImageRef => ({
  id: Number(r.id),
  sha256: r.sha256,
  contentType: r.content_type,
  width: r.width,
  height: r.height,
});

/** Stores an image and returns its reference. */
export async function insertImage(
  db: Queryable,
  i: {
    kind: ImageKind;
    contentType: ImageType;
    data: Buffer;
    mailPng: Buffer | null;
    width: number;
    height: number;
    sha256: string;
    at: Date;
    userId: number | null;
  },
): Promise<ImageRef> {
  const res = await db.query<ImageRow>(
    `INSERT INTO branding_images (kind, content_type, data, mail_png, width, height, sha256, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING id, sha256, content_type, width, height`,
    [i.kind, i.contentType, i.data, i.mailPng, i.width, i.height, i.sha256, i.at, i.userId],
  );
  return toRef(res.rows[0]!);
}

/** The image with this id, with its bytes; undefined when there is none. */
export async function imageContent(db: Queryable, id: number): Promise<ImageContent | undefined> {
  const res = await db.query<ImageRow & { data: Buffer; mail_png: Buffer | null }>(
    'SELECT id, sha256, content_type, width, height, data, mail_png FROM branding_images WHERE id = $1',
    [id],
  );
  const row = res.rows[0];
  return row && { ...toRef(row), data: row.data, mailPng: row.mail_png };
}
