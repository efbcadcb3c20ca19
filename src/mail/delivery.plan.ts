import type { EventRecord } from '../events/events.types';
import { pickText } from '../events';
import type { Registration } from '../registrations';
import type { InviteChanges, MailKind } from './mail.types';

/**
 * What a mail should be at the moment it is delivered. Mails are rendered from the CURRENT event and
 * registration, not from a copy taken when they were queued, so a confirmation delivered after the
 * organiser moved the event already shows the new time. That is also why a mail can become pointless
 * (a confirmation for a registration cancelled meanwhile): then it is skipped, with the reason.
 */
export type MailPlan =
  | { send: false; reason: string }
  | {
      send: true;
      /** Mint a personal join link for this mail. */
      join: boolean;
      /** Mint a personal manage link for this mail. */
      manage: boolean;
      invite?: { method: 'REQUEST' | 'CANCEL'; sequence: number };
      changes?: InviteChanges;
    };

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
export function planMail(kind: MailKind, reg: Registration, event: EventRecord): MailPlan {
  const sequence = inviteSequence(event, reg);
  const published = event.status === 'published';
  switch (kind) {
    case 'registration.confirmed':
    case 'registration.promoted':
      if (reg.status !== 'confirmed') return skip('the registration is no longer confirmed');
      if (!published) return skip('the event is not published');
      return { send: true, join: true, manage: true, invite: { method: 'REQUEST', sequence } };
    case 'registration.waitlisted':
      if (reg.status !== 'waitlisted') return skip('the registration is no longer on the waiting list');
      if (!published) return skip('the event is not published');
      return { send: true, join: false, manage: true };
    case 'registration.already_registered':
      if (reg.status === 'cancelled') return skip('the registration was cancelled');
      if (!published) return skip('the event is not published');
      if (reg.status === 'confirmed') {
        return { send: true, join: true, manage: true, invite: { method: 'REQUEST', sequence } };
      }
      return { send: true, join: false, manage: true };
    case 'registration.cancelled':
      if (reg.status !== 'cancelled') return skip('the registration is live again');
      return {
        send: true,
        join: false,
        manage: false,
        invite: holdsInvite(reg) ? { method: 'CANCEL', sequence } : undefined,
      };
    case 'event.updated':
      return planUpdate(reg, event, sequence);
    case 'event.cancelled':
      if (event.status !== 'cancelled') return skip('the event is no longer cancelled');
      if (reg.status === 'cancelled') return skip('the registration was cancelled');
      return {
        send: true,
        join: false,
        manage: false,
        invite: reg.status === 'confirmed' && holdsInvite(reg) ? { method: 'CANCEL', sequence } : undefined,
      };
  }
}

function planUpdate(reg: Registration, event: EventRecord, sequence: number): MailPlan {
  if (event.status !== 'published') return skip('the event is not published');
  if (reg.status !== 'confirmed') return skip('the registration is not confirmed');
  // The confirmation has not gone out yet: when it does, it carries the current details.
  if (!reg.inviteSent) return skip('the confirmation, still to be delivered, carries the current details');
  if (reg.inviteSent.sequence >= sequence) return skip("the registrant's calendar is already up to date");
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

function skip(reason: string): MailPlan {
  return { send: false, reason };
}
