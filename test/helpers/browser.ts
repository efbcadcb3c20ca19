import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserServer, type LaunchOptions, type Page } from 'playwright-core';

/** Where browser tests leave their screenshots (git-ignored), for a person to look at. */
export const SHOTS = path.resolve(__dirname, '../../test-results');

/** The environment variable through which the run's one Chromium (browser-global-setup) is found. */
export const CHROMIUM_ENDPOINT = 'TSUNAGARU_TEST_CHROMIUM_WS';

/** Debian's chromium, headless, with nothing reaching out to the network on its own. */
const launchOptions: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

/** Starts the Chromium that every browser test file of a run connects to (see browser-global-setup). */
export function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer(launchOptions);
}

/**
 * The run's shared Chromium when the browser global set-up started one, or a Chromium of this file's
 * own otherwise. Closing what this returns disconnects from the shared one and leaves it running.
 */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const endpoint = process.env[CHROMIUM_ENDPOINT];
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch(launchOptions);
}

/** Serious or critical WCAG 2.1 A/AA violations on the page, as a readable report ('' when none). */
export async function axeReport(page: Page): Promise<string> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  if (!results.passes.length) return 'axe-core checked nothing on this page';
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary ?? ''}`).join('\n'),
    )
    .join('\n');
}

/** The app on a real HTTP server on a free local port, for the browser to load. */
export async function serve(app: http.RequestListener): Promise<{ base: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fresh page in its own context: desktop (1280 px and such) or a phone (under 600 px), in `lang`, in Tokyo. */
export async function screenPage(browser: Browser, lang: 'en' | 'ja', width: number): Promise<Page> {
  const options =
    width < 600
      ? { viewport: { width, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: { width, height: 900 } };
  const context = await browser.newContext({
    locale: lang === 'ja' ? 'ja-JP' : 'en-GB',
    timezoneId: 'Asia/Tokyo',
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

/**
 * Checks a screen as a person would meet it: no sideways scrolling, no serious or critical axe finding;
 * then leaves a full-page screenshot `<name>.png` in SHOTS, once the fonts are in.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  const overflow = await page
    .locator('html')
    .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
  expect(await axeReport(page)).toBe('');
  await page.locator('body').evaluate((el) => el.ownerDocument.fonts.ready.then(() => undefined));
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  expect(fs.statSync(file).size).toBeGreaterThan(10_000);
}
/** Each language at desktop and phone width: the four views a new screen is looked at in. */
export const languageWidths = [
  ['en', 1280],
  ['en', 390],
  ['ja', 390],
  ['ja', 1280],
] as const;
