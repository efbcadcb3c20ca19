import fs from 'node:fs';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { mintInvitationLink } from '../../src/invitations';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { checkScreen, launchChromium, screenPage, serve, SHOTS } from '../helpers/browser';

/**
 * The Invitations tab in a real browser, in both languages at desktop (1280 px) and phone (390 px)
 * width: upload a contact list, read the preview (added and skipped rows), confirm, send; then the
 * invitee's pre-filled form and the unsubscribe page. No serious or critical axe findings, no sideways
 * scrolling; screenshots are left in SHOTS for a person to look at.
 */
const EMAIL = 'keiko@ilo.example';
const PASSWORD = 'correct horse battery staple';

const list = [
  'メールアドレス,姓,名,所属,言語',
  'ann.lee@example.org,Lee,Ann,International Labour Organization,English',
  'yamada.hanako@example.org,山田,花子,日本労働組合総連合会,日本語',
  'not-an-address,Broken,Row,,en',
  'ann.lee@example.org,Lee,Ann,ILO,en',
  'pierre@example.org,Dupont,Pierre,Coop,français',
].join('\r\n');

describe('the Invitations tab in a browser', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let userId: number;

  const newPage = (lang: 'en' | 'ja', width: number) => screenPage(browser, lang, width);
  const check = checkScreen;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Keiko Sato', role: 'organiser', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    userId = user.id;
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
    'when an organiser uploads, previews, confirms and sends in %s at %i px, then each screen reads right and passes axe',
    async (lang, width) => {
      const file = path.join(SHOTS, 'invitation-contacts.csv');
      fs.writeFileSync(file, list);
      const size = width < 600 ? width : 'desktop';
      const slug = `invite-${lang}-${width}`;
      const event = await makeEvent(t, { slug, registrationClosesAt: null });
      await addEventMember(t.db.pool, event.id, userId, t.clock.now());
      const page = await newPage(lang, width);
      await page.goto(`${server.base}/admin/login?lang=${lang}`);
      await page.locator('#email').fill(EMAIL);
      await page.locator('#password').fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`${server.base}/admin`),
        page.locator('form.reg-form button').click(),
      ]);

      await page.goto(`${server.base}/admin/events/${slug}/invitations`);
      await page.locator('#file').setInputFiles(file);
      await Promise.all([page.waitForURL(/preview/), page.locator('form.reg-form button').click()]);
      expect(await page.locator('[data-testid=preview-add] tbody tr').count()).toBe(3);
      expect(await page.locator('[data-skip]').allInnerTexts()).toEqual(
        lang === 'en'
          ? ['Not a valid e-mail address', 'Duplicate of an earlier row in the list']
          : ['メールアドレスとして正しくありません', 'リスト内の前の行と重複しています'],
      );
      expect(await page.locator('[data-testid=language-defaulted]').count()).toBe(1);
      await check(page, `invitations-preview-${lang}-${size}`);

      await Promise.all([
        page.waitForURL(/done=imported/),
        page.locator('form[action$="/import"] button').click(),
      ]);
      // Before sending, each row can be taken off the list.
      expect(await page.locator('[data-testid=invitees] form[action$="/remove"] button').count()).toBe(3);
      await check(page, `invitations-imported-${lang}-${size}`);
      await Promise.all([page.waitForURL(/done=sent/), page.locator('form[action$="/send"] button').click()]);
      expect(await page.locator('[data-testid=invitees] [data-state=invited]').count()).toBe(3);
      expect(await page.locator('.flash').innerText()).toBe(
        lang === 'en' ? 'The invitation is on its way to 3 invitees.' : '3 名に招待メールを送信しています。',
      );
      await check(page, `invitations-tab-${lang}-${size}`);

      // The invitee's side: the pre-filled form, and the unsubscribe page.
      const [row] = (
        await t.db.pool.query<{ id: string }>(
          `SELECT i.id FROM invitees i WHERE i.event_id = $1 AND i.locale = $2 ORDER BY i.id LIMIT 1`,
          [event.id, lang],
        )
      ).rows;
      const mint = (purpose: 'register' | 'unsubscribe') =>
        mintInvitationLink(t.db.pool, {
          inviteeId: Number(row!.id),
          purpose,
          mailId: null,
          at: t.clock.now(),
        });
      await page.goto(`${server.base}/events/${slug}?lang=${lang}&invitation=${await mint('register')}`);
      expect(await page.locator('#email').inputValue()).toBe(
        lang === 'en' ? 'ann.lee@example.org' : 'yamada.hanako@example.org',
      );
      await check(page, `invitation-form-${lang}-${size}`);
      await page.goto(`${server.base}/unsubscribe/${await mint('unsubscribe')}?lang=${lang}`);
      await check(page, `invitation-unsubscribe-${lang}-${size}`);
      await page.context().close();
    },
    // Four screens and two page loads per case on a shared two-core machine.
    120_000,
  );
});
