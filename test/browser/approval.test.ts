import type { Browser } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { mintLinkToken, registerAttendee } from '../../src/registrations';
import { formData, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { checkScreen as check, launchChromium, screenPage, serve } from '../helpers/browser';

/**
 * Approval in a real browser (Debian's chromium), in both languages at desktop (1280 px) and phone
 * (390 px) width: a pending registrant's manage page, and the organiser approving one registration
 * from the Attendees tab (tick, "Approve selected", the flash). No serious or critical axe findings,
 * no sideways scrolling; screenshots are left in SHOTS for a person to look at.
 */
const EMAIL = 'keiko@ilo.example';
const PASSWORD = 'correct horse battery staple';
const SLUG = 'tsunagaru-approval';

describe('approval screens in a browser', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;

  /** A pending registration of `email` and a manage link for it. */
  async function pending(email: string, lang: 'en' | 'ja'): Promise<string> {
    const outcome = await registerAttendee(t.db.pool, {
      slug: SLUG,
      body: formData({ email, givenName: lang === 'ja' ? '花子' : 'Hanako', locale: lang }),
      pageLang: lang,
      now: t.clock.now(),
    });
    expect(outcome.status).toBe('pending');
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations WHERE email = $1', [
      email,
    ]);
    return mintLinkToken(t.db.pool, {
      registrationId: Number(rows[0]!.id),
      purpose: 'manage',
      mailId: null,
      at: t.clock.now(),
    });
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
    const event = await makeEvent(t, { slug: SLUG, approval: true, capacity: 50, waitlist: true });
    await addEventMember(t.db.pool, event.id, user.id, t.clock.now());
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
    'when a registrant awaits approval and the organiser approves them on the Attendees tab in %s at %i px, then each screen says so and passes axe',
    async (lang, width) => {
      const size = width < 600 ? width : 'desktop';
      const email = `${lang}-${width}@example.org`;
      const manage = await pending(email, lang);
      const page = await screenPage(browser, lang, width);

      await page.goto(`${server.base}/manage/${manage}?lang=${lang}`);
      expect(await page.locator('[data-awaiting-approval]').count()).toBe(1);
      await check(page, `approval-manage-${lang}-${size}`);

      await page.goto(`${server.base}/admin/login?lang=${lang}`);
      await page.locator('#email').fill(EMAIL);
      await page.locator('#password').fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`${server.base}/admin`),
        page.locator('form.reg-form button').click(),
      ]);
      await page.goto(`${server.base}/admin/events/${SLUG}/attendees?status=pending`);
      await page.locator('.decline-reason summary').click();
      await check(page, `approval-attendees-${lang}-${size}`);
      const box = page.locator('input[name="id"]').first();
      await box.check();
      await Promise.all([
        page.waitForURL(/decided=/),
        page.locator('button[name="decision"][value="approve"]').click(),
      ]);
      expect(await page.locator('.flash').first().innerText()).toBe(
        lang === 'en' ? '1 registration approved with a seat.' : '1件を承認し、参加確定としました。',
      );
      await check(page, `approval-approved-${lang}-${size}`);
      await page.context().close();
      const { rows } = await t.db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM registrations WHERE status = 'confirmed'`,
      );
      expect(Number(rows[0]!.n)).toBe(cases.findIndex(([l, w]) => l === lang && w === width) + 1);
    },
    // Four screens with axe each, on a shared two-core machine: a Japanese case took 54 s of the 60.
    120_000,
  );
});
