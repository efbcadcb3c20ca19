import { DateTime } from 'luxon';
import { DomainError } from '../errors';
import { parseEventInput, type EventInput, type EventIssue, type EventStatus } from '../events';
import { isValidTimeZone, offsetFromText } from '../time';

/**
 * The workspace's event form, as pure functions: an event document to the strings the form shows, the
 * posted form back to an event document (with every problem tied to the field that caused it), and
 * the view model the template prints. Wall-clock times are typed in the EVENT's zone and become
 * instants with an offset here, so a time that does not exist there (a spring-forward gap) is refused
 * instead of being moved by an hour.
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

/** One row of custom questions: fields `q<row>_id`, `q<row>_type`, `q<row>_label_en`, … */
export interface QuestionRow {
  id: string;
  type: string;
  labelEn: string;
  labelJa: string;
  required: boolean;
  /** One option per line: `value | English label | 日本語ラベル`. */
  options: string;
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
  meetingUrl: string;
  meetingPasscode: string;
  contactEmail: string;
  bilingualMail: boolean;
  reminders: string;
  materials: MaterialRow[];
  questions: QuestionRow[];
}

/** One problem, tied to a form field (its id), as a locale key; `line` points into a textarea. */
export interface FormError {
  field: string;
  key: string;
  params: Record<string, unknown>;
  line?: number;
}

/** Where each item of the event document came from in the form, to put its problems back there. */
export interface RowMap {
  materials: number[];
  questions: number[];
  optionLines: number[][];
  checkedZones: number;
}

/** A urlencoded body as express.urlencoded({ extended: false }) gives it: a string, or an array when repeated. */
export type FormBody = Record<string, unknown>;

const emptyTexts = () =>
  Object.fromEntries(textFields.map((f) => [f, { en: '', ja: '' }])) as EventFormValues['texts'];

/** The form for a new event: Tokyo time, shown in Tokyo and Zurich, reminders a day and an hour before. */
export function newEventValues(): EventFormValues {
  return {
    slug: '',
    texts: emptyTexts(),
    timezone: 'Asia/Tokyo',
    displayZones: ['Asia/Tokyo', 'Europe/Zurich'],
    displayZonesOther: '',
    times: { startsAt: '', endsAt: '', registrationOpensAt: '', registrationClosesAt: '' },
    capacity: '',
    waitlist: false,
    meetingUrl: '',
    meetingPasscode: '',
    contactEmail: '',
    bilingualMail: false,
    reminders: 'P1D, PT1H',
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

/** One option as a line of the options box; a "|" inside a label is written "\\|". */
function optionLine(o: { value: string; label: { en?: string; ja?: string } }): string {
  const parts = [o.value, o.label.en ?? '', o.label.ja ?? ''].map((p) => p.replace(/\|/g, '\\|'));
  while (parts.length > 1 && !parts[parts.length - 1]) parts.pop();
  return parts.join(' | ');
}

/** The form's strings for a stored event. */
export function formValuesFromEvent(doc: EventInput): EventFormValues {
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
    meetingUrl: doc.meetingUrl ?? '',
    meetingPasscode: doc.meetingPasscode ?? '',
    contactEmail: doc.contactEmail ?? '',
    bilingualMail: doc.bilingualMail,
    reminders: doc.reminders.join(', '),
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
      options: q.options.map(optionLine).join('\n'),
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
      options: str(body, `q${i}_options`),
      remove: str(body, `q${i}_remove`) === 'yes',
    }))
    .filter((q) => q.id || q.labelEn.trim() || q.labelJa.trim() || q.options.trim());
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
    meetingUrl: str(body, 'meetingUrl').trim(),
    meetingPasscode: str(body, 'meetingPasscode').trim(),
    contactEmail: str(body, 'contactEmail').trim(),
    bilingualMail: str(body, 'bilingualMail') === 'yes',
    reminders: str(body, 'reminders'),
    materials,
    questions,
  };
}

/** Outcome of a wall-clock time in a zone: the instant, or why there is none. */
export type LocalTime =
  | { ok: true; iso: string }
  | { ok: false; reason: 'format' }
  | { ok: false; reason: 'gap'; suggestion: string };

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * A datetime-local value read in `zone`. Luxon moves a time in a spring-forward gap to after the gap
 * (02:30 becomes 03:30 CEST); we check that the wall clock survived and refuse the time when it did not.
 */
export function fromLocalInput(value: string, zone: string): LocalTime {
  const m = localPattern.exec(value);
  if (!m) return { ok: false, reason: 'format' };
  const dt = DateTime.fromISO(value, { zone });
  if (!dt.isValid) return { ok: false, reason: 'format' };
  const wanted = m.slice(1, 7).map((p) => Number(p ?? 0));
  const got = [dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second];
  if (wanted.some((n, i) => n !== got[i])) {
    // An impossible date (31 April) comes back invalid above; a shifted one is a gap.
    return { ok: false, reason: 'gap', suggestion: dt.toFormat('HH:mm') };
  }
  return { ok: true, iso: dt.toISO({ suppressMilliseconds: true })! };
}

/** "Which sessions?" -> "which_sessions": lower-case a-z, 0-9, _ and -, at most 40, or '' when nothing is left. */
export function slugify(label: string, max = 40): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, max)
    .replace(/[_-]+$/, '');
}

function unique(base: string, taken: Set<string>, max = 40): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, max - String(n).length - 1)}_${n}`;
  taken.add(id);
  return id;
}

const texts = (en: string, ja: string) => {
  const out: { en?: string; ja?: string } = {};
  if (en.trim()) out.en = en.trim();
  if (ja.trim()) out.ja = ja.trim();
  return out;
};

/** Options from a textarea: `value | English | 日本語` per line; a bare label gets a value made from it. */
function parseOptions(text: string): { options: { value: string; label: object }[]; lines: number[] } {
  const options: { value: string; label: object }[] = [];
  const lines: number[] = [];
  const taken = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const parts = raw.split(/(?<!\\)\|/).map((p) => p.trim().replace(/\\\|/g, '|'));
    let [value = '', en = '', ja = ''] = parts.length === 1 ? ['', parts[0], ''] : parts;
    if (parts.length === 1 && /[^\x20-\x7e]/.test(en)) [en, ja] = ['', en];
    if (parts.length > 3) ja = parts.slice(2).join(' | ');
    value = value || unique(slugify(en) || `o${i + 1}`, taken);
    taken.add(value);
    options.push({ value, label: texts(en, ja) });
    lines.push(i + 1);
  });
  return { options, lines };
}

/** Questions for the document; ids left empty are made from the English label and written back. */
function questionsFrom(values: EventFormValues, rows: RowMap): object[] {
  const kept = values.questions.map((q, row) => ({ q, row })).filter(({ q }) => !q.remove);
  const taken = new Set(kept.map(({ q }) => q.id).filter(Boolean));
  return kept.map(({ q, row }, n) => {
    if (!q.id) q.id = unique(slugify(q.labelEn) || `q${n + 1}`, taken);
    const { options, lines } = parseOptions(q.options);
    rows.questions.push(row);
    rows.optionLines.push(lines);
    return { id: q.id, type: q.type, label: texts(q.labelEn, q.labelJa), required: q.required, options };
  });
}

/** A time field as an instant with offset; null when optional and empty; undefined (and a problem) when wrong. */
function instantFrom(
  values: EventFormValues,
  field: TimeField,
  zone: string,
  errors: FormError[],
): string | null | undefined {
  const value = values.times[field];
  const required = field === 'startsAt' || field === 'endsAt';
  if (!value) {
    if (required) errors.push({ field, key: 'validation:required', params: {} });
    return required ? undefined : null;
  }
  const r = fromLocalInput(value, zone);
  if (r.ok) return r.iso;
  if (r.reason === 'format') errors.push({ field, key: 'editor:errors.dateTime', params: {} });
  else {
    const params = { time: value.slice(11, 16), zone, suggestion: r.suggestion };
    errors.push({ field, key: 'editor:errors.dstGap', params });
  }
  return undefined;
}

/** Seats: null when empty, a number when whole and positive; otherwise the text (and a problem). */
function capacityFrom(value: string, errors: FormError[]): number | string | null {
  if (!value) return null;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (n >= 1) return n;
  errors.push({ field: 'capacity', key: 'editor:errors.capacity', params: {} });
  return value;
}

/** "P1D, PT1H" or "Asia/Seoul、UTC" -> its items. */
const splitList = (text: string) => text.split(/[\s,、]+/).filter(Boolean);

/** The event document for the form's values, plus problems only the form can see (times, capacity). */
export function docFromValues(
  values: EventFormValues,
  fixed: { slug?: string; status: EventStatus },
): { doc: Record<string, unknown>; errors: FormError[]; rows: RowMap } {
  const errors: FormError[] = [];
  const rows: RowMap = {
    materials: [],
    questions: [],
    optionLines: [],
    checkedZones: values.displayZones.length,
  };
  // An unknown zone is reported on its own field; the times are still checked, read as UTC.
  const zone = isValidTimeZone(values.timezone) ? values.timezone : 'UTC';
  const times = Object.fromEntries(timeFields.map((f) => [f, instantFrom(values, f, zone, errors)]));
  const doc: Record<string, unknown> = {
    slug: fixed.slug ?? values.slug,
    status: fixed.status,
    ...Object.fromEntries(textFields.map((f) => [f, texts(values.texts[f].en, values.texts[f].ja)])),
    ...times,
    timezone: values.timezone,
    displayTimezones: [...new Set([...values.displayZones, ...splitList(values.displayZonesOther)])],
    capacity: capacityFrom(values.capacity, errors),
    waitlist: values.waitlist,
    meetingUrl: values.meetingUrl || null,
    meetingPasscode: values.meetingPasscode || null,
    contactEmail: values.contactEmail || null,
    questions: questionsFrom(values, rows),
    reminders: values.reminders
      .split(/[,、，]+|\s+(?=\d|p)/i)
      .map((r) => r.trim())
      .filter(Boolean)
      .map(offsetFromText),
    materials: values.materials.map((m, row) => {
      rows.materials.push(row);
      return { title: texts(m.titleEn, m.titleJa), url: m.url.trim() };
    }),
    bilingualMail: values.bilingualMail,
  };
  return { doc, errors, rows };
}

/** `$.questions[0].options[2].value` -> ['questions', 0, 'options', 2, 'value']. */
function pathTokens(path: string): (string | number)[] {
  return [...path.matchAll(/\.([A-Za-z_]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : m[1]!,
  );
}

const simpleFields = [
  'slug',
  'timezone',
  ...timeFields,
  'capacity',
  'waitlist',
  'meetingUrl',
  'meetingPasscode',
  'contactEmail',
  'bilingualMail',
  'reminders',
];

/** The form field a JSON path in the event document comes from. */
export function fieldForPath(path: string, rows: RowMap): { field: string; line?: number } {
  const [head, a, b, c] = pathTokens(path);
  const lang = (x: unknown) => (x === 'ja' ? 'ja' : 'en');
  if ((textFields as readonly unknown[]).includes(head)) return { field: `${String(head)}_${lang(a)}` };
  if (head === 'displayTimezones') {
    return { field: typeof a === 'number' && a >= rows.checkedZones ? 'displayZonesOther' : 'displayZones' };
  }
  if (head === 'materials') {
    const row = typeof a === 'number' ? (rows.materials[a] ?? 0) : 0;
    return { field: b === 'url' ? `m${row}_url` : `m${row}_title_${lang(c)}` };
  }
  if (head === 'questions') {
    const row = typeof a === 'number' ? (rows.questions[a] ?? 0) : 0;
    if (b === 'label') return { field: `q${row}_label_${lang(c)}` };
    if (b === 'type') return { field: `q${row}_type` };
    if (b === 'options') {
      const line = typeof a === 'number' && typeof c === 'number' ? rows.optionLines[a]?.[c] : undefined;
      return line ? { field: `q${row}_options`, line } : { field: `q${row}_options` };
    }
    return { field: `q${row}_id` };
  }
  if (typeof head === 'string' && simpleFields.includes(head)) return { field: head };
  return { field: 'form' };
}

const urlFields = /^(meetingUrl|m\d+_url)$/;

/** The locale key the editor shows for a schema problem: our own wording for the event's keys. */
function editorKey(key: string, field: string): string {
  const own = /^validation:event\.(\w+)$/.exec(key)?.[1];
  if (own) return `editor:issues.${own}`;
  const code = /^validation:zod\.(\w+)$/.exec(key)?.[1];
  if (field.startsWith('displayZones') && code === 'too_big') return 'editor:issues.tooManyZones';
  if (field.startsWith('displayZones') && code === 'too_small') return 'editor:issues.noZone';
  if (field === 'capacity') return 'editor:errors.capacity';
  if (field === 'contactEmail') return 'validation:email';
  if (urlFields.test(field)) return 'editor:issues.url';
  if (code === 'too_big') return 'editor:issues.tooLong';
  if (code) return 'editor:issues.invalid';
  return key;
}

/** The schema's problems (by JSON path) as problems of form fields. */
export function errorsFromIssues(issues: EventIssue[], rows: RowMap): FormError[] {
  return issues.map((i) => {
    const { field, line } = fieldForPath(i.path, rows);
    const error: FormError = { field, key: editorKey(i.key, field), params: i.params };
    if (line) error.line = line;
    return error;
  });
}

/** A refused save (validation, or a slug already taken) as form problems; undefined for other errors. */
export function errorsFromDomainError(err: unknown, rows: RowMap): FormError[] | undefined {
  if (!(err instanceof DomainError) || !['validation_failed', 'slug_taken'].includes(err.code)) return;
  const issues = err.params.issues as EventIssue[] | undefined;
  if (Array.isArray(issues)) return errorsFromIssues(issues, rows);
  const fields = Object.entries(err.fields);
  if (!fields.length) return [{ field: 'form', key: err.i18nKey, params: err.params }];
  return fields.map(([path, key]) => ({ field: fieldForPath(path, rows).field, key, params: err.params }));
}

/** The result of reading a posted form: its values, and either the valid document or its problems. */
export interface ReadForm {
  values: EventFormValues;
  rows: RowMap;
  input?: EventInput;
  errors: FormError[];
}

/**
 * Reads a posted event form and validates it as the service will, so every problem is listed at once:
 * the form's own (a time in a DST gap) win over the schema's on the same field.
 */
export function readEventForm(body: FormBody, fixed: { slug?: string; status: EventStatus }): ReadForm {
  const values = valuesFromBody(body);
  if (fixed.slug) values.slug = fixed.slug;
  const { doc, errors, rows } = docFromValues(values, fixed);
  try {
    const input = parseEventInput(doc);
    return errors.length ? { values, rows, errors } : { values, rows, input, errors };
  } catch (err) {
    const schema = errorsFromDomainError(err, rows);
    if (!schema) throw err;
    const mine = new Set(errors.map((e) => e.field));
    return { values, rows, errors: [...errors, ...schema.filter((e) => !mine.has(e.field))] };
  }
}

/** "tsunagaru-2026" -> "tsunagaru-2027"; anything else gets "-copy". */
export function duplicateSlug(slug: string): string {
  const year = /^(.*-)(\d{4})$/.exec(slug);
  if (year) return `${year[1]}${Number(year[2]) + 1}`;
  return `${slug.slice(0, 75)}-copy`;
}
