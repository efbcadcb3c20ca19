import { pickText, tFor, type Language } from '../i18n';
import type { CalendarEvent } from './calendar.types';
import { formatSpan } from '../time';

/**
 * The words a calendar entry carries, shared by the .ics invite and the Google/Outlook links so both
 * say the same thing in the same language.
 */

/** The title in `lang`, or in the other language when it has none (the slug as a last resort). */
export function eventTitle(event: CalendarEvent, lang: Language): string {
  return pickText(event.title, lang)?.text ?? event.slug;
}

/** The organisers' name in `lang` (or the other language), if the event names any. */
export function organisersName(event: CalendarEvent, lang: Language): string | undefined {
  return pickText(event.organisers, lang)?.text;
}

/**
 * "Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET": the span in every display zone, so a reader
 * in Tokyo and one in Geneva both see their own clock, whatever their calendar shows.
 */
export function whenLine(event: CalendarEvent, lang: Language): string {
  const zones = event.displayTimezones.length ? event.displayTimezones : [event.timezone];
  return formatSpan(event.startsAt, event.endsAt, zones, lang);
}

/** What may be shown to anyone: a cancellation note, the times, the public event page. Never the meeting. */
export function publicLines(event: CalendarEvent, lang: Language, eventUrl: string): string[] {
  const t = tFor(lang);
  const lines = event.status === 'cancelled' ? [t('calendar:cancelled'), ''] : [];
  return [...lines, whenLine(event, lang), '', t('calendar:eventPage', { url: eventUrl })];
}
