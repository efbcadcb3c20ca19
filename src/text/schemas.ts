import { z } from 'zod';
import { hasRefusedCharacters, normaliseEmail, normaliseText, searchText } from './policy';

/**
 * The input policy as zod string schemas, so every schema that reads typed text applies it the same
 * way and a refusal is a field error like any other: the locale key below, shown beside the field on
 * a page, under `fields` in the API, and with its JSON path in an event import.
 */

/** The locale key of a refused character (validation:invalidCharacters in every language). */
export const invalidCharacters = 'validation:invalidCharacters';

type StringParams = Parameters<typeof z.string>[0];

/**
 * A one-line text (a name, a title, a subject): refuses what the policy refuses, line breaks and
 * tabs included, and stores NFC. Chain `.trim()`, `.min()`, `.max()` as on any z.string().
 */
export function text(params?: StringParams) {
  return z
    .string(params)
    .refine((s) => !hasRefusedCharacters(s), invalidCharacters)
    .overwrite((s) => normaliseText(s));
}

/** A multi-line text (a message body, a long answer, a description): tab and line feed allowed, CR LF as LF. */
export function multilineText(params?: StringParams) {
  return z
    .string(params)
    .refine((s) => !hasRefusedCharacters(s, { multiline: true }), invalidCharacters)
    .overwrite((s) => normaliseText(s, { multiline: true }));
}

/** An e-mail address as typed: NFKC first (full-width becomes ASCII), then the one-line policy. */
export function emailText(params?: StringParams) {
  return z
    .string(params)
    .overwrite(normaliseEmail)
    .refine((s) => !hasRefusedCharacters(s), invalidCharacters);
}

/** A search box: refused characters are removed rather than refused (a search only reads). */
export function searchInput(params?: StringParams) {
  return z.string(params).overwrite(searchText);
}
