import type pg from 'pg';
import { z } from 'zod';
import { assertAdmin, type Actor } from '../accounts';
import { auditEntriesAbout, insertAuditEntry, type PersonAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { eventById, type EventRecord, type Texts } from '../events';
import { mailsAbout, removeMailFiles, type PersonMail } from '../outbox';
import { registrationsByEmail, syncZoomSoon, type Registration } from '../registrations';
import { emailText } from '../text';
import { zoomDataOf } from '../zoom';
import { deleteInviteesByEmail, inviteesByEmail, type Invitee } from '../invitations';
import { eraseRegistrations } from './erase';

/**
 * A person's requests about their data, by e-mail address, for admins (the workspace, the API) and the
 * machine's operator (the command line, `'cli'`): everything held about them (access), and erasing
 * all of it at once (erasure).
 */

/** Who asks: a signed-in admin or an admin's API token, or the command line. */
export type PersonActor = Actor | 'cli';

/** One registration as an access request lists it, with its event. */
export interface PersonRegistration extends Registration {
  event: { slug: string; title: Texts; timezone: string };
}

/** Everything held about one address. */
export interface PersonData {
  email: string;
  registrations: PersonRegistration[];
  mails: PersonMail[];
  auditEntries: PersonAuditEntry[];
  zoom: { registrationId: number; state: string; joinUrl: string | null; minutes: number | null }[];
  /** Where the address is on an event's invitation list. */
  invitations: Invitee[];
}

/** What an erasure did; it names the events (by slug) but never the address. */
export interface ErasureSummary {
  registrations: number;
  events: string[];
  mails: number;
  cancelledMails: number;
  auditEntries: number;
  /** Invitation list entries removed (with their links and mails). */
  invitees: number;
  files: number;
}

const emailSchema = emailText().trim().toLowerCase().max(320).pipe(z.email());

/** The address asked about, or a `400 invalid_email` the asker reads in their language. */
export function parsePersonEmail(raw: unknown): string {
  const parsed = emailSchema.safeParse(typeof raw === 'string' ? raw : '');
  if (!parsed.success) {
    throw new DomainError('invalid_email', 'validation:email', {}, { email: 'validation:email' });
  }
  return parsed.data;
}

function assertMay(actor: PersonActor): void {
  if (actor !== 'cli') assertAdmin(actor);
}

async function eventsOf(db: Queryable, regs: readonly Registration[]): Promise<Map<number, EventRecord>> {
  const events = new Map<number, EventRecord>();
  for (const id of new Set(regs.map((r) => r.eventId))) {
    const event = await eventById(db, id);
    if (event) events.set(id, event);
  }
  return events;
}

/** Everything held about the address in every event: registrations, mails, audit entries, Zoom rows. */
export async function personData(
  db: Queryable,
  input: { email: unknown; actor: PersonActor },
): Promise<PersonData> {
  assertMay(input.actor);
  const email = parsePersonEmail(input.email);
  const regs = await registrationsByEmail(db, email);
  const events = await eventsOf(db, regs);
  const ids = regs.map((r) => r.id);
  return {
    email,
    registrations: regs.map((r) => {
      const e = events.get(r.eventId);
      return {
        ...r,
        event: { slug: e?.slug ?? '', title: e?.title ?? {}, timezone: e?.timezone ?? 'UTC' },
      };
    }),
    mails: await mailsAbout(db, ids, email),
    auditEntries: await auditEntriesAbout(db, ids, email),
    zoom: await zoomDataOf(db, ids),
    invitations: await inviteesByEmail(db, email),
  };
}

/**
 * Erases everything held about the address at once: its registrations in every event (status kept for
 * the counts, shown as "Erased"), their links, their mails (pending ones cancelled, `.eml` files
 * deleted), the audit entries about them, and their Zoom rows; registrants on a Zoom webinar are
 * cancelled there by the Zoom sync job. Recorded as `registration.erased` on each registration and
 * one `person.erased` with the counts and event slugs, never the address.
 */
export async function erasePerson(
  pool: pg.Pool,
  input: { email: unknown; actor: PersonActor; now: Date; dataDir: string },
): Promise<ErasureSummary> {
  assertMay(input.actor);
  const email = parsePersonEmail(input.email);
  const label = input.actor === 'cli' ? 'cli' : input.actor.label;
  const userId = input.actor === 'cli' ? null : input.actor.user.id;
  const { counts, slugs } = await withTransaction(pool, async (tx) => {
    const regs = await registrationsByEmail(tx, email);
    const events = await eventsOf(tx, regs);
    const counts = await eraseRegistrations(tx, regs, { email, now: input.now, cancelOnZoom: true });
    // Their mails as an invitee were scrubbed with the rest (by address); the invitee rows go now.
    const invitees = await deleteInviteesByEmail(tx, email);
    for (const r of regs) {
      await insertAuditEntry(tx, {
        actor: label,
        userId,
        action: 'registration.erased',
        eventId: r.eventId,
        registrationId: r.id,
        at: input.now,
      });
    }
    for (const event of events.values()) await syncZoomSoon(tx, event);
    const slugs = [...events.values()].map((e) => e.slug);
    await insertAuditEntry(tx, {
      actor: label,
      userId,
      action: 'person.erased',
      data: {
        registrations: counts.registrations,
        mails: counts.mails,
        cancelledMails: counts.cancelledMails,
        auditEntries: counts.auditEntries,
        invitees,
        events: slugs,
      },
      at: input.now,
    });
    return { counts: { ...counts, invitees }, slugs };
  });
  const files = await removeMailFiles(input.dataDir, counts.mailIds);
  return {
    registrations: counts.registrations,
    events: slugs,
    mails: counts.mails,
    cancelledMails: counts.cancelledMails,
    auditEntries: counts.auditEntries,
    invitees: counts.invitees,
    files,
  };
}
