import { DateTime } from 'luxon';
import { boundedMemo } from './memo';
import { zoneAbbreviation } from './zone-labels';

/**
 * Pure functions that turn instants into the text attendees read, in every display zone at once:
 * "Thu 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET". Each zone gets its own date whenever the
 * dates differ, so the weekday is right in each zone.
 */
export type Lang = 'en' | 'ja';

/** One zone's view of a span: its date, its times, its abbreviation. */
export interface ZonedSpan {
  zone: string;
  abbreviation: string;
  date: string;
  start: string;
  end?: string;
  /** Set when the span ends on a later calendar day in this zone. */
  endDate?: string;
  /** Set when the zone's abbreviation at the end differs from the start's (a DST change in the span). */
  endAbbreviation?: string;
}

function at(instant: Date, zone: string, lang: Lang): DateTime {
  return DateTime.fromJSDate(instant, { zone }).setLocale(lang === 'ja' ? 'ja-JP' : 'en-GB');
}

/** "Thu 16 Dec 2026" in English, "2026年12月16日(木)" in Japanese. */
export function formatDate(dt: DateTime, lang: Lang): string {
  return lang === 'ja' ? dt.toFormat("yyyy'年'M'月'd'日('ccc')'") : dt.toFormat('ccc d LLL yyyy');
}

/** 24-hour "HH:mm" in both languages, as both audiences write it. */
export function formatClock(dt: DateTime): string {
  return dt.toFormat('HH:mm');
}

/** The span (or single instant when `end` is omitted) as seen in each zone. */
export function zonedSpans(
  start: Date,
  end: Date | undefined,
  zones: readonly string[],
  lang: Lang,
): ZonedSpan[] {
  return zones.map((zone) => {
    const s = at(start, zone, lang);
    const span: ZonedSpan = {
      zone,
      abbreviation: zoneAbbreviation(start, zone),
      date: formatDate(s, lang),
      start: formatClock(s),
    };
    if (end) {
      const e = at(end, zone, lang);
      span.end = formatClock(e);
      if (!e.hasSame(s, 'day')) span.endDate = formatDate(e, lang);
      const endAbbreviation = zoneAbbreviation(end, zone);
      if (endAbbreviation !== span.abbreviation) span.endAbbreviation = endAbbreviation;
    }
    return span;
  });
}

/** "15:00–17:15 JST"; across a DST change each end carries its own label: "01:30 CET–03:30 CEST". */
function clockPart(span: ZonedSpan): string {
  if (!span.end) return `${span.start} ${span.abbreviation}`;
  const sep = '–';
  const start = span.endAbbreviation ? `${span.start} ${span.abbreviation}` : span.start;
  const end = span.endDate ? `${span.endDate} ${span.end}` : span.end;
  return `${start}${sep}${end} ${span.endAbbreviation ?? span.abbreviation}`;
}

/**
 * One line for a span in every zone. When the date is the same everywhere it is said once:
 * "Thu 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET"; otherwise each zone carries its own date:
 * "Fri 3 Apr 2026, 08:00–09:00 JST / Thu 2 Apr 2026, 01:00–02:00 CEST".
 */
export function formatSpan(start: Date, end: Date | undefined, zones: readonly string[], lang: Lang): string {
  const key = `${start.getTime()}|${end?.getTime() ?? ''}|${lang}|${zones.join(',')}`;
  return spanTexts(key, () => spanText(start, end, zones, lang));
}

/** Pages show the same few spans on every request; the text is a pure function of its arguments. */
const spanTexts = boundedMemo<string>(5000);

function spanText(start: Date, end: Date | undefined, zones: readonly string[], lang: Lang): string {
  const spans = zonedSpans(start, end, zones, lang);
  const dateSep = lang === 'ja' ? ' ' : ', ';
  const sameDate = spans.every((s) => s.date === spans[0]?.date);
  if (sameDate && spans[0]) {
    return `${spans[0].date}${dateSep}${spans.map((s) => clockPart(s)).join(' / ')}`;
  }
  return spans.map((s) => `${s.date}${dateSep}${clockPart(s)}`).join(' / ');
}

/** A single instant in every zone, e.g. a deadline: "Mon 14 Dec 2026, 23:59 JST / 15:59 CET". */
export function formatInstant(instant: Date, zones: readonly string[], lang: Lang): string {
  return formatSpan(instant, undefined, zones, lang);
}
