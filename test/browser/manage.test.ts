import { type BrowserContextOptions } from 'playwright-core';
import type { Config } from '../../src/config';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { deliverDue, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { axeReport } from '../helpers/browser';
import { axeChecks, openBrowserFile, shoot, type BrowserFile, type Lang } from '../helpers/pages';

/**
 * The self-service pages reached from the confirmation mail, in a real browser (Debian's chromium via
 * playwright-core) against the real app, a real PostgreSQL and a real SMTP server: the manage page in
 * both languages on a desktop and a phone, changing a preference, cancelling (which promotes the next
 * person on the waiting list), and the join link of a cancelled registration.
 */
const SLUG = 'tsunagaru-manage';
const MAIL_ORIGIN = 'https://events.example.org';
const FIRST = 'first.manage@example.org';
const SECOND = 'second.manage@example.org';

describe('manage and join pages in a browser', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let config: Config;
  let transport: MailTransport;
  let b: BrowserFile;
  let base: string;
  let manageUrl: string;
  let joinUrl: string;

  /** A fresh context (cookies, viewport of its own) and a page in it. */
  const openPage = (lang: Lang, options: BrowserContextOptions = {}) => b.openPage(lang, options);

  async function registrations() {
    const { rows } = await t.db.pool.query<{
      email: string;
      status: string;
      locale: string;
      interpretation: string;
    }>(
      `SELECT r.email, r.status, r.locale, r.interpretation
         FROM registrations r JOIN events e ON e.id = r.event_id
        WHERE e.slug = $1 ORDER BY r.id`,
      [SLUG],
    );
    return rows;
  }

  /** The same link on the local server instead of the public origin written into the mail. */
  function local(url: string): string {
    expect(url.startsWith(`${MAIL_ORIGIN}/`)).toBe(true);
    return base + url.slice(MAIL_ORIGIN.length);
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    sink = await startSmtpSink();
    config = mailConfig(t, sink.url);
    transport = createTransport(config);
    await makeEvent(t, { slug: SLUG, capacity: 1, waitlist: true });

    // Two registrations through the real form: the first takes the only seat, the second waits.
    for (const email of [FIRST, SECOND]) {
      const { agent, token } = await formSession(t.app, SLUG);
      const res = await agent
        .post(`/events/${SLUG}/register`)
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ email, locale: 'ja', interpretation: 'ja' }) }));
      expect(res.status).toBe(303);
    }
    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const mail = (await sink.waitFor(2)).find((m) => m.to === FIRST)!;
    expect(mail.parsed.headers.get('x-tsunagaru-kind')).toBe('registration.confirmed');
    const links = linksIn(mail.parsed);

    b = await openBrowserFile(t.app);
    base = b.base;
    manageUrl = local(links.manage!);
    joinUrl = local(links.join!);
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    transport?.close();
    await sink?.close();
    await t?.close();
  });

  it.each([
    { lang: 'en', width: 1280, status: 'Confirmed', name: 'Hanako Yamada', file: 'manage-en' },
    { lang: 'en', width: 375, status: 'Confirmed', name: 'Hanako Yamada', file: 'manage-en-375' },
    { lang: 'ja', width: 1280, status: '参加確定', name: 'Hanako Yamada', file: 'manage-ja' },
    { lang: 'ja', width: 375, status: '参加確定', name: 'Hanako Yamada', file: 'manage-ja-375' },
  ] as const)(
    'when the manage link is opened in $lang at $width px, then the status and name show, axe finds nothing serious and nothing overflows',
    async ({ lang, width, status, name, file }) => {
      const phone = width < 600;
      const page = await openPage(lang, {
        viewport: { width, height: phone ? 812 : 900 },
        isMobile: phone,
        hasTouch: phone,
        deviceScaleFactor: phone ? 2 : 1,
      });
      const res = await page.goto(`${manageUrl}?lang=${lang}`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await shoot(page, file);

      const details = page.locator('dl.manage-details');
      await expect(details.getByText(status, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(details.getByText(name, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(details.getByText(FIRST, { exact: true }).isVisible()).resolves.toBe(true);

      const overflow = await page.locator('html').evaluate((el) => ({
        scroll: el.scrollWidth,
        client: el.clientWidth,
      }));
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      if (phone) expect(overflow.client).toBe(375);

      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );

  it('when the registrant picks another interpretation language and saves, then the page confirms it and the row changed', async () => {
    const page = await openPage('ja');
    await page.goto(`${manageUrl}?lang=ja`);
    const group = page.getByRole('group', { name: '聴講する言語（通訳）' });
    expect(await group.getByLabel('日本語', { exact: true }).isChecked()).toBe(true);
    await group.getByLabel('英語', { exact: true }).check();
    await page.getByRole('button', { name: '設定を保存' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'saved');

    expect((await page.getByRole('status').textContent())?.trim()).toBe('設定を保存しました。');
    expect(
      await page
        .getByRole('group', { name: '聴講する言語（通訳）' })
        .getByLabel('英語', { exact: true })
        .isChecked(),
    ).toBe(true);
    await shoot(page, 'manage-saved-ja');
    expect(await registrations()).toEqual([
      { email: FIRST, status: 'confirmed', locale: 'ja', interpretation: 'en' },
      { email: SECOND, status: 'waitlisted', locale: 'ja', interpretation: 'ja' },
    ]);
  });

  it('when a Japanese reader chooses English mails, then the page stays Japanese and only the mail language changes', async () => {
    const page = await openPage('ja');
    await page.goto(manageUrl);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await page.getByRole('group', { name: 'メールの言語' }).getByLabel('英語', { exact: true }).check();
    await page.getByRole('button', { name: '設定を保存' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'saved');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect((await page.getByRole('status').textContent())?.trim()).toBe('設定を保存しました。');
    expect(
      await page.getByRole('group', { name: 'メールの言語' }).getByLabel('英語', { exact: true }).isChecked(),
    ).toBe(true);
    await shoot(page, 'manage-mail-english-ja');
    expect((await registrations())[0]).toMatchObject({ email: FIRST, locale: 'en' });
    // And back, for the tests that follow.
    await page.getByRole('group', { name: 'メールの言語' }).getByLabel('日本語', { exact: true }).check();
    await page.getByRole('button', { name: '設定を保存' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'saved');
    expect((await registrations())[0]).toMatchObject({ email: FIRST, locale: 'ja' });
  });

  it('when the registrant follows the cancel link and confirms, then the page says so, and the waiting registrant is promoted', async () => {
    const page = await openPage('ja');
    await page.goto(`${manageUrl}?lang=ja`);
    await page.getByRole('link', { name: '申し込みをキャンセルする' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/cancel'));
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe(
      'お申し込みをキャンセルしますか？',
    );
    await shoot(page, 'manage-cancel-ja');
    expect(await axeReport(page)).toBe('');
    // Nothing changes until the button is pressed.
    expect((await registrations()).map((r) => r.status)).toEqual(['confirmed', 'waitlisted']);

    await page.getByRole('button', { name: '申し込みをキャンセルする' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'cancelled');

    expect((await page.getByRole('status').textContent())?.trim()).toBe(
      'お申し込みをキャンセルしました。確認メールをお送りしました。',
    );
    await expect(
      page.locator('dl.manage-details').getByText('キャンセル済み', { exact: true }).isVisible(),
    ).resolves.toBe(true);
    expect(await page.getByRole('link', { name: '申し込みをキャンセルする' }).count()).toBe(0);
    await shoot(page, 'manage-cancelled-ja');
    expect(await axeReport(page)).toBe('');
    expect(await registrations()).toEqual([
      { email: FIRST, status: 'cancelled', locale: 'ja', interpretation: 'en' },
      { email: SECOND, status: 'confirmed', locale: 'ja', interpretation: 'ja' },
    ]);
  });

  it('when the cancelled registrant opens their join link, then a page explains the cancellation instead of redirecting', async () => {
    const page = await openPage('ja');
    const res = await page.goto(joinUrl);
    expect(res?.status()).toBe(200);
    expect(res?.request().redirectedFrom()).toBeNull();
    expect(page.url()).toBe(joinUrl);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect((await page.locator('.join-state').textContent())?.trim()).toBe(
      'お申し込みがキャンセルされているため、このリンクからは参加できません。',
    );
    await shoot(page, 'join-cancelled-ja');
    expect(await axeReport(page)).toBe('');

    const en = await openPage('en', { viewport: { width: 375, height: 812 }, isMobile: true });
    await en.goto(`${joinUrl}?lang=en`);
    expect((await en.locator('.join-state').textContent())?.trim()).toBe(
      'Your registration has been cancelled, so this link no longer opens the meeting.',
    );
    await shoot(en, 'join-cancelled-en-375');
  });
});
