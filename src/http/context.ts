import type pg from 'pg';
import type { Config } from '../config';
import type { Registrants } from '../events';
import type { Language } from '../i18n';
import type { Response } from 'express';
import type { ZoomClient } from '../zoom-api';

/** What route modules receive: the pool, the settings, and the clock (tests pass a fixed one). */
export interface AppContext {
  pool: pg.Pool;
  config: Config;
  sessionSecret: string;
  now: () => Date;
  limits: { registrationsPerWindow: number; windowSeconds: number };
  /**
   * What saving an event asks about its registrants (`eventRegistrants` from src/registrations), handed
   * to the events commands: events sits below registrations and cannot import it.
   */
  registrants: Registrants;
  /** The Zoom API client when Zoom is configured (buildApp makes one from the settings). */
  zoom?: ZoomClient;
}

/** The page language chosen by the language middleware. */
export function pageLang(res: Response): Language {
  return res.locals.lang as Language;
}
