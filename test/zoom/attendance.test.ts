import request from 'supertest';
import { mintLinkToken, registrationById, registrationCounts } from '../../src/registrations';
import { createTestAccount, csrfFrom, signedInAgent } from '../helpers/admin';
import {
  encodeForm,
  eventDoc,
  formData,
  formSession,
  importTestEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';

/**
 * "Attended": minutes on Zoom (report pulled over pages, or Zoom's CSV) when Zoom data exists, else a
 * join click from 30 minutes before the start to the end.
 */

const WEBINAR = '81234567890';
let zoom: FakeZoom;
let t: TestApp;

beforeAll(async () => {
  zoom = await startFakeZoom();
  t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: zoom.env });
});
afterAll(async () => {
  await t.close();
  await zoom.close();
});
beforeEach(async () => {
  t.clock.set('2026-12-01T00:00:00Z');
  await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
});

async function register(email: string) {
  const { agent, token } = await formSession(t.app, 'tsunagaru-test');
  const res = await agent
    .post('/events/tsunagaru-test/register')
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData({ email }) }));
  expect(res.status).toBe(303);
  const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations WHERE email = $1', [
    email,
  ]);
  return Number(rows[0]!.id);
}

async function organiser() {
  const admin = await createTestAccount(t.db.pool, { role: 'admin' });
  return signedInAgent(t.app, admin.email);
}

describe('attendance from Zoom', () => {
  it('when the report is pulled over two pages, then minutes add up per registrant and decide "attended"', async () => {
    const { event } = await importTestEvent(
      t,
      eventDoc({ zoom: { kind: 'webinar', id: WEBINAR }, attendanceMinutes: 15 }),
    );
    const a = await register('a@example.org');
    const b = await register('b@example.org');
    const stay = (email: string, seconds: number, registrant_id = '') => ({
      id: 'x',
      name: email,
      user_email: email,
      registrant_id,
      join_time: '2026-12-16T06:00:00Z',
      leave_time: '2026-12-16T07:00:00Z',
      duration: seconds,
    });
    // a: two stays of 10 minutes (rejoined); b: 5 minutes; a stranger.
    zoom.setReport(
      WEBINAR,
      [
        stay('a@example.org', 600),
        stay('b@example.org', 300),
        stay('A@example.org', 600),
        stay('who@example.org', 3000),
      ],
      2,
    );
    t.clock.set('2026-12-16T09:00:00Z');
    const { agent } = await organiser();
    const csrf = csrfFrom((await agent.get('/admin/events/tsunagaru-test/zoom')).text);
    const res = await agent
      .post('/admin/events/tsunagaru-test/zoom/report?lang=en')
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-zoom-matched="2"');
    expect(res.text).toContain('who@example.org');
    expect(zoom.callsTo(/report/).map((c) => c.query.next_page_token)).toEqual([undefined, 'page-2']);
    expect(await registrationById(t.db.pool, a)).toMatchObject({ minutesAttended: 20, attended: true });
    expect(await registrationById(t.db.pool, b)).toMatchObject({ minutesAttended: 5, attended: false });
    const counts = await registrationCounts(t.db.pool, event.id, { joined: true });
    expect(counts).toMatchObject({ joined: 1, matching: 1 });

    const auth = await createTestAccount(t.db.pool, { role: 'admin' });
    const signed = await signedInAgent(t.app, auth.email);
    const csv = await signed.agent.get('/admin/events/tsunagaru-test/attendees/export?format=csv&lang=en');
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toContain('Minutes attended (Zoom)');
    expect(lines.find((l) => l.includes('a@example.org'))).toMatch(/,20$/);
  });

  it('when Zoom’s participant CSV is uploaded (Japanese headers, a summary first), then rows are matched by e-mail and the rest summarised', async () => {
    const { event } = await importTestEvent(t, eventDoc());
    const a = await register('hanako@example.org');
    const csv = [
      'ミーティングID,トピック,開始時刻',
      '812 3456 7890,TSUNAGARU,2026/12/16 15:00:00',
      '',
      '名前（元の名前）,ユーザーメール,参加時刻,退出時刻,期間（分）,ゲスト',
      '山田 花子,Hanako@Example.org,2026/12/16 15:00:00,2026/12/16 15:30:00,30,いいえ',
      '"Someone, Else",else@example.org,2026/12/16 15:00:00,2026/12/16 15:02:00,2,はい',
    ].join('\r\n');
    const { agent } = await organiser();
    const csrf = csrfFrom((await agent.get('/admin/events/tsunagaru-test/attendees')).text);
    const res = await agent
      .post('/admin/events/tsunagaru-test/attendees/zoom-csv?lang=en')
      .field('_csrf', csrf)
      .attach('file', Buffer.from('\uFEFF' + csv), { filename: 'participants.csv', contentType: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-zoom-matched="1"');
    expect(res.text).toContain('else@example.org');
    expect(await registrationById(t.db.pool, a)).toMatchObject({ minutesAttended: 30, attended: true });
    expect((await registrationCounts(t.db.pool, event.id, {})).joined).toBe(1);
  });

  it('when the CSV has English headers in another case, then it is read too; a file without the columns is refused', async () => {
    await importTestEvent(t, eventDoc());
    const a = await register('taro@example.org');
    const { agent } = await organiser();
    const csrf = csrfFrom((await agent.get('/admin/events/tsunagaru-test/attendees')).text);
    const english =
      'Name (Original Name),USER EMAIL,Join Time,Leave Time,Duration (Minutes)\nTaro,taro@example.org,x,y,4\n';
    const ok = await agent
      .post('/admin/events/tsunagaru-test/attendees/zoom-csv')
      .field('_csrf', csrf)
      .attach('file', Buffer.from(english), { filename: 'p.csv', contentType: 'text/csv' });
    expect(ok.status).toBe(200);
    expect(await registrationById(t.db.pool, a)).toMatchObject({ minutesAttended: 4, attended: false });
    const bad = await agent
      .post('/admin/events/tsunagaru-test/attendees/zoom-csv?lang=ja')
      .field('_csrf', csrf)
      .attach('file', Buffer.from('a,b\n1,2\n'), { filename: 'p.csv', contentType: 'text/csv' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('メールアドレスと時間（分）の列がありません');
  });
});

describe('attendance from join clicks (no Zoom data)', () => {
  it('when the join link is clicked two weeks early, then it is kept but does not count; 20 minutes before the start it does', async () => {
    const { event } = await importTestEvent(t, eventDoc());
    const id = await register('click@example.org');
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM registrations');
    expect(Number(rows[0]!.id)).toBe(id);
    // The join token comes from the confirmation mail; mint one the same way the mail does.
    const token = await mintLinkToken(t.db.pool, {
      registrationId: id,
      purpose: 'join',
      mailId: null,
      at: t.clock.now(),
    });
    t.clock.set('2026-12-01T00:00:00Z');
    expect((await request(t.app).get(`/join/${token}`)).status).toBe(302);
    expect(await registrationById(t.db.pool, id)).toMatchObject({ joinClicks: 1, attended: false });
    expect((await registrationCounts(t.db.pool, event.id, {})).joined).toBe(0);
    t.clock.set('2026-12-16T05:40:00Z'); // 15:00 JST start minus 20 minutes
    expect((await request(t.app).get(`/join/${token}`)).status).toBe(302);
    expect(await registrationById(t.db.pool, id)).toMatchObject({ joinClicks: 2, attended: true });
    expect((await registrationCounts(t.db.pool, event.id, { joined: true })).matching).toBe(1);
  });
});
