import { DateTime } from 'luxon';
import { seedDemoEvent } from '../../src/events';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

describe('the demo event', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  const eventRow = async () =>
    (
      await db.pool.query(
        `SELECT slug, status, capacity, timezone, starts_at, ends_at, registration_closes_at, title, description
           FROM events`,
      )
    ).rows;

  it('when the first start has no events, then the published bilingual demo starts 28 days later at 15:00–17:15 Tokyo time and closes two days earlier at 23:59', async () => {
    const now = new Date('2026-11-21T02:00:00Z'); // 11:00 on Sat 21 Nov in Tokyo
    expect(await seedDemoEvent(db.pool, now)).toBe(true);
    const [e] = await eventRow();
    expect(e).toMatchObject({
      slug: 'tsunagaru-demo',
      status: 'published',
      capacity: 500,
      timezone: 'Asia/Tokyo',
    });
    expect(e.title.en).toMatch(/TSUNAGARU/);
    expect(e.title.ja).toMatch(/つながる/);
    const tokyo = (d: Date) => DateTime.fromJSDate(d, { zone: 'Asia/Tokyo' }).toFormat('yyyy-MM-dd HH:mm');
    expect(tokyo(e.starts_at)).toBe('2026-12-19 15:00');
    expect(tokyo(e.ends_at)).toBe('2026-12-19 17:15');
    expect(tokyo(e.registration_closes_at)).toBe('2026-12-17 23:59');
  });

  it('when the demo describes the June 2022 conference, then it speaks of it in the past, as the event lies after it', async () => {
    await seedDemoEvent(db.pool, new Date('2026-11-21T02:00:00Z'));
    const [e] = await eventRow();
    expect(e.description.en).toContain('in June 2022, the ILO held a General Discussion');
    expect(e.description.en).not.toMatch(/will hold/);
    expect(e.description.ja).toContain('一般討議が行われました。');
    expect(e.description.ja).not.toContain('一般討議が行われます');
  });

  it('when two processes start at once, then one demo is created', async () => {
    const now = new Date('2026-11-21T02:00:00Z');
    const results = await Promise.all([seedDemoEvent(db.pool, now), seedDemoEvent(db.pool, now)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await eventRow()).toHaveLength(1);
  });

  it('when the organiser deleted the demo, then a later start does not bring it back', async () => {
    await seedDemoEvent(db.pool, new Date('2026-11-21T02:00:00Z'));
    await db.pool.query('DELETE FROM events');
    expect(await seedDemoEvent(db.pool, new Date('2026-11-22T02:00:00Z'))).toBe(false);
    expect(await eventRow()).toHaveLength(0);
  });
});
