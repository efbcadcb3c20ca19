import { z } from 'zod';
import type { Question } from '../events';
import type { Language } from '../i18n';
import { emailText, multilineText, text } from '../text';
import { isCountryCode } from './countries';

/**
 * The registration form's contract: these field names are used by the page, the public API and
 * organisations that embed the form. Every message is a locale key, so errors read in the page language.
 */
export const affiliations = [
  'cooperative',
  'sse-organisation',
  'government',
  'workers-or-employers',
  'academia',
  'student',
  'other',
] as const;
export type Affiliation = (typeof affiliations)[number];

const required = 'validation:required';
/** A choice left empty: "Please choose one" / 「選択してください」, not "fill in". */
const requiredChoice = 'validation:requiredChoice';
const tooLong = 'validation:tooLong';
const kanaPattern = /^[\p{Script=Katakana}\p{Script=Hiragana}ー・ \u3000]+$/u;

const name = text({ error: required }).trim().min(1, required).max(100, tooLong);
const kana = text()
  .trim()
  .max(100, tooLong)
  .refine((v) => v === '' || kanaPattern.test(v), 'validation:kana')
  .optional()
  .transform((v) => v || null);

const choiceError = (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === '' ? requiredChoice : 'validation:choice';
const language = z.enum(['en', 'ja'], { error: choiceError });

export const registrationFormSchema = z.object({
  email: emailText({ error: required })
    .trim()
    .min(1, required)
    .max(254, tooLong)
    .pipe(z.email({ error: 'validation:email' })),
  familyName: name,
  givenName: name,
  familyNameKana: kana,
  givenNameKana: kana,
  organisation: text()
    .trim()
    .max(200, tooLong)
    .optional()
    .transform((v) => v || null),
  affiliation: z.enum(affiliations, { error: choiceError }),
  country: z
    .string({ error: requiredChoice })
    .trim()
    .toUpperCase()
    .min(1, requiredChoice)
    .refine(isCountryCode, 'validation:country'),
  locale: language,
  interpretation: language,
  consent: z.literal('yes', { error: 'validation:consent' }),
});

export type RegistrationForm = z.output<typeof registrationFormSchema>;

/** A parsed form, or the locale key of the first problem of each field. */
export type FormResult =
  | { ok: true; form: RegistrationForm; answers: Record<string, string | string[]> }
  | { ok: false; fields: Record<string, string> };

function asStrings(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).map(String).filter((s) => s !== '');
}

// A text answer may be a paragraph (the API sends line breaks), so it is a multi-line field.
const textAnswer = multilineText().trim().max(2000, tooLong);

/** Checks one answer: the locale key of its problem, or the value to store. */
function checkAnswer(q: Question, given: string[]): { error: string } | { value?: string | string[] } {
  if (q.required && given.length === 0) return { error: q.type === 'text' ? required : requiredChoice };
  if (given.length === 0) return {};
  if (q.type === 'text') {
    const parsed = textAnswer.safeParse(given[0]);
    return parsed.success ? { value: parsed.data } : { error: parsed.error.issues[0]!.message };
  }
  const allowed = new Set(q.options.map((o) => o.value));
  if (q.type === 'single' && given.length > 1) return { error: 'validation:choice' };
  if (given.some((g) => !allowed.has(g))) return { error: 'validation:choice' };
  return { value: q.type === 'multiple' ? given : given[0]! };
}

/** Validates the answers to the event's own questions; fields are named `q_<question id>`. */
export function parseAnswers(body: Record<string, unknown>, questions: Question[]) {
  const answers: Record<string, string | string[]> = {};
  const fields: Record<string, string> = {};
  for (const q of questions) {
    const checked = checkAnswer(q, asStrings(body[`q_${q.id}`]));
    if ('error' in checked) fields[`q_${q.id}`] = checked.error;
    else if (checked.value !== undefined) answers[q.id] = checked.value;
  }
  return { answers, fields };
}

/**
 * Validates a submitted form against the contract and the event's questions. The mail language
 * defaults to the page language when the field is absent.
 */
export function parseRegistrationForm(
  body: Record<string, unknown>,
  questions: Question[],
  pageLang: Language,
): FormResult {
  const input = { ...body, locale: body.locale ?? pageLang };
  const parsed = registrationFormSchema.safeParse(input);
  const fields: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      fields[field] ??= issue.message.startsWith('validation:') ? issue.message : 'validation:invalid';
    }
  }
  const extra = parseAnswers(body, questions);
  Object.assign(fields, extra.fields);
  if (!parsed.success || Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, form: parsed.data, answers: extra.answers };
}
