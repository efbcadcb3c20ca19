import type { EventRecord } from '../events/events.types';
// pickText comes from the service file, not from events/index.ts: events.view.ts (which index.ts
// exports) builds the "Add to calendar" links from this module, so going through index would be a cycle.
import { pickText } from '../events/events.service';
import { tFor, type Language } from '../i18n';
import { formatSpan } from '../time';

/**
 * The words a calendar entry carries, shared by the .ics invite and the Google/Outlook links so both
 * say the same thing in the same language.
 */

/** The title in `lang`, or in the other language when it has none (the slug as a last resort). */
export function eventTitle(event: EventRecord, lang: Language): string {
  return pickText(event.title, lang)?.text ?? event.slug;
}

/** The organisers' name in `lang` (or the other language), if the event names any. */
export function organisersName(event: EventRecord, lang: Language): string | undefined {
  return pickText(event.organisers, lang)?.text;
}

/**
 * "Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET": the span in every display zone, so a reader
 * in Tokyo and one in Geneva both see their own clock, whatever their calendar shows.
 */
export function whenLine(event: EventRecord, lang: Language): string {
  const zones = event.displayTimezones.length ? event.displayTimezones : [event.timezone];
  return formatSpan(event.startsAt, event.endsAt, zones, lang);
}

/** What may be shown to anyone: a cancellation note, the times, the public event page. Never the meeting. */
export function publicLines(event: EventRecord, lang: Language, eventUrl: string): string[] {
  const t = tFor(lang);
  const lines = event.status === 'cancelled' ? [t('calendar:cancelled'), ''] : [];
  return [...lines, whenLine(event, lang), '', t('calendar:eventPage', { url: eventUrl })];
}
