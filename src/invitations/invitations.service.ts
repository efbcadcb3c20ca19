import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { eventById, type EventRecord } from '../events';
import {
  insertInviteeMails,
  inviteeMailTallies,
  lastInviteeTopicNumber,
  type InviteeRecipient,
  type MailKind,
} from '../outbox';
import { registeredEmails, registerAttendee, type RegistrationOutcome } from '../registrations';
import { blockedEmails, type ActingContext } from './import.service';
import * as q from './invitations.queries';
import { inviteeForLink } from './links';

/**
 * Sending invitations and their reminders, and what an invitee sees: the pre-filled form and the
 * registration it leads to. An invitee who registered (through the link or not) or unsubscribed (here
 * or at any event of the same owner) gets nothing more.
 */

/** The topic of an invitation mail, unique per invitee. */
export const invitationTopic = 'invitation';
/** The topic prefix of invitation reminders: `invitation-reminder:1`, `:2`, … once each per invitee. */
export const reminderTopicPrefix = 'invitation-reminder:';

/** Where an invitee stands, as the workspace and the API show it. */
export type InviteeState = 'not_sent' | 'invited' | 'registered' | 'unsubscribed';

/** An invitee with their state. */
export interface InviteeWithState extends q.Invitee {
  state: InviteeState;
}

/** How the mails of one round stand: the invitation (`reminder` 0) or reminder n. */
export interface RoundProgress {
  reminder: number;
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
}

/** The invitation and each reminder round with how their mails stand, in order. */
async function roundProgress(db: Queryable, eventId: number): Promise<RoundProgress[]> {
  const tallies = await inviteeMailTallies(db, eventId);
  return [...tallies.entries()]
    .map(([topic, t]) => ({
      reminder: topic === invitationTopic ? 0 : Number(topic.slice(reminderTopicPrefix.length)),
      queued: (t.queued ?? 0) + (t.sending ?? 0),
      sent: t.sent ?? 0,
      failed: t.failed ?? 0,
      skipped: t.skipped ?? 0,
    }))
    .sort((a, b) => a.reminder - b.reminder);
}

/**
 * The event's invitees with their states, the number the next reminder would carry, and how the mails
 * of the invitation and each reminder stand.
 */
export async function inviteeList(
  db: Queryable,
  eventId: number,
): Promise<{ invitees: InviteeWithState[]; nextReminder: number; rounds: RoundProgress[] }> {
  const invitees = await q.inviteesOfEvent(db, eventId);
  const emails = invitees.map((i) => i.email);
  const registered = await registeredEmails(db, eventId, emails);
  const blocked = await blockedEmails(db, eventId, emails);
  const last = await lastInviteeTopicNumber(db, eventId, reminderTopicPrefix);
  const stateOf = (i: q.Invitee): InviteeState =>
    i.registrationId !== null || registered.has(i.email.toLowerCase())
      ? 'registered'
      : i.unsubscribedAt || blocked.has(i.email.toLowerCase())
        ? 'unsubscribed'
        : i.invitedAt
          ? 'invited'
          : 'not_sent';
  return {
    invitees: invitees.map((i) => ({ ...i, state: stateOf(i) })),
    nextReminder: last + 1,
    rounds: await roundProgress(db, eventId),
  };
}

/** Invitations go out only for a published event that takes registrations. */
function assertInvitable(event: EventRecord): void {
  if (event.status !== 'published') {
    throw new DomainError('conflict', 'invitations:errors.notPublished');
  }
}

/** One sender at a time per event, so two clicks at once do the work once. */
async function lockInvitations(tx: Queryable, eventId: number): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('invitations:' || $1::text, 0))`, [eventId]);
}

/** Writes one mail of `kind`/`topic` to each of these invitees still reachable, with their jobs. */
async function queueInviteeMails(
  tx: Queryable,
  eventId: number,
  candidates: readonly q.Invitee[],
  m: { kind: MailKind; topic: string; at: Date },
): Promise<{ reachable: q.Invitee[]; queued: number }> {
  const emails = candidates.map((i) => i.email);
  const registered = await registeredEmails(tx, eventId, emails);
  const blocked = await blockedEmails(tx, eventId, emails);
  const reachable = candidates.filter(
    (i) => !registered.has(i.email.toLowerCase()) && !blocked.has(i.email.toLowerCase()),
  );
  const recipients: InviteeRecipient[] = reachable.map((i) => ({
    inviteeId: i.id,
    eventId,
    email: i.email,
    locale: i.locale,
  }));
  const ids = await insertInviteeMails(tx, { ...m, recipients });
  // Those who had the topic's mail already got no new row: `queued` counts the new ones.
  return { reachable, queued: ids.length };
}

/**
 * Sends the invitation to every invitee not yet invited (one mail each, in their language), skipping
 * those registered or unsubscribed. Returns how many were queued; a second run queues none.
 */
export async function sendInvitations(
  pool: pg.Pool,
  event: EventRecord,
  ctx: ActingContext,
): Promise<{ sent: number }> {
  assertInvitable(event);
  return withTransaction(pool, async (tx) => {
    await lockInvitations(tx, event.id);
    const candidates = (await q.inviteesOfEvent(tx, event.id)).filter(
      (i) => !i.invitedAt && !i.unsubscribedAt && i.registrationId === null,
    );
    const { reachable, queued } = await queueInviteeMails(tx, event.id, candidates, {
      kind: 'event.invitation',
      topic: invitationTopic,
      at: ctx.now,
    });
    await q.setInvited(
      tx,
      reachable.map((i) => i.id),
      ctx.now,
    );
    await audit(tx, event, ctx, 'invitations.sent', { sent: queued });
    return { sent: queued };
  });
}

/**
 * Sends reminder number `reminder` (the next one when not given) to each invited invitee who has not
 * registered or unsubscribed. The number is the key: (invitee, reminder number) is unique in the
 * outbox, so pressing twice, two clicks at once or a retry never reach anyone twice. A number past the
 * next one is refused.
 */
export async function remindInvitees(
  pool: pg.Pool,
  event: EventRecord,
  input: { reminder?: number },
  ctx: ActingContext,
): Promise<{ reminder: number; sent: number }> {
  assertInvitable(event);
  return withTransaction(pool, async (tx) => {
    await lockInvitations(tx, event.id);
    const next = (await lastInviteeTopicNumber(tx, event.id, reminderTopicPrefix)) + 1;
    const reminder = input.reminder ?? next;
    if (!Number.isInteger(reminder) || reminder < 1 || reminder > next) {
      throw new DomainError(
        'validation_failed',
        'invitations:errors.reminderNumber',
        { next },
        {
          reminder: 'invitations:errors.reminderNumber',
        },
      );
    }
    const candidates = (await q.inviteesOfEvent(tx, event.id)).filter(
      (i) => i.invitedAt && !i.unsubscribedAt && i.registrationId === null,
    );
    const { queued } = await queueInviteeMails(tx, event.id, candidates, {
      kind: 'event.invitation_reminder',
      topic: `${reminderTopicPrefix}${reminder}`,
      at: ctx.now,
    });
    await audit(tx, event, ctx, 'invitations.reminded', { reminder, sent: queued });
    return { reminder, sent: queued };
  });
}

async function audit(
  tx: Queryable,
  event: EventRecord,
  ctx: ActingContext,
  action: string,
  data: Record<string, unknown>,
): Promise<void> {
  await insertAuditEntry(tx, {
    at: ctx.now,
    actor: ctx.actor,
    userId: ctx.userId ?? null,
    action,
    eventId: event.id,
    data,
  });
}

/**
 * The form's values an invitation link fills in (name, organisation, e-mail, language, and the token
 * itself, so the registration links back); nothing when the token is not an invitation to this event.
 */
export async function invitationFormValues(
  db: Queryable,
  eventId: number,
  token: string,
): Promise<Record<string, string> | undefined> {
  const invitee = await inviteeForLink(db, token, 'register');
  if (!invitee || invitee.eventId !== eventId) return undefined;
  return {
    email: invitee.email,
    familyName: invitee.familyName,
    givenName: invitee.givenName,
    organisation: invitee.organisation,
    locale: invitee.locale,
    interpretation: invitee.locale,
    invitation: token,
  };
}

/**
 * Registers from the form like any visitor (every rule of the form applies); when the form came from an
 * invitation link to this event, the invitee is linked to the new registration in its transaction.
 */
export async function registerInvited(
  pool: pg.Pool,
  req: Parameters<typeof registerAttendee>[1] & { invitation: string },
): Promise<RegistrationOutcome> {
  return registerAttendee(pool, {
    ...req,
    after: async (tx, r) => {
      const invitee = await inviteeForLink(tx, req.invitation, 'register');
      if (invitee && invitee.eventId === r.eventId)
        await q.setInviteeRegistration(tx, invitee.id, r.registrationId);
    },
  });
}

/** The invitee and event an invitation mail is for, with why it must not go (when it must not). */
export async function invitationMailFacts(
  db: Queryable,
  inviteeId: number,
): Promise<
  | {
      invitee: q.Invitee;
      event: EventRecord;
      skip?: 'unsubscribed' | 'invitee_registered' | 'event_not_published';
    }
  | undefined
> {
  const invitee = await q.inviteeById(db, inviteeId);
  const event = invitee && (await eventById(db, invitee.eventId));
  if (!invitee || !event) return undefined;
  const key = invitee.email.toLowerCase();
  const registered = await registeredEmails(db, event.id, [key]);
  const blocked = await blockedEmails(db, event.id, [key]);
  const skip =
    invitee.unsubscribedAt || blocked.has(key)
      ? ('unsubscribed' as const)
      : invitee.registrationId !== null || registered.has(key)
        ? ('invitee_registered' as const)
        : event.status !== 'published'
          ? ('event_not_published' as const)
          : undefined;
  return { invitee, event, skip };
}
