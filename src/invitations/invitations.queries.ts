import { emailsFound, type Queryable } from '../db/pool';
import type { Language } from '../i18n';

/** Named queries for invitees and their personal links: the only SQL on those tables. */

/** One person on an event's invitation list. */
export interface Invitee {
  id: number;
  eventId: number;
  email: string;
  familyName: string;
  givenName: string;
  organisation: string;
  locale: Language;
  createdAt: Date;
  /** When their invitation was written to the outbox; null while not sent. */
  invitedAt: Date | null;
  /** The registration made through their invitation link. */
  registrationId: number | null;
  unsubscribedAt: Date | null;
}

/** A contact to store as an invitee (already checked by the service). */
export interface NewInvitee {
  email: string;
  familyName: string;
  givenName: string;
  organisation: string;
  locale: Language;
}

interface InviteeRow {
  id: string;
  event_id: string;
  email: string;
  family_name: string;
  given_name: string;
  organisation: string;
  locale: Language;
  created_at: Date;
  invited_at: Date | null;
  registration_id: string | null;
  unsubscribed_at: Date | null;
}

const columns = `i.id, i.event_id, i.email, i.family_name, i.given_name, i.organisation, i.locale, i.created_at,
  i.invited_at, i.registration_id, i.unsubscribed_at`;

function toInvitee(r: InviteeRow): Invitee {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    email: r.email,
    familyName: r.family_name,
    givenName: r.given_name,
    organisation: r.organisation,
    locale: r.locale,
    createdAt: r.created_at,
    invitedAt: r.invited_at,
    registrationId: r.registration_id === null ? null : Number(r.registration_id),
    unsubscribedAt: r.unsubscribed_at,
  };
}

/** Stores invitees; an address the event has already (any case) is left as it is. Returns how many. */
export async function insertInvitees(
  db: Queryable,
  eventId: number,
  people: readonly NewInvitee[],
  at: Date,
): Promise<number> {
  if (!people.length) return 0;
  const res = await db.query(
    `INSERT INTO invitees (event_id, email, family_name, given_name, organisation, locale, created_at)
     SELECT $1, p.email, p.family_name, p.given_name, p.organisation, p.locale, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            WITH ORDINALITY AS p(email, family_name, given_name, organisation, locale, n)
      ORDER BY p.n
     ON CONFLICT (event_id, lower(email)) DO NOTHING`,
    [
      eventId,
      at,
      people.map((p) => p.email),
      people.map((p) => p.familyName),
      people.map((p) => p.givenName),
      people.map((p) => p.organisation),
      people.map((p) => p.locale),
    ],
  );
  return res.rowCount ?? 0;
}

/** Every invitee of an event, in the order they were added. */
export async function inviteesOfEvent(db: Queryable, eventId: number): Promise<Invitee[]> {
  const res = await db.query<InviteeRow>(
    `SELECT ${columns} FROM invitees i WHERE i.event_id = $1 ORDER BY i.id`,
    [eventId],
  );
  return res.rows.map(toInvitee);
}

/** The invitee with this id. */
export async function inviteeById(db: Queryable, id: number): Promise<Invitee | undefined> {
  const res = await db.query<InviteeRow>(`SELECT ${columns} FROM invitees i WHERE i.id = $1`, [id]);
  return res.rows[0] && toInvitee(res.rows[0]);
}

/** Which of `emails` (lower-cased) are on the event's list already. */
export async function invitedEmails(
  db: Queryable,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  return emailsFound(
    db,
    `SELECT lower(email) AS email FROM invitees WHERE event_id = $1 AND lower(email) = ANY($2::text[])`,
    eventId,
    emails,
  );
}

/**
 * Which of `emails` unsubscribed from an invitation of this event or of any event with the same owner
 * account.
 */
export async function unsubscribedInviteeEmails(
  db: Queryable,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  return emailsFound(
    db,
    `SELECT DISTINCT lower(i.email) AS email
       FROM invitees i JOIN events e ON e.id = i.event_id
      WHERE i.unsubscribed_at IS NOT NULL AND lower(i.email) = ANY($2::text[])
        AND (e.id = $1 OR e.owner_id = (SELECT owner_id FROM events WHERE id = $1))`,
    eventId,
    emails,
  );
}

/** Records that these invitees' invitations were written, once (the first time only). */
export async function setInvited(db: Queryable, ids: readonly number[], at: Date): Promise<void> {
  await db.query('UPDATE invitees SET invited_at = $2 WHERE id = ANY($1::bigint[]) AND invited_at IS NULL', [
    ids,
    at,
  ]);
}

/** Links an invitee to the registration made through their link. */
export async function setInviteeRegistration(
  db: Queryable,
  inviteeId: number,
  registrationId: number,
): Promise<void> {
  await db.query('UPDATE invitees SET registration_id = $2 WHERE id = $1', [inviteeId, registrationId]);
}

/** Marks an invitee unsubscribed; true when this changed anything. */
export async function setInviteeUnsubscribed(db: Queryable, id: number, at: Date | null): Promise<boolean> {
  const res = await db.query(
    at
      ? 'UPDATE invitees SET unsubscribed_at = $2 WHERE id = $1 AND unsubscribed_at IS NULL'
      : 'UPDATE invitees SET unsubscribed_at = NULL WHERE id = $1 AND unsubscribed_at IS NOT NULL AND $2::timestamptz IS NULL',
    [id, at],
  );
  return (res.rowCount ?? 0) > 0;
}

/** What an invitee's personal link does. */
export type InvitationLinkPurpose = 'register' | 'unsubscribe';

/** Stores the hash of a new personal link. */
export async function insertInvitationLink(
  db: Queryable,
  l: { hash: Buffer; inviteeId: number; purpose: InvitationLinkPurpose; mailId: number | null; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO invitation_links (hash, invitee_id, purpose, mail_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [l.hash, l.inviteeId, l.purpose, l.mailId, l.at],
  );
}

/** The invitee behind a personal link's hash, for that purpose. */
export async function inviteeByLinkHash(
  db: Queryable,
  hash: Buffer,
  purpose: InvitationLinkPurpose,
): Promise<Invitee | undefined> {
  const res = await db.query<InviteeRow>(
    `SELECT ${columns} FROM invitation_links l JOIN invitees i ON i.id = l.invitee_id
      WHERE l.hash = $1 AND l.purpose = $2`,
    [hash, purpose],
  );
  return res.rows[0] && toInvitee(res.rows[0]);
}

/** Every invitee row of an address, in every event (a person's access request). */
export async function inviteesByEmail(db: Queryable, email: string): Promise<Invitee[]> {
  const res = await db.query<InviteeRow>(
    `SELECT ${columns} FROM invitees i WHERE lower(i.email) = lower($1) ORDER BY i.created_at, i.id`,
    [email],
  );
  return res.rows.map(toInvitee);
}

/**
 * Takes an invitee off the event's list while nothing was sent to them and they did not unsubscribe
 * (an unsubscribed address stays as the owner's record of it). False when no such invitee is there.
 */
export async function deleteUninvitedInvitee(db: Queryable, eventId: number, id: number): Promise<boolean> {
  const res = await db.query(
    `DELETE FROM invitees
      WHERE id = $2 AND event_id = $1 AND invited_at IS NULL AND unsubscribed_at IS NULL`,
    [eventId, id],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Erasure of an address: its invitee rows go in every event, with their personal links and their
 * mail rows (the caller scrubs those mails and removes their files first). Returns how many went.
 */
export async function deleteInviteesByEmail(db: Queryable, email: string): Promise<number> {
  const res = await db.query('DELETE FROM invitees WHERE lower(email) = lower($1)', [email]);
  return res.rowCount ?? 0;
}

/**
 * The retention period of an event: its invitees go, except those who unsubscribed, whose address alone
 * stays (without name or organisation) so that later events of the same owner still leave them alone.
 * Their personal links go either way. Returns how many rows were deleted or stripped.
 */
export async function anonymiseEventInvitees(db: Queryable, eventId: number): Promise<number> {
  const gone = await db.query('DELETE FROM invitees WHERE event_id = $1 AND unsubscribed_at IS NULL', [
    eventId,
  ]);
  await db.query(
    `DELETE FROM invitation_links WHERE invitee_id IN (SELECT id FROM invitees WHERE event_id = $1)`,
    [eventId],
  );
  const kept = await db.query(
    `UPDATE invitees SET family_name = '', given_name = '', organisation = '', registration_id = NULL
      WHERE event_id = $1`,
    [eventId],
  );
  return (gone.rowCount ?? 0) + (kept.rowCount ?? 0);
}
