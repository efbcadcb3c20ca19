/**
 * The outbox as other folders see it. Domains record a mail inside their transaction (`queueMail`, or
 * `queueEventMails` with recipients src/registrations picked) and look at a registrant's mails; delivery
 * (src/delivery, above the domains) takes rows from here to send them. `outgoing_mails` is queried
 * only in this folder, and this folder reads no other domain's table.
 */
export { queueMail, queueEventMails } from './outbox';
export { mailKinds, optionalKinds, invitationKinds, type MailKind } from './mail-kinds';
export { skipReasons, skipNote, parseSkipNote, type SkipReason } from './mail-notes';
export {
  mailsForRegistration,
  skipPendingMailsOf,
  markMailFailed,
  markMailSkipped,
  deleteMail,
  type MailToQueue,
  type MailRecipient,
  type MailStatus,
  type OutgoingMail,
  type RegistrationMail,
} from './outbox.queries';
export {
  lockRegistrationMail,
  tryLockRegistrationMail,
  leaseDueMails,
  mailIsDue,
  unclaimMail,
  markMailSent,
  renewLease,
  giveBackMail,
  markMailForRetry,
  markSendingMailFailed,
  claimOf,
  type MailClaim,
} from './delivery.queries';
export {
  insertTopicMails,
  topicTallies,
  messageMailCount,
  messageMailTallies,
  insertInviteeMails,
  lastInviteeTopicNumber,
  inviteeMailTallies,
  type InviteeRecipient,
} from './topics.queries';
export {
  mailsAbout,
  scrubMails,
  scrubEventInviteeMails,
  erasedRecipient,
  type PersonMail,
} from './erasure.queries';
export { removeMailFiles } from './mail-files';
