import { DomainError } from '../../src/errors';
import {
  parseRegistrationFilters,
  parseSort,
  registrationCounts,
  registrationPage,
  registrationSlice,
  type RegistrationFilters,
} from '../../src/registrations';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';

/** A registration written straight to the table, so a test controls every column (times included). */
interface Seed {
  email: string;
  familyName?: string;
  givenName?: string;
  familyNameKana?: string | null;
  givenNameKana?: string | null;
  organisation?: string | null;
  affiliation?: string;
  country?: string;
  locale?: 'en' | 'ja';
  interpretation?: 'en' | 'ja';
  status?: 'confirmed' | 'waitlisted' | 'cancelled';
  createdAt?: string;
  firstJoinedAt?: string | null;
}

async function seed(t: TestApp, eventId: number, s: Seed): Promise<number> {
  const res = await t.db.pool.query<{ id: string }>(
    `INSERT INTO registrations (event_id, status, email, family_name, given_name, family_name_kana,
       given_name_kana, organisation, affiliation, country, locale, interpretation, consented_at, created_at,
       first_joined_at, join_clicks)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15) RETURNING id`,
    [
      eventId,
      s.status ?? 'confirmed',
      s.email,
      s.familyName ?? 'Doe',
      s.givenName ?? 'Jane',
      s.familyNameKana ?? null,
      s.givenNameKana ?? null,
      s.organisation === undefined ? 'JCA' : s.organisation,
      s.affiliation ?? 'cooperative',
      s.country ?? 'JP',
      s.locale ?? 'en',
      s.interpretation ?? 'en',
      s.createdAt ?? '2026-11-10T00:00:00Z',
      s.firstJoinedAt ?? null,
      s.firstJoinedAt ? 1 : 0,
    ],
  );
  return Number(res.rows[0]!.id);
}

async function emailsMatching(t: TestApp, eventId: number, filters: RegistrationFilters) {
  const page = await registrationPage(t.db.pool, eventId, filters, {
    sort: 'email',
    dir: 'asc',
    page: 1,
    perPage: 100,
  });
  return page.rows.map((r) => r.email);
}

function validationFields(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('validation_failed');
    expect((err as DomainError).i18nKey).toBe('errors:invalidFilters');
    return (err as DomainError).fields;
  }
  throw new Error('expected a validation_failed DomainError');
}

describe('the organiser registration list', () => {
  let t: TestApp;
  let eventId: number;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    eventId = (await makeEvent(t)).id;
  });

  describe('search', () => {
    beforeEach(async () => {
      await seed(t, eventId, {
        email: 'hanako@example.org',
        familyName: '山田',
        givenName: '花子',
        familyNameKana: 'ヤマダ',
        givenNameKana: 'ハナコ',
        organisation: '日本協同組合連携機構',
      });
      await seed(t, eventId, {
        email: 'Taro.Suzuki@Example.JP',
        familyName: '鈴木',
        givenName: '太郎',
        familyNameKana: 'すずき',
        givenNameKana: 'たろう',
        organisation: 'ILO 50% Club',
      });
      await seed(t, eventId, {
        email: 'jurgen@ilo.example',
        familyName: 'Schwettmann',
        givenName: 'Jürgen',
        organisation: null,
      });
      await seed(t, eventId, {
        email: 'kenji@example.org',
        familyName: '佐藤',
        givenName: '健二',
        familyNameKana: 'ｻﾄｳ',
        organisation: 'ＪＣＣＵ　生協㈱',
      });
    });

    it('when the search is in hiragana, then a registrant whose kana is in katakana is found', async () => {
      expect(await emailsMatching(t, eventId, { q: 'やまだ' })).toEqual(['hanako@example.org']);
    });

    it('when the search is in katakana, then a registrant whose kana is in hiragana is found', async () => {
      expect(await emailsMatching(t, eventId, { q: 'スズキ タロウ' })).toEqual(['Taro.Suzuki@Example.JP']);
    });

    it('when the search is in half-width katakana or full-width Latin, then it matches as if typed normally', async () => {
      expect(await emailsMatching(t, eventId, { q: 'ﾊﾅｺ' })).toEqual(['hanako@example.org']);
      expect(await emailsMatching(t, eventId, { q: 'ＳＣＨＷＥＴＴ' })).toEqual(['jurgen@ilo.example']);
      // …and stored text typed in those widths is found by a normal search.
      expect(await emailsMatching(t, eventId, { q: 'jccu さとう' })).toEqual(['kenji@example.org']);
      expect(await emailsMatching(t, eventId, { q: '㈱' })).toEqual(['kenji@example.org']);
    });

    it('when an e-mail is searched in another case, then it is found', async () => {
      expect(await emailsMatching(t, eventId, { q: 'taro.suzuki@example.jp' })).toEqual([
        'Taro.Suzuki@Example.JP',
      ]);
      expect(await emailsMatching(t, eventId, { q: 'HANAKO@' })).toEqual(['hanako@example.org']);
    });

    it('when the search has several words, then every word must match, in any field and order', async () => {
      expect(await emailsMatching(t, eventId, { q: 'jürgen schwettmann' })).toEqual(['jurgen@ilo.example']);
      expect(await emailsMatching(t, eventId, { q: '花子　山田' })).toEqual(['hanako@example.org']);
      expect(await emailsMatching(t, eventId, { q: '山田花子' })).toEqual(['hanako@example.org']);
      expect(await emailsMatching(t, eventId, { q: 'jürgen 山田' })).toEqual([]);
    });

    it('when the search names an organisation, or holds % _ . * ( or \\, then they are plain characters', async () => {
      expect(await emailsMatching(t, eventId, { q: '協同組合' })).toEqual(['hanako@example.org']);
      expect(await emailsMatching(t, eventId, { q: '50%' })).toEqual(['Taro.Suzuki@Example.JP']);
      expect(await emailsMatching(t, eventId, { q: '%' })).toEqual(['Taro.Suzuki@Example.JP']);
      expect(await emailsMatching(t, eventId, { q: '_' })).toEqual([]);
      for (const q of ['.*', '(', '[a-z]', '\\', '^', 'a|j'])
        expect(await emailsMatching(t, eventId, { q })).toEqual([]);
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      await seed(t, eventId, {
        email: 'a@x.org',
        status: 'confirmed',
        affiliation: 'academia',
        country: 'JP',
      });
      await seed(t, eventId, { email: 'b@x.org', status: 'waitlisted', country: 'CH', locale: 'ja' });
      await seed(t, eventId, { email: 'c@x.org', status: 'cancelled', interpretation: 'ja' });
      await seed(t, eventId, { email: 'd@x.org', firstJoinedAt: '2026-12-16T06:01:00Z', country: 'CH' });
      const other = await makeEvent(t, { slug: 'another-event' });
      await seed(t, other.id, { email: 'z@x.org' });
    });

    it('when each filter is set, then only the registrations of this event that match it are listed', async () => {
      expect(await emailsMatching(t, eventId, {})).toEqual(['a@x.org', 'b@x.org', 'c@x.org', 'd@x.org']);
      expect(await emailsMatching(t, eventId, { status: 'waitlisted' })).toEqual(['b@x.org']);
      expect(await emailsMatching(t, eventId, { status: 'cancelled' })).toEqual(['c@x.org']);
      expect(await emailsMatching(t, eventId, { affiliation: 'academia' })).toEqual(['a@x.org']);
      expect(await emailsMatching(t, eventId, { country: 'CH' })).toEqual(['b@x.org', 'd@x.org']);
      expect(await emailsMatching(t, eventId, { language: 'ja' })).toEqual(['b@x.org']);
      expect(await emailsMatching(t, eventId, { interpretation: 'ja' })).toEqual(['c@x.org']);
      expect(await emailsMatching(t, eventId, { joined: true })).toEqual(['d@x.org']);
      expect(await emailsMatching(t, eventId, { joined: false })).toEqual(['a@x.org', 'b@x.org', 'c@x.org']);
      expect(await emailsMatching(t, eventId, { country: 'CH', joined: false })).toEqual(['b@x.org']);
    });

    it('when the filters come from a query string, then strings become typed filters and empty ones are ignored', () => {
      expect(
        parseRegistrationFilters({
          q: '  やまだ ',
          status: 'waitlisted',
          affiliation: 'academia',
          country: 'ch',
          language: 'ja',
          interpretation: '',
          joined: 'no',
          page: '3',
        }),
      ).toEqual({
        q: 'やまだ',
        status: 'waitlisted',
        affiliation: 'academia',
        country: 'CH',
        language: 'ja',
        joined: false,
      });
      expect(parseRegistrationFilters({ joined: 'true', q: '' })).toEqual({ joined: true });
    });

    it('when a filter value is unknown or repeated, then it is validation_failed naming each field', () => {
      expect(
        validationFields(() =>
          parseRegistrationFilters({ status: 'deleted', country: 'XX', language: 'fr', joined: 'maybe' }),
        ),
      ).toEqual({
        status: 'validation:choice',
        country: 'validation:country',
        language: 'validation:choice',
        joined: 'validation:choice',
      });
      expect(
        validationFields(() => parseRegistrationFilters({ affiliation: ['academia', 'student'] })),
      ).toEqual({
        affiliation: 'validation:choice',
      });
      expect(validationFields(() => parseRegistrationFilters({ q: 'x'.repeat(201) }))).toEqual({
        q: 'validation:tooLong',
      });
    });

    it('when the counts are asked with a filter, then the event figures stay unfiltered and `matching` follows the filter', async () => {
      expect(await registrationCounts(t.db.pool, eventId, { country: 'CH' })).toEqual({
        total: 3,
        confirmed: 2,
        waitlisted: 1,
        pending: 0,
        declined: 0,
        cancelled: 1,
        joined: 1,
        matching: 2,
      });
      expect((await registrationCounts(t.db.pool, eventId, {})).matching).toBe(4);
    });
  });

  describe('sorting and pages', () => {
    it('when no sort is given, then it is newest first; a sort without direction is ascending; an unknown one is refused', () => {
      expect(parseSort({})).toEqual({ sort: 'registered', dir: 'desc' });
      expect(parseSort({ sort: 'name', dir: '' })).toEqual({ sort: 'name', dir: 'asc' });
      expect(parseSort({ sort: 'email', dir: 'desc' })).toEqual({ sort: 'email', dir: 'desc' });
      expect(validationFields(() => parseSort({ sort: 'password', dir: 'up' }))).toEqual({
        sort: 'validation:choice',
        dir: 'validation:choice',
      });
    });

    it('when sorted by name both ways, then Japanese names go by their reading and equal names keep id order', async () => {
      const ito = await seed(t, eventId, { email: 'i@x.org', familyName: '伊藤', familyNameKana: 'イトウ' });
      // Hiragana わだ comes before katakana イトウ in code points; by reading, イトウ comes first.
      const wada = await seed(t, eventId, { email: 'w@x.org', familyName: '和田', familyNameKana: 'わだ' });
      const doe1 = await seed(t, eventId, { email: 'd1@x.org', familyName: 'Doe', givenName: 'Jane' });
      const doe2 = await seed(t, eventId, { email: 'd2@x.org', familyName: 'doe', givenName: 'jane' });
      const ids = async (dir: 'asc' | 'desc') =>
        (
          await registrationPage(t.db.pool, eventId, {}, { sort: 'name', dir, page: 1, perPage: 10 })
        ).rows.map((r) => r.id);
      expect(await ids('asc')).toEqual([doe1, doe2, ito, wada]);
      expect(await ids('desc')).toEqual([wada, ito, doe2, doe1]);
    });

    it('when sorted by registration time, organisation, country or status, then the order and tie-break hold both ways', async () => {
      const a = await seed(t, eventId, {
        email: 'a@x.org',
        organisation: 'Beta',
        country: 'JP',
        createdAt: '2026-11-02T00:00:00Z',
      });
      const b = await seed(t, eventId, {
        email: 'b@x.org',
        organisation: null,
        country: 'CH',
        createdAt: '2026-11-01T00:00:00Z',
        status: 'waitlisted',
      });
      const c = await seed(t, eventId, {
        email: 'c@x.org',
        organisation: 'alpha',
        country: 'JP',
        createdAt: '2026-11-02T00:00:00Z',
      });
      const order = async (sort: 'registered' | 'organisation' | 'country' | 'status', dir: 'asc' | 'desc') =>
        (await registrationPage(t.db.pool, eventId, {}, { sort, dir, page: 1, perPage: 10 })).rows.map(
          (r) => r.id,
        );
      expect(await order('registered', 'desc')).toEqual([c, a, b]);
      expect(await order('registered', 'asc')).toEqual([b, a, c]);
      expect(await order('organisation', 'asc')).toEqual([c, a, b]);
      expect(await order('organisation', 'desc')).toEqual([a, c, b]);
      expect(await order('country', 'asc')).toEqual([b, a, c]);
      expect(await order('country', 'desc')).toEqual([c, a, b]);
      expect(await order('status', 'asc')).toEqual([a, c, b]);
    });

    it('when the list is split into pages, then total and pages count every match and a page past the end gives the last', async () => {
      for (let i = 1; i <= 7; i++) await seed(t, eventId, { email: `p${i}@x.org` });
      await seed(t, eventId, { email: 'gone@x.org', status: 'cancelled' });
      const opts = { sort: 'email' as const, dir: 'asc' as const, perPage: 3 };
      const first = await registrationPage(t.db.pool, eventId, { status: 'confirmed' }, { ...opts, page: 1 });
      expect(first).toMatchObject({ total: 7, page: 1, pages: 3 });
      expect(first.rows.map((r) => r.email)).toEqual(['p1@x.org', 'p2@x.org', 'p3@x.org']);
      const last = await registrationPage(t.db.pool, eventId, { status: 'confirmed' }, { ...opts, page: 3 });
      expect(last.rows.map((r) => r.email)).toEqual(['p7@x.org']);
      const past = await registrationPage(t.db.pool, eventId, { status: 'confirmed' }, { ...opts, page: 99 });
      expect(past).toMatchObject({ page: 3, pages: 3 });
      expect(past.rows.map((r) => r.email)).toEqual(['p7@x.org']);
      const none = await registrationPage(t.db.pool, eventId, { q: 'nobody' }, { ...opts, page: 1 });
      expect(none).toEqual({ rows: [], total: 0, page: 1, pages: 1 });
    });

    it('when a page is read, then rows carry the list fields in camelCase', async () => {
      await seed(t, eventId, {
        email: 'hanako@example.org',
        familyName: '山田',
        familyNameKana: 'ヤマダ',
        firstJoinedAt: '2026-12-16T06:01:00Z',
        createdAt: '2026-11-03T04:05:06Z',
      });
      const [row] = (
        await registrationPage(
          t.db.pool,
          eventId,
          {},
          { sort: 'registered', dir: 'desc', page: 1, perPage: 5 },
        )
      ).rows;
      expect(row).toMatchObject({
        email: 'hanako@example.org',
        familyName: '山田',
        familyNameKana: 'ヤマダ',
        givenNameKana: null,
        affiliation: 'cooperative',
        country: 'JP',
        status: 'confirmed',
        answers: {},
        joinClicks: 1,
        createdAt: new Date('2026-11-03T04:05:06Z'),
        firstJoinedAt: new Date('2026-12-16T06:01:00Z'),
      });
    });
  });

  describe('keyset slices for the API', () => {
    it('when every slice is walked with its cursor, then each matching row comes exactly once in registration order', async () => {
      // Several rows share an instant, and two differ by one microsecond (finer than a JS Date).
      const times = [
        '2026-11-01T00:00:00.000001Z',
        '2026-11-01T00:00:00Z',
        '2026-11-01T00:00:00Z',
        '2026-11-01T00:00:00.000002Z',
        '2026-11-02T00:00:00Z',
        '2026-11-02T00:00:00Z',
        '2026-11-03T00:00:00Z',
      ];
      const ids: number[] = [];
      for (const [i, at] of times.entries())
        ids.push(await seed(t, eventId, { email: `k${i}@x.org`, createdAt: at }));
      await seed(t, eventId, { email: 'w@x.org', status: 'waitlisted', createdAt: '2026-11-01T00:00:00Z' });
      const expected = [ids[1], ids[2], ids[0], ids[3], ids[4], ids[5], ids[6]];

      const seen: number[] = [];
      let cursor: string | undefined;
      let calls = 0;
      do {
        const slice = await registrationSlice(
          t.db.pool,
          eventId,
          { status: 'confirmed' },
          { cursor, limit: 2 },
        );
        seen.push(...slice.rows.map((r) => r.id));
        cursor = slice.nextCursor ?? undefined;
        expect(++calls).toBeLessThan(10);
      } while (cursor);
      expect(seen).toEqual(expected);
      expect(calls).toBe(4);
    });

    it('when a row is registered during the walk, then it shows up once at the end and nothing repeats', async () => {
      const a = await seed(t, eventId, { email: 'a@x.org', createdAt: '2026-11-01T00:00:00Z' });
      const b = await seed(t, eventId, { email: 'b@x.org', createdAt: '2026-11-02T00:00:00Z' });
      const first = await registrationSlice(t.db.pool, eventId, {}, { limit: 1 });
      const c = await seed(t, eventId, { email: 'c@x.org', createdAt: '2026-11-03T00:00:00Z' });
      const second = await registrationSlice(t.db.pool, eventId, {}, { cursor: first.nextCursor!, limit: 5 });
      expect(first.rows.map((r) => r.id)).toEqual([a]);
      expect(second.rows.map((r) => r.id)).toEqual([b, c]);
      expect(second.nextCursor).toBeNull();
    });

    it('when the cursor was tampered with, then the slice is refused as validation_failed', async () => {
      await seed(t, eventId, { email: 'a@x.org' });
      await seed(t, eventId, { email: 'b@x.org' });
      const { nextCursor } = await registrationSlice(t.db.pool, eventId, {}, { limit: 1 });
      expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const forged = Buffer.from(JSON.stringify({ at: "2026-11-01'; DROP TABLE x", id: 1 })).toString(
        'base64url',
      );
      for (const bad of [
        `${nextCursor!.slice(0, -3)}x!`,
        nextCursor!.slice(5),
        forged,
        'e30',
        'not a cursor',
      ]) {
        await expect(
          registrationSlice(t.db.pool, eventId, {}, { cursor: bad, limit: 1 }),
        ).rejects.toMatchObject({
          code: 'validation_failed',
          fields: { cursor: 'validation:invalid' },
        });
      }
    });
  });
});
