import { displayName } from '../registrations';
import {
  brandView,
  pickText,
  type EventFile,
  type EventRecord,
  type LocalText,
  type Material,
} from '../events';
import type { Language } from '../i18n';
import { formatSpan } from '../time';
import { invitationKinds, optionalKinds, type MailKind } from '../outbox';
import type { RenderInput } from './mail.types';
import { mailT, type Translate } from './mail-translate';
import { mailStyles, type MailStyles } from './render-styles';
import { paragraphs, timeLeft, type Paragraph } from './render-text';

/**
 * What a mail says, worked out once in code so the templates only print: which blocks a kind shows
 * (join link, materials, manage link, calendar sentence), the texts in each section's language and the
 * time in every display zone. The rules about what a recipient may see live here, not in the templates.
 */

/** `t` fixed to one language and the `mail` namespace. */

/** Which calendar sentence a section carries, if any (a key under mail:calendar). */
export type CalendarNote = 'attached' | 'updated' | 'removed' | 'cancelled';

/** One language's copy of the mail body. A bilingual mail has two: the recipient's first. */
export interface MailSection {
  lang: Language;
  t: Translate;
  st: MailStyles;
  /** The language heading, in bilingual mails only. */
  languageHeading?: string;
  /** The recipient's name in its script's order ("Hanako Yamada", "山田 花子"). */
  name: string;
  title: LocalText;
  organisers?: LocalText;
  when: string;
  contactEmail?: string;
  eventPage?: string;
  /** Registration status line (already_registered only). */
  status?: 'confirmed' | 'waitlisted' | 'pending';
  join?: { url: string; passcode?: string; zoomUrl?: string };
  /** The interpretation language's name in this section's language, with the join details. */
  interpretation?: string;
  materials: { title: LocalText; url: string }[];
  manage?: { url: string; label: string };
  calendar?: CalendarNote;
  changes?: SectionChanges;
  /** event.reminder: the time left, in this section's language ("in 1 hour", "1時間後に", "soon"). */
  startsIn?: string;
  /** event.follow_up: which version the registrant gets (they used their join link, or not). */
  attended?: boolean;
  /** The organiser's own words: the follow-up text or the message body, in paragraphs. */
  organiserText?: LocalText & { paragraphs: Paragraph[] };
  /** Personal one-click unsubscribe page (optional and invitation kinds only). */
  unsubscribe?: string;
  /** Invitations: the personal link to the pre-filled registration form. */
  invitation?: string;
}

/** What changed, for event.updated, in the section's language. */
export interface SectionChanges {
  time?: { now: string; previous?: string };
  title?: { now: LocalText; previous?: string };
  meetingUrl?: 'withJoin' | 'withoutJoin';
}

/** Everything a top-level mail template receives. */
export interface MailView {
  kind: MailKind;
  lang: Language;
  subject: string;
  preheader: string;
  st: MailStyles;
  sections: MailSection[];
  /** The organiser profile at the top: the logo (absolute PNG URL, alt = the name) or else the name. */
  brand?: MailBrand;
  /** "The English version follows below", in the second language (bilingual mails only). */
  followsBelow?: { lang: Language; text: string; style: string };
}

/** The organiser profile as a mail shows it. */
export interface MailBrand {
  organisation?: LocalText;
  logo?: { src: string; alt: string; width: number; height: number };
}

/** The accent a mail uses: the event's or the installation's, else the site's (undefined). */
function accentOf(event: RenderInput['event']): string | undefined {
  return brandView(event, 'en').accent?.colour;
}

/**
 * The organiser profile for the mail's top, or undefined when there is none. Images need an absolute
 * address: the site's, taken from the event page link every mail carries.
 */
function mailBrand(input: RenderInput): MailBrand | undefined {
  const view = brandView(input.event, input.lang);
  const page = webUrl(input.links.eventPage);
  const base = page && new URL(page).origin + new URL(page).pathname.replace(/\/events\/[^/]*$/, '');
  const logo =
    view.logo && base
      ? {
          src: base + view.logo.mailSrc,
          alt: view.organisation?.text ?? '',
          width: view.logo.width,
          height: view.logo.height,
        }
      : undefined;
  return logo || view.organisation ? { organisation: view.organisation, logo } : undefined;
}

/** Kinds that hand the registrant their seat: join link, passcode, materials, interpretation. */
const seatKinds: ReadonlySet<MailKind> = new Set([
  'registration.confirmed',
  'registration.promoted',
  'registration.already_registered',
  'event.updated',
  'event.reminder',
  'event.message',
]);

/** Kinds after which there is no registration left to manage. */
const finalKinds: ReadonlySet<MailKind> = new Set([
  'registration.cancelled',
  'registration.declined',
  'event.cancelled',
]);

/**
 * Only http(s) links become hrefs. The event schema already insists on it for materials; this keeps a
 * bad row from turning into a `javascript:` link in someone's inbox.
 */
function webUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\//i.test(url) ? url : undefined;
}

/** Material links in a section's language; anything that is not http(s) is left out. */
function materialsIn(list: readonly Material[], lang: Language): MailSection['materials'] {
  return list.flatMap((m) => {
    const url = webUrl(m.url);
    return url ? [{ url, title: pickText(m.title, lang) ?? { text: url, lang, fallback: false } }] : [];
  });
}

/**
 * Which materials a section lists: the event's go with a seat. The follow-up lists its own first (the
 * recording, the slides as given) and then the event's, again to a confirmed registrant only, as the
 * event's uploaded files open through the manage page for confirmed registrants only.
 */
function materialsFor(input: RenderInput, lang: Language, seat: boolean): MailSection['materials'] {
  if (input.kind !== 'event.follow_up') return seat ? materialsIn(input.event.materials, lang) : [];
  const confirmed = input.registration.status === 'confirmed';
  // A link in both lists is listed once, where the follow-up puts it.
  const own = input.followUp?.materials ?? [];
  const seen = new Set(own.map((m) => m.url));
  const event = confirmed ? input.event.materials.filter((m) => !seen.has(m.url)) : [];
  return materialsIn([...own, ...event], lang);
}

/** The organiser's text a kind carries, in the section's language or else the other one (marked). */
function organiserTextFor(input: RenderInput, lang: Language): MailSection['organiserText'] {
  const texts =
    input.kind === 'event.follow_up'
      ? input.followUp?.text
      : input.kind === 'event.message'
        ? input.message?.body
        : input.kind === 'registration.declined'
          ? (input.registration.declineReason ?? undefined)
          : invitationKinds.includes(input.kind)
            ? input.event.summary
            : undefined;
  const picked = texts && pickText(texts, lang);
  if (!picked) return undefined;
  const paras = paragraphs(picked.text);
  return paras.length ? { ...picked, paragraphs: paras } : undefined;
}

/** "in 1 hour" / "1時間後に" / "soon": the time left before the start, for event.reminder. */
function startsInText(input: RenderInput, t: Translate): string {
  const left = timeLeft(input.reminder?.minutesBefore);
  return t(`event.reminder.startsIn.${left.key}`, left.count === undefined ? {} : { count: left.count });
}

/**
 * The registration status line: already_registered always says where the address stands; a reminder
 * or message to someone still on the waiting list says so, as it comes without a join link.
 */
function statusLine(input: RenderInput): MailSection['status'] {
  const { kind, registration } = input;
  if (
    kind === 'registration.already_registered' &&
    registration.status !== 'cancelled' &&
    registration.status !== 'declined'
  ) {
    return registration.status;
  }
  if ((kind === 'event.reminder' || kind === 'event.message') && registration.status === 'waitlisted') {
    return 'waitlisted';
  }
  return undefined;
}

function titleOf(input: RenderInput, lang: Language): LocalText {
  return pickText(input.event.title, lang) ?? { text: input.event.slug, lang, fallback: false };
}

function calendarNote(input: RenderInput): CalendarNote | undefined {
  const confirmed = input.registration.status === 'confirmed';
  switch (input.kind) {
    case 'registration.confirmed':
    case 'registration.promoted':
      return 'attached';
    case 'event.updated':
      return confirmed ? 'updated' : undefined;
    case 'registration.cancelled':
      return 'removed';
    case 'event.cancelled':
      return confirmed ? 'cancelled' : undefined;
    default:
      return undefined;
  }
}

function changesFor(input: RenderInput, lang: Language, hasJoin: boolean): SectionChanges | undefined {
  const c = input.changes;
  if (input.kind !== 'event.updated' || !c) return undefined;
  const { event } = input;
  const zones = event.displayTimezones;
  const out: SectionChanges = {};
  if (c.fields.includes('time')) {
    out.time = {
      now: formatSpan(event.startsAt, event.endsAt, zones, lang),
      previous: c.previousStartsAt && formatSpan(c.previousStartsAt, c.previousEndsAt, zones, lang),
    };
  }
  if (c.fields.includes('title')) out.title = { now: titleOf(input, lang), previous: c.previousTitle };
  if (c.fields.includes('meetingUrl')) out.meetingUrl = hasJoin ? 'withJoin' : 'withoutJoin';
  return out;
}

/** The manage link's words, by where the registration stands. */
const manageLabels: Partial<Record<RenderInput['registration']['status'], string>> = {
  waitlisted: 'manage.waitlisted',
  pending: 'manage.pending',
};

function section(input: RenderInput, lang: Language, bilingual: boolean): MailSection {
  const { event, registration, links, kind } = input;
  const t = mailT(lang);
  // The seat's details go only to a confirmed registrant, whatever links the caller passed.
  const seat = seatKinds.has(kind) && registration.status === 'confirmed';
  const joinUrl = seat ? webUrl(links.join) : undefined;
  const manageUrl = finalKinds.has(kind) ? undefined : webUrl(links.manage);
  return {
    lang,
    t,
    st: mailStyles(lang, accentOf(event)),
    languageHeading: bilingual ? t('bilingual.heading') : undefined,
    // An invitee from a contact list may have no name: the address greets them then.
    name: displayName(registration) || registration.email,
    title: titleOf(input, lang),
    organisers: pickText(event.organisers, lang),
    when: formatSpan(event.startsAt, event.endsAt, event.displayTimezones, lang),
    contactEmail: event.contactEmail ?? undefined,
    eventPage: webUrl(links.eventPage),
    status: statusLine(input),
    join: joinUrl
      ? {
          url: joinUrl,
          passcode: event.meetingPasscode ?? undefined,
          zoomUrl: webUrl(links.zoomJoin),
        }
      : undefined,
    interpretation: seat ? t(`languages.${registration.interpretation}`) : undefined,
    materials: materialsFor(input, lang, seat),
    manage: manageUrl
      ? {
          url: manageUrl,
          label: t(manageLabels[registration.status] ?? 'manage.confirmed'),
        }
      : undefined,
    calendar: calendarNote(input),
    changes: changesFor(input, lang, Boolean(joinUrl)),
    startsIn: kind === 'event.reminder' ? startsInText(input, t) : undefined,
    attended: kind === 'event.follow_up' ? followUpAttended(input) : undefined,
    organiserText: organiserTextFor(input, lang),
    // The unsubscribe link goes only with mails one may stop; a confirmation must not offer it.
    unsubscribe:
      optionalKinds.includes(kind) || invitationKinds.includes(kind) ? webUrl(links.unsubscribe) : undefined,
    invitation: invitationKinds.includes(kind) ? webUrl(links.invitation) : undefined,
  };
}

/**
 * The event as a mail presents it: its uploaded files join its link materials, each linking through the
 * mail's own manage token (`<manage link>/files/<id>`), so the templates list them like any material
 * and the link works exactly as long as the registrant may download the file (confirmed, see
 * site/manage.view.ts). A mail without a manage link lists no files. The sender calls this;
 * what a kind shows is still decided above (see materialsFor).
 */
export function withFileMaterials(
  event: EventRecord,
  files: readonly Pick<EventFile, 'id' | 'title'>[],
  manageUrl: string | undefined,
): EventRecord {
  if (!manageUrl || !files.length) return event;
  const fileLinks = files.map((f) => ({ title: f.title, url: `${manageUrl}/files/${f.id}` }));
  return { ...event, materials: [...event.materials, ...fileLinks] };
}

/**
 * Whether the follow-up thanks the registrant for joining. Without the facts it cannot know, so it
 * takes the version that does not claim they were there.
 */
function followUpAttended(input: RenderInput): boolean {
  return input.followUp?.attended ?? false;
}

/**
 * The subject and preheader in the mail language. Most are `<kind>.subject` with the title; the
 * follow-up has a version for those who missed the event, the reminder says how soon it starts, and a
 * message carries the organiser's own subject (with the title after it, so the inbox shows which event).
 */
function headline(input: RenderInput, t: Translate): { subject: string; preheader: string } {
  const { kind, lang } = input;
  const title = titleOf(input, lang).text;
  const params: Record<string, unknown> = { title };
  let variant = '';
  if (kind === 'event.reminder') params.startsIn = startsInText(input, t);
  if (kind === 'event.follow_up' && !followUpAttended(input)) variant = 'Missed';
  if (kind === 'event.message') {
    params.subject =
      (input.message && pickText(input.message.subject, lang)?.text.trim()) || t(`${kind}.heading`);
  }
  return {
    subject: t(`${kind}.subject${variant}`, params),
    preheader: t(`${kind}.preheader${variant}`, params),
  };
}

/** The view the templates of `input.kind` render: subject, preheader and one section per language. */
export function mailView(input: RenderInput): MailView {
  const { lang, kind, event } = input;
  const other: Language = lang === 'en' ? 'ja' : 'en';
  const bilingual = event.bilingualMail;
  const langs: Language[] = bilingual ? [lang, other] : [lang];
  const { subject, preheader } = headline(input, mailT(lang));
  return {
    kind,
    lang,
    subject,
    preheader,
    st: mailStyles(lang, accentOf(event)),
    sections: langs.map((l) => section(input, l, bilingual)),
    brand: mailBrand(input),
    followsBelow: bilingual
      ? { lang: other, text: mailT(other)('bilingual.followsBelow'), style: mailStyles(other).note }
      : undefined,
  };
}
