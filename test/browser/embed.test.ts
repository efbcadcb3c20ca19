import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, languageWidths, launchChromium, serve, SHOTS } from '../helpers/browser';

/**
 * The embedded form on an organiser's own site: a page from another origin loads /embed.js, the frame
 * resizes to its page, and a visitor registers through it; a site not on the event's list cannot frame
 * it. The organiser's site is `localhost`, another site than the app's 127.0.0.1, so the browser
 * withholds the app's SameSite=Lax cookie there, as it would on the open web.
 */
const SLUG = 'tsunagaru-embed';
const shots = process.env.SHOTS_DIR ?? SHOTS;

/** A one-page site on its own port: the organiser's page that includes the embed script. */
async function organiserSite(appBase: string, lang: 'en' | 'ja') {
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1"><title>Cooperative news</title></head>
      <body style="margin:0;font-family:sans-serif;background:#eef2ea"><main style="max-width:60rem;margin:auto;padding:1rem">
      <h1>Cooperative news</h1><p>Our next webinar: register below.</p>
      <script src="${appBase}/embed.js" data-event="${SLUG}" data-lang="${lang}" async></script>
      <p>Footer of the organiser's site.</p></main></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A screenshot of the whole organiser page. The window is made as tall as the page first: Chromium
 * paints a cross-site frame only where the window shows it, so a full-page shot would cut it off.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()!.width;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await page.screenshot({ path: path.join(shots, name) });
}

/** The field in the frame whose label reads `text`, allowing the required marker. */
function field(frame: FrameLocator, text: string) {
  return frame.getByLabel(new RegExp(`^${text.replace(/[()（）]/g, '\\$&')}(\\s*\\*)?$`));
}

describe('the embedded form on another site', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof serve>>;
  let sites: { en: Awaited<ReturnType<typeof organiserSite>>; ja: Awaited<ReturnType<typeof organiserSite>> };
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function openPage(width: number, locale: string): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  /** Opens the organiser's page and waits until the frame has taken its page's height. */
  async function openEmbedded(lang: 'en' | 'ja', width: number): Promise<Page> {
    const page = await openPage(width, lang === 'ja' ? 'ja-JP' : 'en-GB');
    await page.goto(`http://localhost:${sites[lang].port}/`);
    await page.waitForFunction(() => Boolean(document.querySelector('iframe')?.style.height));
    return page;
  }

  beforeAll(async () => {
    t = await startTestApp();
    app = await serve(t.app);
    sites = { en: await organiserSite(app.base, 'en'), ja: await organiserSite(app.base, 'ja') };
    await makeEvent(t, {
      slug: SLUG,
      embedOrigins: [`http://localhost:${sites.en.port}`, `http://localhost:${sites.ja.port}`],
    });
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([sites?.en.close(), sites?.ja.close()]);
    await app?.close();
    await t?.close();
  });

  it('when an allowed site embeds the form, then it fits its frame in both languages and widths, and a visitor registers through it without the app cookie', async () => {
    for (const [lang, width] of languageWidths) {
      const page = await openEmbedded(lang, width);
      const frameHeight = await page.locator('iframe').evaluate((f) => f.getBoundingClientRect().height);
      const frame = page.frameLocator('iframe');
      const pageHeight = await frame.locator('body').evaluate((b) => b.getBoundingClientRect().height);
      expect(Math.abs(frameHeight - pageHeight)).toBeLessThanOrEqual(2);
      await shoot(page, `embed-${lang}-${width}.png`);
      expect(await axeReport(page)).toBe('');
      if (lang === 'en') continue;

      await field(frame, 'メールアドレス').fill('embedded@example.org');
      await field(frame, '姓').fill('山田');
      await field(frame, '名').fill('花子');
      await field(frame, '姓（ふりがな）').fill('やまだ');
      await field(frame, '名（ふりがな）').fill('はなこ');
      await field(frame, 'ご所属（団体名）').fill('日本協同組合連携機構');
      await field(frame, 'ご所属の種別').selectOption({ label: '協同組合' });
      await field(frame, '国・地域').selectOption({ label: '日本' });
      // By keyboard, as its users may: Chromium's pointer hit-testing inside a cross-site frame is
      // unreliable in headless mode once the window has been resized.
      const press = async (control: Locator, key: string) => {
        await control.focus();
        await page.keyboard.press(key);
      };
      await press(
        frame.getByRole('group', { name: 'メールの言語' }).getByLabel('日本語', { exact: true }),
        'Space',
      );
      await press(
        frame.getByRole('group', { name: '聴講する言語（通訳）' }).getByLabel('英語', { exact: true }),
        'Space',
      );
      await press(frame.getByLabel(/同意します/), 'Space');
      await press(frame.getByRole('button', { name: '申し込む' }), 'Enter');
      await frame.getByText('お申し込みありがとうございます').first().waitFor();
      // The thank-you page is shorter: the frame follows it.
      await page.waitForFunction(
        (before) => document.querySelector('iframe')!.getBoundingClientRect().height < before - 100,
        frameHeight,
      );
      await shoot(page, `embed-${lang}-${width}-registered.png`);
    }
    const { rows } = await t.db.pool.query('SELECT email, locale FROM registrations');
    expect(rows).toEqual([{ email: 'embedded@example.org', locale: 'ja' }]);
    // The page's own cookie never reached the frame: the form token registered the visitor.
    const cookies = await contexts.at(-1)!.cookies(app.base);
    expect(cookies.map((c) => c.name)).not.toContain('csrf');
  }, 240_000);

  it('when a site that is not on the list loads the embed script, then the browser refuses to show the form in its frame', async () => {
    const stranger = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><head><title>Other site</title></head><body>
        <script src="${app.base}/embed.js" data-event="${SLUG}"></script></body></html>`);
    });
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', () => resolve()));
    try {
      const page = await openPage(1280, 'en-GB');
      const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
      await page.goto(`http://localhost:${(stranger.address() as AddressInfo).port}/`);
      expect((await refused).text()).toContain('has been blocked');
      expect(await page.frameLocator('iframe').locator('form').count()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => stranger.close(() => resolve()));
    }
  });
});
