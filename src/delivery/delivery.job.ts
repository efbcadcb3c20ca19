import type pg from 'pg';
import { buildInvite, registrationUid } from '../calendar';
import type { Config } from '../config';
import { withTransaction, type Queryable } from '../db/pool';
import { eventById, eventFiles, eventPageUrl, pickText, type EventFile, type EventRecord } from '../events';
import { loggerFor } from '../logger';
import {
  displayName,
  mintLinkToken,
  registrationById,
  setInviteSent,
  type LinkPurpose,
  type Registration,
} from '../registrations';
import { eventMessageById, type EventMessage } from '../messages';
import { composeMessage, newMessageId, parseAddress } from './compose';
import { planMail, type MailPlan } from './delivery.plan';
import type { MailLinks } from './mail.types';
import * as q from '../outbox';
import { renderMail } from './render';
import { prepareInvitationMail } from './invitation.delivery';
import { withFileMaterials } from './render-model';
import type { MailTransport } from './transport';
import { personalZoomLink } from '../zoom';

const log = loggerFor('mail');

/**
 * Delivering one outgoing mail, the job behind every row of outgoing_mails.
 *
 * In one transaction: take a per-registration advisory lock (one mail per registrant at a time, so an
 * update never overtakes the confirmation), lock the row if it is due, decide what the mail must be now
 * (delivery.plan.ts), mint its personal links, render, hand it to the transport, and record the outcome.
 * A crash anywhere before the commit rolls all of it back and the row stays pending, to be taken again.
 * The one case that can repeat a mail: the server accepted it and the process died before the commit.
 */

/** How temporary failures are retried: doubling delays up to a ceiling, for a number of attempts. */
export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
  maxAttempts: number;
}

/**
 * 1, 2, 4 … minutes, then hourly: the 32nd attempt comes about 26 hours after the first, so a mail
 * server that is down for a day still gets every mail.
 */
export const defaultRetryPolicy: RetryPolicy = { baseSeconds: 60, maxSeconds: 3600, maxAttempts: 32 };

/** The delay after the `attempt`-th failed attempt. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
}

export interface DeliveryDeps {
  pool: pg.Pool;
  transport: MailTransport;
  config: Config;
  now: () => Date;
  policy: RetryPolicy;
}

export type DeliveryOutcome =
  'sent' | 'skipped' | 'retracted' | 'retry' | 'failed' | 'not_due' | 'busy' | 'waiting_for_zoom';

/** How long a mail with a join link waits for the registrant's own Zoom link, and how often it looks. */
export const ZOOM_WAIT_SECONDS = 60;
const ZOOM_LOOK_SECONDS = 3;

/**
 * The registrant's own Zoom join URL for a mail with a join link; 'wait' (the mail is queued again a
 * few seconds later) while the Zoom sync has not settled and the mail is younger than a minute. After
 * that the mail goes either way: the personal /join link finds the Zoom link when it is known.
 */
async function zoomLinkOrWait(
  tx: Queryable,
  mail: q.OutgoingMail,
  event: EventRecord,
  now: Date,
): Promise<string | undefined | 'wait'> {
  if (!event.zoom) return undefined;
  const { joinUrl, settled } = await personalZoomLink(tx, mail.registrationId);
  if (joinUrl) return joinUrl;
  if (settled || now.getTime() - mail.createdAt.getTime() >= ZOOM_WAIT_SECONDS * 1000) return undefined;
  await q.enqueueDelivery(tx, mail.id, secondsFromNow(ZOOM_LOOK_SECONDS));
  return 'wait';
}

/** Seconds to wait before trying again when another worker is sending to the same registrant. */
const BUSY_DELAY_SECONDS = 2;

/** Delivers one mail if it is due; see the module comment. */
export async function deliverMail(deps: DeliveryDeps, mailId: number): Promise<DeliveryOutcome> {
  const outcome = await withTransaction(deps.pool, async (tx) => {
    const registrationId = await q.queuedMailRegistrationId(tx, mailId);
    if (registrationId === undefined) return 'not_due' as const;
    // An invitee's mail (no registration): the row lock alone keeps it to one delivery.
    if (registrationId === 0) {
      const mail = await q.lockDueMail(tx, mailId);
      return mail ? deliverInvitation(tx, deps, mail) : ('not_due' as const);
    }
    if (!(await q.tryLockRegistrationMail(tx, registrationId))) {
      await q.enqueueDelivery(tx, mailId, secondsFromNow(BUSY_DELAY_SECONDS));
      return 'busy' as const;
    }
    const mail = await q.lockDueMail(tx, mailId);
    if (!mail) return 'not_due' as const;
    return deliverLocked(tx, deps, mail);
  });
  log.debug({ mailId, outcome }, 'mail delivery');
  return outcome;
}

async function deliverLocked(
  tx: Queryable,
  deps: DeliveryDeps,
  mail: q.OutgoingMail,
): Promise<DeliveryOutcome> {
  const [registration, event] = await Promise.all([
    registrationById(tx, mail.registrationId),
    eventById(tx, mail.eventId),
  ]);
  if (!registration || !event) {
    await q.markMailSkipped(tx, mail.id, q.skipNote('registration_or_event_gone'));
    return 'skipped';
  }
  if (!(q.mailKinds as readonly string[]).includes(mail.kind)) {
    // A row of a kind this version has no templates for (written by a newer version before a rollback)
    // cannot be rendered now or later: say so rather than retry forever.
    await q.markMailFailed(tx, mail.id, `could not prepare the mail: no templates for ${mail.kind}`);
    log.error({ mailId: mail.id, kind: mail.kind }, 'mail of an unknown kind');
    return 'failed';
  }
  const now = deps.now();
  const plan = planMail(mail.kind, registration, event, { now, topic: mail.topic });
  if (!plan.send) {
    if ('retract' in plan) {
      await q.deleteMail(tx, mail.id);
      log.info({ mailId: mail.id, kind: mail.kind, reason: plan.reason }, 'mail taken back until it is due');
      return 'retracted';
    }
    await q.markMailSkipped(tx, mail.id, plan.reason);
    return 'skipped';
  }
  const message = mail.eventMessageId === null ? undefined : await eventMessageById(tx, mail.eventMessageId);
  if (mail.kind === 'event.message' && !message) {
    await q.markMailSkipped(tx, mail.id, q.skipNote('message_gone'));
    return 'skipped';
  }
  const zoomJoin = plan.join && deps.config.zoom ? await zoomLinkOrWait(tx, mail, event, now) : undefined;
  if (zoomJoin === 'wait') return 'waiting_for_zoom';
  const lang = registration.locale;
  const links: MailLinks = { eventPage: eventPageUrl(deps.config.baseUrl, event.slug, lang) };
  const mint = (purpose: LinkPurpose) =>
    mintLinkToken(tx, { registrationId: registration.id, purpose, mailId: mail.id, at: now });
  if (plan.join) links.join = `${deps.config.baseUrl}/join/${await mint('join')}`;
  if (zoomJoin) links.zoomJoin = zoomJoin;
  if (plan.manage) links.manage = `${deps.config.baseUrl}/manage/${await mint('manage')}`;
  if (plan.unsubscribe) links.unsubscribe = `${deps.config.baseUrl}/unsubscribe/${await mint('unsubscribe')}`;
  // Uploaded files are linked through the manage token, so only a mail with one can list them.
  const files = links.manage ? await eventFiles(tx, event.id) : [];

  let prepared: { message: ReturnType<typeof composeMessage>; subject: string };
  try {
    prepared = prepare(deps, { mail, registration, event, plan, links, files, now, message });
  } catch (err) {
    // A mail that cannot be rendered never will be: say so rather than retry forever.
    const text = `could not prepare the mail: ${(err as Error).message}`.slice(0, 2000);
    await q.markMailFailed(tx, mail.id, text);
    log.error({ err, mailId: mail.id, kind: mail.kind }, 'mail could not be prepared');
    return 'failed';
  }

  try {
    await deps.transport.send(prepared.message, { mailId: mail.id, at: now });
  } catch (err) {
    return recordFailure(tx, deps.policy, mail, err);
  }
  await q.markMailSent(tx, mail.id, {
    messageId: String(prepared.message.messageId),
    subject: prepared.subject,
    locale: registration.locale,
    at: now,
  });
  if (plan.invite) await setInviteSent(tx, registration.id, snapshot(event, plan.invite));
  return 'sent';
}

/** Sends an invitation or invitation reminder whose row is locked, or skips it (see invitation.delivery.ts). */
async function deliverInvitation(
  tx: Queryable,
  deps: DeliveryDeps,
  mail: q.OutgoingMail,
): Promise<DeliveryOutcome> {
  let prepared: Awaited<ReturnType<typeof prepareInvitationMail>>;
  try {
    prepared = await prepareInvitationMail(tx, deps, mail);
  } catch (err) {
    await q.markMailFailed(
      tx,
      mail.id,
      `could not prepare the mail: ${(err as Error).message}`.slice(0, 2000),
    );
    log.error({ err, mailId: mail.id, kind: mail.kind }, 'mail could not be prepared');
    return 'failed';
  }
  if ('skip' in prepared) {
    await q.markMailSkipped(tx, mail.id, prepared.skip);
    return 'skipped';
  }
  try {
    await deps.transport.send(prepared.message, { mailId: mail.id, at: deps.now() });
  } catch (err) {
    return recordFailure(tx, deps.policy, mail, err);
  }
  await q.markMailSent(tx, mail.id, {
    messageId: String(prepared.message.messageId),
    subject: prepared.subject,
    locale: prepared.locale,
    at: deps.now(),
  });
  return 'sent';
}

/** Renders the mail and its invite and composes the message. Pure apart from the clock and ids. */
function prepare(
  deps: DeliveryDeps,
  x: {
    mail: q.OutgoingMail;
    registration: Registration;
    event: EventRecord;
    plan: Extract<MailPlan, { send: true }>;
    links: MailLinks;
    files: EventFile[];
    now: Date;
    message?: EventMessage;
  },
) {
  const { mail, registration, event, plan, links, now } = x;
  const lang = registration.locale;
  const rendered = renderMail({
    kind: mail.kind,
    lang,
    event: withFileMaterials(event, x.files, links.manage),
    registration: { ...registration, locale: lang },
    links,
    changes: plan.changes,
    reminder: plan.minutesBefore === undefined ? undefined : { minutesBefore: plan.minutesBefore },
    followUp:
      plan.attended === undefined || !event.followUp
        ? undefined
        : {
            attended: plan.attended,
            text: plan.attended ? event.followUp.attended : event.followUp.absent,
            materials: event.followUp.materials,
          },
    message: x.message && { subject: x.message.subject, body: x.message.body },
  });
  const invite = plan.invite && {
    method: plan.invite.method,
    ics: buildInvite({
      method: plan.invite.method,
      uid: registrationUid(event.id, registration.id, deps.config.baseUrl),
      sequence: plan.invite.sequence,
      stamp: now,
      event,
      lang,
      eventUrl: links.eventPage,
      joinUrl: links.join,
      organizer: organizer(deps.config, event, lang),
      attendee: { name: displayName(registration), email: registration.email },
    }),
  };
  const messageId = newMessageId(deps.config.mailFrom);
  const message = composeMessage({
    kind: mail.kind,
    lang,
    event,
    to: { name: displayName(registration), address: registration.email },
    rendered,
    invite,
    unsubscribe:
      links.unsubscribe === undefined
        ? undefined
        : {
            url: links.unsubscribe,
            mailto: event.contactEmail ?? parseAddress(deps.config.mailFrom).address,
          },
    mailFrom: deps.config.mailFrom,
    messageId,
    date: now,
  });

  return { message, subject: rendered.subject };
}

/** What the registrant's calendar holds after this invite. */
function snapshot(event: EventRecord, invite: { method: 'REQUEST' | 'CANCEL'; sequence: number }) {
  return {
    sequence: invite.sequence,
    method: invite.method,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    title: event.title,
    meetingUrl: event.meetingUrl,
  };
}

/**
 * Permanent: a 5xx answer to this recipient or this message (RCPT TO, DATA). Everything else is
 * temporary and retried: 4xx, a lost connection, a full disk, and also a 5xx to our login or our sender
 * address, which is the installation's problem to fix, not a reason to give up on the registrant.
 */
export function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: unknown; command?: unknown };
  const code = e.responseCode;
  return (
    typeof code === 'number' && code >= 500 && code < 600 && (e.command === 'RCPT TO' || e.command === 'DATA')
  );
}

/** The server's own words when it gave any, else the error. */
export function failureText(err: unknown): string {
  const e = err as { response?: unknown; message?: unknown; code?: unknown };
  const text = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? err);
  return (typeof e.code === 'string' && !text.includes(e.code) ? `${e.code}: ${text}` : text).slice(0, 2000);
}

async function recordFailure(
  tx: Queryable,
  policy: RetryPolicy,
  mail: q.OutgoingMail,
  err: unknown,
): Promise<DeliveryOutcome> {
  const text = failureText(err);
  if (isPermanent(err)) {
    await q.markMailFailed(tx, mail.id, text);
    log.warn({ mailId: mail.id, kind: mail.kind, error: text }, 'mail refused for good');
    return 'failed';
  }
  if (mail.attempts >= policy.maxAttempts) {
    await q.markMailFailed(tx, mail.id, `gave up after ${mail.attempts} attempts: ${text}`);
    log.warn({ mailId: mail.id, kind: mail.kind, error: text }, 'mail given up after repeated failures');
    return 'failed';
  }
  const delaySeconds = retryDelaySeconds(policy, mail.attempts);
  const next = await q.markMailForRetry(tx, mail.id, { error: text, delaySeconds });
  await q.enqueueDelivery(tx, mail.id, next);
  log.info({ mailId: mail.id, attempt: mail.attempts, delaySeconds, error: text }, 'mail deferred');
  return 'retry';
}

function organizer(config: Config, event: EventRecord, lang: 'en' | 'ja') {
  const from = parseAddress(config.mailFrom);
  return { name: pickText(event.organisers, lang)?.text ?? (from.name || 'Tsunagaru'), email: from.address };
}

function secondsFromNow(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

/**
 * Re-queues pending mails whose job was lost (a worker killed between taking a job and finishing it,
 * before pg-boss noticed). A duplicate job is harmless: the row lock lets only one delivery happen.
 */
export async function requeueOverdueMails(pool: pg.Pool, overdueSeconds: number): Promise<number> {
  let total = 0;
  let afterId = 0;
  for (;;) {
    const ids = await q.overdueMailIds(pool, { overdueSeconds, afterId, limit: 500 });
    if (!ids.length) return total;
    await q.enqueueDeliveries(pool, ids);
    total += ids.length;
    afterId = ids[ids.length - 1]!;
  }
}
