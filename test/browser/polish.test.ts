/// <reference lib="dom" />
import { type BrowserContextOptions, type Page } from 'playwright-core';
import { createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { registerAttendee } from '../../src/registrations';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import {
  axeChecks,
  openBrowserFile,
  shoot as shootAs,
  sidewaysOverflow as overflow,
  viewport,
} from '../helpers/pages';
import type { BrowserFile, Lang } from '../helpers/pages';

/**
 * The screens changed for issue 17, in a real browser (Debian's chromium via playwright-core) against
 * the real app and PostgreSQL: the event page and its form (errors naming their fields, the countries
 * of the event first, one kana hint, phrase breaks, the Register link on phones), the sign-in page's
 * password box, the editor's public link and the token page's copy buttons, and the API reference.
 * Each is shot in both languages at 1280 and 390 px (left in SHOTS for a person to look at) and checked
 * with axe-core: no serious or critical finding.
 */
const EMAIL = 'organiser@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-polish';
const TITLE_JA = 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」';

/** A screenshot named for this file's screens. */
const shoot = (page: Page, name: string) => shootAs(page, `polish-${name}`);

const sizes = [
  { lang: 'en', width: 1280 },
  { lang: 'en', width: 390 },
  { lang: 'ja', width: 1280 },
  { lang: 'ja', width: 390 },
] as const;

describe('polished screens in a browser', () => {
  let t: TestApp;
  let b: BrowserFile;
  let base: string;

  /** A fresh context `width` wide in `lang`, and a page in it. */
  const openPage = (lang: Lang, width: number, options: BrowserContextOptions = {}) =>
    b.openPage(lang, { ...viewport(width, 844), ...options });

  /** The same, signed in to the workspace as the admin. */
  const signedInPage = (lang: Lang, width: number, options: BrowserContextOptions = {}) =>
    b.signedInPage(lang, EMAIL, PASSWORD, { ...viewport(width, 844), ...options });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Organiser', role: 'admin', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    await makeEvent(t, {
      slug: SLUG,
      title: { en: 'TSUNAGARU by Social & Solidarity Economy — ILO-JCA Joint Webinar', ja: TITLE_JA },
      questions: [
        {
          id: 'sessions',
          type: 'single',
          label: { en: 'Which session?', ja: '参加するセッション' },
          required: true,
          options: [
            { value: 'am', label: { en: 'Morning', ja: '午前' } },
            { value: 'pm', label: { en: 'Afternoon', ja: '午後' } },
          ],
        },
      ],
    });
    for (const [i, lang] of (['ja', 'en', 'ja'] as const).entries()) {
      const res = await registerAttendee(t.db.pool, {
        slug: SLUG,
        body: formData({ email: `person${i}@example.org`, q_sessions: 'am', locale: lang }),
        pageLang: lang,
        now: t.clock.now(),
      });
      expect(res.status).toBe('confirmed');
    }
    b = await openBrowserFile(t.app);
    base = b.base;
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it.each(sizes)(
    'when the event page is sent empty ($lang, $width px), then the summary names each field, its links reach the fields, and axe finds nothing serious',
    async ({ lang, width }) => {
      const page = await openPage(lang, width);
      await page.goto(`${base}/events/${SLUG}?lang=${lang}`);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      // The country list starts with the event's countries (and Japan on a Japanese page).
      const first = await page
        .locator('#country option')
        .evaluateAll((os) => os.slice(1, 3).map((o) => (o as HTMLOptionElement).value));
      expect(first).toEqual(['JP', 'CH']);
      // The Register link near the top shows on a phone only.
      const jump = page.locator('.register-jump a');
      expect(await jump.isVisible()).toBe(width < 600);
      await shoot(page, `event-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');

      await page.locator('form.reg-form button[type="submit"]').click();
      await page.waitForSelector('.error-summary');
      expect(await page.title()).toMatch(lang === 'ja' ? /^エラー：/ : /^Error: /);
      const lines = await page.locator('.error-summary li a').allTextContents();
      expect(lines.length).toBeGreaterThanOrEqual(6);
      // Every line says which field; none is a bare message repeated.
      expect(new Set(lines).size).toBe(lines.length);
      for (const line of lines) expect(line).toMatch(lang === 'ja' ? /^[^：]+：/ : /^[^:]+: /);
      // A group's line leads to its first option, which takes the focus, with its legend in view.
      await page.locator('.error-summary a[href="#q_sessions-0"]').click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('q_sessions-0');
      const legendTop = await page
        .locator('fieldset:has(#q_sessions-0) legend')
        .evaluate((el) => el.getBoundingClientRect().top);
      expect(legendTop).toBeGreaterThanOrEqual(0);
      await shoot(page, `event-errors-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it('when the Japanese form is shown on a phone, then both kana boxes stand level and the title breaks between phrases only', async () => {
    const page = await openPage('ja', 390);
    await page.goto(`${base}/events/${SLUG}?lang=ja`);
    const tops = await page
      .locator('#familyNameKana, #givenNameKana')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    // One column on a phone: each box right under its own label, so the second is lower; at 1280 px
    // the two stand side by side at the same height.
    expect(tops[1]).toBeGreaterThan(tops[0]!);
    const desktop = await openPage('ja', 1280);
    await desktop.goto(`${base}/events/${SLUG}?lang=ja`);
    const level = await desktop
      .locator('#familyNameKana, #givenNameKana')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(level[0]).toBe(level[1]);
    // The title's rendered lines: none starts with a long-vowel mark, a wave dash or a closing
    // bracket, and つながる is never split.
    const lines = await page.locator('h1').evaluate((h1) => {
      const range = document.createRange();
      const out: string[] = [];
      let lastTop = -Infinity;
      for (let n: ChildNode | null = h1.firstChild; n; n = n.nextSibling) {
        if (n.nodeType !== Node.TEXT_NODE) continue;
        const text = n.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          const top = range.getBoundingClientRect().top;
          if (top > lastTop + 4) {
            out.push('');
            lastTop = top;
          }
          out[out.length - 1] = (out[out.length - 1] ?? '') + (text[i] ?? '');
        }
      }
      return out;
    });
    expect(lines.join('')).toBe(TITLE_JA);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).not.toMatch(/^[ー〜」）、。]/);
    expect(lines.some((line) => line.includes('つながる'))).toBe(true);
    await shoot(page, 'title-phrases-ja-390');
  });

  it.each(sizes)(
    'when the sign-in page is shown ($lang, $width px), then the password box is as wide as the e-mail box',
    async ({ lang, width }) => {
      const page = await openPage(lang, width);
      await page.goto(`${base}/admin/login?lang=${lang}`);
      const [email, password] = await page
        .locator('#email, #password')
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
      expect(password).toBe(email);
      expect(password).toBeGreaterThan(200);
      await shoot(page, `login-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when a published event is opened in the editor ($lang, $width px), then its public link shows with a copy button that copies it',
    async ({ lang, width }) => {
      const page = await signedInPage(lang, width, { permissions: ['clipboard-read', 'clipboard-write'] });
      await page.goto(`${base}/admin/events/${SLUG}/edit?lang=${lang}&published=1`);
      const link = page.locator('#public-url');
      expect(await link.textContent()).toMatch(new RegExp(`/events/${SLUG}$`));
      const button = page.locator('button[data-copy="public-url"]');
      await button.click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await link.textContent());
      expect(await button.textContent()).toBe(lang === 'ja' ? 'コピーしました' : 'Copied');
      await shoot(page, `editor-public-link-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when a token is created ($lang, $width px), then a copy button copies exactly the token, and the page links the API reference',
    async ({ lang, width }) => {
      const page = await signedInPage(lang, width, { permissions: ['clipboard-read', 'clipboard-write'] });
      await page.goto(`${base}/admin/tokens?lang=${lang}`);
      await page.locator('#token-name').fill(`Website ${lang} ${width}`);
      await page.locator('form.reg-form button[type="submit"]').click();
      const token = (await page.locator('#new-token-value').textContent())!.trim();
      expect(token.length).toBeGreaterThan(20);
      await page.locator('button[data-copy="new-token-value"]').click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
      expect(await page.locator('a[href="/api/v1/docs"]').count()).toBe(1);
      // The token list, with a long new token in it, stays inside the viewport.
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `tokens-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when the API reference is opened ($lang, $width px), then Swagger UI lists the v1 operations from the local bundle and axe finds nothing serious',
    async ({ lang, width }) => {
      const page = await openPage(lang, width);
      const remote: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) remote.push(r.url());
      });
      await page.goto(`${base}/api/v1/docs?lang=${lang}`);
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      const paths = await page.locator('.opblock-summary-path').allTextContents();
      expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(
        expect.arrayContaining(['/api/v1/events', '/api/v1/events/{slug}/registrations']),
      );
      expect(remote).toEqual([]);
      await shoot(page, `api-docs-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it.each(sizes)(
    'when the attendee list and a registrant are opened ($lang, $width px), then nothing scrolls the page sideways and axe finds nothing serious',
    async ({ lang, width }) => {
      const page = await signedInPage(lang, width);
      await page.goto(`${base}/admin/events/${SLUG}/attendees?lang=${lang}`);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `attendees-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
      await page.locator('.attendee-table tbody a').first().click();
      await page.waitForURL(/\/attendees\/\d+/);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shoot(page, `registrant-${lang}-${width}`);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );
});
