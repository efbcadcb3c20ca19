import { darkerShade, imagePath, logoBox, mailLogoPath } from '../branding';
import type { Language } from '../i18n';
import { pickText } from './events.service';
import type { EventRecord, Texts } from './events.types';
import type { LocalText } from './events.view';

/**
 * The branding an event shows on its pages and in its mails: each part the event sets wins, the
 * installation's profile fills the rest, and with neither the site keeps its own look. Pure.
 */

/** What pages and mails print of the organiser profile; every part optional. */
export interface BrandView {
  /** The accent and its darker shade for hover states. */
  accent?: { colour: string; dark: string };
  organisation?: LocalText;
  /** `src` for pages (SVG or PNG), `mailSrc` the PNG path for mails; the size it is shown at. */
  logo?: { src: string; mailSrc: string; width: number; height: number };
  /** The event's cover image with its own size, so the page keeps its room before it loads. */
  cover?: { src: string; width: number; height: number };
}

const hasText = (t: Texts) => Boolean(t.en || t.ja);

/** The event's branding in `lang`: its own parts first, then the installation's. */
export function brandView(
  event: Pick<EventRecord, 'branding' | 'installationBranding'>,
  lang: Language,
): BrandView {
  const own = event.branding;
  const house = event.installationBranding;
  const accent = own.accent ?? house.accent;
  const logo = own.logo ?? house.logo;
  const organisation = hasText(own.organisation) ? own.organisation : house.organisation;
  return {
    accent: accent ? { colour: accent, dark: darkerShade(accent) } : undefined,
    organisation: pickText(organisation, lang),
    logo: logo ? { src: imagePath(logo), mailSrc: mailLogoPath(logo), ...logoBox(logo) } : undefined,
    cover: own.cover
      ? { src: imagePath(own.cover), width: own.cover.width, height: own.cover.height }
      : undefined,
  };
}
