import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { mintLinkToken, registerAttendee } from '../../src/registrations';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, launchChromium, serve, SHOTS } from '../helpers/browser';

/**
 * The correction screens in a real browser (Debian's chromium), in both languages at desktop (1280 px)
 * and phone (390 px) width: the registrant corrects a misspelt name on the manage page, the organiser
 * opens the correction form on the registrant's page and the "Add a registrant" form. No serious or
 * critical axe findings, no sideways scrolling; screenshots are left in SHOTS for a person to look at.
 */
const EMAIL = 'keiko@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-corrections';

describe('correction screens in a browser', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let registrationId: number;
  let manage: string;

  async function newPage(lang: 'en' | 'ja', width: number): Promise<Page> {
    const options: BrowserContextOptions =
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

  async function check(page: Page, name: string) {
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

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Keiko Sato', role: 'organiser', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    const event = await makeEvent(t, { slug: SLUG });
    await addEventMember(t.db.pool, event.id, user.id, t.clock.now());
    const outcome = await registerAttendee(t.db.pool, {
      slug: SLUG,
      body: formData({ givenName: 'Hanaco' }),
      pageLang: 'en',
      now: t.clock.now(),
    });
    expect(outcome.status).toBe('confirmed');
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations');
    registrationId = Number(rows[0]!.id);
    manage = await mintLinkToken(t.db.pool, {
      registrationId,
      purpose: 'manage',
      mailId: null,
      at: t.clock.now(),
    });
    server = await serve(t.app);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t.close();
  });

  const cases = (['en', 'ja'] as const).flatMap((lang) => [1280, 390].map((width) => [lang, width] as const));

  it.each(cases)(
    'when a registrant corrects their name in %s at %i px, then the page says so',
    async (lang, width) => {
      const page = await newPage(lang, width);
      await page.goto(`${server.base}/manage/${manage}?lang=${lang}`);
      const size = width < 600 ? width : 'desktop';
      await check(page, `manage-corrections-${lang}-${size}`);
      const given = page.locator('form.manage-details #givenName');
      // A different name in each case, so each saves a change.
      await given.fill(`${lang === 'en' ? 'Hanako' : '花子'}${width < 600 ? ' M' : ''}`);
      await Promise.all([
        page.waitForURL(/done=corrected/),
        page.locator('form.manage-details button').click(),
      ]);
      expect(await page.locator('.notice--success').innerText()).toBe(
        lang === 'en' ? 'Your details are corrected.' : '登録内容を修正しました。',
      );
      await page.context().close();
    },
  );

  it.each(cases)(
    'when the organiser opens the correction and add forms in %s at %i px, then they pass axe',
    async (lang, width) => {
      const page = await newPage(lang, width);
      await page.goto(`${server.base}/admin/login?lang=${lang}`);
      await page.locator('#email').fill(EMAIL);
      await page.locator('#password').fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`${server.base}/admin`),
        page.locator('form.reg-form button').click(),
      ]);
      const size = width < 600 ? width : 'desktop';
      await page.goto(`${server.base}/admin/events/${SLUG}/attendees/${registrationId}`);
      await page.locator('#correct summary').click();
      await expect(page.locator('#correct #familyName').inputValue()).resolves.toBe('Yamada');
      await check(page, `attendee-correct-${lang}-${size}`);
      await page.goto(`${server.base}/admin/events/${SLUG}/attendees/new`);
      await Promise.all([page.waitForURL(/attendees\/new/), page.locator('form.reg-form button').click()]);
      expect(await page.locator('.error-summary').count()).toBe(1);
      await check(page, `attendee-add-${lang}-${size}`);
      await page.context().close();
    },
  );
});
