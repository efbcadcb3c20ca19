import { type Page } from 'playwright-core';
import { addEventMember, createAccount } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import {
  axeChecks,
  openBrowserFile,
  shoot,
  sidewaysOverflow,
  sizeName,
  type BrowserFile,
} from '../helpers/pages';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';

/**
 * The Zoom tab and the import of Zoom's participant CSV in a real browser, against a fake Zoom on
 * 127.0.0.1: an organiser links the event by pasting a join link, sees Zoom's topic and time with the
 * warning that the topic differs, imports the CSV from the Attendees tab and reads who was matched and
 * who was not; in both languages at 1280 and 390 px, with axe on each screen and screenshots left in SHOTS.
 */
const EMAIL = 'mika@coop.example';
const PASSWORD = 'correct horse battery staple';
const WEBINAR = '81234567890';

describe('Zoom pages in a browser', () => {
  let zoom: FakeZoom;
  let t: TestApp;
  let b: BrowserFile;

  beforeAll(async () => {
    zoom = await startFakeZoom();
    zoom.addSession({ id: WEBINAR, topic: 'SSE webinar (Zoom topic)' });
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: zoom.env });
    const user = await withTransaction(t.db.pool, (tx) =>
      createAccount(
        tx,
        { email: EMAIL, name: 'Mika Ito', role: 'organiser', password: PASSWORD, locale: 'en' },
        { now: t.clock.now(), by: 'cli' },
      ),
    );
    for (const lang of ['en', 'ja']) {
      const slug = `zoom-${lang}`;
      const event = await makeEvent(t, { slug });
      await addEventMember(t.db.pool, event.id, user.id, t.clock.now());
      const { agent, token } = await formSession(t.app, slug);
      const form = encodeForm({ _csrf: token, ...formData({ email: 'hanako@example.org' }) });
      expect((await agent.post(`/events/${slug}/register`).type('form').send(form)).status).toBe(303);
    }
    b = await openBrowserFile(t.app);
  });

  afterEach(() => b.closeContexts());
  afterAll(async () => {
    await b?.close();
    await t?.close();
    await zoom?.close();
  });

  /** Checks the screen at both widths: nothing sideways out of view, axe where due, a screenshot. */
  async function look(page: Page, name: string, lang: 'en' | 'ja') {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
      await shoot(page, `zoom-${name}-${lang}-${sizeName(width)}`);
    }
  }

  it.each(['en', 'ja'] as const)(
    'when an organiser links Zoom by its join link and imports the participant CSV (%s), then each screen reads in their language and passes axe',
    async (lang) => {
      const slug = `zoom-${lang}`;
      const page = await b.signedInPage(lang, EMAIL, PASSWORD);
      await page.goto(`${b.base}/admin/events/${slug}/zoom`);
      await expect(page.locator('h2').first().innerText()).resolves.toBe('Zoom');
      await look(page, 'unlinked', lang);

      await page.locator('#zoom-link').fill(`https://us02web.zoom.us/j/${WEBINAR}?pwd=abc`);
      await Promise.all([page.waitForURL(/done=linked/), page.locator('#zoom-link').press('Enter')]);
      await expect(page.locator('[data-zoom-linked]').getAttribute('data-zoom-linked')).resolves.toBe(
        `webinar:${WEBINAR}`,
      );
      await expect(page.locator('.facts').innerText()).resolves.toContain('SSE webinar (Zoom topic)');
      await expect(page.locator('[data-zoom-warning="topic"]').innerText()).resolves.toBe(
        lang === 'en'
          ? "Zoom's topic differs from this event's title."
          : 'Zoom 上のトピックがこのイベントのタイトルと異なります。',
      );
      await look(page, 'linked', lang);

      await page.goto(`${b.base}/admin/events/${slug}/attendees`);
      const csv = [
        '名前（元の名前）,ユーザーメール,参加時刻,退出時刻,期間（分）',
        '山田 花子,hanako@example.org,2026/12/16 15:00:00,2026/12/16 15:40:00,40',
        'Guest,guest@example.org,2026/12/16 15:00:00,2026/12/16 15:05:00,5',
      ].join('\r\n');
      await page.locator('#zoom-csv').setInputFiles({
        name: 'participants.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('\uFEFF' + csv),
      });
      await Promise.all([
        page.waitForURL(/zoom-csv/),
        page.locator('form[action$="/zoom-csv"] button').click(),
      ]);
      await expect(page.locator('[data-zoom-matched]').getAttribute('data-zoom-matched')).resolves.toBe('1');
      await expect(page.locator('.zoom-unmatched').innerText()).resolves.toContain('guest@example.org');
      await look(page, 'csv', lang);
      // Zoom was asked about the webinar, never about anything it was not told.
      expect(zoom.callsTo(new RegExp(`GET /webinars/${WEBINAR}$`)).length).toBeGreaterThan(0);
    },
  );
});
