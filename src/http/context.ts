import type pg from 'pg';
import type { Config } from '../config';
import type { Language } from '../i18n';
import type { Response } from 'express';

/** What route modules receive: the pool, the settings, and the clock (tests pass a fixed one). */
export interface AppContext {
  pool: pg.Pool;
  config: Config;
  sessionSecret: string;
  now: () => Date;
  limits: { registrationsPerWindow: number; windowSeconds: number };
}

/** The page language chosen by the language middleware. */
export function pageLang(res: Response): Language {
  return res.locals.lang as Language;
}
