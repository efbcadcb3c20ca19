import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { createSetupLink } from '../../src/accounts';
import { startTestApp, type TestApp } from '../helpers/app';
import { axeReport, launchChromium, serve, SHOTS } from '../helpers/browser';

/**
 * The organiser's whole path in a real browser: the first admin through the setup link, a bilingual
 * event created and published in the workspace, a registration through the public page, the registrant
 * in the list and the chart, and the Excel CSV downloaded with the Japanese name intact.
 */
const SLUG = 'coop-day-2026';
const PASSWORD = 'a long passphrase for the cooperative';

describe('the organiser workspace from setup to export', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
    server = await serve(t.app);
    base = server.base;
    browser = await launchChromium();
    const context = await browser.newContext({
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  async function shot(name: string) {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('when the first admin opens the setup link, then the account is made and the workspace opens', async () => {
    const token = await createSetupLink(t.db.pool, t.clock.now());
    await page.goto(`${base}/admin/setup/${token}?lang=ja`);
    await page.locator('#email').fill('admin@coop.example');
    await page.locator('#name').fill('山田 花子');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#passwordRepeat').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.locator('form.reg-form button').click()]);
    expect(await page.locator('h1').textContent()).toBe('イベント');
    expect(await axeReport(page)).toBe('');
  });

  it('when the admin opens the password page from the header, then it shows the form with no accessibility problems', async () => {
    await Promise.all([
      page.waitForURL(`${base}/admin/password`),
      page.locator('a[href="/admin/password"]').click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('パスワードの変更');
    expect(await page.locator('#currentPassword').getAttribute('autocomplete')).toBe('current-password');
    expect(await axeReport(page)).toBe('');
  });

  it('when the admin creates a bilingual event and publishes it, then the public page shows it in both languages', async () => {
    await page.goto(`${base}/admin/events/new?lang=en`);
    await page.locator('#title_en').fill('Cooperative Day 2026');
    await page.locator('#slug').fill(SLUG);
    await page.locator('#title_ja').fill('協同組合の日 2026');
    await page.locator('#startsAt').fill('2026-12-16T15:00');
    await page.locator('#endsAt').fill('2026-12-16T17:15');
    await expect(page.locator('#startsAt-echo').textContent()).resolves.toContain('07:00');
    await Promise.all([page.waitForURL(/\/edit\?saved=1/), page.locator('.form-bar button').first().click()]);
    await Promise.all([
      page.waitForURL(/\/admin\/events\//),
      page.locator('form.publish-form button').click(),
    ]);
    const stored = await t.db.pool.query('SELECT status, starts_at FROM events WHERE slug = $1', [SLUG]);
    expect(stored.rows[0].status).toBe('published');
    expect(stored.rows[0].starts_at.toISOString()).toBe('2026-12-16T06:00:00.000Z');

    await page.goto(`${base}/events/${SLUG}?lang=ja`);
    expect(await page.locator('h1').textContent()).toContain('協同組合の日 2026');
  });

  it('when someone registers on the public page, then the workspace lists them, charts them and exports them to Excel', async () => {
    await page.goto(`${base}/events/${SLUG}?lang=ja`);
    // Required fields' labels end in an asterisk.
    const byLabel = (label: string) => page.getByLabel(new RegExp(`^${label}(\\s*\\*)?$`));
    await byLabel('メールアドレス').fill('hanako@coop.example');
    await byLabel('姓').fill('山田');
    await byLabel('名').fill('花子');
    await byLabel('姓（ふりがな）').fill('やまだ');
    await byLabel('名（ふりがな）').fill('はなこ');
    await byLabel('ご所属の種別').selectOption({ label: '協同組合' });
    await byLabel('国・地域').selectOption({ label: '日本' });
    await page.getByRole('group', { name: 'メールの言語' }).getByLabel('日本語', { exact: true }).check();
    await page.getByRole('group', { name: /通訳/ }).getByLabel('日本語', { exact: true }).check();
    await page.locator('input[name="consent"]').check();
    await Promise.all([
      page.waitForURL(/\/registered/),
      page.getByRole('button', { name: '申し込む' }).click(),
    ]);

    await page.goto(`${base}/admin/events/${SLUG}/attendees?lang=ja`);
    const row = page.locator('table tbody tr', { hasText: 'hanako@coop.example' });
    await expect(row.textContent()).resolves.toContain('山田');
    await page.locator('input[name="q"]').fill('ヤマダ');
    await Promise.all([page.waitForURL(/q=/), page.locator('input[name="q"]').press('Enter')]);
    await expect(page.locator('table tbody tr', { hasText: 'hanako@coop.example' }).count()).resolves.toBe(1);
    expect(await axeReport(page)).toBe('');
    await shot('workspace-attendees-ja');

    await page.goto(`${base}/admin/events/${SLUG}?lang=ja`);
    const chart = page.locator('.charts svg').first();
    await expect(chart.getAttribute('role')).resolves.toBe('img');
    await expect(page.locator('.chart-data').first().textContent()).resolves.toMatch(/1/);
    expect(await axeReport(page)).toBe('');
    await shot('workspace-overview-ja');

    await page.goto(`${base}/admin/events/${SLUG}/attendees?lang=ja`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href*="format=excel-csv"]').first().click(),
    ]);
    const file = path.join(SHOTS, 'workspace-export.csv');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('姓');
    expect(lines[1]).toContain('山田');
    expect(lines[1]).toContain('やまだ');
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });
});
