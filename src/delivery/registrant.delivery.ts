import { buildInvite, registrationUid } from '../calendar';
import type { Config } from '../config';
import type { Queryable } from '../db/pool';
import { eventById, eventFiles, eventPageUrl, pickText, type EventFile, type EventRecord } from '../events';
import { loggerFor } from '../logger';
import { eventMessageById, type EventMessage } from '../messages';
import * as q from '../outbox';
import {
  displayName,
  registrationsByIds,
  type LinkPurpose,
  type LinkTokenBatch,
  type Registration,
} from '../registrations';
import { personalZoomLink } from '../zoom';
import { composeMessage, newMessageId, parseAddress } from './compose';
import { planMail, type MailPlan } from './delivery.plan';
import type { ClaimedMail, DeliveryOutcome } from './delivery.types';
import type { MailLinks } from './mail.types';
import { renderMail } from './render';
import { withFileMaterials } from './render-model';

const log = loggerFor('mail');

/** How long a mail with a join link waits for the registrant's own Zoom link, and how often it looks. */
export const ZOOM_WAIT_SECONDS = 60;
const ZOOM_LOOK_SECONDS = 3;

/** A mail ready to send, or what became of it instead (the row already says so). */
export type Prepared = Omit<ClaimedMail, 'mail' | 'at'> | { outcome: DeliveryOutcome };

/**
 * What the mails of one claim read, read once for the whole batch: the registrants, and each event with
 * its files (a batch is mostly one event's mails); organisers' messages as they are asked for.
 */
export interface BatchReads {
  registrations: Map<number, Registration>;
  events: Map<number, { event: EventRecord; files: EventFile[] }>;
  message(id: number): Promise<EventMessage | undefined>;
}

/** Reads what the registrants' mails of a batch need, in one round trip. */
export async function readBatch(tx: Queryable, mails: readonly q.OutgoingMail[]): Promise<BatchReads> {
  const eventIds = [...new Set(mails.filter((m) => m.registrationId !== 0).map((m) => m.eventId))];
  const [registrations, ...events] = await Promise.all([
    registrationsByIds(
      tx,
      mails.filter((m) => m.registrationId !== 0).map((m) => m.registrationId),
    ),
    ...eventIds.map((id) => Promise.all([eventById(tx, id), eventFiles(tx, id)])),
  ]);
  const byEvent = new Map<number, { event: EventRecord; files: EventFile[] }>();
  for (const [event, files] of events) if (event) byEvent.set(event.id, { event, files });
  const messages = new Map<number, Promise<EventMessage | undefined>>();
  return {
    registrations,
    events: byEvent,
    message(id) {
      if (!messages.has(id)) messages.set(id, eventMessageById(tx, id));
      return messages.get(id)!;
    },
  };
}

/** A claim's transaction, what it read, the tokens it mints and its moment. */
export interface BatchContext {
  tx: Queryable;
  config: Config;
  now: Date;
  reads: BatchReads;
  tokens: LinkTokenBatch;
}

/**
 * Decides what a registrant's mail must be now (delivery.plan.ts), mints its personal links, renders
 * and composes it, in the claim's transaction with the row leased and locked. A mail that must not go
 * is skipped, taken back or failed here, and one waiting for its Zoom link is queued again.
 */
export async function prepareRegistrantMail(ctx: BatchContext, mail: q.OutgoingMail): Promise<Prepared> {
  const { tx, now } = ctx;
  const registration = ctx.reads.registrations.get(mail.registrationId);
  const read = ctx.reads.events.get(mail.eventId);
  if (!registration || !read || registration.eventId !== mail.eventId) {
    await q.markMailSkipped(tx, mail.id, q.skipNote('registration_or_event_gone'));
    return { outcome: 'skipped' };
  }
  const { event } = read;
  if (!(q.mailKinds as readonly string[]).includes(mail.kind)) {
    // A row of a kind this version has no templates for (written by a newer version before a rollback)
    // cannot be rendered now or later: say so rather than retry forever.
    await q.markMailFailed(tx, mail.id, `could not prepare the mail: no templates for ${mail.kind}`);
    log.error({ mailId: mail.id, kind: mail.kind }, 'mail of an unknown kind');
    return { outcome: 'failed' };
  }
  const plan = planMail(mail.kind, registration, event, { now, topic: mail.topic });
  if (!plan.send) {
    if ('retract' in plan) {
      await q.deleteMail(tx, mail.id);
      log.info({ mailId: mail.id, kind: mail.kind, reason: plan.reason }, 'mail taken back until it is due');
      return { outcome: 'retracted' };
    }
    await q.markMailSkipped(tx, mail.id, plan.reason);
    return { outcome: 'skipped' };
  }
  const message = mail.eventMessageId === null ? undefined : await ctx.reads.message(mail.eventMessageId);
  if (mail.kind === 'event.message' && !message) {
    await q.markMailSkipped(tx, mail.id, q.skipNote('message_gone'));
    return { outcome: 'skipped' };
  }
  const zoomJoin = plan.join && ctx.config.zoom ? await zoomLinkOrWait(tx, mail, event, now) : undefined;
  if (zoomJoin === 'wait') return { outcome: 'waiting_for_zoom' };
  const links = personalLinks(ctx, { mail, registration, event, plan });
  if (zoomJoin) links.zoomJoin = zoomJoin;
  // Uploaded files are linked through the manage token, so only a mail with one can list them.
  const files = links.manage ? read.files : [];
  let composed: ReturnType<typeof compose>;
  try {
    composed = compose(ctx.config, { mail, registration, event, plan, links, files, now, message });
  } catch (err) {
    return { outcome: await markUnpreparable(tx, mail, err) };
  }
  return {
    ...composed,
    locale: registration.locale,
    invite: plan.invite && { registrationId: registration.id, snapshot: snapshot(event, plan.invite) },
  };
}

/** A mail that cannot be rendered never will be: marked failed with the reason, rather than retried forever. */
export async function markUnpreparable(tx: Queryable, mail: q.OutgoingMail, err: unknown): Promise<'failed'> {
  await q.markMailFailed(tx, mail.id, `could not prepare the mail: ${(err as Error).message}`.slice(0, 2000));
  log.error({ err, mailId: mail.id, kind: mail.kind }, 'mail could not be prepared');
  return 'failed';
}

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
  await q.unclaimMail(tx, mail.id, ZOOM_LOOK_SECONDS);
  return 'wait';
}

/** The event page and the fresh personal links the plan asks for (tokens minted for this mail). */
function personalLinks(
  ctx: BatchContext,
  x: { mail: q.OutgoingMail; registration: Registration; event: EventRecord; plan: SendPlan },
): MailLinks {
  const { mail, registration, plan } = x;
  const base = ctx.config.baseUrl;
  const links: MailLinks = { eventPage: eventPageUrl(base, x.event.slug, registration.locale) };
  const purposes = (['join', 'manage', 'unsubscribe'] as const).filter((p) => plan[p]);
  const tokens: Partial<Record<LinkPurpose, string>> = ctx.tokens.mint({
    registrationId: registration.id,
    purposes,
    mailId: mail.id,
    at: ctx.now,
  });
  if (tokens.join) links.join = `${base}/join/${tokens.join}`;
  if (tokens.manage) links.manage = `${base}/manage/${tokens.manage}`;
  if (tokens.unsubscribe) links.unsubscribe = `${base}/unsubscribe/${tokens.unsubscribe}`;
  return links;
}

type SendPlan = Extract<MailPlan, { send: true }>;

/** Renders the mail and its invite and composes the message. Pure apart from the clock and ids. */
function compose(
  config: Config,
  x: {
    mail: q.OutgoingMail;
    registration: Registration;
    event: EventRecord;
    plan: SendPlan;
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
      uid: registrationUid(event.id, registration.id, config.baseUrl),
      sequence: plan.invite.sequence,
      stamp: now,
      event,
      lang,
      eventUrl: links.eventPage,
      joinUrl: links.join,
      organizer: organizer(config, event, lang),
      attendee: { name: displayName(registration), email: registration.email },
    }),
  };
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
        : { url: links.unsubscribe, mailto: event.contactEmail ?? parseAddress(config.mailFrom).address },
    mailFrom: config.mailFrom,
    messageId: newMessageId(config.mailFrom),
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

function organizer(config: Config, event: EventRecord, lang: 'en' | 'ja') {
  const from = parseAddress(config.mailFrom);
  return { name: pickText(event.organisers, lang)?.text ?? (from.name || 'Tsunagaru'), email: from.address };
}
