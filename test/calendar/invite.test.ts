import { TextDecoder } from 'node:util';
import { buildInvite, eventUid, registrationUid } from '../../src/calendar';
import { calendarEvent, inviteInput } from './fixtures/event';
import { byteLines, instant, inviteFromProcess, parseInvite } from './fixtures/parse';

/** Every content line of one property, unfolded, e.g. all "ATTENDEE..." lines. */
function unfolded(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

describe('buildInvite', () => {
  describe('exact instants whatever the server zone', () => {
    it.each(['UTC', 'America/New_York', 'Asia/Tokyo'])(
      'when the invite is generated in a process with TZ=%s, then DTSTART/DTEND resolve to 06:00Z/08:15Z through the file’s own VTIMEZONE',
      (tz) => {
        const { offsetMinutes, ics } = inviteFromProcess(inviteInput(), tz);
        expect(offsetMinutes).toBe({ UTC: 0, 'America/New_York': 300, 'Asia/Tokyo': -540 }[tz]);
        const lines = unfolded(ics);
        expect(lines).toContain('DTSTART;TZID=Asia/Tokyo:20261216T150000');
        expect(lines).toContain('DTEND;TZID=Asia/Tokyo:20261216T171500');
        const { calendar, event } = parseInvite(ics);
        expect(calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(
          ['Asia/Tokyo'],
        );
        expect(instant(event.startDate)).toBe('2026-12-16T06:00:00.000Z');
        expect(instant(event.endDate)).toBe('2026-12-16T08:15:00.000Z');
      },
    );

    it.each(['UTC', 'America/New_York'])(
      'when a Zurich event spans the March clock change and is generated with TZ=%s, then 01:30 CET and 03:30 CEST resolve exactly',
      (tz) => {
        // 29 March 2026, 02:00 CET -> 03:00 CEST; New York changed three weeks earlier.
        const event = calendarEvent({
          timezone: 'Europe/Zurich',
          startsAt: new Date('2026-03-29T00:30:00Z'),
          endsAt: new Date('2026-03-29T01:30:00Z'),
        });
        const { ics } = inviteFromProcess(inviteInput({ event }), tz);
        const lines = unfolded(ics);
        expect(lines).toContain('DTSTART;TZID=Europe/Zurich:20260329T013000');
        expect(lines).toContain('DTEND;TZID=Europe/Zurich:20260329T033000');
        const parsed = parseInvite(ics).event;
        expect(instant(parsed.startDate)).toBe('2026-03-29T00:30:00.000Z');
        expect(instant(parsed.endDate)).toBe('2026-03-29T01:30:00.000Z');
      },
    );

    it('when the event’s zone has no VTIMEZONE data, then the times are written in UTC rather than under an undefined TZID', () => {
      const event = calendarEvent({ timezone: 'Etc/Unknown-Zone' });
      const ics = buildInvite(inviteInput({ event }));
      expect(ics).not.toContain('TZID=');
      expect(unfolded(ics)).toContain('DTSTART:20261216T060000Z');
      expect(instant(parseInvite(ics).event.startDate)).toBe('2026-12-16T06:00:00.000Z');
    });
  });

  describe('identity and envelope', () => {
    it('when built, then the calendar has METHOD, a Tsunagaru PRODID, VERSION 2.0 and exactly one VEVENT, with CRLF line ends, the last line included', () => {
      for (const method of ['REQUEST', 'CANCEL', 'PUBLISH'] as const) {
        const ics = buildInvite(inviteInput({ method }));
        const { calendar, vevents } = parseInvite(ics);
        expect(calendar.getFirstPropertyValue('method')).toBe(method);
        expect(calendar.getFirstPropertyValue('prodid')).toMatch(/Tsunagaru/);
        expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
        expect(vevents).toHaveLength(1);
        expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
        expect(ics.endsWith('\r\n\r\n')).toBe(false);
      }
    });

    it('when the same input is built twice, then the text is byte-identical', () => {
      expect(buildInvite(inviteInput())).toBe(buildInvite(inviteInput()));
    });

    it('when UIDs are made from the same ids, then they are equal; other ids or hosts give other UIDs', () => {
      const uid = registrationUid(12, 345, 'https://events.example:8443/base');
      expect(uid).toBe('tsunagaru-event-12-registration-345@events.example');
      expect(registrationUid(12, 345, 'https://events.example:8443/base')).toBe(uid);
      expect(registrationUid(12, 346, 'https://events.example')).not.toBe(uid);
      expect(registrationUid(12, 345, 'https://other.example')).not.toBe(uid);
      expect(eventUid(12, 'https://events.example')).toBe('tsunagaru-event-12@events.example');
    });

    it('when built, then UID and SEQUENCE are the given ones and DTSTAMP is the stamp in UTC with Z', () => {
      const ics = buildInvite(inviteInput({ sequence: 7 }));
      const { vevent } = parseInvite(ics);
      expect(vevent.getFirstPropertyValue('uid')).toBe('tsunagaru-event-12-registration-345@events.example');
      expect(vevent.getFirstPropertyValue('sequence')).toBe(7);
      expect(unfolded(ics)).toContain('DTSTAMP:20261101T093000Z');
    });

    it('when an attendee is given to a REQUEST, then exactly one ATTENDEE: CN, mailto, REQ-PARTICIPANT, RSVP=FALSE, ACCEPTED', () => {
      const { vevent } = parseInvite(buildInvite(inviteInput()));
      const attendees = vevent.getAllProperties('attendee');
      expect(attendees).toHaveLength(1);
      const a = attendees[0]!;
      expect(String(a.getFirstValue()).toLowerCase()).toBe('mailto:hanako@example.org');
      expect(a.getParameter('cn')).toBe('Hanako Yamada');
      expect(a.getParameter('role')).toBe('REQ-PARTICIPANT');
      expect(a.getParameter('rsvp')).toBe('FALSE');
      expect(a.getParameter('partstat')).toBe('ACCEPTED');
    });

    it('when no attendee is given, then there is no ATTENDEE; the ORGANIZER has CN and mailto', () => {
      const { vevent } = parseInvite(buildInvite(inviteInput({ method: 'PUBLISH', attendee: undefined })));
      expect(vevent.getAllProperties('attendee')).toHaveLength(0);
      const organizer = vevent.getFirstProperty('organizer')!;
      expect(organizer.getParameter('cn')).toBe('ILO Office for Japan');
      expect(organizer.getFirstValue()).toBe('mailto:tokyo@ilo.example');
    });

    it('when a name contains a double quote, then the CN stays one well-formed parameter', () => {
      const ics = buildInvite(
        inviteInput({ organizer: { name: 'ILO "Tokyo"', email: 'tokyo@ilo.example' } }),
      );
      expect(parseInvite(ics).vevent.getFirstProperty('organizer')!.getParameter('cn')).toBe("ILO 'Tokyo'");
    });
  });

  describe('methods', () => {
    it('when a REQUEST carries a join link, then LOCATION, URL and DESCRIPTION have it and the passcode', () => {
      const { event } = parseInvite(buildInvite(inviteInput()));
      expect(event.location).toBe('https://events.example/join/personal-token');
      expect(event.component.getFirstPropertyValue('url')).toBe('https://events.example/join/personal-token');
      expect(event.description).toContain('Join online: https://events.example/join/personal-token');
      expect(event.description).toContain('Passcode: secret-pass');
      expect(event.description).toContain('Event page: https://events.example/events/tsunagaru-test?lang=en');
      expect(event.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
    });

    it('when the event has no passcode, then the REQUEST has the join link but no passcode line', () => {
      const input = inviteInput({ event: calendarEvent({ meetingPasscode: null }) });
      const { event } = parseInvite(buildInvite(input));
      expect(event.description).toContain('Join online:');
      expect(event.description).not.toContain('Passcode');
    });

    it('when a REQUEST has no join link, then LOCATION and URL are the event page and no passcode is shown', () => {
      const { event } = parseInvite(buildInvite(inviteInput({ joinUrl: undefined })));
      expect(event.location).toBe('https://events.example/events/tsunagaru-test?lang=en');
      expect(event.description).not.toContain('secret-pass');
      expect(event.description).not.toContain('Join online');
    });

    it.each(['REQUEST', 'PUBLISH'] as const)(
      'when the method is %s, then one DISPLAY alarm rings 15 minutes before the start',
      (method) => {
        const ics = buildInvite(inviteInput({ method }));
        const alarms = parseInvite(ics).vevent.getAllSubcomponents('valarm');
        expect(alarms).toHaveLength(1);
        expect(alarms[0]!.getFirstPropertyValue('action')).toBe('DISPLAY');
        expect(alarms[0]!.getFirstPropertyValue('description')).toBe(
          'Starts in 15 minutes: TSUNAGARU by Social & Solidarity Economy',
        );
        expect(unfolded(ics)).toContain('TRIGGER:-PT15M');
      },
    );

    it('when the method is CANCEL, then STATUS:CANCELLED with the same UID and the higher SEQUENCE, no alarm, no join link', () => {
      const request = parseInvite(buildInvite(inviteInput({ sequence: 3 }))).vevent;
      const ics = buildInvite(inviteInput({ method: 'CANCEL', sequence: 4 }));
      const { vevent } = parseInvite(ics);
      expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
      expect(vevent.getFirstPropertyValue('uid')).toBe(request.getFirstPropertyValue('uid'));
      expect(vevent.getFirstPropertyValue('sequence')).toBe(4);
      expect(vevent.getAllSubcomponents('valarm')).toHaveLength(0);
      expect(ics).not.toContain('VALARM');
      expect(ics).not.toContain('personal-token');
      expect(ics).not.toContain('secret-pass');
    });

    it('when the method is PUBLISH, then neither the join link, the meeting link nor the passcode appear, even if given', () => {
      const ics = buildInvite(inviteInput({ method: 'PUBLISH', attendee: undefined }));
      expect(ics).not.toContain('personal-token');
      expect(ics).not.toContain('zoom.example');
      expect(ics).not.toContain('secret-pass');
      const { event } = parseInvite(ics);
      expect(event.location).toBe('https://events.example/events/tsunagaru-test?lang=en');
      expect(event.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
    });

    it('when a cancelled event is published, then STATUS:CANCELLED and the description says so', () => {
      const input = inviteInput({ method: 'PUBLISH', event: calendarEvent({ status: 'cancelled' }) });
      const { event } = parseInvite(buildInvite(input));
      expect(event.component.getFirstPropertyValue('status')).toBe('CANCELLED');
      expect(event.description).toContain('This event has been cancelled.');
    });
  });

  describe('text', () => {
    it('when built in English, then the description gives the span in both JST and CET on one line', () => {
      const { event } = parseInvite(buildInvite(inviteInput()));
      expect(event.summary).toBe('TSUNAGARU by Social & Solidarity Economy');
      expect(event.description.split('\n')[0]).toBe('Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET');
    });

    it('when built in Japanese, then title, labels and times are Japanese', () => {
      const { event, vevent } = parseInvite(buildInvite(inviteInput({ lang: 'ja' })));
      expect(event.summary).toBe('TSUNAGARU 社会的連帯経済');
      expect(event.description).toContain('2026年12月16日(水) 15:00–17:15 JST / 07:00–09:15 CET');
      expect(event.description).toContain('参加リンク：https://events.example/join/personal-token');
      expect(event.description).toContain('パスコード：secret-pass');
      expect(event.description).toContain('イベントページ：');
      expect(vevent.getFirstSubcomponent('valarm')!.getFirstPropertyValue('description')).toBe(
        '15分後に開始します：TSUNAGARU 社会的連帯経済',
      );
    });

    it('when the title exists only in English, then a Japanese invite uses the English title', () => {
      const input = inviteInput({ lang: 'ja', event: calendarEvent({ title: { en: 'English only' } }) });
      expect(parseInvite(buildInvite(input)).event.summary).toBe('English only');
    });

    it('when a long Japanese title is folded, then no line passes 75 octets, no character is split, and it parses back byte-exact', () => {
      const title =
        '社会的連帯経済（SSE）と協同組合：アジアと欧州をつなぐ対話🌏、第二回「地域から世界へ」—未来のための働き方';
      const ics = buildInvite(inviteInput({ lang: 'ja', event: calendarEvent({ title: { ja: title } }) }));
      const strict = new TextDecoder('utf-8', { fatal: true });
      const lines = byteLines(ics);
      expect(lines.some((l) => l[0] === 0x20)).toBe(true); // something was folded
      for (const line of lines) {
        expect(line.length).toBeLessThanOrEqual(75);
        expect(() => strict.decode(line)).not.toThrow();
      }
      const summary = parseInvite(ics).event.summary;
      expect(Buffer.from(summary, 'utf8').equals(Buffer.from(title, 'utf8'))).toBe(true);
    });

    it('when the title has commas, semicolons, a backslash and a newline, then they are escaped and parse back exactly', () => {
      const title = 'Co-ops, unions; and a \\ backslash\nsecond line';
      const ics = buildInvite(inviteInput({ event: calendarEvent({ title: { en: title } }) }));
      expect(unfolded(ics)).toContain('SUMMARY:Co-ops\\, unions\\; and a \\\\ backslash\\nsecond line');
      const { event } = parseInvite(ics);
      expect(event.summary).toBe(title);
      expect(unfolded(ics).find((l) => l.startsWith('DESCRIPTION:'))).toContain('CET\\n\\nJoin online');
      expect(event.description).toContain('07:00–09:15 CET\n\nJoin online');
    });
  });
});
