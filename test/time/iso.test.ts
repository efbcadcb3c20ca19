import fc from 'fast-check';
import { DateTime } from 'luxon';
import { isoInZone, wallClockMs } from '../../src/time';

const luxon = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true });

const zones = [
  'Asia/Tokyo',
  'Europe/Zurich',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'UTC',
];

describe('an instant as ISO 8601 in a zone', () => {
  it('when written in the event zone, then it reads as the local time with its offset', () => {
    expect(isoInZone(new Date('2026-12-16T06:00:00Z'), 'Asia/Tokyo')).toBe('2026-12-16T15:00:00+09:00');
    expect(isoInZone(new Date('2026-07-01T06:00:00.250Z'), 'Europe/Zurich')).toBe(
      '2026-07-01T08:00:00.250+02:00',
    );
    expect(isoInZone(new Date('2026-01-01T12:00:00Z'), 'America/St_Johns')).toBe('2026-01-01T08:30:00-03:30');
  });

  it('when the instant is on either side of a clock change, then it has the offset in force at that instant', () => {
    // Europe/Zurich went to summer time at 2026-03-29T01:00:00Z.
    expect(isoInZone(new Date('2026-03-29T00:59:59Z'), 'Europe/Zurich')).toBe('2026-03-29T01:59:59+01:00');
    expect(isoInZone(new Date('2026-03-29T01:00:00Z'), 'Europe/Zurich')).toBe('2026-03-29T03:00:00+02:00');
    // Lord Howe changes by half an hour, at 2026-04-04T15:00:00Z.
    expect(isoInZone(new Date('2026-04-04T14:59:00Z'), 'Australia/Lord_Howe')).toBe(
      '2026-04-05T01:59:00+11:00',
    );
    expect(isoInZone(new Date('2026-04-04T15:00:00Z'), 'Australia/Lord_Howe')).toBe(
      '2026-04-05T01:30:00+10:30',
    );
  });

  it('when compared with Luxon on any instant from 1990 to 2060 in zones with odd offsets and clock changes, then the text is the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const at = new Date(ms);
          expect(isoInZone(at, zone)).toBe(luxon(at, zone));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('when every minute around a year of clock changes is written, then each matches Luxon', () => {
    for (const zone of ['Europe/Zurich', 'America/New_York', 'Australia/Lord_Howe']) {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7 * 60_000 + 13_000) {
        const at = new Date(ms);
        if (isoInZone(at, zone) !== luxon(at, zone)) {
          throw new Error(`${zone} ${at.toISOString()}: ${isoInZone(at, zone)} vs ${luxon(at, zone)}`);
        }
      }
    }
    expect(isoInZone(new Date(Date.UTC(2026, 10, 1, 5, 59)), 'America/New_York')).toBe(
      luxon(new Date(Date.UTC(2026, 10, 1, 5, 59)), 'America/New_York'),
    );
  });
});

describe('the wall-clock reading of an instant in a zone', () => {
  /** Luxon's reading of the same instant: its local fields, as if on a UTC clock. */
  const luxonWall = (ms: number, zone: string) => {
    const dt = DateTime.fromMillis(ms, { zone });
    return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second, dt.millisecond);
  };

  it('when the instant is on either side of a half-hour clock change, then it reads what the clock showed', () => {
    // Lord Howe goes back half an hour at 2026-04-04T15:00:00Z, in the middle of a UTC hour's offsets.
    expect(new Date(wallClockMs(new Date('2026-04-04T14:59:00Z'), 'Australia/Lord_Howe')).toISOString()).toBe(
      '2026-04-05T01:59:00.000Z',
    );
    expect(new Date(wallClockMs(new Date('2026-04-04T15:00:00Z'), 'Australia/Lord_Howe')).toISOString()).toBe(
      '2026-04-05T01:30:00.000Z',
    );
  });

  it('when compared with Luxon on any instant from 1990 to 2060, then the reading is the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          expect(wallClockMs(new Date(ms), zone)).toBe(luxonWall(ms, zone));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
