import { type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import { openBrowserFile, shoot, type BrowserFile } from '../helpers/pages';

/**
 * The event page and its registration form in a real browser (Debian's chromium via playwright-core),
 * against the real app and a real PostgreSQL: a Japanese and an English registration filled in through
 * the labels, the error summary, axe-core on both languages, and the "in your time zone" line.
 */
const SLUG = 'tsunagaru-browser';

/** The field whose label reads exactly `text`, allowing the required-field marker " *" after it. */
function byLabel(scope: Page | Locator, text: string): Locator {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return scope.getByLabel(new RegExp(`^${escaped}(\\s*\\*)?$`));
}

describe('registration form in a browser', () => {
  let t: TestApp;
  let b: BrowserFile;
  let base: string;

  /** A fresh context (cookies, zone, viewport of its own; English unless told) and a page in it. */
  const openPage = (options: BrowserContextOptions = {}): Promise<Page> => b.openPage('en', options);

  async function registrationRows(email: string) {
    const { rows } = await t.db.pool.query<{
      email: string;
      family_name: string;
      given_name: string;
      affiliation: string;
      country: string;
      locale: string;
      interpretation: string;
      status: string;
    }>(
      `SELECT r.email, r.family_name, r.given_name, r.affiliation, r.country, r.locale, r.interpretation, r.status
         FROM registrations r JOIN events e ON e.id = r.event_id
        WHERE e.slug = $1 AND lower(r.email) = lower($2)`,
      [SLUG, email],
    );
    return rows;
  }

  beforeAll(async () => {
    t = await startTestApp();
    await makeEvent(t, { slug: SLUG });
    b = await openBrowserFile(t.app);
    base = b.base;
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('when a visitor fills in the Japanese form through its labels, then they reach the Japanese thank-you page and one registration is stored with locale ja', async () => {
    const page = await openPage({ locale: 'ja-JP' });
    const email = 'hanako.browser@example.org';
    await page.goto(`${base}/events/${SLUG}?lang=ja`);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');

    await byLabel(page, 'メールアドレス').fill(email);
    await byLabel(page, '姓').fill('山田');
    await byLabel(page, '名').fill('花子');
    await byLabel(page, '姓（ふりがな）').fill('やまだ');
    await byLabel(page, '名（ふりがな）').fill('はなこ');
    await byLabel(page, 'ご所属（団体名）').fill('日本協同組合連携機構');
    await byLabel(page, 'ご所属の種別').selectOption({ label: '協同組合' });
    await byLabel(page, '国・地域').selectOption({ label: '日本' });
    await page.getByRole('group', { name: 'メールの言語' }).getByLabel('日本語', { exact: true }).check();
    await page
      .getByRole('group', { name: '聴講する言語（通訳）' })
      .getByLabel('英語', { exact: true })
      .check();

    // The consent box by keyboard: focus it and press Space, as a keyboard user would.
    const consent = page.getByLabel(/同意します/);
    await consent.focus();
    await page.keyboard.press('Space');
    expect(await consent.isChecked()).toBe(true);

    await page.getByRole('button', { name: '申し込む' }).click();
    await page.waitForURL((url) => url.pathname === `/events/${SLUG}/registered`);

    expect(new URL(page.url()).pathname).toBe(`/events/${SLUG}/registered`);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe(
      'お申し込みありがとうございます。メールをご確認ください',
    );
    // Broken between phrases only (BudouX), as the event page's texts are.
    const pieces = await page
      .locator('h1.phrased')
      .evaluate((h) => (h.innerHTML.match(/<wbr>/g) ?? []).length);
    expect(pieces).toBeGreaterThan(1);
    expect(await registrationRows(email)).toEqual([
      {
        email,
        family_name: '山田',
        given_name: '花子',
        affiliation: 'cooperative',
        country: 'JP',
        locale: 'ja',
        interpretation: 'en',
        status: 'confirmed',
      },
    ]);
  });

  it('when a visitor fills in the English form through its labels, then they reach the English thank-you page and one registration is stored with locale en', async () => {
    const page = await openPage();
    const email = 'alex.browser@example.org';
    await page.goto(`${base}/events/${SLUG}?lang=en`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await byLabel(page, 'E-mail address').fill(email);
    await byLabel(page, 'Given name').fill('Alex');
    await byLabel(page, 'Family name').fill('Martin');
    await byLabel(page, 'Organisation').fill('ILO');
    await byLabel(page, 'Which best describes you?').selectOption({ label: 'Researcher or academic' });
    await byLabel(page, 'Country or region').selectOption({ label: 'Switzerland' });
    await page
      .getByRole('group', { name: 'Language for e-mails' })
      .getByLabel('English', { exact: true })
      .check();
    await page
      .getByRole('group', { name: 'Interpretation you will listen to' })
      .getByLabel('Japanese', { exact: true })
      .check();
    const consent = page.getByLabel(/I agree that my details are used/);
    await consent.focus();
    await page.keyboard.press('Space');
    expect(await consent.isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL((url) => url.pathname === `/events/${SLUG}/registered`);

    expect(new URL(page.url()).pathname).toBe(`/events/${SLUG}/registered`);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe(
      'Thank you — please check your inbox',
    );
    expect(await registrationRows(email)).toEqual([
      {
        email,
        family_name: 'Martin',
        given_name: 'Alex',
        affiliation: 'academia',
        country: 'CH',
        locale: 'en',
        interpretation: 'ja',
        status: 'confirmed',
      },
    ]);
  });

  it('when the English form is sent empty, then the error summary is announced and focused, and each error links to its field', async () => {
    const page = await openPage();
    await page.goto(`${base}/events/${SLUG}?lang=en`);
    const before = await t.db.pool.query('SELECT count(*)::int AS n FROM registrations');

    await page.getByRole('button', { name: 'Register' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor({ state: 'visible' });

    expect(new URL(page.url()).pathname).toBe(`/events/${SLUG}/register`);
    expect(await summary.getByRole('heading').textContent()).toBe('Please correct the following:');
    // page.js moves focus to the summary so screen readers read it first.
    expect(await summary.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    const links = await summary
      .getByRole('link')
      .evaluateAll((as) =>
        as.map((a) => ({ href: a.getAttribute('href') ?? '', text: a.textContent?.trim() ?? '' })),
      );
    // Radios for the languages come preselected, so these are the fields left empty, in page order.
    expect(links.map((l) => l.href)).toEqual([
      '#email',
      '#givenName',
      '#familyName',
      '#affiliation',
      '#country',
      '#consent',
    ]);
    for (const link of links) {
      const id = link.href.slice(1);
      const field = page.locator(`[id="${id}"]`);
      expect(await field.count()).toBe(1);
      const info = await field.evaluate((el) => ({
        tag: el.tagName.toLowerCase(),
        invalid: el.getAttribute('aria-invalid'),
        describedBy: (el.getAttribute('aria-describedby') ?? '').split(/\s+/),
      }));
      expect(['input', 'select']).toContain(info.tag);
      expect(info.invalid).toBe('true');
      expect(info.describedBy).toContain(`${id}-error`);
      expect(link.text).not.toBe('');
      // The summary line is "<field>: <the message by the field>".
      const message = (await page.locator(`[id="${id}-error"]`).textContent())?.trim() ?? '';
      expect(message).not.toBe('');
      expect(link.text.endsWith(`: ${message}`)).toBe(true);
    }
    expect(links.find((l) => l.href === '#email')?.text).toBe('E-mail address: Please fill in this field.');
    expect(links.find((l) => l.href === '#consent')?.text).toBe(
      'Consent: Please agree to the privacy notice to register.',
    );

    // Following a link lands on its field.
    await summary.getByRole('link').first().click();
    expect(await page.locator('body').evaluate((el) => el.ownerDocument.activeElement?.id)).toBe('email');

    const after = await t.db.pool.query('SELECT count(*)::int AS n FROM registrations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each(['en', 'ja'] as const)(
    'when axe-core checks the %s event page against WCAG 2.1 A/AA, then it finds no serious or critical violations',
    async (lang) => {
      const page = await openPage({ locale: lang === 'ja' ? 'ja-JP' : 'en-GB' });
      await page.goto(`${base}/events/${SLUG}?lang=${lang}`);
      // The report is the failure message: an empty string when nothing was found.
      expect(await axeReport(page)).toBe('');
    },
  );

  it('when the viewer is in America/New_York, then the local-time line is shown with their zone', async () => {
    const page = await openPage({ timezoneId: 'America/New_York' });
    await page.goto(`${base}/events/${SLUG}?lang=en`);
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
      'America/New_York',
    );
    const line = page.locator('p.local-time');
    await line.waitFor({ state: 'visible' });
    expect(await line.isVisible()).toBe(true);
    const text = (await line.textContent()) ?? '';
    expect(text).toContain('In your time zone: ');
    expect(text).toContain('America/New_York');
    // 15:00–17:15 JST on 16 December is 01:00–03:15 EST the same day; named as people write it.
    expect(text).toContain('01:00–03:15 EST');
    expect(text).not.toMatch(/GMT/);
  });

  it('when the viewer is in Seoul, then the line stays hidden (the offset of Tokyo); in Kolkata it says IST, as the server names zones', async () => {
    const page = await openPage({ timezoneId: 'Asia/Seoul', locale: 'ja-JP' });
    await page.goto(`${base}/events/${SLUG}?lang=ja`);
    const line = page.locator('p.local-time');
    // Seoul and Tokyo share an offset, so the line stays hidden there; Kolkata shows it, as IST.
    expect(await line.isHidden()).toBe(true);
    const india = await openPage({ timezoneId: 'Asia/Kolkata', locale: 'ja-JP' });
    await india.goto(`${base}/events/${SLUG}?lang=ja`);
    const shown = india.locator('p.local-time');
    await shown.waitFor({ state: 'visible' });
    // 15:00–17:15 JST is 11:30–13:45 IST; the label takes a Japanese colon.
    const said = (await shown.textContent()) ?? '';
    expect(said).toContain('11:30–13:45 IST');
    expect(said).toMatch(/^お使いのタイムゾーンでは：2026年12月16日\S* 11:30/);
  });

  it('when the viewer is in Asia/Tokyo, then the local-time line stays hidden', async () => {
    const page = await openPage({ timezoneId: 'Asia/Tokyo' });
    await page.goto(`${base}/events/${SLUG}?lang=en`);
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Asia/Tokyo');
    const line = page.locator('p.local-time');
    expect(await line.count()).toBe(1);
    expect(await line.isHidden()).toBe(true);
    expect(await line.getAttribute('hidden')).not.toBeNull();
    expect(((await line.textContent()) ?? '').trim()).toBe('');
  });

  it('when the event page is opened on a desktop and a phone in both languages, then full-page screenshots are saved for review', async () => {
    const viewports = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
    for (const lang of ['en', 'ja'] as const) {
      for (const [name, viewport] of Object.entries(viewports)) {
        const page = await openPage({
          viewport,
          locale: lang === 'ja' ? 'ja-JP' : 'en-GB',
          isMobile: name === 'phone',
          hasTouch: name === 'phone',
          deviceScaleFactor: name === 'phone' ? 2 : 1,
        });
        await page.goto(`${base}/events/${SLUG}?lang=${lang}`);
        await shoot(page, `event-${lang}-${name}`);
      }
    }
  });
});
