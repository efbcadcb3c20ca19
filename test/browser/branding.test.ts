import { Resvg } from '@resvg/resvg-js';
import { createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { saveEventBranding, saveInstallationBranding } from '../../src/events';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import {
  axeChecks,
  openBrowserFile,
  shoot,
  sidewaysOverflow,
  sizeName,
  viewport,
  type BrowserFile,
  type Lang,
} from '../helpers/pages';

/**
 * The organiser profile's screens in a real browser: the admin's profile page, an event's Branding
 * tab, and a branded event page with its form and cover, in both languages at desktop and phone
 * width; axe-core finds nothing serious and nothing scrolls sideways. Screenshots land in SHOTS.
 */
const EMAIL = 'admin@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'branded-webinar';

/** A logo as an organisation would draw it: a mark and a word, in SVG. */
const logoSvg = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="50" viewBox="0 0 150 50">
     <circle cx="25" cy="25" r="20" fill="#7a1f5c"/><path d="M15 25h20M25 15v20" stroke="#fff" stroke-width="5"/>
     <rect x="55" y="14" width="85" height="8" rx="4" fill="#1d2433"/><rect x="55" y="29" width="60" height="8" rx="4" fill="#7a1f5c"/>
   </svg>`,
);

/** A wide cover image (3:1), rendered to PNG. */
function coverPng(): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="400">
    <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#7a1f5c"/><stop offset="1" stop-color="#f2a900"/></linearGradient></defs>
    <rect width="1200" height="400" fill="url(#g)"/><circle cx="950" cy="120" r="160" fill="#ffffff" fill-opacity="0.18"/>
  </svg>`;
  return new Resvg(svg).render().asPng();
}

const sizes = (['en', 'ja'] as Lang[]).flatMap((lang) => [1280, 390].map((width) => ({ lang, width })));

describe('organiser profile in a browser', () => {
  let t: TestApp;
  let b: BrowserFile;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
    await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Admin', role: 'admin', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    const ctx = { now: t.clock.now(), actor: 'test' };
    await saveInstallationBranding(
      t.db.pool,
      { organisation: { en: 'ILO Office for Japan', ja: 'ILO駐日事務所' }, accent: '#0b5cad', logo: logoSvg },
      ctx,
    );
    const event = await makeEvent(t, { slug: SLUG });
    await saveEventBranding(
      t.db.pool,
      event.id,
      {
        organisation: { en: 'Japanese Consumers’ Co-operative Union', ja: '日本生活協同組合連合会' },
        accent: '#7a1f5c',
        cover: coverPng(),
      },
      ctx,
    );
    b = await openBrowserFile(t.app);
    base = b.base;
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it.each(sizes)(
    'when the admin opens the organiser profile ($lang, $width px), then it shows the stored name, accent and logo without sideways scrolling',
    async ({ lang, width }) => {
      const page = await b.signedInPage(lang, EMAIL, PASSWORD, viewport(width));
      await page.goto(`${base}/admin/branding?lang=${lang}`);
      expect(await page.locator('#organisation-en').inputValue()).toBe('ILO Office for Japan');
      expect(await page.locator('#accent').inputValue()).toBe('#0b5cad');
      expect(
        await page.locator('.branding-current img').evaluate((img: HTMLImageElement) => img.naturalWidth),
      ).toBeGreaterThan(0);
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `branding-profile-${lang}-${sizeName(width)}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when an accent fails contrast on the profile ($lang, $width px), then the form says the ratio beside the field',
    async ({ lang, width }) => {
      const page = await b.signedInPage(lang, EMAIL, PASSWORD, viewport(width));
      await page.goto(`${base}/admin/branding?lang=${lang}`);
      await page.locator('#accent').fill('#f2a900');
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('form.reg-form button[type="submit"]').click(),
      ]);
      await page.waitForSelector('.error-summary');
      expect(await page.locator('#accent-error').textContent()).toContain(' 2:1 ');
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `branding-profile-error-${lang}-${sizeName(width)}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    "when an organiser opens an event's Branding tab ($lang, $width px), then it shows the override and the cover",
    async ({ lang, width }) => {
      const page = await b.signedInPage(lang, EMAIL, PASSWORD, viewport(width));
      await page.goto(`${base}/admin/events/${SLUG}/branding?lang=${lang}`);
      expect(await page.locator('#accent').inputValue()).toBe('#7a1f5c');
      expect(await page.locator('#organisation-ja').inputValue()).toBe('日本生活協同組合連合会');
      expect(await page.locator('input[name="removeCover"]').count()).toBe(1);
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `branding-event-tab-${lang}-${sizeName(width)}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when a visitor opens the branded event page ($lang, $width px), then the header, cover, links and button take the branding',
    async ({ lang, width }) => {
      const page = await b.openPage(lang, viewport(width));
      await page.goto(`${base}/events/${SLUG}?lang=${lang}`);
      const name = lang === 'ja' ? '日本生活協同組合連合会' : 'Japanese Consumers’ Co-operative Union';
      expect((await page.locator('.brand-name').textContent())?.trim()).toBe(name);
      // The installation's logo, since the event sets none of its own.
      expect(
        await page.locator('.brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth),
      ).toBeGreaterThan(0);
      const cover = page.locator('img.cover');
      expect(await cover.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
      const box = await cover.boundingBox();
      expect(Math.round((box!.width / box!.height) * 10) / 10).toBe(3);
      const button = await page
        .locator('form.reg-form button[type="submit"]')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(button).toBe('rgb(122, 31, 92)');
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `branding-event-page-${lang}-${sizeName(width)}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );
});
