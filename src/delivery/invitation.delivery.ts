import type { Config } from '../config';
import type { Queryable } from '../db/pool';
import { eventPageUrl } from '../events';
import { invitationMailFacts, mintInvitationLink, type Invitee } from '../invitations';
import * as q from '../outbox';
import { composeMessage, newMessageId, parseAddress } from './compose';
import type { MailLinks } from './mail.types';
import { renderMail } from './render';
import { displayName } from '../registrations';

/**
 * Delivering an invitation or an invitation reminder: the mail goes to an invitee, not a registrant.
 * At delivery it is skipped when the invitee has registered or unsubscribed meanwhile (here or at any
 * event of the same owner) or the event is no longer published; otherwise it is rendered in the
 * invitee's language with two fresh personal links (the pre-filled form and one-click unsubscribe).
 * The caller holds the row lock and records the outcome of the send.
 */
export async function prepareInvitationMail(
  tx: Queryable,
  deps: { config: Config; now: () => Date },
  mail: q.OutgoingMail,
): Promise<
  { skip: string } | { message: ReturnType<typeof composeMessage>; subject: string; locale: 'en' | 'ja' }
> {
  const facts = mail.inviteeId === null ? undefined : await invitationMailFacts(tx, mail.inviteeId);
  if (!facts) return { skip: q.skipNote('registration_or_event_gone') };
  if (facts.skip) return { skip: q.skipNote(facts.skip) };
  const { invitee, event } = facts;
  const now = deps.now();
  const base = deps.config.baseUrl;
  const mint = (purpose: 'register' | 'unsubscribe') =>
    mintInvitationLink(tx, { inviteeId: invitee.id, purpose, mailId: mail.id, at: now });
  const lang = invitee.locale;
  const eventPage = eventPageUrl(base, event.slug, lang);
  const links: MailLinks = {
    eventPage,
    invitation: `${eventPage}${eventPage.includes('?') ? '&' : '?'}invitation=${await mint('register')}#registration-heading`,
    unsubscribe: `${base}/unsubscribe/${await mint('unsubscribe')}`,
  };
  const rendered = renderMail({ kind: mail.kind, lang, event, registration: recipientOf(invitee), links });
  const message = composeMessage({
    kind: mail.kind,
    lang,
    event,
    to: { name: displayName(invitee), address: invitee.email },
    rendered,
    unsubscribe: {
      url: links.unsubscribe!,
      mailto: event.contactEmail ?? parseAddress(deps.config.mailFrom).address,
    },
    mailFrom: deps.config.mailFrom,
    messageId: newMessageId(deps.config.mailFrom),
    date: now,
  });
  return { message, subject: rendered.subject, locale: lang };
}

/** The invitee as the mail templates see a recipient (no registration, so no seat details). */
function recipientOf(i: Invitee) {
  return {
    familyName: i.familyName,
    givenName: i.givenName,
    email: i.email,
    status: 'waitlisted' as const,
    interpretation: i.locale,
    locale: i.locale,
  };
}
