import { DomainError } from '../errors';
import type { EventIssue } from '../events';
import { textFields, timeFields, type FormError, type RowMap } from './event-form.values';

/**
 * The event form's problems: a problem the schema found at a JSON path of the event document, or a
 * refused save, as a problem of the form field it came from (for an option, the box in its row).
 */

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
  'attendanceMinutes',
  'approval',
  'retentionDays',
  'meetingUrl',
  'meetingPasscode',
  'contactEmail',
  'bilingualMail',
  'reminders',
  'embedOrigins',
];

/** The form field a JSON path in the event document comes from. */
export function fieldForPath(path: string, rows: RowMap): { field: string } {
  const [head, a, b, c, d, e] = pathTokens(path);
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
    if (b === 'options' && typeof c === 'number') {
      return { field: `q${row}_o${c}_${d === 'value' ? 'value' : lang(e)}` };
    }
    if (b === 'options') return { field: `q${row}_options` };
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
  if (field === 'attendanceMinutes') return 'editor:errors.attendanceMinutes';
  if (field === 'contactEmail') return 'validation:email';
  if (urlFields.test(field)) return 'editor:issues.url';
  if (code === 'too_big') return 'editor:issues.tooLong';
  if (code) return 'editor:issues.invalid';
  return key;
}

/** The schema's problems (by JSON path) as problems of form fields. */
export function errorsFromIssues(issues: EventIssue[], rows: RowMap): FormError[] {
  return issues.map((i) => {
    const { field } = fieldForPath(i.path, rows);
    return { field, key: editorKey(i.key, field), params: i.params };
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
