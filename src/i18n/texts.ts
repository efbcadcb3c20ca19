import type { Language } from './index';

/** Text in each language; either may be missing (an event's title, a question's label). */
export type Texts = { en?: string; ja?: string };

/** The text in `lang`, or in the other language with `fallback` set so the page can say so. */
export function pickText(
  texts: Texts,
  lang: Language,
): { text: string; lang: Language; fallback: boolean } | undefined {
  const own = texts[lang];
  if (own) return { text: own, lang, fallback: false };
  const other: Language = lang === 'en' ? 'ja' : 'en';
  const theirs = texts[other];
  return theirs ? { text: theirs, lang: other, fallback: true } : undefined;
}
