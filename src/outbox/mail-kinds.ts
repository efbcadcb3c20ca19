/** What kind of mail a row is; delivery picks the template (views/mail/<kind>.{html,text}.ejs) by it. */
export const mailKinds = [
  'registration.confirmed',
  'registration.waitlisted',
  'registration.promoted',
  'registration.already_registered',
  'registration.cancelled',
  'registration.pending',
  'registration.declined',
  'event.updated',
  'event.cancelled',
  'event.reminder',
  'event.follow_up',
  'event.message',
  'event.invitation',
  'event.invitation_reminder',
] as const;
export type MailKind = (typeof mailKinds)[number];

/**
 * Mails a registrant may stop (List-Unsubscribe, RFC 8058): reminders, the follow-up and the organiser's
 * messages. Every other kind is transactional (it confirms or changes their registration) and always goes.
 */
export const optionalKinds: readonly MailKind[] = ['event.reminder', 'event.follow_up', 'event.message'];

/**
 * Mails to an invitee (not yet a registrant): the invitation and its reminders. They always carry the
 * one-click unsubscribe link, which stops every invitation from the event's owner.
 */
export const invitationKinds: readonly MailKind[] = ['event.invitation', 'event.invitation_reminder'];
