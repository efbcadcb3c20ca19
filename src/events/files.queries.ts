import type { Queryable } from '../db/pool';
import type { Texts } from './events.types';

/**
 * Named queries for an event's uploaded files. Lists never read the bytes (`data`): only a download
 * does, for the one file it sends.
 */

/** An uploaded file without its bytes, as lists, mails and audit entries need it. */
export interface EventFile {
  id: number;
  eventId: number;
  title: Texts;
  filename: string;
  contentType: 'application/pdf';
  sizeBytes: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  createdAt: Date;
  /** The account that uploaded it; null once that account is gone. */
  createdBy: number | null;
}

/** An uploaded file with its bytes, for sending it. */
export interface EventFileContent extends EventFile {
  data: Buffer;
}

const columns = 'id, event_id, title, filename, content_type, size_bytes, sha256, created_at, created_by';

interface EventFileRow {
  id: string;
  event_id: string;
  title: Texts;
  filename: string;
  content_type: 'application/pdf';
  size_bytes: number;
  sha256: string;
  created_at: Date;
  created_by: string | null;
}

function toEventFile(r: EventFileRow): EventFile {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    title: r.title,
    filename: r.filename,
    contentType: r.content_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    createdAt: r.created_at,
    createdBy: r.created_by === null ? null : Number(r.created_by),
  };
}

/** An event's files in upload order (oldest first, the order organisers built the list in). */
export async function eventFiles(db: Queryable, eventId: number): Promise<EventFile[]> {
  const res = await db.query<EventFileRow>(
    `SELECT ${columns} FROM event_files WHERE event_id = $1 ORDER BY created_at, id`,
    [eventId],
  );
  return res.rows.map(toEventFile);
}

/** How many files an event has. */
export async function eventFileCount(db: Queryable, eventId: number): Promise<number> {
  const res = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM event_files WHERE event_id = $1',
    [eventId],
  );
  return res.rows[0]!.n;
}

/** One file of one event, with its bytes; undefined when the id is not a file of that event. */
export async function eventFileContent(
  db: Queryable,
  eventId: number,
  fileId: number,
): Promise<EventFileContent | undefined> {
  const res = await db.query<EventFileRow & { data: Buffer }>(
    `SELECT ${columns}, data FROM event_files WHERE event_id = $1 AND id = $2`,
    [eventId, fileId],
  );
  const row = res.rows[0];
  return row && { ...toEventFile(row), data: row.data };
}

/** Stores a file and returns it (without the bytes). */
export async function insertEventFile(
  db: Queryable,
  f: {
    eventId: number;
    title: Texts;
    filename: string;
    sizeBytes: number;
    sha256: string;
    data: Buffer;
    at: Date;
    userId: number | null;
  },
): Promise<EventFile> {
  const res = await db.query<EventFileRow>(
    `INSERT INTO event_files (event_id, title, filename, content_type, size_bytes, sha256, data, created_at, created_by)
     VALUES ($1, $2, $3, 'application/pdf', $4, $5, $6, $7, $8)
     RETURNING ${columns}`,
    [f.eventId, JSON.stringify(f.title), f.filename, f.sizeBytes, f.sha256, f.data, f.at, f.userId],
  );
  return toEventFile(res.rows[0]!);
}

/** Deletes one file of one event and returns what it was; undefined when there was no such file. */
export async function deleteEventFile(
  db: Queryable,
  eventId: number,
  fileId: number,
): Promise<EventFile | undefined> {
  const res = await db.query<EventFileRow>(
    `DELETE FROM event_files WHERE event_id = $1 AND id = $2 RETURNING ${columns}`,
    [eventId, fileId],
  );
  return res.rows[0] && toEventFile(res.rows[0]);
}

/**
 * Serialises changes to one event's files until the transaction ends, so two uploads at once cannot
 * both pass the per-event count. An advisory lock rather than the event row: uploads must not wait
 * for, or hold up, registrations (which lock the event row for its seats).
 */
export async function lockEventFiles(db: Queryable, eventId: number): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('event-files:' || $1::text, 0))`, [eventId]);
}
