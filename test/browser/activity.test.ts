import request from 'supertest';
import { addEventMember, createAccount, createApiToken, sessionActor } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { axeReport } from '../helpers/browser';
import { axeChecks, openBrowserFile, shoot, sizeName, viewport, type BrowserFile } from '../helpers/pages';

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
  let b: BrowserFile;
  let registrationId: number;

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
    b = await openBrowserFile(t.app);
  });

  afterEach(() => b.closeContexts());

  afterAll(async () => {
    await b?.close();
    await t.close();
  });

  const cases = (['en', 'ja'] as const).flatMap((lang) => [1280, 390].map((width) => [lang, width] as const));

  it.each(cases)(
    'when the organiser opens the Activity tab and the History in %s at %i px, then they read as words and pass axe',
    async (lang, width) => {
      const page = await b.signedInPage(lang, EMAIL, PASSWORD, viewport(width));
      const pages = [
        { url: `/admin/events/${SLUG}/activity`, name: 'activity' },
        { url: `/admin/events/${SLUG}/attendees/${registrationId}`, name: 'attendee-history' },
      ];
      for (const p of pages) {
        await page.goto(`${b.base}${p.url}`);
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
        if (axeChecks(lang, width)) expect(await axeReport(page)).toBe('');
        await shoot(page, `${p.name}-${lang}-${sizeName(width)}`);
      }
    },
  );
});
