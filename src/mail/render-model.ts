import { displayName } from '../registrations';
import { pickText, type EventFile, type EventRecord, type LocalText } from '../events';
import { tFor, type Language } from '../i18n';
import { formatSpan } from '../time';
import type { MailKind, RenderInput } from './mail.types';
import { mailStyles, type MailStyles } from './render-styles';

/**
 * What a mail says, worked out once in code so the templates only print: which blocks a kind shows
 * (join link, materials, manage link, calendar sentence), the texts in each section's language and the
 * time in every display zone. The rules about what a recipient may see live here, not in the templates.
 */

/** `t` fixed to one language and the `mail` namespace. */
export type Translate = (key: string | string[], params?: Record<string, unknown>) => string;

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
  status?: 'confirmed' | 'waitlisted';
  join?: { url: string; passcode?: string };
  /** The interpretation language's name in this section's language, with the join details. */
  interpretation?: string;
  materials: { title: LocalText; url: string }[];
  manage?: { url: string; label: string };
  calendar?: CalendarNote;
  changes?: SectionChanges;
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
  /** "The English version follows below", in the second language (bilingual mails only). */
  followsBelow?: { lang: Language; text: string; style: string };
}

/** Kinds that hand the registrant their seat: join link, passcode, materials, interpretation. */
const seatKinds: ReadonlySet<MailKind> = new Set([
  'registration.confirmed',
  'registration.promoted',
  'registration.already_registered',
  'event.updated',
]);

/** Kinds after which there is no registration left to manage. */
const finalKinds: ReadonlySet<MailKind> = new Set(['registration.cancelled', 'event.cancelled']);

/** t for the mail namespace; String() because i18next may hand back non-strings for objects. */
export function mailT(lang: Language): Translate {
  const t = tFor(lang);
  return (key, params) => String(t(key, { ...params, ns: 'mail' }));
}

/**
 * Only http(s) links become hrefs. The event schema already insists on it for materials; this keeps a
 * bad row from turning into a `javascript:` link in someone's inbox.
 */
function webUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\//i.test(url) ? url : undefined;
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
    st: mailStyles(lang),
    languageHeading: bilingual ? t('bilingual.heading') : undefined,
    name: displayName(registration),
    title: titleOf(input, lang),
    organisers: pickText(event.organisers, lang),
    when: formatSpan(event.startsAt, event.endsAt, event.displayTimezones, lang),
    contactEmail: event.contactEmail ?? undefined,
    eventPage: webUrl(links.eventPage),
    status:
      kind === 'registration.already_registered' && registration.status !== 'cancelled'
        ? registration.status
        : undefined,
    join: joinUrl ? { url: joinUrl, passcode: event.meetingPasscode ?? undefined } : undefined,
    interpretation: seat ? t(`languages.${registration.interpretation}`) : undefined,
    materials: seat
      ? event.materials.flatMap((m) => {
          const url = webUrl(m.url);
          return url ? [{ url, title: pickText(m.title, lang) ?? { text: url, lang, fallback: false } }] : [];
        })
      : [],
    manage: manageUrl
      ? {
          url: manageUrl,
          label: t(registration.status === 'waitlisted' ? 'manage.waitlisted' : 'manage.confirmed'),
        }
      : undefined,
    calendar: calendarNote(input),
    changes: changesFor(input, lang, Boolean(joinUrl)),
  };
}

/**
 * The event as a mail presents it: its uploaded files join its link materials, each linking through the
 * mail's own manage token (`<manage link>/files/<id>`), so the templates list them like any material
 * and the link works exactly as long as the registrant may download the file (confirmed, see
 * registrations/manage.view.ts). A mail without a manage link lists no files. The sender calls this;
 * what a kind shows is still decided below (materials go only with a seat).
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

/** The view the templates of `input.kind` render: subject, preheader and one section per language. */
export function mailView(input: RenderInput): MailView {
  const { lang, kind, event } = input;
  const other: Language = lang === 'en' ? 'ja' : 'en';
  const bilingual = event.bilingualMail;
  const langs: Language[] = bilingual ? [lang, other] : [lang];
  const t = mailT(lang);
  const title = titleOf(input, lang).text;
  return {
    kind,
    lang,
    subject: t(`${kind}.subject`, { title }),
    preheader: t(`${kind}.preheader`, { title }),
    st: mailStyles(lang),
    sections: langs.map((l) => section(input, l, bilingual)),
    followsBelow: bilingual
      ? { lang: other, text: mailT(other)('bilingual.followsBelow'), style: mailStyles(other).note }
      : undefined,
  };
}
