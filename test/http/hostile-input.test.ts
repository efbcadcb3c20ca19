import request from 'supertest';
import { addEventMember, createApiToken, sessionActor, type User } from '../../src/accounts';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * Issue 14, item 1 and 2, each example reproduced: a NUL byte, a control or direction character, or
 * invalid UTF-8 anywhere a person can type gets a clear 4xx answer (a field error, a 400 or a 404),
 * never a 500, a closed connection, or a stored row that spoofs a name.
 */

let t: TestApp;
let organiser: User;
let agent: Awaited<ReturnType<typeof signedInAgent>>;
let token: string;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.pool.query(sql, params)).rows as T[];
}

/** Posts a raw urlencoded body as the browser does: with the CSRF cookie and token from the page. */
async function postForm(body: string, lang = 'en') {
  const { agent: a, token: csrf } = await formSession(t.app, 'tsunagaru-test', lang);
  return a
    .post(`/events/tsunagaru-test/register?lang=${lang}`)
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrf)}&${body}`);
}

function postApi(body: string | object, lang = 'en') {
  return request(t.app)
    .post('/api/v1/events/tsunagaru-test/registrations')
    .set('Accept-Language', lang)
    .type('json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  organiser = await createTestAccount(t.db.pool, { role: 'organiser' });
  agent = await signedInAgent(t.app, organiser.email);
  ({ token } = await createApiToken(
    t.db.pool,
    { name: 'hostile input' },
    { now: t.clock.now(), by: sessionActor(organiser) },
  ));
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log, rate_limit_hits CASCADE');
  const event = await makeEvent(t, {
    questions: [
      { id: 'topic', type: 'text', label: { en: 'Topic', ja: 'テーマ' }, required: false, options: [] },
    ],
  });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
});

describe('a NUL byte in a path', () => {
  it.each([
    '/events/a%00b',
    '/events/a%00b/calendar.ics',
    '/events/a%00b/registered?lang=en',
    '/manage/a%00b',
    '/admin/events/a%00b',
  ])('when %s is requested, then 404', async (path) => {
    const res = await agent.agent.get(path);
    expect(res.status).toBe(404);
  });

  it('when an API path holds a NUL, then 404 as JSON', async () => {
    const res = await request(t.app).get('/api/v1/events/a%00b').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('when a path holds a malformed escape (%FF), then 400, not 500', async () => {
    const res = await request(t.app).get('/events/%FF');
    expect(res.status).toBe(400);
  });
});

describe('the public form', () => {
  it.each(['familyName', 'givenName', 'organisation', 'q_topic'])(
    'when %s holds a NUL, then 422 with the field marked, in the page language, and nothing stored',
    async (field) => {
      const res = await postForm(encodeForm(formData({ [field]: 'Nu\u0000l' })), 'ja');
      expect(res.status).toBe(422);
      expect(res.text).toContain('使用できない文字');
      expect(await rows('SELECT id FROM registrations')).toEqual([]);
    },
  );

  it.each([
    ['a carriage return', 'Yama\rda'],
    ['a line feed', 'Yama\nda'],
    ['a tab', 'Yama\tda'],
    ['an escape', 'Yama\u001bda'],
    ['a C1 control', 'Yama\u0085da'],
    ['a right-to-left override', 'Yama\u202eda'],
    ['an isolate', '\u2066Yamada\u2069'],
    ['a zero-width space', 'Yama\u200bda'],
    ['a byte order mark', '\ufeffYamada'],
    ['a line separator', 'Yama\u2028da'],
  ])('when a name holds %s, then it is refused beside the field', async (_what, value) => {
    const res = await postForm(encodeForm(formData({ familyName: value })));
    expect(res.status).toBe(422);
    expect(res.text).toContain('contains characters that cannot be used');
    expect(await rows('SELECT id FROM registrations')).toEqual([]);
  });

  it('when a long answer holds line breaks (CR LF) and a tab, then it is stored with LF and the tab', async () => {
    const res = await postForm(encodeForm(formData({ q_topic: 'one\r\ntwo\tthree' })));
    expect(res.status).toBe(303);
    const [reg] = await rows<{ answers: Record<string, string> }>('SELECT answers FROM registrations');
    expect(reg!.answers.topic).toBe('one\ntwo\tthree');
  });

  it('when a name is typed in decomposed form, then it is stored composed (NFC)', async () => {
    const res = await postForm(encodeForm(formData({ familyName: 'Mu\u0308ller', givenName: 'ｶﾞ' })));
    expect(res.status).toBe(303);
    const [reg] = await rows<{ family_name: string }>('SELECT family_name FROM registrations');
    expect(reg!.family_name).toBe('Müller');
  });

  it('when a name holds an emoji sequence joined by ZWJ, then it is kept', async () => {
    const res = await postForm(encodeForm(formData({ organisation: 'Team 👩‍💻' })));
    expect(res.status).toBe(303);
  });

  it('when the e-mail address is typed in full-width characters, then it is stored in ASCII', async () => {
    const res = await postForm(encodeForm(formData({ email: 'ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｏｒｇ' })));
    expect(res.status).toBe(303);
    expect(await rows('SELECT email FROM registrations')).toEqual([{ email: 'yamada@example.org' }]);
  });

  it.each([
    ['an invalid percent-encoded byte', 'familyName=%FF'],
    ['an invalid UTF-8 byte sequence', 'familyName=%C3%28'],
  ])('when the body holds %s, then 400 with a page that says so, and nothing stored', async (_w, part) => {
    const body = encodeForm(formData({})).replace(/familyName=[^&]*/, part);
    const res = await postForm(body, 'ja');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/html/);
    expect(res.text).toContain('UTF-8');
    expect(await rows('SELECT id FROM registrations')).toEqual([]);
  });

  it('when the raw body bytes are not UTF-8, then 400', async () => {
    const { agent: a, token: csrf } = await formSession(t.app, 'tsunagaru-test');
    const body = Buffer.concat([
      Buffer.from(`_csrf=${encodeURIComponent(csrf)}&${encodeForm(formData({}))}&organisation=`),
      Buffer.from([0xff, 0xfe]),
    ]);
    const res = await a
      .post('/events/tsunagaru-test/register')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .serialize((b: Buffer) => b as unknown as string)
      .send(body);
    expect(res.status).toBe(400);
  });
});

describe('the public API registration', () => {
  it('when familyName holds a NUL, then 422 with the field named in `fields`', async () => {
    const res = await postApi({ ...formData({ familyName: 'N\u0000ul', locale: 'en' }), consent: true });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.familyName).toMatch(/characters that cannot be used/);
    expect(await rows('SELECT id FROM registrations')).toEqual([]);
  });

  it('when a JSON string holds a lone surrogate, then 422 with the field named', async () => {
    const res = await postApi(
      JSON.stringify({ ...formData({}), consent: true }).replace('"Yamada"', '"Yama\\ud800da"'),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.fields.familyName).toBeDefined();
  });

  it('when the JSON body is not UTF-8, then 400 invalid_input in the asked language', async () => {
    const json = JSON.stringify({ ...formData({}), consent: true, locale: undefined });
    const body = Buffer.from(json.replace('"Yamada"', '"Yama\u00ffda"'), 'latin1');
    const res = await request(t.app)
      .post('/api/v1/events/tsunagaru-test/registrations')
      .set('Content-Type', 'application/json')
      .set('Accept-Language', 'ja')
      .serialize((b: Buffer) => b as unknown as string)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain('UTF-8');
    expect(await rows('SELECT id FROM registrations')).toEqual([]);
  });
});

describe('searches', () => {
  it('when the attendee list is searched for a NUL, then the page answers 200', async () => {
    const res = await agent.agent.get('/admin/events/tsunagaru-test/attendees?q=%00&lang=en');
    expect(res.status).toBe(200);
  });

  it('when a search holds a bidi override around a name, then the name is found', async () => {
    await postApi({ ...formData({}), consent: true });
    const res = await request(t.app)
      .get(`/api/v1/events/tsunagaru-test/registrations?q=${encodeURIComponent('\u202eYama\u0000da\u202c')}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
  });

  it.each([
    '/api/v1/events/tsunagaru-test/registrations?q=%00',
    '/api/v1/events/tsunagaru-test/messages/recipients?q=%00',
    '/api/v1/events/tsunagaru-test/registrations/export?format=csv&q=%00',
  ])('when the API is asked %s, then 200', async (path) => {
    const res = await request(t.app).get(path).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
  });

  it('when the workspace export is asked for q=%00, then it answers 200 with a file', async () => {
    const res = await agent.agent.get('/admin/events/tsunagaru-test/attendees/export?format=csv&q=%00');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
  });
});

describe('the event API', () => {
  it('when a title is patched with a NUL, then 422 naming the field, and the title is unchanged', async () => {
    const res = await request(t.app)
      .patch('/api/v1/events/tsunagaru-test')
      .set('Authorization', `Bearer ${token}`)
      .send({ title: { en: 'Bad\u0000title' } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body.error)).toMatch(/characters that cannot be used/);
    const [event] = await rows<{ title: { en: string } }>('SELECT title FROM events');
    expect(event!.title.en).not.toContain('\u0000');
  });

  it('when a description holds line breaks and a tab, then they are kept, CR LF as LF', async () => {
    const res = await request(t.app)
      .patch('/api/v1/events/tsunagaru-test')
      .set('Authorization', `Bearer ${token}`)
      .send({ description: { en: 'one\r\ntwo\tthree' } });
    expect(res.status).toBe(200);
    expect(res.body.event.description.en).toBe('one\ntwo\tthree');
  });
});
