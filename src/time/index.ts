/** Time: instants in, labels out. No I/O, no clock; callers pass `now` when they need one. */
export { formatSpan, formatInstant, zonedSpans, formatDate, type Lang, type ZonedSpan } from './format';
export { zoneAbbreviation, isValidTimeZone, zoneNaming } from './zone-labels';
export { isoInZone, wallClockMs } from './iso';
export {
  offsetMinutes,
  offsetFromText,
  canonicalOffset,
  offsetBefore,
  offsetAfter,
  maxOffsetMinutes,
  offsetListLabel,
} from './offsets';
export { zoneCountry } from './zone-countries';
