/**
 * Why a mail was skipped (or taken back), stored as a code in `outgoing_mails.last_error` and
 * translated where it is shown (`attendees:mails.reasons.<code>`), so the Japanese workspace does not
 * show English sentences. A code may carry one detail after a colon: `later_reminder_due:PT3H`,
 * `replaced:event.updated`. Failures keep the mail server's own words, which no one can translate.
 */
export const skipReasons = [
  'registration_not_confirmed',
  'registration_not_waitlisted',
  'registration_cancelled',
  'registration_live_again',
  'registration_decided',
  'registration_not_declined',
  'event_not_published',
  'event_not_cancelled',
  'event_started',
  'unsubscribed',
  'reminder_removed',
  'reminder_not_due',
  'seat_after_moment',
  'later_reminder_due',
  'follow_up_removed',
  'follow_up_not_due',
  'follow_up_too_late',
  'confirmation_pending',
  'calendar_up_to_date',
  'registration_or_event_gone',
  'message_gone',
  'replaced',
  'invitee_registered',
  'erased',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** The stored note for a reason, with its detail when it has one. */
export function skipNote(reason: SkipReason, detail?: string): string {
  return detail ? `${reason}:${detail}` : reason;
}

/** A stored note read back: the reason and its detail, or undefined for free text (a server's answer). */
export function parseSkipNote(note: string): { reason: SkipReason; detail?: string } | undefined {
  const colon = note.indexOf(':');
  const reason = colon < 0 ? note : note.slice(0, colon);
  if (!(skipReasons as readonly string[]).includes(reason)) return undefined;
  return { reason: reason as SkipReason, detail: colon < 0 ? undefined : note.slice(colon + 1) };
}
