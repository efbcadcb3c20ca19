import fs from 'node:fs';
import path from 'node:path';
import i18next, { type Resource, type TFunction } from 'i18next';
import { paths } from '../paths';

/**
 * i18next over the JSON files in locales/<lng>/<namespace>.json, loaded once at start. Pages take
 * their language from the request; mails and jobs use tFor(recipient's locale).
 */
export const languages = ['en', 'ja'] as const;
export type Language = (typeof languages)[number];

export { pickText, type Texts } from './texts';

export const localesDir = paths.locales;

/** True for the two languages the product speaks. */
export function isLanguage(value: unknown): value is Language {
  return value === 'en' || value === 'ja';
}

function loadResources() {
  const resources: Resource = {};
  for (const lng of languages) {
    resources[lng] = {};
    for (const file of fs.readdirSync(path.join(localesDir, lng)).filter((f) => f.endsWith('.json'))) {
      resources[lng][file.replace(/\.json$/, '')] = JSON.parse(
        fs.readFileSync(path.join(localesDir, lng, file), 'utf8'),
      );
    }
  }
  return resources;
}

const resources = loadResources();
const instance = i18next.createInstance();
void instance.init({
  resources,
  lng: 'en',
  fallbackLng: false,
  supportedLngs: [...languages],
  ns: Object.keys(resources.en ?? {}),
  defaultNS: 'common',
  // EJS escapes on output; escaping here too would show "&amp;" to attendees.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** A translate function fixed to one language. */
export function tFor(lang: Language): TFunction {
  return instance.getFixedT(lang);
}
