/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, serve, SHOTS } from './browser';

/** The two languages a page is checked in. */
export type Lang = 'en' | 'ja';

/** Desktop (a plain 1280-wide window) or phone (touch, 2x pixels) options for a context `width` wide. */
export function viewport(width: number, phoneHeight = 812): BrowserContextOptions {
  return width < 600
    ? { viewport: { width, height: phoneHeight }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
    : { viewport: { width, height: 900 } };
}

/** `desktop` for a desktop width, the width itself for a phone: the tail of a screenshot's name. */
export const sizeName = (width: number): string => (width < 600 ? String(width) : 'desktop');

/** Waits for web fonts, then saves a full-page screenshot into SHOTS and returns its path. */
export async function shoot(page: Page, name: string): Promise<string> {
  await page.locator('body').evaluate((el) => el.ownerDocument.fonts.ready.then(() => undefined));
  const file = path.join(SHOTS, `${name}.png`);
  // A long page at phone width and scale 2 takes a while to capture on a busy machine.
  await page.screenshot({ path: file, fullPage: true, timeout: 30_000 });
  expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  return file;
}

/** By how many pixels the page is wider than its viewport (it scrolls sideways when above 0). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** A test file's browser: the shared Chromium, the app served, and pages in contexts of their own. */
export interface BrowserFile {
  browser: Browser;
  base: string;
  /** A fresh context (cookies, viewport of its own) in `lang`, and a page in it. */
  openPage(lang: Lang, options?: BrowserContextOptions): Promise<Page>;
  /**
   * A fresh context signed in to the workspace as `email`, in `lang`. The first one per account and
   * language signs in through the real form (landing on /admin); later ones start from its cookies.
   */
  signedInPage(lang: Lang, email: string, password: string, options?: BrowserContextOptions): Promise<Page>;
  /** Signs in through the form again next time: after the test moved the app's clock past a session's life. */
  forgetSignIns(): void;
  /** Closes the contexts opened since the last call (in an afterEach). */
  closeContexts(): Promise<void>;
  /** Disconnects from the browser and stops serving the app (in an afterAll). */
  close(): Promise<void>;
}

/** Serves `app` and connects to the run's Chromium; contexts default to Tokyo time. */
export async function openBrowserFile(app: Parameters<typeof serve>[0]): Promise<BrowserFile> {
  const server = await serve(app);
  const browser = await launchChromium();
  const base = server.base;
  const contexts: BrowserContext[] = [];
  const signedIn = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>();

  async function openPage(lang: Lang, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({
      locale: lang === 'ja' ? 'ja-JP' : 'en-GB',
      timezoneId: 'Asia/Tokyo',
      ...options,
    });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  async function signedInPage(lang: Lang, email: string, password: string, options = {}) {
    const key = `${email} ${lang}`;
    const state = signedIn.get(key);
    if (state) return openPage(lang, { ...options, storageState: state });
    const page = await openPage(lang, options);
    await page.goto(`${base}/admin/login?lang=${lang}`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await Promise.all([page.waitForURL(`${base}/admin`), page.locator('form.reg-form button').click()]);
    signedIn.set(key, await page.context().storageState());
    return page;
  }

  return {
    browser,
    base,
    openPage,
    signedInPage,
    forgetSignIns: () => signedIn.clear(),
    async closeContexts() {
      for (const context of contexts.splice(0)) await context.close();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Whether axe-core checks a screen shown in `lang` at `width`: once per screen and language, at desktop
 * width in English and at phone width in Japanese, so that both layouts are checked as well.
 */
export function axeChecks(lang: Lang, width: number): boolean {
  return (lang === 'en') === width >= 600;
}
