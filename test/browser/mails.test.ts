import path from 'node:path';
import { type BrowserContextOptions, type Page } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import type { Config } from '../../src/config';
import { withTransaction } from '../../src/db/pool';
import { createTransport, type MailTransport } from '../../src/delivery/transport';
import { fanOutMessage } from '../../src/messages';
import { queueDueMails } from '../../src/reminders';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, SHOTS } from '../helpers/browser';
import {
  axeChecks,
  openBrowserFile,
  shoot,
  sizeName,
  viewport,
  type BrowserFile,
  type Lang,
} from '../helpers/pages';
import { deliverDue, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';

/**
 * The event's Mails tab, the organiser's messages, the unsubscribe page and the manage page's reminders
 * box, in a real browser (Debian's chromium via playwright-core) against the real app, a real PostgreSQL
 * and a real SMTP server. A message is written, previewed and sent through the browser; the test then
 * runs the fan-out and delivers the mails, and the open message page follows without a reload. Every
 * page is checked with axe-core and, on a phone, for horizontal scrolling; screenshots in both
 * languages at desktop and phone widths are left in SHOTS for a person to look at.
 */
const EMAIL = 'keiko@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-mails';
const MAIL_ORIGIN = 'https://events.example.org';
/** The event starts 2026-12-16 15:00 JST; one hour before, both reminders are due. */
const HOUR_BEFORE = '2026-12-16T05:00:00Z';

const REGISTRANTS = [
  { email: 'aiko.sato@example.org', familyName: 'Sato', givenName: 'Aiko', locale: 'ja' },
  { email: 'ben.clarke@example.org', familyName: 'Clarke', givenName: 'Ben', locale: 'en' },
  { email: 'chika.mori@example.org', familyName: 'Mori', givenName: 'Chika', locale: 'ja' },
  { email: 'dan.okafor@example.org', familyName: 'Okafor', givenName: 'Dan', locale: 'en' },
];

const MESSAGE = {
  subject_en: 'The webinar room has changed',
  subject_ja: 'ウェビナーの会議室が変更になりました',
  body_en:
    'Dear registrant,\n\nThe webinar moves to a new meeting room. Your join link stays the same and ' +
    'will take you there on the day.\n\nWe look forward to seeing you.',
  body_ja:
    'ご登録の皆様\n\nウェビナーの会議室が変更になりました。参加用リンクは変わりませんので、当日はそのままご利用ください。\n\n皆様のご参加をお待ちしております。',
};

/** The page scrolls sideways when its content is wider than the viewport. */
async function expectNoSidewaysScroll(page: Page, width?: number) {
  const overflow = await page
    .locator('html')
    .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
  if (width) expect(overflow.client).toBe(width);
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

describe('mails pages in a browser', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let config: Config;
  let transport: MailTransport;
  let b: BrowserFile;
  let base: string;
  let messagePath: string;
  const manageLinks = new Map<string, string>();

  const openPage = (lang: Lang, options: BrowserContextOptions = {}) => b.openPage(lang, options);

  /** A fresh context signed in to the workspace as the organiser, in `lang`. */
  const signedInPage = (lang: Lang, options: BrowserContextOptions = {}) =>
    b.signedInPage(lang, EMAIL, PASSWORD, options);

  /** The same link on the local server instead of the public origin written into the mail. */
  function local(url: string): string {
    expect(url.startsWith(`${MAIL_ORIGIN}/`)).toBe(true);
    return base + url.slice(MAIL_ORIGIN.length);
  }

  async function unsubscribedAt(email: string): Promise<Date | null> {
    const { rows } = await t.db.pool.query<{ unsubscribed_at: Date | null }>(
      `SELECT r.unsubscribed_at FROM registrations r JOIN events e ON e.id = r.event_id
        WHERE e.slug = $1 AND r.email = $2`,
      [SLUG, email],
    );
    return rows[0]!.unsubscribed_at;
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    sink = await startSmtpSink();
    config = mailConfig(t, sink.url);
    transport = createTransport(config);
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Keiko', role: 'organiser', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    const event = await makeEvent(t, {
      slug: SLUG,
      reminders: ['P1D', 'PT1H'],
      followUp: {
        after: 'P1D',
        attended: {
          en: 'Thank you for joining us.\nThe recording and the slides are below.',
          ja: 'ご参加ありがとうございました。\n録画とスライドは下記からご覧いただけます。',
        },
        absent: {
          en: 'We missed you; the recording is below.',
          ja: 'ご参加いただけず残念でした。録画は下記からご覧いただけます。',
        },
        materials: [
          { title: { en: 'Recording', ja: '録画' }, url: 'https://video.example/recording' },
          { title: { en: 'Slides', ja: 'スライド' }, url: 'https://materials.example/slides.pdf' },
        ],
      },
    });
    await addEventMember(t.db.pool, event.id, user.id, t.clock.now());

    for (const r of REGISTRANTS) {
      const { agent, token } = await formSession(t.app, SLUG);
      const res = await agent
        .post(`/events/${SLUG}/register`)
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ ...r, interpretation: r.locale }) }));
      expect(res.status).toBe(303);
    }
    expect(await deliverDue(t, transport, config)).toEqual(REGISTRANTS.map(() => 'sent'));
    for (const mail of await sink.waitFor(REGISTRANTS.length)) {
      manageLinks.set(mail.to, linksIn(mail.parsed).manage!);
    }
    sink.received.length = 0;

    b = await openBrowserFile(t.app);
    base = b.base;
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    transport?.close();
    await sink?.close();
    await t?.close();
  });

  it('when the organiser writes to the filtered attendees, previews and sends, then the message page follows the fan-out and delivery without a reload', async () => {
    const page = await signedInPage('en', viewport(1280));
    await page.goto(`${base}/admin/events/${SLUG}/attendees?language=ja`);
    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/mails/messages/new')),
      page.getByRole('link', { name: 'Write to these registrants' }).click(),
    ]);
    // The attendee list's filter came along.
    expect(await page.locator('#language').inputValue()).toBe('ja');
    expect(await text(page, '.recipient-count')).toBe('2 registrants match these recipients now.');

    for (const [id, value] of Object.entries(MESSAGE)) await page.locator(`#${id}`).fill(value);
    await shoot(page, 'mails-message-form-en-desktop');
    expect(await axeReport(page)).toBe('');

    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/mails/messages/preview')),
      page.getByRole('button', { name: 'Preview', exact: true }).click(),
    ]);
    expect(await text(page, '.recipient-count')).toBe('This message will go to 2 registrants.');
    const en = page.locator('pre.mail-preview[lang="en"]');
    const ja = page.locator('pre.mail-preview[lang="ja"]');
    await expect(en.isVisible()).resolves.toBe(true);
    await expect(ja.isVisible()).resolves.toBe(true);
    expect(await en.textContent()).toContain('The webinar moves to a new meeting room.');
    expect(await ja.textContent()).toContain('ウェビナーの会議室が変更になりました。');
    expect(await text(page, '.mail-preview-box span[lang="ja"]')).toContain(MESSAGE.subject_ja);
    expect(await text(page, '.mail-preview-box span[lang="en"]')).toContain(MESSAGE.subject_en);
    await shoot(page, 'mails-preview-en-desktop');
    expect(await axeReport(page)).toBe('');

    await Promise.all([
      page.waitForURL(/\/mails\/messages\/\d+\?done=sent$/),
      page.getByRole('button', { name: 'Send to 2 registrants' }).click(),
    ]);
    messagePath = new URL(page.url()).pathname;
    const id = Number(messagePath.split('/').pop());
    expect(await text(page, '.flash')).toBe(
      'The message is on its way. This page shows how far it has gone.',
    );
    const bar = page.locator('progress#message-progress');
    await expect(bar.isVisible()).resolves.toBe(true);
    expect(await bar.getAttribute('max')).toBe('2');
    expect(await bar.getAttribute('value')).toBe('0');
    expect(await text(page, '[data-progress-note]')).toBe(
      'This page updates itself while mails are still going out.',
    );
    await shoot(page, 'mails-message-en-desktop-sending');
    expect(await axeReport(page)).toBe('');

    // Nothing below reloads the page: a mark left on this window must survive to the end.
    const mark = () => page.evaluate(() => (globalThis as unknown as { mark?: string }).mark);
    await page.evaluate(() => {
      (globalThis as unknown as { mark?: string }).mark = 'same page';
    });
    // The script asks every 2 seconds; give it a few rounds.
    const shows = (key: string, value: string) =>
      page
        .locator(`[data-progress-${key}]`, { hasText: new RegExp(`^${value}$`) })
        .waitFor({ timeout: 15_000 });

    expect(await fanOutMessage(t.db.pool, id, t.clock.now())).toBe(2);
    await shows('queued', '2');
    expect(await text(page, '[data-progress-sent]')).toBe('0');

    expect(await deliverDue(t, transport, config)).toEqual(['sent', 'sent']);
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.to).sort()).toEqual(['aiko.sato@example.org', 'chika.mori@example.org']);
    expect(mails.every((m) => m.headers['x-tsunagaru-kind'] === 'event.message')).toBe(true);

    await shows('sent', '2');
    expect(await text(page, '[data-progress-queued]')).toBe('0');
    expect(await text(page, '[data-progress-note]')).toBe('Every mail of this message has been handled.');
    expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).toEqual(['2', '2']);
    expect(await mark()).toBe('same page');
    await shoot(page, 'mails-message-en-desktop');
    sink.received.length = 0;
  });

  it.each([
    { width: 1280, file: 'mails-message-ja-desktop' },
    { width: 375, file: 'mails-message-ja-375' },
  ])(
    'when the sent message is opened in Japanese at $width px, then it reads in Japanese, axe finds nothing serious and nothing overflows',
    async ({ width, file }) => {
      const page = await signedInPage('ja', viewport(width));
      const res = await page.goto(`${base}${messagePath}`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      expect(await text(page, 'h2')).toBe(`メッセージ：${MESSAGE.subject_ja}`);
      expect(await text(page, '[data-progress-note]')).toBe('このメッセージのメールはすべて処理されました。');
      await expect(page.locator('progress#message-progress').isVisible()).resolves.toBe(true);
      await expect(page.locator('.message-version[lang="en"] .message-body').isVisible()).resolves.toBe(true);
      await shoot(page, file);
      await expectNoSidewaysScroll(page, width < 600 ? width : undefined);
      if (axeChecks('ja', width)) expect(await axeReport(page)).toBe('');
    },
  );

  it('when a message is written and previewed in Japanese on a phone, then the count and both versions show, and "change" brings back what was written', async () => {
    const page = await signedInPage('ja', viewport(375));
    await page.goto(`${base}/admin/events/${SLUG}/mails/messages/new`);
    expect(await text(page, '.recipient-count')).toBe('現在、この条件に当てはまる登録者は4名です。');
    for (const [id, value] of Object.entries(MESSAGE)) await page.locator(`#${id}`).fill(value);
    await shoot(page, 'mails-message-form-ja-375');
    await expectNoSidewaysScroll(page, 375);
    expect(await axeReport(page)).toBe('');

    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/mails/messages/preview')),
      page.getByRole('button', { name: 'プレビュー', exact: true }).click(),
    ]);
    expect(await text(page, '.recipient-count')).toBe('このメッセージは4名の登録者に送信されます。');
    await expect(page.locator('pre.mail-preview[lang="en"]').isVisible()).resolves.toBe(true);
    await expect(page.locator('pre.mail-preview[lang="ja"]').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: '4名に送信する' }).isVisible()).resolves.toBe(true);
    await shoot(page, 'mails-preview-ja-375');
    await expectNoSidewaysScroll(page, 375);
    expect(await axeReport(page)).toBe('');

    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/mails/messages/new')),
      page.getByRole('button', { name: 'メッセージを修正する' }).click(),
    ]);
    expect(await page.locator('#subject_ja').inputValue()).toBe(MESSAGE.subject_ja);
    expect((await page.locator('#body_ja').inputValue()).trim()).toBe(MESSAGE.body_ja);
  });

  it('when a registrant unticks the reminders box on the manage page (in Japanese, on a phone) and saves, then it stays unticked', async () => {
    const email = 'ben.clarke@example.org';
    const page = await openPage('ja', viewport(375));
    await page.goto(`${local(manageLinks.get(email)!)}?lang=ja`);
    const box = page.getByLabel('リマインダー、開催後のご案内、主催者からのお知らせを受け取る');
    expect(await box.isChecked()).toBe(true);
    await expect(page.locator('#reminders-hint').isVisible()).resolves.toBe(true);
    await shoot(page, 'manage-reminders-ja-375');
    await expectNoSidewaysScroll(page, 375);
    expect(await axeReport(page)).toBe('');

    await box.uncheck();
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('done') === 'saved'),
      page.getByRole('button', { name: '設定を保存' }).click(),
    ]);
    expect((await page.getByRole('status').textContent())?.trim()).toBe('設定を保存しました。');
    expect(await unsubscribedAt(email)).not.toBeNull();
    await page.reload();
    expect(await page.locator('#reminders').isChecked()).toBe(false);
    await shoot(page, 'manage-reminders-off-ja-375');
  });

  describe('with the reminders sent one hour before the start', () => {
    let unsubscribeUrl: string;

    beforeAll(async () => {
      t.clock.set(HOUR_BEFORE);
      // Two weeks on, the sessions signed in on the first day have ended.
      b.forgetSignIns();
      sink.received.length = 0;
      // Both reminders are written for the three who did not unsubscribe, but the 1-day one is stale an
      // hour before the start: it is skipped, and only the 1-hour one goes.
      expect(await queueDueMails(t.db.pool, t.clock.now())).toBe(6);
      expect((await deliverDue(t, transport, config)).sort()).toEqual([
        ...Array(3).fill('sent'),
        ...Array(3).fill('skipped'),
      ]);
      const mail = (await sink.waitFor(3)).find(
        (m) => m.to === 'aiko.sato@example.org' && m.headers['x-tsunagaru-kind'] === 'event.reminder',
      )!;
      const link = /<(https:\/\/events\.example\.org\/unsubscribe\/[A-Za-z0-9_-]{43})>/.exec(
        mail.headers['list-unsubscribe'] ?? '',
      )?.[1];
      expect(link).toBeDefined();
      expect(mail.parsed.text).toContain(link);
      unsubscribeUrl = local(link!);
    });

    it('when the unsubscribe link is opened in English on a phone and the button pressed, then it says it is done and offers to receive them again', async () => {
      const page = await openPage('en', viewport(375));
      const res = await page.goto(`${unsubscribeUrl}?lang=en`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await text(page, 'h1')).toBe('Reminders and messages');
      await expect(page.locator('[data-state="subscribed"]').isVisible()).resolves.toBe(true);
      await shoot(page, 'unsubscribe-en-375');
      await expectNoSidewaysScroll(page, 375);
      expect(await axeReport(page)).toBe('');

      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.locator('[role="status"][data-state="unsubscribed"]').waitFor();
      expect(await text(page, '[role="status"]')).toBe('Done: you are unsubscribed.');
      await expect(page.getByRole('button', { name: 'Receive them again' }).isVisible()).resolves.toBe(true);
      expect(await unsubscribedAt('aiko.sato@example.org')).not.toBeNull();
      await shoot(page, 'unsubscribe-done-en-375');
      await expectNoSidewaysScroll(page, 375);
      expect(await axeReport(page)).toBe('');

      await page.getByRole('button', { name: 'Receive them again' }).click();
      await page.locator('[data-state="resumed"]').waitFor();
      expect(await text(page, '[role="status"]')).toBe(
        'Done: you will receive reminders and messages about this event again.',
      );
      expect(await unsubscribedAt('aiko.sato@example.org')).toBeNull();
      await shoot(page, 'unsubscribe-resumed-en-375');
    });

    it('when the unsubscribe link is opened in Japanese on a phone and the button pressed, then it says it is done and offers to receive them again', async () => {
      const page = await openPage('ja', viewport(375));
      await page.goto(`${unsubscribeUrl}?lang=ja`);
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      expect(await text(page, 'h1')).toBe('リマインダーとお知らせ');
      await shoot(page, 'unsubscribe-ja-375');
      await expectNoSidewaysScroll(page, 375);
      expect(await axeReport(page)).toBe('');

      await page.getByRole('button', { name: '配信を停止する' }).click();
      await page.locator('[role="status"][data-state="unsubscribed"]').waitFor();
      expect(await text(page, '[role="status"]')).toBe('配信を停止しました。');
      await expect(page.getByRole('button', { name: '配信を再開する' }).isVisible()).resolves.toBe(true);
      expect(await unsubscribedAt('aiko.sato@example.org')).not.toBeNull();
      await shoot(page, 'unsubscribe-done-ja-375');
      await expectNoSidewaysScroll(page, 375);
      expect(await axeReport(page)).toBe('');
    });

    it.each([
      { lang: 'en', width: 1280 },
      { lang: 'en', width: 375 },
      { lang: 'ja', width: 1280 },
      { lang: 'ja', width: 375 },
    ] as const)(
      'when the Mails tab is opened in $lang at $width px, then reminders, follow-up and messages show, axe finds nothing serious and nothing overflows',
      async ({ lang, width }) => {
        const page = await signedInPage(lang, viewport(width));
        const res = await page.goto(`${base}/admin/events/${SLUG}/mails?lang=${lang}`);
        expect(res?.status()).toBe(200);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        // Two reminders for the three still subscribed then: the stale 1-day one skipped, the 1-hour one sent.
        const tally = (row: number) =>
          page.locator('#reminders tbody tr').nth(row).locator('td.num').allTextContents();
        expect(await page.locator('#reminders tbody tr').count()).toBe(2);
        expect(await tally(0)).toEqual(['0', '0', '0', '3']);
        expect(await tally(1)).toEqual(['3', '0', '0', '0']);
        await expect(page.locator('#follow-up .mail-preview').first().isVisible()).resolves.toBe(true);
        expect(await page.locator('#follow-up .mail-preview').count()).toBe(2);
        expect(await page.locator('#messages tbody tr').count()).toBe(1);
        await expect(page.locator('#messages progress').isVisible()).resolves.toBe(true);
        await shoot(page, `mails-tab-${lang}-${sizeName(width)}`);
        await expectNoSidewaysScroll(page, width < 600 ? width : undefined);
        // Tables too wide for a phone scroll inside their own box, not the page.
        for (const scroller of await page.locator('.table-scroll').all()) {
          const box = await scroller.boundingBox();
          expect(box!.x).toBeGreaterThanOrEqual(0);
          expect(box!.x + box!.width).toBeLessThanOrEqual(width + 0.5);
        }
        if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
        if (width < 600) {
          // The messages table scrolls inside its box: its far end, with the progress, for a person to see.
          const messages = page.locator('#messages .table-scroll');
          await messages.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
          await messages.screenshot({
            path: path.join(SHOTS, `mails-tab-${lang}-375-messages-scrolled.png`),
          });
        }
      },
    );
  });

  it.each([
    { lang: 'en', width: 1280 },
    { lang: 'en', width: 375 },
    { lang: 'ja', width: 1280 },
    { lang: 'ja', width: 375 },
  ] as const)(
    'when the registration form is opened in $lang at $width px, then a screenshot is saved and nothing overflows',
    async ({ lang, width }) => {
      t.clock.set('2026-12-01T00:00:00Z');
      const page = await openPage(lang, viewport(width));
      const res = await page.goto(`${base}/events/${SLUG}?lang=${lang}`);
      expect(res?.status()).toBe(200);
      await expect(page.locator('form button[type="submit"]').first().isVisible()).resolves.toBe(true);
      await shoot(page, `registration-form-${lang}-${sizeName(width)}`);
      await expectNoSidewaysScroll(page, width < 600 ? width : undefined);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
    },
  );
});
