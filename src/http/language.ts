import type { NextFunction, Request, Response } from 'express';
import { isLanguage, tFor, type Language } from '../i18n';

/**
 * Chooses the page language: `?lang=` (which also sets the cookie, so the visible switch sticks), then
 * the `lang` cookie, then Accept-Language, then English. Puts `lang` and `t` on res.locals for views.
 */
export const LANG_COOKIE = 'lang';

/** The first of en/ja the browser asks for, by quality, or undefined. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { base: tag.toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((x) => x.base).find(isLanguage);
}

export function languageMiddleware(secure: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const query = req.query.lang;
    let lang: Language;
    if (isLanguage(query)) {
      lang = query;
      res.cookie(LANG_COOKIE, lang, {
        maxAge: 365 * 24 * 3600 * 1000,
        sameSite: 'lax',
        secure,
        httpOnly: true,
      });
    } else if (isLanguage(req.cookies?.[LANG_COOKIE])) {
      lang = req.cookies[LANG_COOKIE] as Language;
    } else {
      lang = fromAcceptLanguage(req.get('accept-language')) ?? 'en';
    }
    res.locals.lang = lang;
    res.locals.t = tFor(lang);
    res.vary('Accept-Language');
    res.vary('Cookie');
    next();
  };
}

/**
 * Switches this response to `lang` unless the visitor chose a language (`?lang=` or the switch's
 * cookie). Pages reached from a personal link speak the registrant's own mail language by default.
 */
export function preferLanguage(req: Request, res: Response, lang: Language): Language {
  if (isLanguage(req.query.lang) || isLanguage(req.cookies?.[LANG_COOKIE]))
    return res.locals.lang as Language;
  res.locals.lang = lang;
  res.locals.t = tFor(lang);
  return lang;
}
