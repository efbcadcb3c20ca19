import { tFor, type Language } from '../i18n';

/** A translate function for the mail namespace in one language. */
export type Translate = (key: string | string[], params?: Record<string, unknown>) => string;

/**
 * Texts without parameters, by language and key. The translations are loaded once at start and never
 * change, and a mail asks for the same few dozen labels every time: i18next's lookup was the largest
 * part of rendering a mail when thousands go out.
 */
const plainTexts = new Map<Language, Map<string, string>>();

/** t for the mail namespace; String() because i18next may hand back non-strings for objects. */
export function mailT(lang: Language): Translate {
  const t = tFor(lang);
  let memo = plainTexts.get(lang);
  if (!memo) plainTexts.set(lang, (memo = new Map()));
  return (key, params) => {
    // Only a single key without parameters is remembered (fallback lists and parameters vary).
    if (params !== undefined || typeof key !== 'string') return String(t(key, { ...params, ns: 'mail' }));
    let text = memo.get(key);
    if (text === undefined) memo.set(key, (text = String(t(key, { ns: 'mail' }))));
    return text;
  };
}
