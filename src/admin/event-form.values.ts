import { DateTime } from 'luxon';
import type { EventInput } from '../events';
import type { Language } from '../i18n';
import { offsetListLabel } from '../time';

/**
 * The event form's values: the strings its fields show, for a new event, for a stored one, and from a
 * posted body (blank rows dropped, the rest renumbered). Reading them into an event document is
 * `event-form.ts`; putting problems back on fields is `event-form.errors.ts`.
 */

/** The event's texts, each a pair of fields `<name>_en` and `<name>_ja`. */
export const textFields = ['title', 'summary', 'description', 'programme', 'organisers'] as const;
export type TextField = (typeof textFields)[number];
/** The event's instants, each a datetime-local field in the event zone. */
export const timeFields = ['startsAt', 'endsAt', 'registrationOpensAt', 'registrationClosesAt'] as const;
export type TimeField = (typeof timeFields)[number];

/** Zones offered as check boxes for the display zones; any other IANA name can be typed. */
export const commonZones = [
  'Asia/Tokyo',
  'Europe/Zurich',
  'Europe/Brussels',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Asia/Seoul',
  'Asia/Bangkok',
  'Asia/Manila',
  'Asia/Jakarta',
  'Asia/Kolkata',
  'Australia/Sydney',
  'America/New_York',
  'UTC',
] as const;

/** One row of material links: fields `m<row>_title_en`, `m<row>_title_ja`, `m<row>_url`. */
export interface MaterialRow {
  titleEn: string;
  titleJa: string;
  url: string;
}

/** One option of a choice question: fields `q<row>_o<n>_value`, `q<row>_o<n>_en`, `q<row>_o<n>_ja`. */
export interface OptionRow {
  value: string;
  en: string;
  ja: string;
}

/** One row of custom questions: fields `q<row>_id`, `q<row>_type`, `q<row>_label_en`, … */
export interface QuestionRow {
  id: string;
  type: string;
  labelEn: string;
  labelJa: string;
  required: boolean;
  /** Its options, one row each (blank rows dropped when read from a body). */
  options: OptionRow[];
  remove: boolean;
}

/** What the form shows: the strings as typed (or as derived from the stored event). */
export interface EventFormValues {
  slug: string;
  texts: Record<TextField, { en: string; ja: string }>;
  timezone: string;
  displayZones: string[];
  displayZonesOther: string;
  times: Record<TimeField, string>;
  capacity: string;
  waitlist: boolean;
  /** Minutes on Zoom that count as attending. */
  attendanceMinutes: string;
  approval: boolean;
  /** Days after the end until personal data is anonymised; "0" keeps it. */
  retentionDays: string;
  meetingUrl: string;
  meetingPasscode: string;
  contactEmail: string;
  bilingualMail: boolean;
  reminders: string;
  /** Origins allowed to frame the event, one per line. */
  embedOrigins: string;
  materials: MaterialRow[];
  questions: QuestionRow[];
}

/** One problem, tied to a form field (its id), as a locale key. */
export interface FormError {
  field: string;
  key: string;
  params: Record<string, unknown>;
}

/** Where each item of the event document came from in the form, to put its problems back there. */
export interface RowMap {
  materials: number[];
  questions: number[];
  checkedZones: number;
}

/** A urlencoded body as express.urlencoded({ extended: false }) gives it: a string, or an array when repeated. */
export type FormBody = Record<string, unknown>;

const emptyTexts = () =>
  Object.fromEntries(textFields.map((f) => [f, { en: '', ja: '' }])) as EventFormValues['texts'];

/** The form for a new event: Tokyo time, shown in Tokyo and Zurich, reminders a day and an hour before. */
export function newEventValues(lang: Language): EventFormValues {
  return {
    slug: '',
    texts: emptyTexts(),
    timezone: 'Asia/Tokyo',
    displayZones: ['Asia/Tokyo', 'Europe/Zurich'],
    displayZonesOther: '',
    times: { startsAt: '', endsAt: '', registrationOpensAt: '', registrationClosesAt: '' },
    capacity: '',
    waitlist: false,
    attendanceMinutes: '10',
    approval: false,
    retentionDays: '365',
    meetingUrl: '',
    meetingPasscode: '',
    contactEmail: '',
    bilingualMail: false,
    reminders: offsetListLabel(['P1D', 'PT1H'], lang),
    embedOrigins: '',
    materials: [],
    questions: [],
  };
}

/** "2026-12-16T15:00" in `zone`: what a datetime-local input shows (seconds only when there are some). */
export function localInputValue(iso: string | null, zone: string): string {
  if (!iso) return '';
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return '';
  if (dt.millisecond) return dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
  return dt.toFormat(dt.second ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm");
}

/** The form's strings for a stored event. */
export function formValuesFromEvent(doc: EventInput, lang: Language): EventFormValues {
  const zone = doc.timezone;
  const common = commonZones as readonly string[];
  return {
    slug: doc.slug,
    texts: Object.fromEntries(
      textFields.map((f) => [f, { en: doc[f].en ?? '', ja: doc[f].ja ?? '' }]),
    ) as EventFormValues['texts'],
    timezone: zone,
    displayZones: doc.displayTimezones.filter((z) => common.includes(z)),
    displayZonesOther: doc.displayTimezones.filter((z) => !common.includes(z)).join(', '),
    times: Object.fromEntries(
      timeFields.map((f) => [f, localInputValue(doc[f], zone)]),
    ) as EventFormValues['times'],
    capacity: doc.capacity === null ? '' : String(doc.capacity),
    waitlist: doc.waitlist,
    attendanceMinutes: String(doc.attendanceMinutes ?? 10),
    approval: doc.approval,
    retentionDays: String(doc.retentionDays),
    meetingUrl: doc.meetingUrl ?? '',
    meetingPasscode: doc.meetingPasscode ?? '',
    contactEmail: doc.contactEmail ?? '',
    bilingualMail: doc.bilingualMail,
    // As an organiser types them ("1d, 1h" / 「1日、1時間」), not as stored (P1D, PT1H).
    reminders: offsetListLabel(doc.reminders, lang),
    embedOrigins: doc.embedOrigins.join('\n'),
    materials: doc.materials.map((m) => ({
      titleEn: m.title.en ?? '',
      titleJa: m.title.ja ?? '',
      url: m.url,
    })),
    questions: doc.questions.map((q) => ({
      id: q.id,
      type: q.type,
      labelEn: q.label.en ?? '',
      labelJa: q.label.ja ?? '',
      required: q.required,
      options: q.options.map((o) => ({ value: o.value, en: o.label.en ?? '', ja: o.label.ja ?? '' })),
      remove: false,
    })),
  };
}

/** One value of a urlencoded body as a string (browsers send CRLF in textareas; we store LF). */
function str(body: FormBody, key: string): string {
  const v = body[key];
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one.replace(/\r\n?/g, '\n') : '';
}

function list(body: FormBody, key: string): string[] {
  const v = body[key];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** Row numbers present in the body for a prefix (`q` -> q0_…, q3_…), in order, at most 60 rows. */
function rowIndexes(body: FormBody, prefix: string): number[] {
  const seen = new Set<number>();
  for (const k of Object.keys(body)) {
    const m = new RegExp(`^${prefix}(\\d{1,2})_`).exec(k);
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

/** A question's option rows from a body, blank ones dropped. */
function optionsFromBody(body: FormBody, question: number): OptionRow[] {
  const p = `q${question}_o`;
  return rowIndexes(body, p)
    .map((j) => ({
      value: str(body, `${p}${j}_value`).trim(),
      en: str(body, `${p}${j}_en`),
      ja: str(body, `${p}${j}_ja`),
    }))
    .filter((o) => o.value || o.en.trim() || o.ja.trim());
}

/** The form's strings from a posted body; blank rows are dropped and the rest renumbered. */
export function valuesFromBody(body: FormBody): EventFormValues {
  const materials = rowIndexes(body, 'm')
    .map((i) => ({
      titleEn: str(body, `m${i}_title_en`),
      titleJa: str(body, `m${i}_title_ja`),
      url: str(body, `m${i}_url`),
    }))
    .filter((m) => m.titleEn.trim() || m.titleJa.trim() || m.url.trim());
  const questions = rowIndexes(body, 'q')
    .map((i) => ({
      id: str(body, `q${i}_id`).trim(),
      type: str(body, `q${i}_type`) || 'text',
      labelEn: str(body, `q${i}_label_en`),
      labelJa: str(body, `q${i}_label_ja`),
      required: str(body, `q${i}_required`) === 'yes',
      options: optionsFromBody(body, i),
      remove: str(body, `q${i}_remove`) === 'yes',
    }))
    .filter((q) => q.id || q.labelEn.trim() || q.labelJa.trim() || q.options.length);
  return {
    slug: str(body, 'slug').trim(),
    texts: Object.fromEntries(
      textFields.map((f) => [f, { en: str(body, `${f}_en`), ja: str(body, `${f}_ja`) }]),
    ) as EventFormValues['texts'],
    timezone: str(body, 'timezone').trim(),
    displayZones: list(body, 'displayZones'),
    displayZonesOther: str(body, 'displayZonesOther'),
    times: Object.fromEntries(timeFields.map((f) => [f, str(body, f).trim()])) as EventFormValues['times'],
    capacity: str(body, 'capacity').trim(),
    waitlist: str(body, 'waitlist') === 'yes',
    attendanceMinutes: str(body, 'attendanceMinutes').trim(),
    approval: str(body, 'approval') === 'yes',
    retentionDays: str(body, 'retentionDays').trim(),
    meetingUrl: str(body, 'meetingUrl').trim(),
    meetingPasscode: str(body, 'meetingPasscode').trim(),
    contactEmail: str(body, 'contactEmail').trim(),
    bilingualMail: str(body, 'bilingualMail') === 'yes',
    reminders: str(body, 'reminders'),
    embedOrigins: str(body, 'embedOrigins'),
    materials,
    questions,
  };
}
