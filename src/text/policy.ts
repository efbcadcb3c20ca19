/**
 * The input policy: which characters a person may type into any text the product stores (the public
 * form and API, the workspace, the CLI and event imports). Pure functions, no I/O.
 *
 * Refused, because they are invisible or reorder what a reader sees, so they spoof names in the
 * attendee list, in exports and in mails (and PostgreSQL refuses NUL outright):
 * - NUL and the other C0 controls, DEL and the C1 controls (U+0080–U+009F). A multi-line field (a
 *   message body, a long answer, an event description) accepts tab and line feed; CR LF and a lone CR
 *   there become LF, as browsers send textareas with CR LF.
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069);
 * - zero-width characters and the byte order mark (U+200B, U+200C, U+200D, U+2060, U+FEFF), with one
 *   exception: a joiner (ZWJ U+200D, ZWNJ U+200C) between two characters that use it (emoji such as
 *   👩‍💻, and the Arabic and Indic scripts, where it selects a letter's shape). There it changes what
 *   the reader sees, so it spoofs nothing; next to Latin, kana or kanji, or at an edge, it only hides.
 * - the line and paragraph separators U+2028/U+2029, and lone surrogates (not text at all).
 * Accepted text is stored in Unicode NFC, so "Müller" typed with a combining mark finds "Müller".
 *
 * Text stored before this policy existed is not migrated: it is shown escaped as before, and the
 * next edit of it must pass the policy.
 */

/** The characters refused everywhere (the joiners are judged by their neighbours, see joinerOk). */
const refusedSource =
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200b\\u2028\\u2029\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff\\ud800-\\udfff]';
// With the `u` flag a surrogate range matches only lone surrogates: a valid pair is one code point.
const refusedAlways = new RegExp(refusedSource, 'u');
const refusedAlwaysAll = new RegExp(refusedSource, 'gu');
const refusedSingleLine = /[\t\n\r]/;
const joiners = /[\u200c\u200d]/gu;

// What a joiner legitimately sits between: emoji (with their skin tones and variation selectors) and
// the scripts that shape letters with ZWJ/ZWNJ.
const joinable =
  /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f\p{Script=Arabic}\p{Script=Syriac}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]$/u;

/** Whether the joiner at `index` sits between two characters that use joiners. */
function joinerOk(text: string, index: number): boolean {
  const low = text.charCodeAt(index - 1);
  const before = text.slice(low >= 0xdc00 && low <= 0xdfff ? Math.max(0, index - 2) : index - 1, index);
  const next = text.codePointAt(index + 1);
  const after = next === undefined ? '' : String.fromCodePoint(next);
  return joinable.test(before) && joinable.test(after);
}

/** Options of a text field: `multiline` accepts tab and line feed (message bodies, long answers). */
export interface TextOptions {
  multiline?: boolean;
}

/** Whether `text` holds a character the policy refuses (see the module comment for which and why). */
export function hasRefusedCharacters(text: string, opts: TextOptions = {}): boolean {
  if (refusedAlways.test(text)) return true;
  if (!opts.multiline && refusedSingleLine.test(text)) return true;
  for (const m of text.matchAll(joiners)) if (!joinerOk(text, m.index)) return true;
  return false;
}

/**
 * The stored form of an accepted text: NFC, and in a multi-line field CR LF (or a lone CR) as LF.
 * Call it on text that passed `hasRefusedCharacters`; it refuses nothing itself.
 */
export function normaliseText(text: string, opts: TextOptions = {}): string {
  const lines = opts.multiline ? text.replace(/\r\n?/g, '\n') : text;
  return lines.normalize('NFC');
}

/**
 * A search as typed, cleaned rather than refused: every character the policy refuses (line breaks
 * and tabs included) is removed, and the rest is NFC, like the stored text it is compared with.
 * A search only reads, so there is nothing to protect by refusing it; removing keeps a pasted
 * name with a stray BOM or override findable.
 */
export function searchText(text: string): string {
  const kept = text.replace(/[\t\n\r]/g, ' ').replace(refusedAlwaysAll, '');
  return kept
    .replace(joiners, (j: string, index: number) => (joinerOk(kept, index) ? j : ''))
    .normalize('NFC');
}

/**
 * An e-mail address as typed, in the form it is validated and stored: NFKC first, so an address
 * typed on a Japanese keyboard in full-width (ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｏｒｇ) becomes ASCII.
 */
export function normaliseEmail(text: string): string {
  return text.normalize('NFKC');
}
