/**
 * Invitations as other folders see them: import a contact list, send invitations and reminders, the
 * pre-filled form behind an invitation link, one-click unsubscribe, and what delivery needs to send
 * an invitee's mail.
 */
export { readContactFile, maxListBytes, type FileProblem } from './contact-file';
export { maxContacts, type ContactRow } from './contacts';
export {
  previewContacts,
  importInvitees,
  removeInvitee,
  firstLanguage,
  type ImportPreview,
  type PreviewRow,
  type SkipCode,
  type ActingContext,
} from './import.service';
export {
  inviteeList,
  sendInvitations,
  remindInvitees,
  invitationFormValues,
  registerInvited,
  invitationMailFacts,
  invitationTopic,
  reminderTopicPrefix,
  type InviteeState,
  type InviteeWithState,
} from './invitations.service';
export {
  mintInvitationLink,
  inviteeForUnsubscribeLink,
  unsubscribeInvitee,
  resubscribeInvitee,
  type InviteeWithEvent,
} from './links';
export {
  inviteesByEmail,
  deleteInviteesByEmail,
  anonymiseEventInvitees,
  type Invitee,
} from './invitations.queries';
