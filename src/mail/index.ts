/**
 * Mail as other domains see it: record a mail to send inside your transaction. Delivery happens after
 * commit, in the worker, so a failed send never loses a registration and a rolled-back registration
 * never sends a mail.
 */
export { insertOutgoingMail as queueMail, type MailKind, type MailToQueue } from './outbox.queries';
