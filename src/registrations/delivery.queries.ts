import type { Queryable } from '../db/pool';
import { registrationColumns, toRegistration, type RegistrationRow } from './registration.row';
import type { LinkPurpose, Registration } from './registration.row';

/**
 * Named queries that mail delivery runs for a batch of mails at once: the registrants read in one
 * statement and their new link tokens stored in one.
 */

/** The registrations with these ids that exist, by id. */
export async function registrationsByIds(
  db: Queryable,
  ids: readonly number[],
): Promise<Map<number, Registration>> {
  if (!ids.length) return new Map();
  const res = await db.query<RegistrationRow>(
    `SELECT ${registrationColumns} FROM registrations r WHERE r.id = ANY ($1::bigint[])`,
    [[...new Set(ids)]],
  );
  return new Map(res.rows.map((r) => [Number(r.id), toRegistration(r)]));
}

/** A link token's stored form: its hash, whose link it is, what for, and the mail that carries it. */
export interface LinkTokenRow {
  hash: Buffer;
  registrationId: number;
  purpose: LinkPurpose;
  mailId: number | null;
  at: Date;
}

/** Stores link tokens of any number of registrations and mails in one statement. */
export async function insertLinkTokenRows(db: Queryable, rows: readonly LinkTokenRow[]): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO registration_tokens (hash, registration_id, purpose, mail_id, created_at)
     SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::text[], $4::bigint[], $5::timestamptz[])`,
    [
      rows.map((r) => r.hash),
      rows.map((r) => r.registrationId),
      rows.map((r) => r.purpose),
      rows.map((r) => r.mailId),
      rows.map((r) => r.at),
    ],
  );
}
