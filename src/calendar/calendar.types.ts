import type { Texts } from '../i18n';

/**
 * What a calendar entry needs of an event. Declared here rather than imported from `events` so this
 * pure module stays below the domains that use it; an events `EventRecord` has every field.
 */
export interface CalendarEvent {
  slug: string;
  status: string;
  title: Texts;
  organisers: Texts;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  displayTimezones: string[];
  meetingPasscode: string | null;
}
