import type { CalendarEvent } from './calendar.types';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { tFor, type Language } from '../i18n';
import { eventTitle, publicLines, whenLine } from './texts';

/** What one .ics file says: which iTIP method, for which event, to whom, in which language. */
export interface InviteInput {
  method: 'REQUEST' | 'CANCEL' | 'PUBLISH';
  uid: string;
  sequence: number;
  /** DTSTAMP, written in UTC. Pass a stored instant (not the clock) when the file must be reproducible. */
  stamp: Date;
  event: CalendarEvent;
  /** SUMMARY and DESCRIPTION language; a text missing in it falls back to the other language. */
  lang: Language;
  /** Absolute public event page URL. */
  eventUrl: string;
  /** Personal join link; used only in a REQUEST (a PUBLISH is public, a CANCEL needs none). */
  joinUrl?: string;
  organizer: { name: string; email: string };
  attendee?: { name: string; email: string };
}

const prodId = '//Tsunagaru//Tsunagaru event registration//EN';
const alarmSeconds = 15 * 60;

/**
 * A parameter value cannot hold a double quote or a line break (RFC 5545 §3.2), and ical-generator
 * would backslash-escape the quote, which parsers read as the end of the value.
 */
function paramSafe(name: string): string {
  return name.replace(/"/g, "'").replace(/[\r\n]+/g, ' ');
}

/** The zone to write times in, or null (UTC) when we have no VTIMEZONE for it: a TZID must be defined. */
function writableZone(zone: string): string | null {
  return getVtimezoneComponent(zone) ? zone : null;
}

/** DESCRIPTION: times in every display zone, then (REQUEST only) the join link and passcode, then the page. */
function description(input: InviteInput, joinUrl: string | undefined): string {
  const { event, lang } = input;
  if (!joinUrl) return publicLines(event, lang, input.eventUrl).join('\n');
  const t = tFor(lang);
  const meeting = [t('calendar:join', { url: joinUrl })];
  if (event.meetingPasscode) meeting.push(t('calendar:passcode', { passcode: event.meetingPasscode }));
  return [whenLine(event, lang), '', ...meeting, '', t('calendar:eventPage', { url: input.eventUrl })].join(
    '\n',
  );
}

/**
 * The full VCALENDAR text (CRLF line ends, folded at 75 octets between characters) for one event.
 * Times are Luxon DateTimes in the event's zone with its VTIMEZONE, so the instant is exact whatever
 * the process's own TZ; a plain Date would be written as the process's local wall clock.
 */
export function buildInvite(input: InviteInput): string {
  const { event, lang } = input;
  const joinUrl = input.method === 'REQUEST' ? input.joinUrl : undefined;
  const zone = writableZone(event.timezone);
  const at = (instant: Date) => DateTime.fromJSDate(instant, { zone: zone ?? 'utc' });
  const title = eventTitle(event, lang);

  const cal = ical({ prodId, method: ICalCalendarMethod[input.method] });
  cal.timezone({ name: null, generator: getVtimezoneComponent });
  const vevent = cal.createEvent({
    id: input.uid,
    sequence: input.sequence,
    stamp: DateTime.fromJSDate(input.stamp, { zone: 'utc' }),
    start: at(event.startsAt),
    end: at(event.endsAt),
    timezone: zone,
    summary: title,
    description: description(input, joinUrl),
    location: joinUrl ?? input.eventUrl,
    url: joinUrl ?? input.eventUrl,
    organizer: { name: paramSafe(input.organizer.name), email: input.organizer.email },
    status:
      input.method === 'CANCEL' || event.status === 'cancelled'
        ? ICalEventStatus.CANCELLED
        : ICalEventStatus.CONFIRMED,
  });
  if (input.attendee) {
    vevent.createAttendee({
      name: paramSafe(input.attendee.name),
      email: input.attendee.email,
      role: ICalAttendeeRole.REQ,
      rsvp: false,
      status: input.method === 'REQUEST' ? ICalAttendeeStatus.ACCEPTED : null,
    });
  }
  // A cancelled entry must not ring; clients drop the alarm with the event anyway.
  if (input.method !== 'CANCEL') {
    vevent.createAlarm({
      type: ICalAlarmType.display,
      triggerBefore: alarmSeconds,
      description: tFor(lang)('calendar:alarm', { title }),
    });
  }
  // RFC 5545 §3.1: every content line ends in CRLF, the last one (END:VCALENDAR) included;
  // ical-generator leaves the final one off, and strict parsers then drop the last line.
  const text = cal.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
