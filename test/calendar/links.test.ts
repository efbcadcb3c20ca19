import { calendarLinks } from '../../src/calendar';
import { calendarEvent } from './fixtures/event';

const eventUrl = 'https://events.example/events/tsunagaru-test?lang=en';

/** 20261216T060000Z -> the ISO instant it names. */
function fromGoogle(compact: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(compact);
  if (!m) throw new Error(`not a Google UTC instant: ${compact}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`).toISOString();
}

describe('calendarLinks', () => {
  it('when made for Google Calendar, then the URL parses and names the exact UTC instants, title, zone and public details', () => {
    const url = new URL(calendarLinks(calendarEvent(), 'en', eventUrl).google);
    expect(url.origin + url.pathname).toBe('https://calendar.google.com/calendar/render');
    const q = url.searchParams;
    expect(q.get('action')).toBe('TEMPLATE');
    expect(q.get('text')).toBe('TSUNAGARU by Social & Solidarity Economy');
    const [start, end, ...rest] = (q.get('dates') ?? '').split('/');
    expect(rest).toEqual([]);
    expect(fromGoogle(start!)).toBe('2026-12-16T06:00:00.000Z');
    expect(fromGoogle(end!)).toBe('2026-12-16T08:15:00.000Z');
    expect(q.get('ctz')).toBe('Asia/Tokyo');
    expect(q.get('details')).toBe(
      `Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET\n\nEvent page: ${eventUrl}`,
    );
  });

  it('when made for Outlook.com, then the URL parses and names the exact UTC instants, subject, body and the event page as location', () => {
    const url = new URL(calendarLinks(calendarEvent(), 'en', eventUrl).outlook);
    expect(url.origin + url.pathname).toBe('https://outlook.live.com/calendar/0/action/compose');
    const q = url.searchParams;
    expect(q.get('path')).toBe('/calendar/action/compose');
    expect(q.get('rru')).toBe('addevent');
    expect(q.get('subject')).toBe('TSUNAGARU by Social & Solidarity Economy');
    expect(q.get('startdt')).toBe('2026-12-16T06:00:00Z');
    expect(q.get('enddt')).toBe('2026-12-16T08:15:00Z');
    expect(new Date(q.get('startdt')!).toISOString()).toBe('2026-12-16T06:00:00.000Z');
    expect(q.get('body')).toContain('Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET');
    expect(q.get('location')).toBe(eventUrl);
  });

  it('when made, then neither link carries the meeting link or the passcode', () => {
    const { google, outlook } = calendarLinks(calendarEvent(), 'ja', eventUrl);
    for (const link of [google, outlook]) {
      const decoded = decodeURIComponent(link);
      expect(decoded).not.toContain('zoom.example');
      expect(decoded).not.toContain('secret-pass');
    }
  });

  it('when made in Japanese, then the title and times are Japanese and survive the URL encoding', () => {
    const { google, outlook } = calendarLinks(calendarEvent(), 'ja', eventUrl);
    expect(new URL(google).searchParams.get('text')).toBe('TSUNAGARU 社会的連帯経済');
    expect(new URL(outlook).searchParams.get('body')).toContain(
      '2026年12月16日(水) 15:00–17:15 JST / 07:00–09:15 CET',
    );
    expect(new URL(outlook).searchParams.get('body')).toContain(`イベントページ：${eventUrl}`);
  });

  it('when the title has & = # and +, then each parameter still decodes to exactly that text', () => {
    const title = 'Q&A: 1+1 = 2 #SSE?';
    const links = calendarLinks(calendarEvent({ title: { en: title } }), 'en', eventUrl);
    expect(new URL(links.google).searchParams.get('text')).toBe(title);
    expect(new URL(links.outlook).searchParams.get('subject')).toBe(title);
  });
});
