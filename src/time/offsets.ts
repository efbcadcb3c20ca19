/**
 * Offsets such as "1 day before the start" or "2 hours after the end", written as ISO 8601 durations
 * in weeks, days, hours and minutes (P1D, PT1H, PT30M, P1DT12H). A day is 24 hours here: a reminder a
 * day before a 15:00 JST event goes at 15:00 JST the day before, whatever the clocks do in Europe.
 * Months and years are refused (how long is a month before?).
 */

const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

/** The longest offset accepted: 90 days. */
export const maxOffsetMinutes = 90 * 24 * 60;

/** The offset in minutes, or undefined when it is not a duration in weeks, days, hours and minutes. */
export function offsetMinutes(iso: string): number | undefined {
  const text = iso.trim().toUpperCase();
  const m = pattern.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, min] = m.map((x) => Number(x ?? 0));
  return ((w! * 7 + d!) * 24 + h!) * 60 + min!;
}

/** The one spelling of an offset: whole days as P<n>D, whole hours as PT<n>H, else PT<n>M. */
export function canonicalOffset(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}

/** The instant `offset` before `instant`. */
export function offsetBefore(instant: Date, offset: string): Date {
  return new Date(instant.getTime() - (offsetMinutes(offset) ?? 0) * 60_000);
}

/** The instant `offset` after `instant`. */
export function offsetAfter(instant: Date, offset: string): Date {
  return new Date(instant.getTime() + (offsetMinutes(offset) ?? 0) * 60_000);
}
