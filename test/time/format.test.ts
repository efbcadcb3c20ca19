import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { formatInstant, formatSpan, zoneAbbreviation, zonedSpans } from '../../src/time';
import { fixedNames } from '../../src/time/zone-labels';

/**
 * The text attendees read for a time, in every display zone at once. Expected strings are written out
 * by hand from a calendar (weekdays checked against a plain calendar, not against luxon), so a change in
 * the formatting code cannot quietly move the expectations with it.
 */

const tokyoZurich = ['Asia/Tokyo', 'Europe/Zurich'];
const at = (iso: string) => new Date(iso);

// The reference event: Wed 16 Dec 2026, 15:00–17:15 in Tokyo (06:00–08:15 UTC).
const refStart = at('2026-12-16T15:00:00+09:00');
const refEnd = at('2026-12-16T17:15:00+09:00');
const refEn = 'Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET';
const refJa = '2026年12月16日(水) 15:00–17:15 JST / 07:00–09:15 CET';

describe('formatSpan: the reference event', () => {
  it('when 16 Dec 2026 is looked up on a plain calendar, then it is a Wednesday (the weekday the expectations use)', () => {
    // Sakamoto's method, independent of Date and luxon: 0 = Sunday.
    const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    const y = 2026;
    const weekday = (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t[11]! + 16) % 7;
    expect(weekday).toBe(3);
    expect(new Date(Date.UTC(2026, 11, 16)).getUTCDay()).toBe(3);
  });

  it('when shown in English for Tokyo and Zurich, then the line is "Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET"', () => {
    expect(formatSpan(refStart, refEnd, tokyoZurich, 'en')).toBe(refEn);
  });

  it('when shown in Japanese for Tokyo and Zurich, then the line is "2026年12月16日(水) 15:00–17:15 JST / 07:00–09:15 CET"', () => {
    expect(formatSpan(refStart, refEnd, tokyoZurich, 'ja')).toBe(refJa);
  });

  it('when split into zoned spans, then each zone has its own clock times and abbreviation on the same date', () => {
    expect(zonedSpans(refStart, refEnd, tokyoZurich, 'en')).toEqual([
      { zone: 'Asia/Tokyo', abbreviation: 'JST', date: 'Wed 16 Dec 2026', start: '15:00', end: '17:15' },
      { zone: 'Europe/Zurich', abbreviation: 'CET', date: 'Wed 16 Dec 2026', start: '07:00', end: '09:15' },
    ]);
  });

  it('when the zones are listed Zurich first, then the line follows that order', () => {
    expect(formatSpan(refStart, refEnd, ['Europe/Zurich', 'Asia/Tokyo'], 'en')).toBe(
      'Wed 16 Dec 2026, 07:00–09:15 CET / 15:00–17:15 JST',
    );
  });

  it('when a registration deadline is shown as a single instant, then it has one clock time per zone and no dash', () => {
    const deadline = at('2026-12-14T23:59:00+09:00');
    expect(formatInstant(deadline, tokyoZurich, 'en')).toBe('Mon 14 Dec 2026, 23:59 JST / 15:59 CET');
    expect(formatInstant(deadline, tokyoZurich, 'ja')).toBe('2026年12月14日(月) 23:59 JST / 15:59 CET');
  });
});

describe('zone labels people actually write', () => {
  const winter = at('2026-01-15T12:00:00Z');
  const summer = at('2026-07-15T12:00:00Z');

  it('when Tokyo and Zurich are shown in Japanese in winter, then the labels are JST and CET, never GMT+9 or GMT+1', () => {
    const line = formatSpan(refStart, refEnd, tokyoZurich, 'ja');
    expect(line).toContain('JST');
    expect(line).toContain('CET');
    expect(line).not.toMatch(/GMT|UTC/);
  });

  it('when Tokyo and Zurich are shown in Japanese in summer, then the labels are JST and CEST, never GMT+9 or GMT+2', () => {
    // Fri 3 Jul 2026, 15:00 JST = 08:00 CEST.
    const line = formatInstant(at('2026-07-03T06:00:00Z'), tokyoZurich, 'ja');
    expect(line).toBe('2026年7月3日(金) 15:00 JST / 08:00 CEST');
    expect(line).not.toMatch(/GMT|UTC/);
  });

  it('when Tokyo is shown in English, then the label is JST, not GMT+9', () => {
    const line = formatInstant(summer, ['Asia/Tokyo'], 'en');
    expect(line).toBe('Wed 15 Jul 2026, 21:00 JST');
    expect(line).not.toContain('GMT');
  });

  it('when asked for Tokyo in winter and summer, then the abbreviation is JST both times', () => {
    expect(zoneAbbreviation(winter, 'Asia/Tokyo')).toBe('JST');
    expect(zoneAbbreviation(summer, 'Asia/Tokyo')).toBe('JST');
  });

  it('when asked for Zurich in winter and summer, then the abbreviation is CET, then CEST', () => {
    expect(zoneAbbreviation(winter, 'Europe/Zurich')).toBe('CET');
    expect(zoneAbbreviation(summer, 'Europe/Zurich')).toBe('CEST');
  });

  it('when asked for New York in winter and summer, then the abbreviation is EST, then EDT', () => {
    expect(zoneAbbreviation(winter, 'America/New_York')).toBe('EST');
    expect(zoneAbbreviation(summer, 'America/New_York')).toBe('EDT');
    expect(formatInstant(winter, ['America/New_York'], 'en')).toBe('Thu 15 Jan 2026, 07:00 EST');
    expect(formatInstant(summer, ['America/New_York'], 'en')).toBe('Wed 15 Jul 2026, 08:00 EDT');
  });

  it('when asked for London in winter and summer, then the abbreviation is GMT, then BST', () => {
    expect(zoneAbbreviation(winter, 'Europe/London')).toBe('GMT');
    expect(zoneAbbreviation(summer, 'Europe/London')).toBe('BST');
    expect(formatInstant(winter, ['Europe/London'], 'en')).toBe('Thu 15 Jan 2026, 12:00 GMT');
    expect(formatInstant(summer, ['Europe/London'], 'en')).toBe('Wed 15 Jul 2026, 13:00 BST');
  });

  // Every zone of the fixed-name table, written out by hand with its wall clock at 12:00 UTC on
  // Thu 15 Jan 2026 (none of them changes its clocks), so a broken or missing entry fails here.
  const byHand: [zone: string, name: string, clock: string][] = [
    ['Asia/Tokyo', 'JST', '21:00'],
    ['Asia/Seoul', 'KST', '21:00'],
    ['Asia/Kolkata', 'IST', '17:30'],
    ['Asia/Calcutta', 'IST', '17:30'],
    ['Asia/Singapore', 'SGT', '20:00'],
    ['Asia/Hong_Kong', 'HKT', '20:00'],
    ['Asia/Manila', 'PHT', '20:00'],
    ['Asia/Jakarta', 'WIB', '19:00'],
    ['Asia/Bangkok', 'ICT', '19:00'],
    ['Asia/Ho_Chi_Minh', 'ICT', '19:00'],
    ['Europe/Moscow', 'MSK', '15:00'],
    ['Africa/Nairobi', 'EAT', '15:00'],
  ];

  it('when the fixed-name table is listed, then it holds exactly the zones written out by hand here', () => {
    expect(Object.keys(fixedNames).sort()).toEqual(byHand.map(([zone]) => zone).sort());
  });

  it.each(byHand)(
    'when %s is shown in winter and summer, in English and Japanese, then it reads %s at its own clock',
    (zone, name, clock) => {
      expect(zoneAbbreviation(winter, zone)).toBe(name);
      expect(zoneAbbreviation(summer, zone)).toBe(name);
      expect(formatInstant(winter, [zone], 'en')).toBe(`Thu 15 Jan 2026, ${clock} ${name}`);
      expect(formatInstant(winter, [zone], 'ja')).toBe(`2026年1月15日(木) ${clock} ${name}`);
    },
  );

  it('when a zone has no common abbreviation (São Paulo), then the label is "UTC−3" with a real minus sign', () => {
    expect(zoneAbbreviation(winter, 'America/Sao_Paulo')).toBe('UTC\u22123');
    expect(formatInstant(winter, ['America/Sao_Paulo'], 'en')).toBe('Thu 15 Jan 2026, 09:00 UTC\u22123');
    expect(formatInstant(winter, ['America/Sao_Paulo'], 'ja')).toBe('2026年1月15日(木) 09:00 UTC\u22123');
  });

  it('when a zone without an abbreviation is offset by hours and minutes (Kathmandu), then the label is "UTC+5:45"', () => {
    expect(zoneAbbreviation(winter, 'Asia/Kathmandu')).toBe('UTC+5:45');
    expect(formatInstant(winter, ['Asia/Kathmandu'], 'en')).toBe('Thu 15 Jan 2026, 17:45 UTC+5:45');
  });
});

describe('Europe/Zurich daylight-saving changes in 2026 (01:00 UTC on 29 Mar and 25 Oct)', () => {
  it.each([
    ['2026-03-29T00:59:00Z', '01:59', 'CET', 'Sun 29 Mar 2026', '2026年3月29日(日)'],
    ['2026-03-29T01:00:00Z', '03:00', 'CEST', 'Sun 29 Mar 2026', '2026年3月29日(日)'],
    ['2026-10-25T00:59:00Z', '02:59', 'CEST', 'Sun 25 Oct 2026', '2026年10月25日(日)'],
    ['2026-10-25T01:00:00Z', '02:00', 'CET', 'Sun 25 Oct 2026', '2026年10月25日(日)'],
  ])('when the instant is %s, then Zurich reads %s %s', (iso, clock, label, dateEn, dateJa) => {
    const instant = at(iso);
    expect(zoneAbbreviation(instant, 'Europe/Zurich')).toBe(label);
    expect(formatInstant(instant, ['Europe/Zurich'], 'en')).toBe(`${dateEn}, ${clock} ${label}`);
    expect(formatInstant(instant, ['Europe/Zurich'], 'ja')).toBe(`${dateJa} ${clock} ${label}`);
  });

  it('when the clocks go forward, then one minute after 01:59 CET the label flips to CEST at 03:00', () => {
    const before = at('2026-03-29T00:59:00Z');
    const after = at('2026-03-29T01:00:00Z');
    expect(after.getTime() - before.getTime()).toBe(60_000);
    expect(zonedSpans(before, undefined, ['Europe/Zurich'], 'en')[0]).toMatchObject({
      abbreviation: 'CET',
      start: '01:59',
    });
    expect(zonedSpans(after, undefined, ['Europe/Zurich'], 'en')[0]).toMatchObject({
      abbreviation: 'CEST',
      start: '03:00',
    });
  });

  it('when the clocks go back, then one minute after 02:59 CEST the label flips to CET at 02:00', () => {
    const before = at('2026-10-25T00:59:00Z');
    const after = at('2026-10-25T01:00:00Z');
    expect(after.getTime() - before.getTime()).toBe(60_000);
    expect(zonedSpans(before, undefined, ['Europe/Zurich'], 'en')[0]).toMatchObject({
      abbreviation: 'CEST',
      start: '02:59',
    });
    expect(zonedSpans(after, undefined, ['Europe/Zurich'], 'en')[0]).toMatchObject({
      abbreviation: 'CET',
      start: '02:00',
    });
  });

  it('when a one-hour event spans the spring change, then Zurich labels each end: "01:30 CET–03:30 CEST"', () => {
    // Sun 29 Mar 2026, 09:30–10:30 JST = 00:30–01:30 UTC; Zurich jumps from 02:00 CET to 03:00 CEST.
    const start = at('2026-03-29T00:30:00Z');
    const end = at('2026-03-29T01:30:00Z');
    expect(formatSpan(start, end, tokyoZurich, 'en')).toBe(
      'Sun 29 Mar 2026, 09:30–10:30 JST / 01:30 CET–03:30 CEST',
    );
    expect(formatSpan(start, end, tokyoZurich, 'ja')).toBe(
      '2026年3月29日(日) 09:30–10:30 JST / 01:30 CET–03:30 CEST',
    );
    const [tokyo, zurich] = zonedSpans(start, end, tokyoZurich, 'en');
    expect(tokyo?.endAbbreviation).toBeUndefined();
    expect(zurich).toMatchObject({
      abbreviation: 'CET',
      endAbbreviation: 'CEST',
      start: '01:30',
      end: '03:30',
    });
  });

  it('when a one-hour event spans the autumn change, then Zurich reads "02:30 CEST–02:30 CET", not a zero-length "02:30–02:30"', () => {
    // Sun 25 Oct 2026, 09:30–10:30 JST = 00:30–01:30 UTC; Zurich repeats 02:00–03:00, first CEST then CET.
    const start = at('2026-10-25T00:30:00Z');
    const end = at('2026-10-25T01:30:00Z');
    expect(formatSpan(start, end, tokyoZurich, 'en')).toBe(
      'Sun 25 Oct 2026, 09:30–10:30 JST / 02:30 CEST–02:30 CET',
    );
    expect(formatSpan(start, end, ['Europe/Zurich'], 'ja')).toBe('2026年10月25日(日) 02:30 CEST–02:30 CET');
  });

  it('when Tokyo is shown next to Zurich across the spring change, then Tokyo keeps JST while Zurich flips', () => {
    expect(formatInstant(at('2026-03-29T00:59:00Z'), tokyoZurich, 'en')).toBe(
      'Sun 29 Mar 2026, 09:59 JST / 01:59 CET',
    );
    expect(formatInstant(at('2026-03-29T01:00:00Z'), tokyoZurich, 'en')).toBe(
      'Sun 29 Mar 2026, 10:00 JST / 03:00 CEST',
    );
  });
});

describe('each zone shows its own weekday', () => {
  it('when 2026-04-02T23:30Z is Friday 3 April in both Tokyo and Zurich, then the date is said once', () => {
    const instant = at('2026-04-02T23:30:00Z');
    expect(formatInstant(instant, tokyoZurich, 'en')).toBe('Fri 3 Apr 2026, 08:30 JST / 01:30 CEST');
    expect(formatInstant(instant, tokyoZurich, 'ja')).toBe('2026年4月3日(金) 08:30 JST / 01:30 CEST');
  });

  it('when 2026-04-02T20:00Z is Friday in Tokyo but still Thursday in Zurich, then each zone carries its own date', () => {
    const instant = at('2026-04-02T20:00:00Z');
    expect(formatInstant(instant, tokyoZurich, 'en')).toBe(
      'Fri 3 Apr 2026, 05:00 JST / Thu 2 Apr 2026, 22:00 CEST',
    );
    expect(formatInstant(instant, tokyoZurich, 'ja')).toBe(
      '2026年4月3日(金) 05:00 JST / 2026年4月2日(木) 22:00 CEST',
    );
    expect(zonedSpans(instant, undefined, tokyoZurich, 'en').map((s) => s.date)).toEqual([
      'Fri 3 Apr 2026',
      'Thu 2 Apr 2026',
    ]);
  });

  it('when a span crosses midnight in Tokyo only, then Tokyo shows the end date and Zurich does not', () => {
    // 14:30–15:30 UTC: 23:30–00:30 in Tokyo (Wed → Thu), 15:30–16:30 in Zurich (Wed).
    const start = at('2026-12-16T14:30:00Z');
    const end = at('2026-12-16T15:30:00Z');
    expect(formatSpan(start, end, tokyoZurich, 'en')).toBe(
      'Wed 16 Dec 2026, 23:30–Thu 17 Dec 2026 00:30 JST / 15:30–16:30 CET',
    );
    expect(formatSpan(start, end, tokyoZurich, 'ja')).toBe(
      '2026年12月16日(水) 23:30–2026年12月17日(木) 00:30 JST / 15:30–16:30 CET',
    );
    const [tokyo, zurich] = zonedSpans(start, end, tokyoZurich, 'en');
    expect(tokyo).toMatchObject({
      date: 'Wed 16 Dec 2026',
      endDate: 'Thu 17 Dec 2026',
      start: '23:30',
      end: '00:30',
    });
    expect(zurich).toMatchObject({ date: 'Wed 16 Dec 2026', start: '15:30', end: '16:30' });
    expect(zurich?.endDate).toBeUndefined();
  });

  it('when a span crosses midnight in Zurich and the zones start on different days, then every part has its own date', () => {
    // 22:30–23:30 UTC: Thu 07:30–08:30 in Tokyo, Wed 23:30 – Thu 00:30 in Zurich.
    const start = at('2026-12-16T22:30:00Z');
    const end = at('2026-12-16T23:30:00Z');
    expect(formatSpan(start, end, tokyoZurich, 'en')).toBe(
      'Thu 17 Dec 2026, 07:30–08:30 JST / Wed 16 Dec 2026, 23:30–Thu 17 Dec 2026 00:30 CET',
    );
  });
});

describe('independence from the process time zone', () => {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const script = `
    const { formatSpan } = require('./src/time');
    const start = new Date('2026-12-16T15:00:00+09:00');
    const end = new Date('2026-12-16T17:15:00+09:00');
    const zones = ['Asia/Tokyo', 'Europe/Zurich'];
    process.stdout.write(JSON.stringify({
      processZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      offsetMinutes: start.getTimezoneOffset(),
      en: formatSpan(start, end, zones, 'en'),
      ja: formatSpan(start, end, zones, 'ja'),
    }));
  `;
  const runIn = (tz: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      }),
    ) as { processZone: string; offsetMinutes: number; en: string; ja: string };

  it('when the process runs with TZ=America/New_York and with TZ=UTC, then the reference event reads the same in both', () => {
    const newYork = runIn('America/New_York');
    const utc = runIn('UTC');
    // The children really ran in different zones...
    expect(newYork.processZone).toBe('America/New_York');
    expect(newYork.offsetMinutes).toBe(300);
    expect(utc.offsetMinutes).toBe(0);
    // ...and still print the same, correct lines.
    expect(newYork.en).toBe(utc.en);
    expect(newYork.ja).toBe(utc.ja);
    expect(newYork.en).toBe(refEn);
    expect(newYork.ja).toBe(refJa);
  });
});
