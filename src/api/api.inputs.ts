import { DomainError } from '../errors';
import { asRecord } from '../http/validate';
import { isLanguage } from '../i18n';
import { parseMessageInput } from '../messages';
import { isExportFormat, parseRegistrationFilters } from '../registrations';

/**
 * What the API reads from queries and bodies, for `validate(...)` in `api.routes.ts`. Each parser
 * returns the typed input or throws `validation_failed` with the same field errors as before the
 * middleware existed: the domains' own parsers do most of the work.
 */

/** `limit` (1–500, default 100), `cursor` and the list's filters from a slice's query. */
export function sliceQuery(raw: unknown) {
  const query = asRecord(raw);
  const filters = parseRegistrationFilters(query);
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new DomainError('validation_failed', 'errors:invalidFilters', {}, { limit: 'validation:invalid' });
  }
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  return { filters, limit, cursor };
}

/** `format` (JSON unless asked), the list's filters and the file's language from an export's query. */
export function exportQuery(raw: unknown) {
  const query = asRecord(raw);
  const format = query.format ?? 'json';
  if (!isExportFormat(format)) {
    throw new DomainError('validation_failed', 'errors:invalidFilters', {}, { format: 'validation:choice' });
  }
  const filters = parseRegistrationFilters(query);
  return { format, filters, lang: isLanguage(query.lang) ? query.lang : undefined };
}

/** `lang` (en or ja), `registration` (an id) and `limit` (1–500, default 100) from the activity's query. */
export function activityQuery(raw: unknown) {
  const query = asRecord(raw);
  const fields: Record<string, string> = {};
  if (query.lang !== undefined && !isLanguage(query.lang)) fields.lang = 'validation:choice';
  const registration = query.registration === undefined ? undefined : Number(query.registration);
  if (registration !== undefined && !(Number.isSafeInteger(registration) && registration > 0)) {
    fields.registration = 'validation:invalid';
  }
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) fields.limit = 'validation:invalid';
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'errors:invalidFilters', {}, fields);
  return { lang: isLanguage(query.lang) ? query.lang : undefined, registration, limit };
}

/** A message (subject and body in both languages) and the filters choosing its recipients. */
export function messageBody(raw: unknown) {
  const body = (typeof raw === 'object' && raw) || {};
  const input = parseMessageInput(body as Record<string, unknown>);
  const rawFilters = (body as { filters?: unknown }).filters ?? {};
  if (typeof rawFilters !== 'object' || Array.isArray(rawFilters)) {
    throw new DomainError(
      'validation_failed',
      'errors:invalidFilters',
      {},
      { filters: 'validation:invalid' },
    );
  }
  return { input, filters: parseRegistrationFilters(rawFilters as Record<string, unknown>) };
}

/**
 * The registration form's fields from a JSON body: the same names as the form; `consent: true` for
 * the form's `yes`, and custom answers either as `q_<id>` fields or as an `answers` object.
 */
export function formFields(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('validation_failed', 'errors:badRequest');
  }
  const b = { ...(body as Record<string, unknown>) };
  if (b.consent === true) b.consent = 'yes';
  const answers = b.answers;
  delete b.answers;
  if (typeof answers === 'object' && answers !== null && !Array.isArray(answers)) {
    for (const [id, value] of Object.entries(answers)) b[`q_${id}`] = value;
  }
  return b;
}
