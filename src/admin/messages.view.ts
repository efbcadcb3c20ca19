import type { EventRecord } from '../events';
import { tFor, type Language } from '../i18n';
import type { MessageWithProgress } from '../messages';
import {
  affiliations,
  countryOptions,
  registrationFilterNames,
  type RegistrationFilters,
} from '../registrations';
import { formatInstant } from '../time';
import { str } from './mails.view';
/**
 * What the Mails tab shows about the organiser's messages: progress, the list, one message with its
 * recipients' filters in words, and the new-message form's values and problems. Pure.
 */

/** Where a message's mails stand, with what the progress bar needs. */
export interface ProgressView {
  sent: number;
  queued: number;
  failed: number;
  skipped: number;
  /** Rows written so far, or the expected count while the fan-out runs. */
  total: number;
  /** Rows that reached an end (sent, failed or skipped). */
  done: number;
  /** Every recipient's row is written and none is waiting: the page stops refreshing. */
  finished: boolean;
}

/** A message's progress; before the fan-out finished, the bar is measured against the expected count. */
export function progressView(m: MessageWithProgress): ProgressView {
  const { sent, queued, failed, skipped } = m.progress;
  const written = sent + queued + failed + skipped;
  const total = m.queuedAt ? written : Math.max(written, m.expected);
  return {
    sent,
    queued,
    failed,
    skipped,
    total,
    done: sent + failed + skipped,
    finished: m.queuedAt !== null && queued === 0,
  };
}

/** The messages list: newest first, subject in the page language, links to each message's page. */
export function messageRows(messages: MessageWithProgress[], event: EventRecord, lang: Language) {
  const base = `/admin/events/${encodeURIComponent(event.slug)}/mails/messages`;
  return messages.map((m) => ({
    id: m.id,
    href: `${base}/${m.id}`,
    when: formatInstant(m.createdAt, [event.timezone], lang),
    iso: m.createdAt.toISOString(),
    actor: m.actor,
    subject: m.subject[lang],
    expected: m.expected,
    recipients: m.recipients,
    progress: progressView(m),
  }));
}

/** The filters that chose a message's recipients, one sentence each, in the page language. */
export function filtersInWords(f: RegistrationFilters, lang: Language): string[] {
  const t = tFor(lang);
  const words: string[] = [t('mails:filters.base')];
  const say = (name: string, value: string) =>
    words.push(t('mails:filters.is', { name: t(`mails:filters.${name}`), value }));
  if (f.status) say('status', t(`attendees:status.${f.status}`));
  if (f.language) say('language', t(`registrations:form.languages.${f.language}`));
  if (f.interpretation) say('interpretation', t(`registrations:form.languages.${f.interpretation}`));
  if (f.affiliation)
    say(
      'affiliation',
      t(`registrations:form.affiliations.${f.affiliation}`, { defaultValue: f.affiliation }),
    );
  if (f.country) say('country', countryOptions(lang).find((c) => c.code === f.country)?.name ?? f.country);
  if (f.joined !== undefined)
    say('joined', t(f.joined ? 'mails:filters.joinedYes' : 'mails:filters.joinedNo'));
  if (f.q) say('q', t('mails:filters.quoted', { q: f.q }));
  return words;
}

/** One message's page: both languages, the filters in words, the progress. */
export function messageDetail(m: MessageWithProgress, event: EventRecord, lang: Language) {
  return {
    id: m.id,
    subject: m.subject,
    body: m.body,
    actor: m.actor,
    when: formatInstant(m.createdAt, [event.timezone], lang),
    iso: m.createdAt.toISOString(),
    queuedWhen: m.queuedAt ? formatInstant(m.queuedAt, [event.timezone], lang) : null,
    expected: m.expected,
    recipients: m.recipients,
    filters: filtersInWords(m.filters, lang),
    progress: progressView(m),
    progressHref: `/admin/events/${encodeURIComponent(event.slug)}/mails/messages/${m.id}/progress`,
  };
}

/** The fields of the new-message form, as text. Filter names are the attendee list's. */
export const messageFields = [
  ...registrationFilterNames,
  'subject_en',
  'subject_ja',
  'body_en',
  'body_ja',
] as const;
/** The new-message form's values, every field as text. */
export type MessageFormValues = Record<(typeof messageFields)[number], string>;

/** The form's values from a query string (the attendee list's filters) or a posted form. */
export function messageFormValues(source: Record<string, unknown>): MessageFormValues {
  const values = Object.fromEntries(messageFields.map((k) => [k, str(source, k)])) as MessageFormValues;
  // The list accepts true/1/yes for "joined"; the form's select says yes or no.
  const joined: Record<string, string> = { true: 'yes', '1': 'yes', false: 'no', '0': 'no' };
  values.joined = joined[values.joined] ?? values.joined;
  return values;
}

/** The choices of the recipient selects; a status other than the two live ones is kept so it shows. */
export function messageFormOptions(values: MessageFormValues, lang: Language) {
  const t = tFor(lang);
  const statuses = ['confirmed', 'waitlisted'];
  if (values.status && !statuses.includes(values.status)) statuses.push(values.status);
  return {
    statuses: statuses.map((s) => ({ value: s, label: t(`attendees:status.${s}`, { defaultValue: s }) })),
    languages: (['en', 'ja'] as const).map((l) => ({
      value: l,
      label: t(`registrations:form.languages.${l}`),
    })),
    affiliations: affiliations.map((a) => ({ value: a, label: t(`registrations:form.affiliations.${a}`) })),
    countries: countryOptions(lang).map((c) => ({ value: c.code, label: c.name })),
  };
}

/**
 * Problems of a message (`subject.en` …) or of its filters (`status` …) as the form's field names.
 * The keys are validation's own; a problem without a field goes to `form`.
 */
export function messageFieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, key] of Object.entries(fields)) {
    const field = path.replace('.', '_');
    out[(messageFields as readonly string[]).includes(field) ? field : 'form'] ??= key;
  }
  return out;
}
