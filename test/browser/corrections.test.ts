import { type Page } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { mintLinkToken, registerAttendee } from '../../src/registrations';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import {
  axeChecks,
  openBrowserFile,
  shoot,
  sizeName,
  viewport,
  type BrowserFile,
  type Lang,
} from '../helpers/pages';

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
  let b: BrowserFile;
  let registrationId: number;
  let manage: string;

  async function check(page: Page, name: string, lang: Lang, width: number) {
    const overflow = await page
      .locator('html')
      .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    await shoot(page, name);
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
    b = await openBrowserFile(t.app);
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  const cases = (['en', 'ja'] as const).flatMap((lang) => [1280, 390].map((width) => [lang, width] as const));

  it.each(cases)(
    'when a registrant corrects their name in %s at %i px, then the page says so',
    async (lang, width) => {
      const page = await b.openPage(lang, viewport(width));
      await page.goto(`${b.base}/manage/${manage}?lang=${lang}`);
      await check(page, `manage-corrections-${lang}-${sizeName(width)}`, lang, width);
      const given = page.locator('form.manage-correct #givenName');
      // A different name in each case, so each saves a change.
      await given.fill(`${lang === 'en' ? 'Hanako' : '花子'}${width < 600 ? ' M' : ''}`);
      await Promise.all([
        page.waitForURL(/done=corrected/),
        page.locator('form.manage-correct button').click(),
      ]);
      expect(await page.locator('.notice--success').innerText()).toBe(
        lang === 'en' ? 'Your details are corrected.' : '登録内容を修正しました。',
      );
    },
  );

  it.each(cases)(
    'when the organiser opens the correction and add forms in %s at %i px, then they pass axe',
    async (lang, width) => {
      const page = await b.signedInPage(lang, EMAIL, PASSWORD, viewport(width));
      const size = sizeName(width);
      await page.goto(`${b.base}/admin/events/${SLUG}/attendees/${registrationId}`);
      await page.locator('#correct summary').click();
      await expect(page.locator('#correct #familyName').inputValue()).resolves.toBe('Yamada');
      await check(page, `attendee-correct-${lang}-${size}`, lang, width);
      await page.goto(`${b.base}/admin/events/${SLUG}/attendees/new`);
      await Promise.all([page.waitForURL(/attendees\/new/), page.locator('form.reg-form button').click()]);
      expect(await page.locator('.error-summary').count()).toBe(1);
      await check(page, `attendee-add-${lang}-${size}`, lang, width);
    },
  );
});
