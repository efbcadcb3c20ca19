import request from 'supertest';
import { parseInvite } from '../calendar/fixtures/parse';
import { eventDoc, importTestEvent, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** GET with the body buffered as text whatever the Content-Type (supertest only buffers text/*). */
function download(t: TestApp, path: string) {
  return request(t.app)
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
}

describe('public calendar download', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events CASCADE');
    t.clock.set('2026-12-01T00:00:00Z');
  });

  it('when a published event’s .ics is downloaded, then it is an attachment named after the slug, with METHOD:PUBLISH in the headers and the body', async () => {
    await makeEvent(t);
    const res = await download(t, '/events/tsunagaru-test/calendar.ics?lang=en');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    expect(res.headers['content-disposition']).toBe('attachment; filename="tsunagaru-test.ics"');
    expect(res.body as string).toMatch(/\r\nEND:VCALENDAR\r\n$/);
    const { calendar, event } = parseInvite(res.body as string);
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(event.summary).toBe('TSUNAGARU by Social & Solidarity Economy');
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-12-16T06:00:00.000Z');
    expect(event.location).toMatch(/\/events\/tsunagaru-test\?lang=en$/);
    const organizer = event.component.getFirstProperty('organizer')!;
    expect(organizer.getParameter('cn')).toBe('ILO Office for Japan');
    expect(organizer.getFirstValue()).toBe('mailto:tokyo@ilo.example');
  });

  it('when the .ics is downloaded, then it carries neither the meeting link nor the passcode', async () => {
    await makeEvent(t);
    const body = (await download(t, '/events/tsunagaru-test/calendar.ics')).body as string;
    expect(body).not.toContain('zoom.example');
    expect(body).not.toContain('secret-pass');
  });

  it('when the page language is Japanese, then the file is in Japanese', async () => {
    await makeEvent(t);
    const { event } = parseInvite((await download(t, '/events/tsunagaru-test/calendar.ics?lang=ja')).body);
    expect(event.summary).toBe('TSUNAGARU 社会的連帯経済');
    expect(event.description).toContain('2026年12月16日(水) 15:00–17:15 JST / 07:00–09:15 CET');
    expect(event.component.getFirstProperty('organizer')!.getParameter('cn')).toBe('ILO駐日事務所');
  });

  it('when the event names no organisers or contact, then the organizer is Tsunagaru at the MAIL_FROM address', async () => {
    await makeEvent(t, { organisers: {}, contactEmail: null });
    const { event } = parseInvite((await download(t, '/events/tsunagaru-test/calendar.ics')).body);
    const organizer = event.component.getFirstProperty('organizer')!;
    expect(organizer.getParameter('cn')).toBe('Tsunagaru');
    expect(organizer.getFirstValue()).toBe('mailto:no-reply@localhost');
  });

  it('when the file is downloaded twice, even later, then both downloads are byte-identical', async () => {
    await makeEvent(t);
    const first = (await download(t, '/events/tsunagaru-test/calendar.ics?lang=en')).body as string;
    t.clock.set('2026-12-05T12:00:00Z');
    const second = (await download(t, '/events/tsunagaru-test/calendar.ics?lang=en')).body as string;
    expect(second).toBe(first);
  });

  it('when a published event is moved, then the UID stays, SEQUENCE rises, DTSTAMP and DTSTART follow', async () => {
    await makeEvent(t);
    const before = parseInvite((await download(t, '/events/tsunagaru-test/calendar.ics')).body).vevent;
    t.clock.set('2026-12-02T03:04:05Z');
    await importTestEvent(
      t,
      eventDoc({ startsAt: '2026-12-16T16:00:00+09:00', endsAt: '2026-12-16T18:15:00+09:00' }),
    );
    const text = (await download(t, '/events/tsunagaru-test/calendar.ics')).body as string;
    const after = parseInvite(text);
    expect(after.vevent.getFirstPropertyValue('uid')).toBe(before.getFirstPropertyValue('uid'));
    expect(after.vevent.getFirstPropertyValue('uid')).toMatch(/^tsunagaru-event-\d+@/);
    const sequence = (vevent: typeof before) => Number(vevent.getFirstPropertyValue('sequence'));
    expect(sequence(after.vevent)).toBe(sequence(before) + 1);
    expect(text).toContain('DTSTAMP:20261202T030405Z');
    expect(after.event.startDate.toJSDate().toISOString()).toBe('2026-12-16T07:00:00.000Z');
  });

  it('when the event is cancelled, then the file still downloads, with STATUS:CANCELLED', async () => {
    await makeEvent(t, { status: 'cancelled' });
    const res = await download(t, '/events/tsunagaru-test/calendar.ics');
    expect(res.status).toBe(200);
    expect(parseInvite(res.body).vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('when the event is a draft or unknown, then 404 with the not-found page in the page language', async () => {
    await makeEvent(t, { slug: 'draft-one', status: 'draft' });
    const draft = await request(t.app).get('/events/draft-one/calendar.ics?lang=ja');
    expect(draft.status).toBe(404);
    expect(draft.headers['content-type']).toMatch(/^text\/html/);
    expect(draft.text).toContain('このアドレスのイベントはありません。');
    expect((await request(t.app).get('/events/nope/calendar.ics')).status).toBe(404);
  });

  describe('the event page', () => {
    it('when a published event is shown, then an "Add to your calendar" list has Google, Outlook.com (new tab, noopener) and the .ics in the page language', async () => {
      await makeEvent(t);
      const html = (await request(t.app).get('/events/tsunagaru-test?lang=en')).text;
      expect(html).toContain('<h2 id="calendar-heading">Add to your calendar</h2>');
      const section = /<section class="add-to-calendar"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
      const links = [...section.matchAll(/<a href="([^"]+)"([^>]*)>/g)].map((m) => ({
        href: m[1]!.replace(/&amp;/g, '&'),
        attrs: m[2]!,
      }));
      expect(links).toHaveLength(3);
      const [google, outlook, ics] = links;
      expect(google!.href).toMatch(/^https:\/\/calendar\.google\.com\/calendar\/render\?action=TEMPLATE&/);
      expect(new URL(google!.href).searchParams.get('dates')).toBe('20261216T060000Z/20261216T081500Z');
      expect(outlook!.href).toMatch(/^https:\/\/outlook\.live\.com\/calendar\/0\/action\/compose\?/);
      for (const external of [google!, outlook!]) {
        expect(external.attrs).toContain('target="_blank"');
        expect(external.attrs).toContain('rel="noopener noreferrer"');
        expect(decodeURIComponent(external.href)).not.toContain('zoom.example');
      }
      expect(ics!.href).toBe('/events/tsunagaru-test/calendar.ics?lang=en');
      expect(section).toContain('Google Calendar');
      expect(section).toContain('Outlook.com');
      expect(section).toContain('(opens in a new tab)');
    });

    it('when the page is Japanese, then the block is Japanese and the .ics link asks for Japanese', async () => {
      await makeEvent(t);
      const html = (await request(t.app).get('/events/tsunagaru-test?lang=ja')).text;
      expect(html).toContain('カレンダーに追加');
      expect(html).toContain('Googleカレンダー');
      expect(html).toContain('href="/events/tsunagaru-test/calendar.ics?lang=ja"');
    });

    it('when the event is cancelled or over, then the page has no "Add to calendar" block', async () => {
      await makeEvent(t, { status: 'cancelled' });
      expect((await request(t.app).get('/events/tsunagaru-test?lang=en')).text).not.toContain(
        'add-to-calendar',
      );
      await makeEvent(t, { status: 'published' });
      t.clock.set('2026-12-16T08:15:00Z');
      expect((await request(t.app).get('/events/tsunagaru-test?lang=en')).text).not.toContain(
        'add-to-calendar',
      );
    });
  });
});
