import { DateTime } from 'luxon';
import { boundedMemo } from './memo';

/**
 * The abbreviation people actually write for a zone at a given instant: JST, CET/CEST, BST, EST/EDT.
 * Intl alone prints "GMT+9" for Tokyo in English and "GMT+1" for Zurich in Japanese, which nobody in
 * Japan or Europe writes; so we ask the English locales that know each region's names, and keep a short
 * table for zones whose names no English locale in ICU carries.
 */
export const fixedNames: Readonly<Record<string, string>> = {
  'Asia/Tokyo': 'JST',
  'Asia/Seoul': 'KST',
  'Asia/Kolkata': 'IST',
  'Asia/Calcutta': 'IST',
  'Asia/Singapore': 'SGT',
  'Asia/Hong_Kong': 'HKT',
  'Asia/Manila': 'PHT',
  'Asia/Jakarta': 'WIB',
  'Asia/Bangkok': 'ICT',
  'Asia/Ho_Chi_Minh': 'ICT',
  'Europe/Moscow': 'MSK',
  'Africa/Nairobi': 'EAT',
};

export const regionalLocales: readonly string[] = ['en-US', 'en-GB', 'en-AU', 'en-NZ', 'en-IN'];
const offsetStyle = /^(GMT|UTC)[+\-−]\d/;

/** The naming rules above, for the browser's live echo in the event editor (it names zones the same way). */
export const zoneNaming = JSON.stringify({ fixedNames, regionalLocales });

/** Building an Intl.DateTimeFormat costs far more than using one: one per locale and zone, kept. */
const formatters = boundedMemo<Intl.DateTimeFormat>(2000);

function intlShortName(locale: string, zone: string, instant: Date): string | undefined {
  return formatters(
    `${locale}|${zone}`,
    () => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }),
  )
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
}

/** "UTC+9", "UTC+5:30", "UTC−3": the honest fallback when a zone has no common abbreviation. */
function utcOffsetLabel(instant: Date, zone: string): string {
  const minutes = DateTime.fromJSDate(instant, { zone }).offset;
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

const abbreviations = boundedMemo<string>(5000);

/** The abbreviation in force in `zone` at `instant` (CET in winter, CEST in summer). */
export function zoneAbbreviation(instant: Date, zone: string): string {
  const fixed = fixedNames[zone];
  if (fixed) return fixed;
  return abbreviations(`${zone}|${instant.getTime()}`, () => lookUpAbbreviation(instant, zone));
}

function lookUpAbbreviation(instant: Date, zone: string): string {
  for (const locale of regionalLocales) {
    const name = intlShortName(locale, zone, instant);
    if (name && !offsetStyle.test(name) && name !== 'GMT+0') return name;
  }
  return utcOffsetLabel(instant, zone);
}

/** True when `zone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
