import request from 'supertest';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';

describe('public event pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(() => t.db.pool.query('TRUNCATE events CASCADE'));

  describe('language', () => {
    beforeEach(() => makeEvent(t));

    it('when ?lang=ja is given, then the page is Japanese with <html lang="ja"> and a cookie remembers it', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test?lang=ja');
      expect(res.text).toContain('<html lang="ja">');
      expect(res.text).toContain('申込締切：2026年12月14日(月) 23:59 JST / 15:59 CET');
      expect(String(res.headers['set-cookie'])).toMatch(/lang=ja/);
    });

    it('when the cookie says ja and the browser prefers English, then the cookie wins', async () => {
      const res = await request(t.app)
        .get('/events/tsunagaru-test')
        .set('Cookie', 'lang=ja')
        .set('Accept-Language', 'en');
      expect(res.text).toContain('<html lang="ja">');
    });

    it('when ?lang=en is given with a ja cookie, then the query wins', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test?lang=en').set('Cookie', 'lang=ja');
      expect(res.text).toContain('<html lang="en">');
    });

    it('when only Accept-Language prefers Japanese, then the page is Japanese', async () => {
      const res = await request(t.app)
        .get('/events/tsunagaru-test')
        .set('Accept-Language', 'fr-FR,ja;q=0.8,en;q=0.5');
      expect(res.text).toContain('<html lang="ja">');
    });

    it('when ?lang names a language we do not offer, then it is ignored: no cookie, and the next preference decides', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test?lang=fr').set('Accept-Language', 'ja');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="ja">');
      expect(String(res.headers['set-cookie'])).not.toMatch(/lang=/);
    });

    it('when nothing says a language, then the page is English', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test').set('Accept-Language', 'de-DE');
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).toContain('Wed 16 Dec 2026, 15:00–17:15 JST / 07:00–09:15 CET');
      expect(res.text).toContain('Apply by Mon 14 Dec 2026, 23:59 JST / 15:59 CET');
    });

    it('when the page is shown, then a visible switch links to the other language', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test?lang=en');
      expect(res.text).toContain('href="/events/tsunagaru-test?lang=ja" lang="ja" hreflang="ja">日本語</a>');
    });

    it('when the page is shown, then the meeting link and passcode are not on it', async () => {
      const res = await request(t.app).get('/events/tsunagaru-test?lang=en');
      expect(res.text).not.toContain('zoom.example');
      expect(res.text).not.toContain('secret-pass');
    });
  });

  it('when a text exists only in Japanese, then the English page shows it with a note', async () => {
    await makeEvent(t, { description: { ja: '日本語のみの説明です。' } });
    const res = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(res.text).toContain('This text is available in Japanese only.');
    expect(res.text).toContain('<div class="phrased" lang="ja">');
    expect(res.text.replaceAll('<wbr>', '')).toContain('日本語のみの説明です。');
  });

  it('when Japanese event texts are shown, then they may break only between phrases (<wbr>), in every browser', async () => {
    await makeEvent(t, {
      title: { ja: 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」' },
    });
    const res = await request(t.app).get('/events/tsunagaru-test?lang=ja');
    const h1 = /<h1 class="phrased" lang="ja">(.*?)<\/h1>/.exec(res.text)![1]!;
    expect(h1.split('<wbr>').filter(Boolean)).toEqual([
      'ILO・JCA共催ウェビナー',
      '「TSUNAGARU',
      '（つながる）〜社会的連帯経済〜」',
    ]);
    const css = await request(t.app).get('/assets/css/site.css');
    expect(css.text).toMatch(/\.phrased:lang\(ja\) \{\s*word-break: keep-all;/);
    // English is left to the browser.
    const en = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(en.text).not.toMatch(/<h1[^>]*lang="en"[^>]*>[^<]*<wbr>[^<]/);
  });

  it('when an event is a draft or unknown, then 404 in the page language', async () => {
    await makeEvent(t, { slug: 'draft-one', status: 'draft' });
    const draft = await request(t.app).get('/events/draft-one?lang=ja');
    expect(draft.status).toBe(404);
    expect(draft.text).toContain('このアドレスのイベントはありません。');
    expect((await request(t.app).get('/events/nope')).status).toBe(404);
  });

  it('when an event is cancelled, then its page says so and has no form', async () => {
    await makeEvent(t, { status: 'cancelled' });
    const res = await request(t.app).get('/events/tsunagaru-test?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('This event has been cancelled. Registration is closed.');
    expect(res.text).not.toContain('<form');
  });

  it('when events are upcoming, past or drafts, then the home page lists only the upcoming published ones, soonest first', async () => {
    await makeEvent(t, {
      slug: 'later',
      title: { en: 'Later event' },
      startsAt: '2027-01-20T10:00:00+09:00',
      endsAt: '2027-01-20T12:00:00+09:00',
    });
    await makeEvent(t, { slug: 'sooner', title: { en: 'Sooner event' } });
    await makeEvent(t, { slug: 'hidden', status: 'draft', title: { en: 'Draft event' } });
    await makeEvent(t, {
      slug: 'past',
      title: { en: 'Past event' },
      startsAt: '2026-11-01T10:00:00+09:00',
      endsAt: '2026-11-01T12:00:00+09:00',
      registrationClosesAt: null,
    });
    const res = await request(t.app).get('/?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Draft event');
    expect(res.text).not.toContain('Past event');
    expect(res.text.indexOf('Sooner event')).toBeGreaterThan(0);
    expect(res.text.indexOf('Later event')).toBeGreaterThan(res.text.indexOf('Sooner event'));
  });

  it('when the page is in Japanese, then the name fields are family-first and kana fields appear; in English given-first without kana', async () => {
    await makeEvent(t);
    const ja = (await request(t.app).get('/events/tsunagaru-test?lang=ja')).text;
    expect(ja.indexOf('id="familyName"')).toBeLessThan(ja.indexOf('id="givenName"'));
    expect(ja).toContain('id="familyNameKana"');
    const en = (await request(t.app).get('/events/tsunagaru-test?lang=en')).text;
    expect(en.indexOf('id="givenName"')).toBeLessThan(en.indexOf('id="familyName"'));
    expect(en).not.toContain('id="familyNameKana"');
  });

  it('when a browser asks for /favicon.ico, then it gets an icon, which every page also links', async () => {
    const res = await request(t.app).get('/favicon.ico').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    const body = res.body as Buffer;
    // An ICO header (reserved 0, type 1) with 16, 32 and 48 px images.
    expect([body.readUInt16LE(0), body.readUInt16LE(2), body.readUInt16LE(4)]).toEqual([0, 1, 3]);
    await makeEvent(t);
    const page = await request(t.app).get('/events/tsunagaru-test');
    expect(page.text).toContain('<link rel="icon" href="/favicon.ico"');
    const svg = await request(t.app).get('/assets/img/favicon.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it('when an unknown path is requested, then 404 with the error page', async () => {
    const res = await request(t.app).get('/no/such/page?lang=en');
    expect(res.status).toBe(404);
    expect(res.text).toContain('We could not find that page.');
  });

  it("when the path is another site's address (//evil.example/x), then the 404 page links to no foreign URL", async () => {
    for (const path of ['//evil.example/x?lang=ja', '///evil.example/x', '/\\evil.example/x']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toMatch(/href="\/\/|href="\/\\|evil\.example/);
      expect(res.text).toContain('href="/?lang=');
    }
  });

  it('when an unknown event is asked for, then its 404 page still switches language on the same address', async () => {
    const res = await request(t.app).get('/events/nope?lang=en');
    expect(res.status).toBe(404);
    expect(res.text).toContain('href="/events/nope?lang=ja"');
  });
});
