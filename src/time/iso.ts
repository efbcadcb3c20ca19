import { DateTime, IANAZone } from 'luxon';
import { boundedMemo } from './memo';

/**
 * An instant as ISO 8601 in a zone, with its offset: "2026-12-16T15:00:00+09:00" (milliseconds only when
 * there are some), exactly what Luxon's `toISO({ suppressMilliseconds: true })` writes. An export writes
 * one or two per row, and Luxon asks Intl for the zone's offset on every call; the offset only changes
 * at a clock change, so it is looked up once per zone and hour and the text is written by hand.
 */
export function isoInZone(at: Date, zone: string): string {
  const ms = at.getTime();
  const offset = hourOffset(zone, ms);
  const local = new Date(ms + (offset ?? 0) * 60_000);
  const year = local.getUTCFullYear();
  // Luxon writes "Z" for a zero offset in some zones and "+00:00" in others, and other spellings for
  // years outside 1000–9999: leave those rare cases to it.
  if (offset === undefined || offset === 0 || year < 1000 || year > 9999) {
    return DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const milli = local.getUTCMilliseconds();
  const abs = Math.abs(offset);
  return (
    `${year}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
    (milli ? `.${String(milli).padStart(3, '0')}` : '') +
    `${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  );
}

/**
 * The wall-clock reading of `at` in `zone`, as milliseconds of a UTC clock showing the same date and
 * time: 09:30 in Tokyo is 09:30 UTC of the same day. Spreadsheet date-times have no zone, so this is
 * what an export writes for them, once or twice per row; the offset comes from the same per-hour
 * memo as isoInZone, and Luxon is asked only within an hour holding a clock change.
 */
export function wallClockMs(at: Date, zone: string): number {
  const ms = at.getTime();
  const offset = hourOffset(zone, ms) ?? DateTime.fromJSDate(at, { zone }).offset;
  return ms + offset * 60_000;
}

const hourMs = 3600_000;
const offsets = boundedMemo<number | null>(20_000);

/**
 * The zone's offset in minutes during the UTC hour that holds `ms`, or undefined when it changes within
 * that hour (then the caller asks Luxon) or the zone is unknown.
 */
function hourOffset(zone: string, ms: number): number | undefined {
  const hour = Math.floor(ms / hourMs);
  const found = offsets(`${zone}|${hour}`, () => {
    const z = IANAZone.create(zone);
    if (!z.isValid) return null;
    const first = z.offset(hour * hourMs);
    return first === z.offset(hour * hourMs + hourMs - 1) ? first : null;
  });
  return found ?? undefined;
}
