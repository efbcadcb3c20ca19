import fc from 'fast-check';
import request from 'supertest';
import { addEventMember, createApiToken, sessionActor } from '../../src/accounts';
import { hasRefusedCharacters } from '../../src/text';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * Property-based tests of issue 14: generated hostile input (NUL and other controls, bidi overrides,
 * zero-width characters, lone surrogates, invalid UTF-8 bytes, 10,000-character fields, SQL and HTML
 * payloads, wrong types, repeated keys) against the public form, the public API, the workspace search
 * and the event API. Whatever arrives: never a 5xx, never a stored row that breaks the input policy,
 * and nothing echoed unescaped. Runs are bounded and seeded (FC_SEED to replay another seed; fast-check
 * prints the seed and path of a failure).
 */

const seed = Number(process.env.FC_SEED ?? 20261216);
const numRuns = 200;
/** Runs a property with the file's seed and run count; a failure prints its seed and shrink path. */
function run<T extends [unknown, ...unknown[]]>(property: fc.IAsyncPropertyWithHooks<T>) {
  return fc.assert(property, { seed, numRuns, verbose: 1 });
}

const html = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];
const pieces = [
  '\u0000',
  '\u0001',
  '\t',
  '\n',
  '\r\n',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  'e\u0301',
  'ｙａｍａｄａ',
  '👩‍💻',
  '山田',
  'Müller',
  "'; DROP TABLE registrations; --",
  "' OR '1'='1",
  '%',
  '%00',
  '%FF',
  '&',
  '=',
  '+',
  '\\',
  '"',
  ...html,
];

/** A string assembled from hostile pieces and arbitrary text, sometimes 10,000 characters long. */
const hostileString = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 8 })
      .map((p) => p.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(10_000), '山'.repeat(10_000), '\u0000'.repeat(10_000)) },
);

/** Any JSON value, hostile strings most of the time: wrong types test the schemas' type checks. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('en', 'ja', 'x'), hostileString, { maxKeys: 3 }) },
);

/** Raw percent-escapes, some of them not UTF-8, spliced into a form body or a query string. */
const rawEscapes = fc.constantFrom(
  '',
  '',
  '%FF',
  '%C3%28',
  '%E3%81',
  '%ED%A0%80',
  '%00',
  '%C0%AF',
  '%F4%90%80%80',
);

const formFields = [
  'email',
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'organisation',
  'country',
  'affiliation',
  'locale',
  'q_topic',
  'q_size',
];

let t: TestApp;
let token: string;
let workspace: Awaited<ReturnType<typeof signedInAgent>>;

async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await t.db.pool.query(sql)).rows as T[];
}

/** Every byte of a text's UTF-8 as %XX (a lone surrogate cannot travel in a URL: it arrives as U+FFFD). */
function escapeAll(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Nothing a person sent was echoed as markup. */
function expectEscaped(text: string) {
  for (const payload of ['<script>alert', '<img src=x', '<svg onload']) expect(text).not.toContain(payload);
}

/** The statuses seen in one property, so a test can show it reached both outcomes (not vacuous). */
let seen = new Set<number>();

function expectNotServerError(res: request.Response) {
  seen.add(res.status);
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
}

/** Every text stored in registrations and events passes the policy (multi-line only where allowed). */
async function expectStoredRowsKeepThePolicy() {
  const regs = await rows<Record<string, string | null>>(
    `SELECT email, family_name, given_name, family_name_kana, given_name_kana, organisation, answers::text AS answers
       FROM registrations`,
  );
  for (const r of regs) {
    for (const column of [
      'email',
      'family_name',
      'given_name',
      'family_name_kana',
      'given_name_kana',
      'organisation',
    ]) {
      const value = r[column];
      if (value != null && hasRefusedCharacters(value))
        throw new Error(`registrations.${column} stored ${JSON.stringify(value)}`);
      if (value != null && value !== value.normalize('NFC'))
        throw new Error(`registrations.${column} is not NFC`);
    }
    for (const answer of Object.values(JSON.parse(r.answers ?? '{}') as Record<string, unknown>).flat()) {
      if (typeof answer === 'string' && hasRefusedCharacters(answer, { multiline: true }))
        throw new Error(`answer stored ${JSON.stringify(answer)}`);
    }
  }
  const events = await rows<Record<string, Record<string, string>>>(
    'SELECT title, summary, description, programme, organisers FROM events',
  );
  for (const e of events) {
    for (const [column, multiline] of [
      ['title', false],
      ['organisers', false],
      ['summary', true],
      ['description', true],
      ['programme', true],
    ] as const) {
      for (const value of Object.values(e[column] ?? {})) {
        if (hasRefusedCharacters(value, { multiline }))
          throw new Error(`events.${column} stored ${JSON.stringify(value)}`);
      }
    }
  }
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  const organiser = await createTestAccount(t.db.pool, { role: 'organiser' });
  workspace = await signedInAgent(t.app, organiser.email);
  ({ token } = await createApiToken(
    t.db.pool,
    { name: 'fuzz' },
    { now: t.clock.now(), by: sessionActor(organiser) },
  ));
  const event = await makeEvent(t, {
    questions: [
      { id: 'topic', type: 'text', label: { en: 'Topic', ja: 'テーマ' }, required: false, options: [] },
      {
        id: 'size',
        type: 'single',
        label: { en: 'Size', ja: 'サイズ' },
        required: false,
        options: [
          { value: 's', label: { en: 'S', ja: 'S' } },
          { value: 'm', label: { en: 'M', ja: 'M' } },
        ],
      },
    ],
  });
  await addEventMember(t.db.pool, event.id, organiser.id, t.clock.now());
}, 60_000);
afterAll(() => t.close());

describe('hostile input, generated', () => {
  beforeEach(() => {
    seen = new Set();
  });

  it('when the public form is posted with hostile fields, repeated keys and raw bytes, then never a 5xx, no markup echoed, no stored row breaks the policy', async () => {
    const { agent, token: csrf } = await formSession(t.app, 'tsunagaru-test');
    const overrides = fc.dictionary(
      fc.constantFrom(...formFields),
      fc.oneof(hostileString, fc.array(hostileString, { minLength: 2, maxLength: 3 })),
      { maxKeys: 3 },
    );
    await run(
      fc.asyncProperty(overrides, rawEscapes, fc.nat(1000), async (fields, raw, n) => {
        const body = encodeForm(formData({ email: `fuzz${n}@example.org`, ...fields }));
        const res = await agent
          .post('/events/tsunagaru-test/register?lang=en')
          .type('form')
          .send(`_csrf=${encodeURIComponent(csrf)}&${body}${raw ? `&organisation=${raw}` : ''}`);
        expectNotServerError(res);
        expectEscaped(res.text);
      }),
    );
    expect([...seen]).toEqual(expect.arrayContaining([303, 422]));
    await expectStoredRowsKeepThePolicy();
  }, 120_000);

  it('when the public API is sent hostile JSON (wrong types, repeated keys, bytes that are not UTF-8), then never a 5xx, always a JSON answer, no stored row breaks the policy', async () => {
    const entries = fc.array(fc.tuple(fc.constantFrom(...formFields, 'answers', 'consent'), hostileValue), {
      maxLength: 4,
    });
    await run(
      fc.asyncProperty(entries, fc.nat(1000), fc.boolean(), async (extra, n, breakBytes) => {
        const base = Object.entries({ ...formData({ email: `api${n}@example.org` }), consent: true });
        const json = `{${[...base, ...extra].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
        let body = Buffer.from(json);
        if (breakBytes)
          body = Buffer.concat([
            body.subarray(0, body.length - 2),
            Buffer.from([0xff, 0xc3]),
            body.subarray(body.length - 2),
          ]);
        const res = await request(t.app)
          .post('/api/v1/events/tsunagaru-test/registrations')
          .set('Content-Type', 'application/json')
          .serialize((b: Buffer) => b as unknown as string)
          .send(body);
        expectNotServerError(res);
        expect(res.headers['content-type']).toMatch(/json/);
        if (breakBytes) expect(res.status).toBe(400);
      }),
    );
    expect([...seen]).toEqual(expect.arrayContaining([202, 400, 422]));
    await expectStoredRowsKeepThePolicy();
  }, 120_000);

  it('when the workspace list, its export, the API list and the recipients count are searched for hostile text, then never a 5xx and nothing echoed unescaped', async () => {
    const paths = fc.constantFrom(
      '/admin/events/tsunagaru-test/attendees?lang=en&q=',
      '/admin/events/tsunagaru-test/attendees/export?format=csv&q=',
      '/api/v1/events/tsunagaru-test/registrations?q=',
      '/api/v1/events/tsunagaru-test/registrations/export?format=json&q=',
      '/api/v1/events/tsunagaru-test/messages/recipients?q=',
    );
    await run(
      fc.asyncProperty(paths, hostileString, rawEscapes, fc.boolean(), async (path, q, raw, repeat) => {
        const query = `${escapeAll(q.slice(0, 2000))}${raw}${repeat ? `&q=${escapeAll(q.slice(0, 50))}` : ''}`;
        const res = path.startsWith('/api/')
          ? await request(t.app)
              .get(path + query)
              .set('Authorization', `Bearer ${token}`)
          : await workspace.agent.get(path + query);
        expectNotServerError(res);
        if (/html/.test(String(res.headers['content-type']))) expectEscaped(res.text);
      }),
    );
  }, 120_000);

  it('when an event’s title and texts are patched through the API with hostile values, then never a 5xx and the stored event keeps the policy', async () => {
    const patch = fc.dictionary(
      fc.constantFrom(
        'title',
        'summary',
        'description',
        'programme',
        'organisers',
        'meetingPasscode',
        'contactEmail',
        'meetingUrl',
      ),
      fc.oneof(
        fc.record({ en: hostileValue }, { requiredKeys: [] }),
        fc.record({ ja: hostileValue }, { requiredKeys: [] }),
        hostileValue,
      ),
      { maxKeys: 3 },
    );
    await run(
      fc.asyncProperty(patch, async (body) => {
        const res = await request(t.app)
          .patch('/api/v1/events/tsunagaru-test')
          .set('Authorization', `Bearer ${token}`)
          .send(body);
        expectNotServerError(res);
        expect(res.headers['content-type']).toMatch(/json/);
      }),
    );
    expect([...seen]).toEqual(expect.arrayContaining([200, 422]));
    await expectStoredRowsKeepThePolicy();
  }, 120_000);
});
