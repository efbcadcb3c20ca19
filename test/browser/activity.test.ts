import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { addEventMember, createAccount, createApiToken, sessionActor } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport, launchChromium, serve, SHOTS } from '../helpers/browser';

/**
 * The Activity tab and a registrant's History in a real browser (Debian's chromium), in both
 * languages at desktop (1280 px) and phone (390 px) width: readable words, no sideways scrolling,
 * no serious or critical axe findings; screenshots are left in SHOTS for a person to look at.
 */
const EMAIL = 'keiko@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-activity';

describe('activity pages in a browser', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let registrationId: number;

  async function signedInPage(lang: 'en' | 'ja', width: number): Promise<Page> {
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
    await page.goto(`${server.base}/admin/login?lang=${lang}`);
    await page.locator('#email').fill(EMAIL);
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.base}/admin`),
      page.locator('form.reg-form button').click(),
    ]);
    return page;
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
    const { agent, token } = await formSession(t.app, SLUG);
    const registered = await agent
      .post(`/events/${SLUG}/register`)
      .type('form')
      .send(encodeForm({ _csrf: token, ...formData({ familyName: '山田', givenName: '花子' }) }));
    expect(registered.status).toBe(303);
    const { rows } = await t.db.pool.query<{ id: string }>(
      'SELECT id FROM registrations WHERE event_id = $1',
      [event.id],
    );
    registrationId = Number(rows[0]!.id);
    const api = await createApiToken(
      t.db.pool,
      { name: 'CRM sync' },
      { now: t.clock.now(), by: sessionActor(user) },
    );
    const patched = await request(t.app)
      .patch(`/api/v1/events/${SLUG}`)
      .set({ Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/merge-patch+json' })
      .send({
        title: { en: 'Solidarity Economy Day', ja: '連帯経済デー' },
        capacity: 40,
        registrationClosesAt: '2026-12-15T23:59:00+09:00',
      });
    expect(patched.status).toBe(200);
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
    'when the organiser opens the Activity tab and the History in %s at %i px, then they read as words and pass axe',
    async (lang, width) => {
      const page = await signedInPage(lang, width);
      const pages = [
        { url: `/admin/events/${SLUG}/activity`, name: 'activity' },
        { url: `/admin/events/${SLUG}/attendees/${registrationId}`, name: 'attendee-history' },
      ];
      for (const p of pages) {
        await page.goto(`${server.base}${p.url}`);
        const table = (await page.locator('table.admin-table').last().innerText()).replace(/\s+/g, ' ');
        expect(table).toContain(lang === 'en' ? '山田 花子 (registrant)' : '山田 花子（登録者）');
        expect(table).not.toContain('registration.created');
        expect(table).not.toContain('attendee:');
        if (p.name === 'activity') {
          expect(table).toContain(
            lang === 'en' ? 'Keiko Sato (API token “CRM sync”)' : 'Keiko Sato（APIトークン「CRM sync」）',
          );
          expect(table).toContain(lang === 'en' ? 'Seats: — → 40' : '—');
        }
        // The date of an entry stays on one line.
        const when = page.locator('td.activity-when time').first();
        const box = await when.boundingBox();
        const lineHeight =
          Number(
            await page.evaluate(
              "parseFloat(getComputedStyle(document.querySelector('td.activity-when time')).lineHeight)",
            ),
          ) || 24;
        expect(box!.height).toBeLessThan(lineHeight * 1.5);
        expect(await axeReport(page)).toBe('');
        await page.locator('body').evaluate((el) => el.ownerDocument.fonts.ready.then(() => undefined));
        const file = path.join(SHOTS, `${p.name}-${lang}-${width < 600 ? width : 'desktop'}.png`);
        await page.screenshot({ path: file, fullPage: true });
        expect(fs.statSync(file).size).toBeGreaterThan(10_000);
      }
      await page.context().close();
    },
  );
});
