import type { CalendarEvent } from './calendar.types';
import type { Language } from '../i18n';
import { eventTitle, publicLines } from './texts';

/**
 * "Add to calendar" links for web calendars that cannot take an .ics from us. They are shown on the
 * public page, so they carry the times and the event page only, never the meeting link.
 */

function query(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** 20261216T060000Z: Google's UTC form. */
function googleInstant(instant: Date): string {
  return instant
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** 2026-12-16T06:00:00Z: ISO UTC without milliseconds, as Outlook.com reads it. */
function isoInstant(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Google Calendar and Outlook.com "new event" links, pre-filled in `lang`. */
export function calendarLinks(
  event: CalendarEvent,
  lang: Language,
  eventUrl: string,
): { google: string; outlook: string } {
  const title = eventTitle(event, lang);
  const details = publicLines(event, lang, eventUrl).join('\n');
  // The "/" between the two instants is left as is: it is Google's own separator, and legal in a query.
  const dates = `${googleInstant(event.startsAt)}/${googleInstant(event.endsAt)}`;
  const google =
    'https://calendar.google.com/calendar/render?' +
    query([
      ['action', 'TEMPLATE'],
      ['text', title],
    ]) +
    `&dates=${dates}&` +
    query([
      ['details', details],
      ['ctz', event.timezone],
    ]);
  const outlook =
    'https://outlook.live.com/calendar/0/action/compose?' +
    query([
      ['path', '/calendar/action/compose'],
      ['rru', 'addevent'],
      ['subject', title],
      ['startdt', isoInstant(event.startsAt)],
      ['enddt', isoInstant(event.endsAt)],
      ['body', details],
      ['location', eventUrl],
    ]);
  return { google, outlook };
}
