import type { EventRecord } from '../events/events.types';
import { pickText } from '../events';
import type { Registration } from '../registrations';
import { offsetAfter, offsetBefore, offsetMinutes } from '../time';
import { skipNote, type MailKind, type SkipReason } from '../outbox';
import { FOLLOW_UP_WINDOW_DAYS } from '../reminders';
import type { InviteChanges } from './mail.types';

/**
 * What a mail should be at the moment it is delivered. Mails are rendered from the CURRENT event and
 * registration, not from a copy taken when they were queued, so a confirmation delivered after the
 * organiser moved the event already shows the new time. That is also why a mail can become pointless
 * (a confirmation for a registration cancelled meanwhile): then it is skipped, with the reason.
 */
export type MailPlan =
  /** `reason`: a stored note (`skipNote`), translated where the workspace shows it. */
  | { send: false; reason: string }
  /**
   * Not now, but perhaps later (a reminder or follow-up whose event moved, was unpublished, or whose
   * registrant is not confirmed at the moment): the row is taken back, and the schedule writes it again
   * if and when it is due for this registrant. A skipped row would block its topic for good.
   */
  | { send: false; reason: string; retract: true }
  | {
      send: true;
      /** Mint a personal join link for this mail. */
      join: boolean;
      /** Mint a personal manage link for this mail. */
      manage: boolean;
      /** Mint a one-click unsubscribe link (optional kinds only). */
      unsubscribe?: boolean;
      invite?: { method: 'REQUEST' | 'CANCEL'; sequence: number };
      changes?: InviteChanges;
      /** event.reminder: minutes left until the start. */
      minutesBefore?: number;
      /** event.follow_up: which version (the registrant used their join link). */
      attended?: boolean;
    };

/** What the mail row says beyond its kind: its topic ('reminder:PT1H', 'follow-up', 'message:17'). */
export interface PlanContext {
  now: Date;
  topic: string | null;
}

/** Since when the registrant holds their seat: a promoted registrant's seat starts at the promotion. */
export function seatSince(reg: Pick<Registration, 'createdAt' | 'promotedAt' | 'decidedAt'>): Date {
  return reg.promotedAt ?? reg.decidedAt ?? reg.createdAt;
}

/**
 * The invite SEQUENCE: the event's revision (rises with every change attendees must hear about) plus
 * the registration's own (rises when the registrant cancels or is restored). Both only ever rise.
 */
function inviteSequence(event: EventRecord, reg: Registration): number {
  return event.revision + reg.inviteRevision;
}

/** True when the registrant's calendar holds a live (not cancelled) entry from us. */
function holdsInvite(reg: Registration): boolean {
  return reg.inviteSent?.method === 'REQUEST';
}

/** Decides whether and how to send a mail of `kind` now. Pure. */
export function planMail(
  kind: MailKind,
  reg: Registration,
  event: EventRecord,
  ctx: PlanContext = { now: new Date(), topic: null },
): MailPlan {
  const sequence = inviteSequence(event, reg);
  const published = event.status === 'published';
  switch (kind) {
    case 'registration.confirmed':
    case 'registration.promoted':
      if (reg.status !== 'confirmed') return skip('registration_not_confirmed');
      if (!published) return skip('event_not_published');
      return { send: true, join: true, manage: true, invite: { method: 'REQUEST', sequence } };
    case 'registration.waitlisted':
      if (reg.status !== 'waitlisted') return skip('registration_not_waitlisted');
      if (!published) return skip('event_not_published');
      return { send: true, join: false, manage: true };
    case 'registration.pending':
      // Received, awaiting the organisers: no join link, no invite; the manage link lets them withdraw.
      if (reg.status !== 'pending') return skip('registration_decided');
      if (!published) return skip('event_not_published');
      return { send: true, join: false, manage: true };
    case 'registration.declined':
      if (reg.status !== 'declined') return skip('registration_not_declined');
      return { send: true, join: false, manage: false };
    case 'registration.already_registered':
      if (reg.status === 'cancelled') return skip('registration_cancelled');
      if (reg.status === 'declined') return skip('registration_decided');
      if (!published) return skip('event_not_published');
      if (reg.status === 'confirmed') {
        return { send: true, join: true, manage: true, invite: { method: 'REQUEST', sequence } };
      }
      return { send: true, join: false, manage: true };
    case 'registration.cancelled':
      if (reg.status !== 'cancelled') return skip('registration_live_again');
      return {
        send: true,
        join: false,
        manage: false,
        invite: holdsInvite(reg) ? { method: 'CANCEL', sequence } : undefined,
      };
    case 'event.updated':
      return planUpdate(reg, event, sequence);
    case 'event.cancelled':
      if (event.status !== 'cancelled') return skip('event_not_cancelled');
      if (reg.status === 'cancelled') return skip('registration_cancelled');
      if (reg.status === 'declined') return skip('registration_decided');
      return {
        send: true,
        join: false,
        manage: false,
        invite: reg.status === 'confirmed' && holdsInvite(reg) ? { method: 'CANCEL', sequence } : undefined,
      };
    case 'event.reminder':
      return planReminder(reg, event, ctx);
    case 'event.follow_up':
      return planFollowUp(reg, event, ctx);
    case 'event.invitation':
    case 'event.invitation_reminder':
      // Invitations go to invitees, not registrations: delivery plans them in invitation.delivery.ts.
      return skip('registration_or_event_gone');
    case 'event.message':
      if (reg.status === 'cancelled') return skip('registration_cancelled');
      if (reg.status !== 'confirmed' && reg.status !== 'waitlisted')
        return skip('registration_not_confirmed');
      if (reg.unsubscribedAt) return skip('unsubscribed');
      if (event.status === 'draft') return skip('event_not_published');
      return {
        send: true,
        join: reg.status === 'confirmed' && published,
        manage: event.status !== 'cancelled',
        unsubscribe: true,
      };
  }
}

/**
 * A reminder goes to a confirmed registrant of a published event who has not unsubscribed, at its
 * moment (the start minus its offset, from the event as it is now) and before the start. It is skipped
 * when the registrant took their seat after its moment (their confirmation is fresher), when the
 * organiser removed it, and when a later reminder is already due (a worker that was down must not send
 * yesterday's reminder and today's together). Moved to a later moment when the event moved.
 */
function planReminder(reg: Registration, event: EventRecord, ctx: PlanContext): MailPlan {
  const offset = ctx.topic?.startsWith('reminder:') ? ctx.topic.slice('reminder:'.length) : '';
  if (event.status !== 'published') return retract('event_not_published');
  if (reg.status !== 'confirmed') return retract('registration_not_confirmed');
  if (reg.unsubscribedAt) return skip('unsubscribed');
  if (!event.reminders.includes(offset)) return skip('reminder_removed');
  if (ctx.now >= event.startsAt) return skip('event_started');
  const moment = offsetBefore(event.startsAt, offset);
  if (seatSince(reg) >= moment) return skip('seat_after_moment');
  if (ctx.now < moment) return retract('reminder_not_due');
  const minutes = offsetMinutes(offset)!;
  const superseded = event.reminders.find((o) => {
    const m = offsetBefore(event.startsAt, o);
    return offsetMinutes(o)! < minutes && m <= ctx.now && seatSince(reg) < m;
  });
  if (superseded) return skip('later_reminder_due', superseded);
  return {
    send: true,
    join: true,
    manage: true,
    unsubscribe: true,
    minutesBefore: Math.round((event.startsAt.getTime() - ctx.now.getTime()) / 60_000),
  };
}

/** The follow-up goes to confirmed registrants after the end, in the version their join clicks decide. */
function planFollowUp(reg: Registration, event: EventRecord, ctx: PlanContext): MailPlan {
  if (event.status !== 'published') return retract('event_not_published');
  if (reg.status !== 'confirmed') return retract('registration_not_confirmed');
  if (reg.unsubscribedAt) return skip('unsubscribed');
  if (!event.followUp) return skip('follow_up_removed');
  const moment = offsetAfter(event.endsAt, event.followUp.after);
  if (ctx.now < moment) return retract('follow_up_not_due');
  if (ctx.now.getTime() - moment.getTime() > FOLLOW_UP_WINDOW_DAYS * 86_400_000) {
    return skip('follow_up_too_late');
  }
  return { send: true, join: false, manage: true, unsubscribe: true, attended: reg.attended };
}

function planUpdate(reg: Registration, event: EventRecord, sequence: number): MailPlan {
  if (event.status !== 'published') return retract('event_not_published');
  if (reg.status !== 'confirmed') return retract('registration_not_confirmed');
  // The confirmation has not gone out yet: when it does, it carries the current details.
  if (!reg.inviteSent) return skip('confirmation_pending');
  if (reg.inviteSent.sequence >= sequence) return skip('calendar_up_to_date');
  return {
    send: true,
    join: true,
    manage: true,
    invite: { method: 'REQUEST', sequence },
    changes: changesSince(reg, event),
  };
}

/** What differs between the registrant's calendar entry and the event now. */
function changesSince(reg: Registration, event: EventRecord): InviteChanges {
  const before = reg.inviteSent!;
  const changes: InviteChanges = { fields: [] };
  if (
    Date.parse(before.startsAt) !== event.startsAt.getTime() ||
    Date.parse(before.endsAt) !== event.endsAt.getTime()
  ) {
    changes.fields.push('time');
    changes.previousStartsAt = new Date(before.startsAt);
    changes.previousEndsAt = new Date(before.endsAt);
  }
  if (
    (before.title.en ?? '') !== (event.title.en ?? '') ||
    (before.title.ja ?? '') !== (event.title.ja ?? '')
  ) {
    changes.fields.push('title');
    changes.previousTitle = pickText(before.title, reg.locale)?.text;
  }
  if (before.meetingUrl !== event.meetingUrl) changes.fields.push('meetingUrl');
  return changes;
}

function skip(reason: SkipReason, detail?: string): MailPlan {
  return { send: false, reason: skipNote(reason, detail) };
}

function retract(reason: SkipReason): MailPlan {
  return { send: false, reason: skipNote(reason), retract: true };
}
