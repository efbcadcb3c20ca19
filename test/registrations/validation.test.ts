import fs from 'node:fs';
import path from 'node:path';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

const messages = (lang: string) =>
  JSON.parse(
    fs.readFileSync(path.join(__dirname, '../../locales', lang, 'validation.json'), 'utf8'),
  ) as Record<string, string>;

/** The error text rendered for one field, read from its error element. */
function fieldError(html: string, field: string): string | undefined {
  const m = new RegExp(`<p id="${field}-error" class="error-message">([^<]*)</p>`).exec(html);
  return m?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('server-side validation of the registration form', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
    await makeEvent(t, {
      questions: [
        {
          id: 'sessions',
          type: 'multiple',
          label: { en: 'Sessions', ja: 'セッション' },
          required: true,
          options: [
            { value: 'a', label: { en: 'A', ja: 'A' } },
            { value: 'b', label: { en: 'B', ja: 'B' } },
          ],
        },
        { id: 'note', type: 'text', label: { en: 'Note', ja: 'メモ' }, required: false, options: [] },
      ],
    });
  });
  afterAll(() => t.close());

  async function post(lang: 'en' | 'ja', data: Record<string, string | string[]>) {
    const { agent, token } = await formSession(t.app, 'tsunagaru-test', lang);
    return agent
      .post(`/events/tsunagaru-test/register?lang=${lang}`)
      .type('form')
      .send(encodeForm({ _csrf: token, ...data }));
  }

  const cases: { name: string; data: Record<string, string | string[]>; field: string; key: string }[] = [
    { name: 'the e-mail is empty', data: { email: '' }, field: 'email', key: 'required' },
    { name: 'the e-mail is malformed', data: { email: 'hanako@' }, field: 'email', key: 'email' },
    { name: 'the family name is blank', data: { familyName: '   ' }, field: 'familyName', key: 'required' },
    { name: 'the given name is missing', data: { givenName: '' }, field: 'givenName', key: 'required' },
    {
      name: 'the given name is too long',
      data: { givenName: 'x'.repeat(101) },
      field: 'givenName',
      key: 'tooLong',
    },
    {
      name: 'the kana is in Latin letters',
      data: { familyNameKana: 'Yamada' },
      field: 'familyNameKana',
      key: 'kana',
    },
    {
      name: 'the organisation is too long',
      data: { organisation: 'o'.repeat(201) },
      field: 'organisation',
      key: 'tooLong',
    },
    {
      name: 'the affiliation is unknown',
      data: { affiliation: 'martian' },
      field: 'affiliation',
      key: 'choice',
    },
    {
      name: 'the affiliation is not chosen',
      data: { affiliation: '' },
      field: 'affiliation',
      key: 'requiredChoice',
    },
    { name: 'the country is not an ISO code', data: { country: 'XX' }, field: 'country', key: 'country' },
    { name: 'the mail language is unsupported', data: { locale: 'fr' }, field: 'locale', key: 'choice' },
    {
      name: 'the interpretation is not chosen',
      data: { interpretation: '' },
      field: 'interpretation',
      key: 'requiredChoice',
    },
    { name: 'consent is not given', data: { consent: '' }, field: 'consent', key: 'consent' },
    {
      name: 'a required question is unanswered',
      data: { q_sessions: [] },
      field: 'q_sessions',
      key: 'requiredChoice',
    },
    {
      name: 'a choice is not one of the options',
      data: { q_sessions: ['a', 'z'] },
      field: 'q_sessions',
      key: 'choice',
    },
  ];

  for (const lang of ['en', 'ja'] as const) {
    for (const c of cases) {
      it(`when ${c.name} (${lang}), then the form comes back 422 with that field's message in ${lang}, the other values kept, and nothing stored`, async () => {
        const data = { ...formData({ q_sessions: ['a'] }), ...c.data };
        if (c.data.q_sessions?.length === 0) delete data.q_sessions;
        const res = await post(lang, data);
        expect(res.status).toBe(422);
        expect(res.text).toContain(`<html lang="${lang}">`);
        expect(fieldError(res.text, c.field)).toBe(messages(lang)[c.key]);
        // The summary link points at an element that exists: a choice group's first option.
        const target = new RegExp(`href="#(${c.field}(?:-0)?)"`).exec(res.text)?.[1];
        expect(target).toBeDefined();
        expect(res.text).toContain(`id="${target}"`);
        if (c.field !== 'email') expect(res.text).toContain('value="hanako@example.org"');
        const n = await t.db.pool.query('SELECT count(*)::int AS n FROM registrations');
        expect(n.rows[0].n).toBe(0);
      });
    }
  }

  it('when an empty form is posted in Japanese, then every required field has its own Japanese error', async () => {
    const res = await post('ja', {});
    expect(res.status).toBe(422);
    const ja = messages('ja');
    for (const field of ['email', 'familyName', 'givenName']) {
      expect(fieldError(res.text, field)).toBe(ja.required);
    }
    // A select or a group of options asks to choose (選択), not to type (入力).
    for (const field of ['affiliation', 'country', 'interpretation', 'q_sessions']) {
      expect(fieldError(res.text, field)).toBe('選択してください。');
    }
    expect(fieldError(res.text, 'consent')).toBe('お申し込みには、個人情報の取り扱いへの同意が必要です。');
    expect(res.text).toContain('aria-invalid="true"');
  });

  it('when the Japanese form is shown for an event in JST and CET, then 日本 and スイス come first among the countries, and each once', async () => {
    const { agent } = await formSession(t.app, 'tsunagaru-test', 'ja');
    const html = (await agent.get('/events/tsunagaru-test?lang=ja')).text;
    const select = /<select id="country"[\s\S]*?<\/select>/.exec(html)![0];
    const values = [...select.matchAll(/<option value="([A-Z]*)"/g)].map((m) => m[1]);
    expect(values.slice(0, 3)).toEqual(['', 'JP', 'CH']);
    expect(values.filter((v) => v === 'JP')).toHaveLength(1);
    expect(values).toHaveLength(1 + 249);
    expect(select).toContain('<optgroup label="このイベントの主な国・地域">');
    const en = (await agent.get('/events/tsunagaru-test?lang=en')).text;
    const enValues = [
      .../<select id="country"[\s\S]*?<\/select>/.exec(en)![0].matchAll(/<option value="([A-Z]*)"/g),
    ];
    // English is at home in too many countries: only the event's zones come first.
    expect(enValues.slice(0, 3).map((m) => m[1])).toEqual(['', 'JP', 'CH']);
  });

  it('when an empty form is posted, then each summary line names its field, links to an element that exists, and the title starts with "Error:"', async () => {
    const ja = await post('ja', {});
    const lines = [...ja.text.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(lines).toEqual([
      ['email', 'メールアドレス：この項目を入力してください。'],
      ['familyName', '姓：この項目を入力してください。'],
      ['givenName', '名：この項目を入力してください。'],
      ['affiliation', 'ご所属の種別：選択してください。'],
      ['country', '国・地域：選択してください。'],
      ['interpretation-0', '聴講する言語（通訳）：選択してください。'],
      ['q_sessions-0', 'セッション：選択してください。'],
      ['consent', '同意：お申し込みには、個人情報の取り扱いへの同意が必要です。'],
    ]);
    for (const [id] of lines) expect(ja.text).toContain(`id="${id}"`);
    expect(ja.text).toMatch(/<title>エラー：[^<]+<\/title>/);
    const en = await post('en', {});
    expect(en.text).toContain('<a href="#country">Country or region: Please choose one.</a>');
    expect(en.text).toMatch(/<title>Error: [^<]+<\/title>/);
    const { agent } = await formSession(t.app, 'tsunagaru-test', 'en');
    expect((await agent.get('/events/tsunagaru-test?lang=en')).text).not.toMatch(/<title>Error/);
  });

  it('when an empty form is posted in English, then the messages are English', async () => {
    const res = await post('en', {});
    expect(fieldError(res.text, 'email')).toBe('Please fill in this field.');
    expect(fieldError(res.text, 'consent')).toBe('Please agree to the privacy notice to register.');
  });

  it('when kana is in katakana or hiragana, then it is accepted and stored', async () => {
    const res = await post(
      'ja',
      formData({ familyNameKana: 'ヤマダ', givenNameKana: 'はなこ', q_sessions: ['a', 'b'] }),
    );
    expect(res.status).toBe(303);
    const row = (
      await t.db.pool.query('SELECT family_name_kana, given_name_kana, answers FROM registrations')
    ).rows[0];
    expect(row).toEqual({
      family_name_kana: 'ヤマダ',
      given_name_kana: 'はなこ',
      answers: { sessions: ['a', 'b'] },
    });
  });
});
