/**
 * Mail as other domains see it: record a mail to send inside your transaction (see outbox.ts).
 * Delivery (delivery.job.ts) is started by the worker role and is not exported here, so that domains
 * the delivery reads (events, registrations) can depend on this module without a cycle.
 */
export { queueMail, queueEventMails } from './outbox';
export type { MailToQueue, OutgoingMail, RegistrationMail } from './outbox.queries';
export { mailsForRegistration } from './outbox.queries';
export { mailKinds, type MailKind } from './mail.types';
