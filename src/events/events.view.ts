import type { Language } from '../i18n';
import { formatInstant, formatSpan } from '../time';
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
  contactEmail: string | null;
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
    contactEmail: event.contactEmail,
  };
}
