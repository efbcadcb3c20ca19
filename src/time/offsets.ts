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

const units: [RegExp, number][] = [
  [/^(w|wk|wks|week|weeks|週|週間)$/, 7 * 1440],
  [/^(d|day|days|日)$/, 1440],
  [/^(h|hr|hrs|hour|hours|時間)$/, 60],
  [/^(m|min|mins|minute|minutes|分)$/, 1],
];

/**
 * An offset as an organiser types it: ISO 8601 (P1D, pt1h), or a number and a unit in English or
 * Japanese ("1d", "3 hours", "30 min", "1日", "2時間", "30分"). Returns the ISO text to validate, or the
 * input unchanged when it is neither (validation then names it).
 */
export function offsetFromText(text: string): string {
  const t = text.normalize('NFKC').trim();
  if (/^p/i.test(t)) return t.toUpperCase();
  const m = /^(\d{1,6})\s*([a-z\u3000-\u9fff]+)$/i.exec(t);
  const unit = m && units.find(([re]) => re.test(m[2]!.toLowerCase()));
  return m && unit ? canonicalOffset(Number(m[1]) * unit[1]) : t;
}

const labelUnits: [minutes: number, en: string, ja: string][] = [
  [1440, 'd', '日'],
  [60, 'h', '時間'],
  [1, 'm', '分'],
];

/**
 * An offset as an organiser types it, the way offsetFromText reads it back: "1d", "3h", "30m" in
 * English, "1日", "3時間", "30分" in Japanese; the largest unit that divides it (P1W is "7d"). An
 * offset that is not ISO 8601 comes back unchanged.
 */
function offsetLabel(iso: string, lang: 'en' | 'ja'): string {
  const minutes = offsetMinutes(iso);
  if (minutes === undefined) return iso;
  const [size, en, ja] = labelUnits.find(([m]) => minutes % m === 0)!;
  return `${minutes / size}${lang === 'ja' ? ja : en}`;
}

/** A list of offsets as the editor shows it: "1d, 1h" / "1日、1時間". */
export function offsetListLabel(isos: readonly string[], lang: 'en' | 'ja'): string {
  return isos.map((iso) => offsetLabel(iso, lang)).join(lang === 'ja' ? '、' : ', ');
}
