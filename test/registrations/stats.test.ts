import { registrationBreakdowns, registrationsPerDay } from '../../src/registrations';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';

/**
 * The statistics behind the organiser's charts, against a real PostgreSQL. Registrations are written
 * with plain SQL at chosen instants, so each test controls exactly which day (in which zone) they fall on.
 */

interface Row {
  at: string;
  status?: 'confirmed' | 'waitlisted' | 'cancelled';
  affiliation?: string;
  country?: string;
  locale?: 'en' | 'ja';
  interpretation?: 'en' | 'ja';
}

let seq = 0;

/** Inserts registrations for an event, each with its own address, created at the given instant. */
async function insertRegistrations(t: TestApp, eventId: number, rows: Row[]): Promise<void> {
  for (const r of rows) {
    seq += 1;
    await t.db.pool.query(
      `INSERT INTO registrations (event_id, status, email, family_name, given_name, affiliation, country, locale,
         interpretation, consented_at, created_at, updated_at, cancelled_at)
       VALUES ($1, $2, $3, 'Yamada', 'Hanako', $4, $5, $6, $7, $8, $8, $8, $9)`,
      [
        eventId,
        r.status ?? 'confirmed',
        `person${seq}@example.org`,
        r.affiliation ?? 'cooperative',
        r.country ?? 'JP',
        r.locale ?? 'ja',
        r.interpretation ?? 'ja',
        r.at,
        r.status === 'cancelled' ? r.at : null,
      ],
    );
  }
}

describe('registration statistics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
  });

  describe('registrationsPerDay', () => {
    it('when a registration is made at 2026-12-01T15:30Z, then it counts on 2 Dec in Tokyo and on 1 Dec in Zurich', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [{ at: '2026-12-01T15:30:00Z' }]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Asia/Tokyo')).toEqual([
        { day: '2026-12-02', count: 1 },
      ]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Europe/Zurich')).toEqual([
        { day: '2026-12-01', count: 1 },
      ]);
    });

    it('when registrations fall either side of midnight in Tokyo, then they are split at 15:00 UTC', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [
        { at: '2026-12-01T14:59:59Z' }, // 23:59:59 JST on 1 Dec
        { at: '2026-12-01T15:00:00Z' }, // 00:00:00 JST on 2 Dec
        { at: '2026-12-01T15:00:01Z' },
      ]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Asia/Tokyo')).toEqual([
        { day: '2026-12-01', count: 1 },
        { day: '2026-12-02', count: 2 },
      ]);
    });

    it('when Zurich has just moved to summer time, then the day follows CEST (UTC+2), not a fixed offset', async () => {
      const event = await makeEvent(t);
      // 29 Mar 2026 22:30 UTC is 30 Mar 00:30 CEST; with winter time's +1 it would still be 29 Mar.
      await insertRegistrations(t, event.id, [{ at: '2026-03-29T22:30:00Z' }]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Europe/Zurich')).toEqual([
        { day: '2026-03-30', count: 1 },
      ]);
    });

    it('when days pass without registrations, then they are listed with zero between the first and last day', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [
        { at: '2026-12-01T01:00:00Z' },
        { at: '2026-12-01T02:00:00Z' },
        { at: '2026-12-04T01:00:00Z' },
      ]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Asia/Tokyo')).toEqual([
        { day: '2026-12-01', count: 2 },
        { day: '2026-12-02', count: 0 },
        { day: '2026-12-03', count: 0 },
        { day: '2026-12-04', count: 1 },
      ]);
    });

    it('when the range spans a clock change, then every calendar day is listed exactly once', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [
        { at: '2026-03-20T12:00:00Z' },
        { at: '2026-04-05T12:00:00Z' },
      ]);
      const days = (await registrationsPerDay(t.db.pool, event.id, 'Europe/Zurich')).map((d) => d.day);
      expect(days).toHaveLength(17);
      expect(new Set(days).size).toBe(17);
      expect(days.slice(8, 11)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    });

    it('when some registrations were cancelled or waitlisted, then they still count on the day they were made', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [
        { at: '2026-12-01T01:00:00Z', status: 'cancelled' },
        { at: '2026-12-01T02:00:00Z', status: 'waitlisted' },
        { at: '2026-12-01T03:00:00Z' },
      ]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Asia/Tokyo')).toEqual([
        { day: '2026-12-01', count: 3 },
      ]);
    });

    it('when another event has registrations, then they are not counted, and an event without any gives []', async () => {
      const event = await makeEvent(t);
      const other = await makeEvent(t, { slug: 'other-event' });
      await insertRegistrations(t, other.id, [{ at: '2026-12-01T01:00:00Z' }]);
      expect(await registrationsPerDay(t.db.pool, event.id, 'Asia/Tokyo')).toEqual([]);
      expect(await registrationsPerDay(t.db.pool, other.id, 'Asia/Tokyo')).toEqual([
        { day: '2026-12-01', count: 1 },
      ]);
    });
  });

  describe('registrationBreakdowns', () => {
    it('when some registrations are cancelled, then only the live ones (confirmed and waitlisted) are counted', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [
        { at: '2026-12-01T01:00:00Z', country: 'JP', affiliation: 'academia', locale: 'en' },
        { at: '2026-12-01T02:00:00Z', country: 'CH', status: 'waitlisted', interpretation: 'en' },
        { at: '2026-12-01T03:00:00Z', country: 'FR', status: 'cancelled', affiliation: 'student' },
      ]);
      expect(await registrationBreakdowns(t.db.pool, event.id)).toEqual({
        affiliation: [
          { key: 'academia', count: 1 },
          { key: 'cooperative', count: 1 },
        ],
        country: [
          { key: 'CH', count: 1 },
          { key: 'JP', count: 1 },
        ],
        language: [
          { key: 'en', count: 1 },
          { key: 'ja', count: 1 },
        ],
        interpretation: [
          { key: 'en', count: 1 },
          { key: 'ja', count: 1 },
        ],
      });
    });

    it('when counts differ, then each breakdown is sorted by count (largest first), then by key', async () => {
      const event = await makeEvent(t);
      const rows: Row[] = [
        ...Array.from({ length: 3 }, () => ({
          at: '2026-12-01T01:00:00Z',
          country: 'US',
          affiliation: 'student',
        })),
        ...Array.from({ length: 2 }, () => ({
          at: '2026-12-01T01:00:00Z',
          country: 'CH',
          locale: 'en' as const,
        })),
        ...Array.from({ length: 2 }, () => ({
          at: '2026-12-01T01:00:00Z',
          country: 'BR',
          affiliation: 'other',
        })),
        { at: '2026-12-01T01:00:00Z', country: 'JP', affiliation: 'government', interpretation: 'en' },
      ];
      await insertRegistrations(t, event.id, rows);
      const b = await registrationBreakdowns(t.db.pool, event.id);
      expect(b.country).toEqual([
        { key: 'US', count: 3 },
        { key: 'BR', count: 2 },
        { key: 'CH', count: 2 },
        { key: 'JP', count: 1 },
      ]);
      expect(b.affiliation).toEqual([
        { key: 'student', count: 3 },
        { key: 'cooperative', count: 2 },
        { key: 'other', count: 2 },
        { key: 'government', count: 1 },
      ]);
      expect(b.language).toEqual([
        { key: 'ja', count: 6 },
        { key: 'en', count: 2 },
      ]);
      expect(b.interpretation).toEqual([
        { key: 'ja', count: 7 },
        { key: 'en', count: 1 },
      ]);
    });

    it('when every registration is cancelled, then every breakdown is empty', async () => {
      const event = await makeEvent(t);
      await insertRegistrations(t, event.id, [{ at: '2026-12-01T01:00:00Z', status: 'cancelled' }]);
      expect(await registrationBreakdowns(t.db.pool, event.id)).toEqual({
        affiliation: [],
        country: [],
        language: [],
        interpretation: [],
      });
    });
  });
});
