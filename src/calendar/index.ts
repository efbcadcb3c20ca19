/**
 * Calendar entries for an event: the .ics text of an invite (REQUEST, CANCEL) or of the public
 * download (PUBLISH), the stable UIDs they use, and "Add to calendar" links for web calendars.
 * Pure functions: no I/O, no clock; callers pass the stamp, URLs and people.
 */
export { buildInvite, type InviteInput } from './invite';
export { eventUid, registrationUid } from './uids';
export { calendarLinks } from './links';
export type { CalendarEvent } from './calendar.types';
