import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { EventRecord } from '../../src/events/events.types';
import type { Language } from '../../src/i18n';
import { renderMail } from '../../src/delivery/render';
import { launchChromium, SHOTS } from '../helpers/browser';
import { referenceEvent } from '../helpers/events';

/**
 * The confirmation mail as a mail client would paint it: the HTML part loaded into Debian's chromium
 * (playwright-core) with nothing from the network, on a desktop-width window and a 375px phone. Full-page
 * screenshots go to test-results/ for a person to look at.
 */

const joinUrl = 'https://events.example/join/J0in-T0ken-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

/** The reference webinar with the demo event's texts; questions play no part in a mail. */
function mailEvent(): EventRecord {
  return referenceEvent({ summary: {}, description: {}, programme: {}, questions: [] });
}

function confirmation(lang: Language, event = mailEvent()) {
  const ja = lang === 'ja';
  return renderMail({
    kind: 'registration.confirmed',
    lang,
    event,
    registration: {
      familyName: ja ? '山田' : 'Yamada',
      givenName: ja ? '花子' : 'Hanako',
      email: 'hanako@example.org',
      status: 'confirmed',
      interpretation: ja ? 'ja' : 'en',
      locale: lang,
    },
    links: {
      eventPage: 'https://events.example/events/tsunagaru-demo',
      join: joinUrl,
      manage: 'https://events.example/manage/M4nage-T0ken-0123456789abcdefghijklmnopqrstuvwxyz',
    },
  });
}

/** The fonts chromium used to paint the first element matching `selector`, with how many glyphs each drew. */
async function platformFonts(
  page: Page,
  selector: string,
): Promise<{ familyName: string; glyphCount: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

describe('the confirmation mail in a browser', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page that may fetch nothing: a mail must stand on its own. */
  async function mailPage(width: number): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const requests: string[] = [];
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    return { page, requests };
  }

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('when the English confirmation is opened at desktop width, then the join button is visible, links to the personal join link and nothing is fetched', async () => {
    const { page, requests } = await mailPage(800);
    await page.setContent(confirmation('en').html);
    const button = page.getByRole('link', { name: 'Join online' });
    await expect(button.isVisible()).resolves.toBe(true);
    expect(await button.getAttribute('href')).toBe(joinUrl);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(
      page.getByText('Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET').isVisible(),
    ).resolves.toBe(true);
    // The container keeps to 600px on a wide window.
    const width = await page
      .locator('table table')
      .first()
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(600);
    expect(requests).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'mail-confirmed-en.png'), fullPage: true });
  });

  it('when the Japanese confirmation is opened at desktop width, then the Japanese text is painted with a Japanese font and the join button is visible', async () => {
    const { page, requests } = await mailPage(800);
    await page.setContent(confirmation('ja').html);
    await expect(page.getByRole('link', { name: 'オンラインで参加する' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('山田 花子 様').isVisible()).resolves.toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    const heading = page.getByRole('heading', { level: 1 });
    expect((await heading.textContent())?.trim()).toBe('お申し込みありがとうございます');
    // The fonts chromium actually drew the heading with: a Japanese face, not missing-glyph boxes.
    const fonts = await platformFonts(page, 'h1');
    expect(
      fonts.some((f) => /CJK|JP|Hiragino|Yu Gothic|Meiryo/.test(f.familyName) && f.glyphCount >= 14),
    ).toBe(true);
    expect(requests).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'mail-confirmed-ja.png'), fullPage: true });
  });

  it.each(['ja', 'en'] as const)(
    'when the %s confirmation is opened on a 375px phone, then nothing overflows sideways and the join button fits the screen',
    async (lang) => {
      const { page } = await mailPage(375);
      await page.setContent(confirmation(lang).html);
      const overflow = await page.locator('html').evaluate((html) => ({
        scroll: html.scrollWidth,
        client: html.clientWidth,
      }));
      expect(overflow.scroll).toBeLessThanOrEqual(375);
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      const button = page.locator('a[data-role="join"]');
      await expect(button.isVisible()).resolves.toBe(true);
      const box = await button.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
      // The long personal link wraps inside the screen rather than pushing it wider.
      const link = page.locator(`p a[href="${joinUrl}"]`);
      const linkBox = await link.boundingBox();
      expect(linkBox!.x + linkBox!.width).toBeLessThanOrEqual(375);
      await page.screenshot({ path: path.join(SHOTS, `mail-confirmed-${lang}-375.png`), fullPage: true });
    },
  );

  it('when the bilingual confirmation is opened on a phone, then both language sections are visible in order and nothing overflows', async () => {
    const { page } = await mailPage(375);
    await page.setContent(confirmation('ja', { ...mailEvent(), bilingualMail: true }).html);
    const sections = page.locator('td[lang]');
    expect(await sections.evaluateAll((tds) => tds.map((td) => td.getAttribute('lang')))).toEqual([
      'en',
      'ja',
      'en',
    ]);
    await expect(page.getByRole('heading', { name: 'Thank you for registering' }).isVisible()).resolves.toBe(
      true,
    );
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, 'mail-confirmed-bilingual-375.png'), fullPage: true });
  });

  it('when the Japanese change notice is opened on a phone, then the new and the previous time are visible and nothing overflows', async () => {
    const { page } = await mailPage(375);
    const mail = renderMail({
      kind: 'event.updated',
      lang: 'ja',
      event: mailEvent(),
      registration: {
        familyName: '山田',
        givenName: '花子',
        email: 'hanako@example.org',
        status: 'confirmed',
        interpretation: 'en',
        locale: 'ja',
      },
      links: { eventPage: 'https://events.example/events/tsunagaru-demo', join: joinUrl },
      changes: {
        fields: ['time', 'meetingUrl'],
        previousStartsAt: new Date('2026-12-15T14:00:00+09:00'),
        previousEndsAt: new Date('2026-12-15T16:00:00+09:00'),
      },
    });
    await page.setContent(mail.html);
    await expect(
      page.getByText('（変更前：2026年12月15日(火) 14:00–16:00 JST / 06:00–08:00 CET）').isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'オンラインで参加する' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, 'mail-updated-ja-375.png'), fullPage: true });
  });

  it.each([
    ['en', 800],
    ['ja', 800],
    ['en', 375],
    ['ja', 375],
  ] as const)(
    'when a branded confirmation is opened (%s, %i px), then the logo PNG shows with its name as alt text, and the band and button take the accent',
    async (lang, width) => {
      const { page, requests } = await mailPage(width);
      const logoPng = new Resvg(
        '<svg xmlns="http://www.w3.org/2000/svg" width="150" height="50"><circle cx="25" cy="25" r="20" fill="#7a1f5c"/><rect x="55" y="14" width="85" height="8" fill="#1d2433"/><rect x="55" y="29" width="60" height="8" fill="#7a1f5c"/></svg>',
        { fitTo: { mode: 'height', value: 80 } },
      )
        .render()
        .asPng();
      // Only the logo may load, as a mail client showing images would fetch it.
      await page.route('**/*.mail.png', (route) =>
        route.fulfill({ contentType: 'image/png', body: logoPng }),
      );
      const logo = {
        id: 7,
        sha256: 'b'.repeat(64),
        contentType: 'image/svg+xml' as const,
        width: 150,
        height: 50,
      };
      const event: EventRecord = {
        ...mailEvent(),
        branding: {
          organisation: { en: 'ILO Office for Japan', ja: 'ILO駐日事務所' },
          accent: '#7a1f5c',
          logo: null,
          cover: null,
        },
        installationBranding: { organisation: {}, accent: null, logo },
      };
      await page.setContent(confirmation(lang, event).html, { waitUntil: 'load' });
      const img = page.locator('img').first();
      expect(await img.getAttribute('alt')).toBe(lang === 'ja' ? 'ILO駐日事務所' : 'ILO Office for Japan');
      expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(80);
      const button = page.getByRole('link', { name: lang === 'ja' ? 'オンラインで参加する' : 'Join online' });
      expect(await button.evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor)).toBe(
        'rgb(122, 31, 92)',
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(requests).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `mail-branded-${lang}-${width}.png`), fullPage: true });
    },
  );
});
