import { DateTime } from 'luxon';
import { parseEventInput, type EventInput, type EventStatus } from '../events';
import { isValidTimeZone, offsetFromText } from '../time';
import { errorsFromDomainError } from './event-form.errors';
import {
  textFields,
  timeFields,
  valuesFromBody,
  type EventFormValues,
  type FormBody,
  type FormError,
  type OptionRow,
  type RowMap,
  type TimeField,
} from './event-form.values';

/**
 * The workspace's event form, as pure functions, in three files: its values (`event-form.values.ts`:
 * an event document to the strings the form shows, and a posted body to the same strings), reading
 * them back into an event document (here), and tying every problem to the field that caused it
 * (`event-form.errors.ts`); the view model the template prints is `event-form.view.ts`. Wall-clock
 * times are typed in the EVENT's zone and become instants with an offset here, so a time that does not
 * exist there (a spring-forward gap) is refused instead of being moved by an hour.
 */

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

/**
 * A question's option rows for the document: an empty value is made from the English label (else
 * `o<n>`), unique among the values typed; a value typed twice is a problem on its second row.
 */
function optionsFrom(rows: OptionRow[], question: number, errors: FormError[]) {
  const taken = new Set(rows.map((o) => o.value).filter(Boolean));
  const seen = new Set<string>();
  return rows.map((o, j) => {
    if (o.value && seen.has(o.value)) {
      errors.push({ field: `q${question}_o${j}_value`, key: 'editor:errors.optionTwice', params: {} });
    }
    seen.add(o.value);
    const value = o.value || unique(slugify(o.en) || `o${j + 1}`, taken);
    return { value, label: texts(o.en, o.ja) };
  });
}

/** Questions for the document; ids left empty are made from the English label and written back. */
function questionsFrom(values: EventFormValues, rows: RowMap, errors: FormError[]): object[] {
  const kept = values.questions.map((q, row) => ({ q, row })).filter(({ q }) => !q.remove);
  const taken = new Set(kept.map(({ q }) => q.id).filter(Boolean));
  return kept.map(({ q, row }, n) => {
    if (!q.id) q.id = unique(slugify(q.labelEn) || `q${n + 1}`, taken);
    const options = optionsFrom(q.options, row, errors);
    rows.questions.push(row);
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

/**
 * Minutes on Zoom that count as attending: a whole number from 1 to 1,440, the default (10) when the box is
 * empty; otherwise the text (and a problem).
 */
function attendanceMinutesFrom(value: string, errors: FormError[]): number | string {
  if (!value) return 10;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (n >= 1 && n <= 1440) return n;
  errors.push({ field: 'attendanceMinutes', key: 'editor:errors.attendanceMinutes', params: {} });
  return value;
}

/**
 * Retention days: a whole number of days (0 keeps the data); empty leaves the default (365); anything
 * else is left for the schema to refuse.
 */
function retentionFrom(value: string): number | string | undefined {
  if (!value) return undefined;
  return /^\d{1,9}$/.test(value) ? Number(value) : value;
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
    approval: values.approval,
    retentionDays: retentionFrom(values.retentionDays),
    meetingUrl: values.meetingUrl || null,
    attendanceMinutes: attendanceMinutesFrom(values.attendanceMinutes, errors),
    meetingPasscode: values.meetingPasscode || null,
    contactEmail: values.contactEmail || null,
    questions: questionsFrom(values, rows, errors),
    reminders: values.reminders
      .split(/[,、，]+|\s+(?=\d|p)/i)
      .map((r) => r.trim())
      .filter(Boolean)
      .map(offsetFromText),
    embedOrigins: splitList(values.embedOrigins),
    materials: values.materials.map((m, row) => {
      rows.materials.push(row);
      return { title: texts(m.titleEn, m.titleJa), url: m.url.trim() };
    }),
    bilingualMail: values.bilingualMail,
  };
  return { doc, errors, rows };
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
