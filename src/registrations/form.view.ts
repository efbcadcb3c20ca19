import type { EventRecord } from '../events';
import { pickText } from '../events';
import type { Language } from '../i18n';
import { zoneCountry } from '../time';
import { countryOptions } from './countries';
import { affiliations } from './registrations.schemas';

/**
 * The registration form for one event and language: which fields, in which order (family name first
 * in Japanese, given name first in English), the event's own questions, the visitor's values and
 * errors when the form comes back.
 */
export interface FormView {
  nameOrder: ('familyName' | 'givenName')[];
  showKana: boolean;
  affiliations: readonly string[];
  /** The countries of the event's display zones and of the page language, first (Japan on a Japanese page). */
  suggestedCountries: { code: string; name: string }[];
  /** Every other country, sorted by name in the page language. */
  countries: { code: string; name: string }[];
  questions: {
    field: string;
    type: 'text' | 'single' | 'multiple';
    label: string;
    required: boolean;
    options: { value: string; label: string }[];
  }[];
  /** `waitlist`: new registrants go on the waiting list; `full`: the form is replaced by a notice. */
  availability: 'open' | 'waitlist' | 'full';
  values: Record<string, unknown>;
  errors: Record<string, string>;
  errorOrder: string[];
}

const fieldOrder = (lang: Language, questionFields: string[]) => [
  'email',
  ...(lang === 'ja' ? ['familyName', 'givenName'] : ['givenName', 'familyName']),
  'familyNameKana',
  'givenNameKana',
  'organisation',
  'affiliation',
  'country',
  'locale',
  'interpretation',
  ...questionFields,
  'consent',
];

const countryCache = new Map<Language, { code: string; name: string }[]>();

/** The country a page language is at home in; English is at home in too many to pick one. */
const languageCountry: Partial<Record<Language, string>> = { ja: 'JP' };

/**
 * The country list split in two: the page language's country and those of the event's display zones
 * first, in that order (no repeats), then all the others. 250 names in gojūon order put 日本 241 key
 * presses down; an event shown in JST and CET is mostly attended from Japan and Switzerland.
 */
function countryLists(lang: Language, zones: readonly string[]) {
  if (!countryCache.has(lang)) countryCache.set(lang, countryOptions(lang));
  const all = countryCache.get(lang)!;
  const wanted = [languageCountry[lang], ...zones.map(zoneCountry)].filter((c): c is string => Boolean(c));
  const first = [...new Set(wanted)];
  return {
    suggestedCountries: first.flatMap((code) => all.filter((c) => c.code === code)),
    countries: all.filter((c) => !first.includes(c.code)),
  };
}

/** The form view; `values` and `errors` are empty on first display. */
export function formView(
  event: EventRecord,
  lang: Language,
  availability: FormView['availability'],
  values: Record<string, unknown> = {},
  errors: Record<string, string> = {},
): FormView {
  const questions = event.questions.map((q) => ({
    field: `q_${q.id}`,
    type: q.type,
    label: pickText(q.label, lang)?.text ?? q.id,
    required: q.required,
    options: q.options.map((o) => ({ value: o.value, label: pickText(o.label, lang)?.text ?? o.value })),
  }));
  const order = fieldOrder(
    lang,
    questions.map((q) => q.field),
  );
  return {
    nameOrder: lang === 'ja' ? ['familyName', 'givenName'] : ['givenName', 'familyName'],
    // Kana is asked for on the Japanese page; elsewhere it appears only when a value or error needs it.
    showKana: lang === 'ja' || ['familyNameKana', 'givenNameKana'].some((f) => values[f] || errors[f]),
    affiliations,
    ...countryLists(lang, event.displayTimezones),
    questions,
    availability,
    values: { locale: lang, interpretation: lang, ...values },
    errors,
    errorOrder: order.filter((f) => errors[f]),
  };
}
