import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { DomainError } from '../errors';
import { withTransaction, type Queryable } from '../db/pool';
import type { EventRecord } from '../events';
import type { Language } from '../i18n';
import { registeredEmails, unsubscribedRegistrantEmails } from '../registrations';
import { checkedContact, languageOf, maxContacts, type ContactRow } from './contacts';
import * as q from './invitations.queries';

/**
 * Importing a contact list as an event's invitees: first a preview (which rows are added, which are
 * skipped and why), then the confirmation stores them. Both apply the same rules at their own moment,
 * so a contact who registered or unsubscribed between the two is skipped at the confirmation too.
 */

/** Why a row of a contact list is not added. */
export type SkipCode =
  'badAddress' | 'badText' | 'duplicateInFile' | 'alreadyInvited' | 'alreadyRegistered' | 'unsubscribed';

/** One row of the preview: the contact as it would be stored, or why it is skipped. */
export interface PreviewRow extends q.NewInvitee {
  line: number;
  /** Set for a skipped row. */
  skip?: SkipCode;
  /** The language column was empty or unknown, so the event's first language was taken. */
  languageDefaulted?: boolean;
}

/** What an import would do (the preview) or did (the confirmation). */
export interface ImportPreview {
  add: PreviewRow[];
  skipped: PreviewRow[];
}

/**
 * The event's first language: the one its title is written in, English when it has both. Invitees
 * whose list gives no language they can be written to in get this one.
 */
export function firstLanguage(event: Pick<EventRecord, 'title'>): Language {
  return event.title.en ? 'en' : 'ja';
}

/** Who is blocked for the event's invitations: unsubscribed here or at an event of the same owner. */
export async function blockedEmails(
  db: Queryable,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  // One after the other: `db` may be a transaction's single client.
  const asInvitee = await q.unsubscribedInviteeEmails(db, eventId, emails);
  const asRegistrant = await unsubscribedRegistrantEmails(db, eventId, emails);
  return new Set([...asInvitee, ...asRegistrant]);
}

/** The preview of a contact list for an event: each row added or skipped with its reason. */
export async function previewContacts(
  db: Queryable,
  event: Pick<EventRecord, 'id' | 'title'>,
  rows: readonly ContactRow[],
): Promise<ImportPreview> {
  const fallback = firstLanguage(event);
  const checked = rows.map((row) => ({ row, c: checkedContact(row) }));
  const emails = checked.flatMap(({ c }) => (c.ok ? [c.email.toLowerCase()] : []));
  const invited = await q.invitedEmails(db, event.id, emails);
  const registered = await registeredEmails(db, event.id, emails);
  const blocked = await blockedEmails(db, event.id, emails);
  const seen = new Set<string>();
  const out: ImportPreview = { add: [], skipped: [] };
  for (const { row, c } of checked) {
    const language = languageOf(row.language);
    const base = {
      line: row.line,
      email: c.ok ? c.email : row.email,
      familyName: c.ok ? c.familyName : row.familyName,
      givenName: c.ok ? c.givenName : row.givenName,
      organisation: c.ok ? c.organisation : row.organisation,
      locale: language ?? fallback,
      ...(language ? {} : { languageDefaulted: true }),
    };
    const key = base.email.toLowerCase();
    const skip: SkipCode | undefined = !c.ok
      ? c.reason
      : seen.has(key)
        ? 'duplicateInFile'
        : invited.has(key)
          ? 'alreadyInvited'
          : registered.has(key)
            ? 'alreadyRegistered'
            : blocked.has(key)
              ? 'unsubscribed'
              : undefined;
    if (c.ok) seen.add(key);
    if (skip) out.skipped.push({ ...base, skip });
    else out.add.push(base);
  }
  return out;
}

/** Who imports, for the audit log. */
export interface ActingContext {
  now: Date;
  actor: string;
  userId?: number | null;
}

/**
 * Stores the rows of a contact list that pass the rules now as the event's invitees, in one
 * transaction with its audit entry. Returns what was added and skipped.
 */
export async function importInvitees(
  pool: pg.Pool,
  event: Pick<EventRecord, 'id' | 'title'>,
  rows: readonly ContactRow[],
  ctx: ActingContext,
): Promise<ImportPreview> {
  return withTransaction(pool, async (tx) => {
    const preview = await previewContacts(tx, event, rows.slice(0, maxContacts));
    const added = await q.insertInvitees(tx, event.id, preview.add, ctx.now);
    await insertAuditEntry(tx, {
      at: ctx.now,
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'invitations.imported',
      eventId: event.id,
      data: { added, skippedRows: preview.skipped.length },
    });
    return preview;
  });
}

/**
 * Takes one invitee off the list before their invitation is sent (a contact imported by mistake).
 * Once an invitation went out, the row is the record of that mail; after an unsubscribe, it is what
 * keeps the address from being invited again: neither is removed here (409). Another event's invitee,
 * or none, is 404.
 */
export async function removeInvitee(
  pool: pg.Pool,
  event: Pick<EventRecord, 'id'>,
  inviteeId: number,
  ctx: ActingContext,
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const invitee = await q.inviteeById(tx, inviteeId);
    if (invitee?.eventId !== event.id) throw new DomainError('not_found', 'invitations:errors.noSuchInvitee');
    if (!(await q.deleteUninvitedInvitee(tx, event.id, inviteeId)))
      throw new DomainError('conflict', 'invitations:errors.notRemovable');
    await insertAuditEntry(tx, {
      at: ctx.now,
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'invitations.removed',
      eventId: event.id,
      data: { removed: 1 },
    });
  });
}
