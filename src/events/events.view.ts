import { buildInvite, calendarLinks, eventUid } from '../calendar';
import type { Language } from '../i18n';
import { formatInstant, formatSpan, zoneNaming } from '../time';
import { brandView, type BrandView } from './branding.view';
import type { EventRecord, Texts } from './events.types';
import { pickText, registrationWindow, type RegistrationWindow } from './events.service';

/**
 * What the event page shows, worked out once so the template only prints: texts in the page language
 * (or the other one, flagged), the time in every display zone, and the registration window.
 */
export interface LocalText {
  text: string;
  lang: Language;
  fallback: boolean;
}

export interface EventView {
  slug: string;
  status: EventRecord['status'];
  title: LocalText;
  summary?: LocalText;
  description?: LocalText & { paragraphs: string[] };
  programme?: LocalText & { lines: string[] };
  organisers?: LocalText;
  when: string;
  window: RegistrationWindow;
  windowText?: string;
  startsAtIso: string;
  endsAtIso: string;
  displayTimezones: string[];
  /** The server's zone-naming rules, so the viewer's own local time says EST, not GMT-5. */
  zoneNaming: string;
  contactEmail: string | null;
  /** Days after the end until registrants' personal data is anonymised; 0 keeps it (privacy notice). */
  retentionDays: number;
  /** The organiser profile this event shows (accent, organisation, logo, cover); see branding.view.ts. */
  brand: BrandView;
}

function text(texts: Texts, lang: Language): LocalText | undefined {
  return pickText(texts, lang);
}

/** The view of one event for one language at `now`. */
export function eventView(event: EventRecord, lang: Language, now: Date): EventView {
  const window = registrationWindow(event, now);
  const zones = event.displayTimezones;
  const description = text(event.description, lang);
  const programme = text(event.programme, lang);
  let windowText: string | undefined;
  if (window.state === 'open') windowText = formatInstant(window.closesAt, zones, lang);
  if (window.state === 'not_open') windowText = formatInstant(window.opensAt, zones, lang);
  if (window.state === 'closed') windowText = formatInstant(window.closedAt, zones, lang);
  return {
    slug: event.slug,
    status: event.status,
    title: text(event.title, lang) ?? { text: event.slug, lang, fallback: false },
    summary: text(event.summary, lang),
    description: description && {
      ...description,
      paragraphs: description.text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean),
    },
    programme: programme && {
      ...programme,
      lines: programme.text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    },
    organisers: text(event.organisers, lang),
    when: formatSpan(event.startsAt, event.endsAt, zones, lang),
    window,
    windowText,
    startsAtIso: event.startsAt.toISOString(),
    endsAtIso: event.endsAt.toISOString(),
    displayTimezones: zones,
    retentionDays: event.retentionDays,
    zoneNaming,
    contactEmail: event.contactEmail,
    brand: brandView(event, lang),
  };
}

/** The absolute address of an event page in one language: what calendar entries link back to. */
export function eventPageUrl(baseUrl: string, slug: string, lang: Language): string {
  return `${baseUrl}/events/${encodeURIComponent(slug)}?lang=${lang}`;
}

/** The "Add to calendar" links of the event page. */
export interface AddToCalendarView {
  google: string;
  outlook: string;
  /** The public .ics download, in the page language. */
  ics: string;
}

/**
 * The "Add to calendar" links, or undefined when adding the event would not help anyone: it has been
 * cancelled or is over. Web calendar links carry the public page only, never the meeting link.
 */
export function addToCalendarView(
  event: EventRecord,
  lang: Language,
  now: Date,
  baseUrl: string,
): AddToCalendarView | undefined {
  if (event.status === 'cancelled' || now >= event.endsAt) return undefined;
  return {
    ...calendarLinks(event, lang, eventPageUrl(baseUrl, event.slug, lang)),
    ics: `/events/${encodeURIComponent(event.slug)}/calendar.ics?lang=${lang}`,
  };
}

/** A file to send as a download. */
export interface CalendarFile {
  filename: string;
  contentType: string;
  body: string;
}

/** The address part of "Name <address>", or the whole value when it is a bare address. */
function addressOf(mailbox: string): string {
  return /<([^<>]+)>/.exec(mailbox)?.[1]?.trim() ?? mailbox.trim();
}

/**
 * The public .ics of an event (METHOD:PUBLISH), for anyone who opens its page: no join link, no
 * passcode. UID, SEQUENCE and DTSTAMP come from the stored event (id, revision, updatedAt), so the file
 * is byte-identical until the event changes, and a calendar that imported it updates the same entry.
 */
export function publicCalendarFile(
  event: EventRecord,
  lang: Language,
  site: { baseUrl: string; mailFrom: string },
): CalendarFile {
  const body = buildInvite({
    method: 'PUBLISH',
    uid: eventUid(event.id, site.baseUrl),
    sequence: event.revision,
    stamp: event.updatedAt,
    event,
    lang,
    eventUrl: eventPageUrl(site.baseUrl, event.slug, lang),
    organizer: {
      name: pickText(event.organisers, lang)?.text ?? 'Tsunagaru',
      email: event.contactEmail ?? addressOf(site.mailFrom),
    },
  });
  return {
    filename: `${event.slug}.ics`,
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    body,
  };
}
