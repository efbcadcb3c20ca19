import path from 'node:path';
import { type BrowserContextOptions, type Page } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { eventBySlug } from '../../src/events';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, languageWidths, SHOTS } from '../helpers/browser';
import { axeChecks, openBrowserFile, shoot, viewport, type BrowserFile, type Lang } from '../helpers/pages';

/**
 * The event editor in a real browser (Debian's chromium via playwright-core) against the real app and
 * a real PostgreSQL: the time echo follows what is typed, in every display zone; a new event is created
 * through the form; axe-core finds nothing serious; and screenshots at desktop and phone widths in
 * both languages are left in SHOTS for a person to look at.
 */
const EMAIL = 'hanako@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-editor';

describe('event editor in a browser', () => {
  let t: TestApp;
  let b: BrowserFile;
  let base: string;

  /** A fresh context signed in as the organiser, in `lang`, on Zurich time, and a page in it. */
  const signedInPage = (lang: Lang, options: BrowserContextOptions = {}): Promise<Page> =>
    b.signedInPage(lang, EMAIL, PASSWORD, { timezoneId: 'Europe/Zurich', ...options });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Hanako', role: 'organiser', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    const event = await makeEvent(t, {
      slug: SLUG,
      capacity: 300,
      waitlist: true,
      questions: [
        {
          id: 'sessions',
          type: 'multiple',
          label: { en: 'Which sessions will you join?', ja: '参加するセッション' },
          required: false,
          options: [
            { value: 'am', label: { en: 'Morning', ja: '午前' } },
            { value: 'pm', label: { en: 'Afternoon', ja: '午後' } },
          ],
        },
      ],
    });
    await addEventMember(t.db.pool, event.id, user.id, t.clock.now());
    for (const email of ['a@example.org', 'b@example.org']) {
      const { agent, token } = await formSession(t.app, SLUG);
      const res = await agent
        .post(`/events/${SLUG}/register`)
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email }) }));
      expect(res.status).toBe(303);
    }
    b = await openBrowserFile(t.app);
    base = b.base;
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('when a start time is typed, then the echo shows it in JST and CET at once, follows the zones, and warns about a DST gap', async () => {
    const page = await signedInPage('en', viewport(1280));
    await page.goto(`${base}/admin/events/new`);
    const echo = page.locator('#startsAt-echo');
    await expect(echo.textContent()).resolves.toBe('');

    await page.locator('#startsAt').fill('2026-12-16T15:00');
    await expect(echo.textContent()).resolves.toBe('JST: Wed 16 Dec 15:00 · CET: Wed 16 Dec 07:00');

    await page.locator('#timezone').selectOption('Europe/Zurich');
    await expect(echo.textContent()).resolves.toBe('JST: Wed 16 Dec 23:00 · CET: Wed 16 Dec 15:00');

    await page.getByLabel(/^America\/New_York \(/).check();
    await expect(echo.textContent()).resolves.toBe(
      'JST: Wed 16 Dec 23:00 · CET: Wed 16 Dec 15:00 · EST: Wed 16 Dec 09:00',
    );
    await page.locator('#displayZonesOther').fill('Asia/Kolkata, Nowhere/Special');
    await expect(echo.textContent()).resolves.toBe(
      'JST: Wed 16 Dec 23:00 · CET: Wed 16 Dec 15:00 · EST: Wed 16 Dec 09:00 · IST: Wed 16 Dec 19:30',
    );

    await page.locator('#startsAt').fill('2027-03-28T02:30');
    await expect(echo.textContent()).resolves.toBe(
      'This time does not exist in Europe/Zurich: the clocks go forward then.',
    );
    await page.locator('#startsAt').fill('2027-03-28T03:00');
    await expect(echo.textContent()).resolves.toMatch(/^JST: Sun 28 Mar 10:00 · CEST: Sun 28 Mar 03:00/);
    await shoot(page, 'event-new-en');
  });

  it('when an organiser fills in the new-event form in Japanese and saves, then the draft exists with the right instants and the editor says so', async () => {
    const page = await signedInPage('ja', viewport(1280));
    await page.goto(`${base}/admin/events/new`);
    await page.locator('#title_en').fill('Cooperatives and Decent Work');
    await expect(page.locator('#slug').inputValue()).resolves.toBe('cooperatives-and-decent-work');
    await page.locator('#title_ja').fill('協同組合とディーセント・ワーク');
    await page.locator('#startsAt').fill('2026-12-16T15:00');
    await page.locator('#endsAt').fill('2026-12-16T17:15');
    await expect(page.locator('#startsAt-echo').textContent()).resolves.toBe(
      'JST: 12月16日(水) 15:00 · CET: 12月16日(水) 07:00',
    );
    await shoot(page, 'event-new-ja');
    await Promise.all([
      page.waitForURL(/\/edit\?saved=1$/),
      page.locator('.form-bar button').first().click(),
    ]);
    await expect(page.locator('.flash').textContent()).resolves.toBe('保存しました。');
    const event = (await eventBySlug(t.db.pool, 'cooperatives-and-decent-work'))!;
    expect(event.startsAt.toISOString()).toBe('2026-12-16T06:00:00.000Z');
    expect(event.status).toBe('draft');
    // The server's echo (no JavaScript needed) says the same as the browser's.
    await expect(page.locator('#startsAt-echo').textContent()).resolves.toBe(
      'JST: 12月16日(水) 15:00 · CET: 12月16日(水) 07:00',
    );
    expect(await axeReport(page)).toBe('');
  });

  it.each([
    { lang: 'en', width: 1280, file: 'event-editor-en' },
    { lang: 'en', width: 375, file: 'event-editor-en-375' },
    { lang: 'ja', width: 1280, file: 'event-editor-ja' },
    { lang: 'ja', width: 375, file: 'event-editor-ja-375' },
  ] as const)(
    'when the editor of a published event is opened in $lang at $width px, then axe finds nothing serious and nothing overflows',
    async ({ lang, width, file }) => {
      const page = await signedInPage(lang, viewport(width));
      const res = await page.goto(`${base}/admin/events/${SLUG}/edit`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await expect(page.locator('#title_ja').getAttribute('lang')).resolves.toBe('ja');
      await expect(page.locator('.invite-hint').first().isVisible()).resolves.toBe(true);
      await shoot(page, file);
      const overflow = await page
        .locator('html')
        .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      // Side by side on a desktop, stacked on a phone.
      const en = await page.locator('#title_en').boundingBox();
      const ja = await page.locator('#title_ja').boundingBox();
      if (width > 600) expect(Math.abs(en!.y - ja!.y)).toBeLessThan(2);
      else expect(ja!.y).toBeGreaterThan(en!.y + en!.height);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it('when a change would mail registrants, then the notice with its count and "Save and send" is shown, and axe finds nothing serious', async () => {
    const page = await signedInPage('en', viewport(1280));
    await page.goto(`${base}/admin/events/${SLUG}/edit`);
    await page.locator('#title_en').fill('TSUNAGARU — renamed');
    await page.locator('#endsAt').fill('2026-12-16T14:00');
    await page.locator('.form-bar button').first().click();
    await page.locator('.error-summary').waitFor();
    await shoot(page, 'event-editor-errors-en');
    expect(await axeReport(page)).toBe('');
    await page.locator('#endsAt').fill('2026-12-16T17:15');
    await page.locator('.form-bar button').first().click();
    await page.locator('.impact-notice').waitFor();
    await expect(page.locator('.impact-count').textContent()).resolves.toBe(
      '2 registrants will be sent an updated invite.',
    );
    await shoot(page, 'event-editor-confirm-en');
    expect(await axeReport(page)).toBe('');
    await Promise.all([
      page.waitForURL(/notified=2$/),
      page.getByRole('button', { name: 'Save and send' }).click(),
    ]);
    await expect(page.locator('.flash').textContent()).resolves.toBe(
      'Saved. 2 registrants will be sent an updated invite.',
    );
  });

  it.each([
    { lang: 'en', width: 1280, file: 'event-preview-en' },
    { lang: 'ja', width: 375, file: 'event-preview-ja-375' },
  ] as const)(
    'when the preview is opened in $lang, then the banner shows and axe finds nothing serious',
    async ({ lang, width, file }) => {
      const page = await signedInPage('en', viewport(width));
      await page.goto(`${base}/admin/events/${SLUG}/preview?lang=${lang}`);
      await expect(page.locator('.preview-banner').isVisible()).resolves.toBe(true);
      await expect(page.locator('form[data-preview] button[type="submit"]').isDisabled()).resolves.toBe(true);
      await shoot(page, file);
      expect(await axeReport(page)).toBe('');
    },
  );
  it('when options are added and removed as rows and a site is allowed to embed, then the event saves them and the editor shows the snippet, in both languages', async () => {
    const page = await signedInPage('en', viewport(1280));
    await page.goto(`${base}/admin/events/${SLUG}/edit`);
    const first = page.locator('#q0_options');
    await expect(first.locator('#q0_o1_en').inputValue()).resolves.toBe('Afternoon');
    await first.getByRole('button', { name: 'Remove option 2' }).click();
    await first.getByRole('button', { name: 'Add an option' }).click();
    const added = first.locator('.option-row').last();
    await expect(
      added
        .locator('input')
        .first()
        .evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);
    await added.getByLabel(/: English$/).fill('Evening');
    await added.getByLabel(/: Japanese$/).fill('夜');
    await page.locator('#embedOrigins').fill('https://www.coop.example');
    await Promise.all([page.waitForURL(/saved=1/), page.locator('.form-bar button').first().click()]);
    const saved = (await eventBySlug(t.db.pool, SLUG))!;
    expect(saved.questions[0]!.options).toEqual([
      { value: 'am', label: { en: 'Morning', ja: '午前' } },
      { value: 'evening', label: { en: 'Evening', ja: '夜' } },
    ]);
    expect(saved.embedOrigins).toEqual(['https://www.coop.example']);
    for (const [lang, width] of languageWidths) {
      const view = width === 1280 && lang === 'en' ? page : await signedInPage(lang, viewport(width));
      await view.goto(`${base}/admin/events/${SLUG}/edit?lang=${lang}`);
      await expect(view.locator('#embed-snippet').textContent()).resolves.toMatch(
        new RegExp(
          `^<script src="http[^"]+/embed\\.js" data-event="${SLUG}" data-lang="${lang}" async></script>$`,
        ),
      );
      await view.locator('#q0_options').screenshot({
        path: path.join(SHOTS, `editor-options-${lang}-${width}.png`),
      });
      await view
        .locator('#embedOrigins')
        .locator('xpath=ancestor::fieldset[1]')
        .screenshot({
          path: path.join(SHOTS, `editor-embed-${lang}-${width}.png`),
        });
      if (axeChecks(lang, width)) expect(await axeReport(view)).toBe('');
    }
  }, 180_000);
});
