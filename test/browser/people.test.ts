import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { createTestAccount, testPassword } from '../helpers/admin';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, launchChromium, serve, SHOTS } from '../helpers/browser';
import { registerOnForm } from '../helpers/privacy';

/**
 * The admins' "Personal data requests" page in a real browser, in both languages at 1280 and 390 px:
 * look an address up, see what is held, then (last) erase it after ticking the confirmation; no
 * serious or critical axe findings. Also shoots the editor's retention field and the event page's
 * privacy line, the two other screens that changed.
 */
const SLUG = 'tsunagaru-privacy';
const PERSON = 'hanako.privacy@example.org';

describe('personal data requests in a browser', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let adminEmail: string;

  async function signedInPage(lang: 'en' | 'ja', width: number): Promise<Page> {
    const options: BrowserContextOptions =
      width < 600
        ? { viewport: { width, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
        : { viewport: { width, height: 900 } };
    const context = await browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-GB', ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.base}/admin/login?lang=${lang}`);
    await page.locator('#email').fill(adminEmail);
    await page.locator('#password').fill(testPassword);
    await Promise.all([
      page.waitForURL(`${server.base}/admin`),
      page.locator('form.reg-form button').click(),
    ]);
    return page;
  }

  async function shoot(page: Page, name: string) {
    await page.locator('body').evaluate((el) => el.ownerDocument.fonts.ready.then(() => undefined));
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    adminEmail = (await createTestAccount(t.db.pool, { role: 'admin' })).email;
    await makeEvent(t, { slug: SLUG, retentionDays: 90 });
    await registerOnForm(t, SLUG, { email: PERSON, familyName: '山田', givenName: '花子' });
    server = await serve(t.app);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t.close();
  });

  it('when an admin looks up an address, downloads nothing and then erases it, in both languages at 1280 and 390 px, then the page reads right and passes axe', async () => {
    const cases = (['en', 'ja'] as const).flatMap((lang) =>
      [1280, 390].map((width) => [lang, width] as const),
    );
    for (const [i, [lang, width]] of cases.entries()) {
      const size = width < 600 ? width : 'desktop';
      const page = await signedInPage(lang, width);
      await page.locator('.admin-nav a[href="/admin/people"]').click();
      await page.locator('#email').fill(PERSON);
      await Promise.all([
        page.waitForURL(/\/admin\/people\?email=/),
        page.locator('form[role=search] button').click(),
      ]);
      const table = (await page.locator('table.admin-table').innerText()).replace(/\s+/g, ' ');
      expect(table).toContain('山田 花子');
      expect(table).toContain(lang === 'en' ? 'Confirmed' : '参加確定');
      expect(await page.locator('a[href^="/admin/people/export"]').count()).toBe(1);
      expect(await axeReport(page)).toBe('');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await shoot(page, `people-${lang}-${size}`);

      await page.goto(`${server.base}/admin/events/${SLUG}/edit`);
      await expect(page.locator('#retentionDays-when').innerText()).resolves.toContain(
        lang === 'en' ? 'Tue 16 Mar 2027' : '2027年3月16日',
      );
      await shoot(page, `editor-retention-${lang}-${size}`);
      await page.goto(`${server.base}/events/${SLUG}?lang=${lang}`);
      await expect(page.locator('p.retention').innerText()).resolves.toContain(
        lang === 'en' ? '90 days' : '90日後',
      );
      await shoot(page, `event-retention-${lang}-${size}`);

      if (i === cases.length - 1) {
        await page.goto(`${server.base}/admin/people?email=${encodeURIComponent(PERSON)}&lang=${lang}`);
        await page.locator('form.erase-form button').click();
        await expect(page.locator('#confirm-error').innerText()).resolves.toContain('チェックボックス');
        expect(await axeReport(page)).toBe('');
        await page.locator('#confirm').check();
        await page.locator('form.erase-form button').click();
        await expect(page.locator('p.flash').innerText()).resolves.toContain('消去しました');
        expect(await axeReport(page)).toBe('');
        await shoot(page, `people-erased-${lang}-${size}`);
      }
      await page.context().close();
    }
    const left = await t.db.pool.query('SELECT count(*)::int AS n FROM registrations WHERE email = $1', [
      PERSON,
    ]);
    expect(left.rows[0].n).toBe(0);
  }, 240_000);
});
