import crypto from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer';
import { pickText, type EventRecord } from '../events';
import type { Language } from '../i18n';
import type { MailKind } from '../outbox';
import type { RenderedMail } from './mail.types';

/**
 * Turns a rendered mail into the message handed to the transport: addresses, headers, the calendar
 * part. Pure, so the header rules are tested without a server.
 */

/** "Name <address>" or "address" split into its parts. */
export function parseAddress(value: string): { name: string; address: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  return m ? { name: (m[1] ?? '').trim(), address: m[2]! } : { name: '', address: value.trim() };
}

/**
 * Text that goes into a header (a display name, the subject): line breaks and other control characters
 * become spaces, so no registrant or organiser text can start a header of its own.
 */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
}

/** A new Message-ID on our own domain (the domain of MAIL_FROM). */
export function newMessageId(mailFrom: string): string {
  const domain = parseAddress(mailFrom).address.split('@')[1] ?? 'localhost';
  return `<${crypto.randomUUID()}@${domain}>`;
}

export interface ComposeInput {
  kind: MailKind;
  lang: Language;
  event: EventRecord;
  to: { name: string; address: string };
  rendered: RenderedMail;
  /** The calendar object and its method; the MIME method and the METHOD line are the same. */
  invite?: { method: 'REQUEST' | 'CANCEL'; ics: string };
  /**
   * Optional kinds: the personal one-click URL (RFC 8058) and the address a mail client's "unsubscribe"
   * may write to instead (a person reads it there and follows the URL in the body).
   */
  unsubscribe?: { url: string; mailto: string };
  mailFrom: string;
  messageId: string;
  date: Date;
}

/**
 * The message: From carries the organiser's name (in the recipient's language) with our sending
 * address, Reply-To the event's contact, so replies reach a person. Auto-Submitted keeps auto-responders
 * quiet (RFC 3834).
 */
export function composeMessage(m: ComposeInput): Mail.Options {
  const from = parseAddress(m.mailFrom);
  const organiser = pickText(m.event.organisers, m.lang)?.text;
  return {
    from: { name: headerText(organiser ?? from.name), address: from.address },
    to: { name: headerText(m.to.name), address: m.to.address },
    replyTo: m.event.contactEmail ?? undefined,
    subject: headerText(m.rendered.subject),
    text: m.rendered.text,
    html: m.rendered.html,
    messageId: m.messageId,
    date: m.date,
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Tsunagaru-Kind': m.kind,
      'Content-Language': m.lang,
      ...(m.unsubscribe && unsubscribeHeaders(m.unsubscribe)),
    },
    icalEvent: m.invite && {
      method: m.invite.method,
      filename: m.invite.method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
      content: m.invite.ics,
    },
  };
}

/**
 * RFC 2369 and RFC 8058: the https URL first (a mail provider POSTs "List-Unsubscribe=One-Click" to it,
 * with no cookie), then a mailto whose body carries the same URL.
 */
export function unsubscribeHeaders(u: { url: string; mailto: string }): Record<string, string> {
  const mailto = `mailto:${u.mailto}?subject=${encodeURIComponent('Unsubscribe')}&body=${encodeURIComponent(u.url)}`;
  return {
    'List-Unsubscribe': `<${u.url}>, <${mailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
