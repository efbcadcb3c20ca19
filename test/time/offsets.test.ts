import { eventInputSchema } from '../../src/events/events.schemas';
import { canonicalOffset, offsetBefore, offsetFromText, offsetMinutes } from '../../src/time';
import { eventDoc } from '../helpers/events';

describe('reminder offsets', () => {
  it.each([
    ['P1D', 1440],
    ['PT1H', 60],
    ['PT30M', 30],
    ['P1DT12H', 2160],
    ['P2W', 20160],
    ['pt90m', 90],
  ])('when %s is read, then it is %i minutes', (iso, minutes) => {
    expect(offsetMinutes(iso)).toBe(minutes);
  });

  it.each(['P1M', 'P1Y', 'PT1S', 'P', 'PT', '1 day', 'P1.5D', ''])(
    'when %p is read, then it is not an offset (months, years and seconds are refused)',
    (text) => {
      expect(offsetMinutes(text)).toBeUndefined();
    },
  );

  it.each([
    [1440, 'P1D'],
    [2880, 'P2D'],
    [60, 'PT1H'],
    [2160, 'PT36H'],
    [90, 'PT90M'],
  ])('when %i minutes are written, then the one spelling is %s', (minutes, iso) => {
    expect(canonicalOffset(minutes)).toBe(iso);
  });

  it.each([
    ['1d', 'P1D'],
    ['3 hours', 'PT3H'],
    ['30 min', 'PT30M'],
    ['1日', 'P1D'],
    ['２時間', 'PT2H'],
    ['30分', 'PT30M'],
    ['1 week', 'P7D'],
    ['pt1h', 'PT1H'],
    ['tomorrow', 'tomorrow'],
  ])('when an organiser types %p, then it reads as %p', (text, iso) => {
    expect(offsetFromText(text)).toBe(iso);
  });

  it('when a day before 15:00 JST is computed, then it is 24 hours earlier, whatever the clocks in Europe do', () => {
    expect(offsetBefore(new Date('2027-03-28T06:00:00Z'), 'P1D').toISOString()).toBe(
      '2027-03-27T06:00:00.000Z',
    );
  });

  it('when an event lists PT24H, P1D and PT30M, then it keeps one 1-day reminder and orders them earliest first', () => {
    const parsed = eventInputSchema.parse(eventDoc({ reminders: ['PT30M', 'PT24H', 'P1D'] }));
    expect(parsed.reminders).toEqual(['P1D', 'PT30M']);
  });

  it('when an event lists a reminder of 91 days or of months, then it is refused with the reminder message', () => {
    for (const bad of ['P91D', 'P1M', 'PT0M']) {
      const r = eventInputSchema.safeParse(eventDoc({ reminders: [bad] }));
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toBe('validation:event.reminder');
    }
  });
});
