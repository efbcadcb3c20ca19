import { eventBySlug } from '../../src/events';
import { createTestAccount, csrfFrom, signedInAgent } from '../helpers/admin';
import { eventDoc, importTestEvent, startTestApp, type TestApp } from '../helpers/app';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';

/** The workspace's Zoom page: link by id or join link, create on Zoom, Zoom's topic and time compared. */

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

async function organiser() {
  const admin = await createTestAccount(t.db.pool, { role: 'admin' });
  return signedInAgent(t.app, admin.email);
}

describe('the Zoom page of an event', () => {
  it('when an organiser pastes a join link of a webinar at another time, then it is linked and the difference is shown', async () => {
    await importTestEvent(t, eventDoc({ slug: 'linked' }));
    zoom.addSession({
      id: '85746065432',
      topic: 'Something else',
      start_time: '2026-12-16T07:00:00Z',
      duration: 60,
    });
    const { agent } = await organiser();
    const page = await agent.get('/admin/events/linked/zoom?lang=en');
    expect(page.status).toBe(200);
    const csrf = csrfFrom(page.text);
    const res = await agent
      .post('/admin/events/linked/zoom/link')
      .type('form')
      .send({ _csrf: csrf, kind: 'webinar', link: 'https://us02web.zoom.us/w/85746065432?tk=abc' });
    expect(res.status).toBe(303);
    expect((await eventBySlug(t.db.pool, 'linked'))!.zoom).toEqual({ kind: 'webinar', id: '85746065432' });
    const after = await agent.get('/admin/events/linked/zoom?lang=en&done=linked');
    expect(after.text).toContain('Something else');
    expect(after.text).toContain('data-zoom-warning="time"');
    expect(after.text).toContain('data-zoom-warning="topic"');
  });

  it('when the pasted text is not a Zoom id, or Zoom does not know it, then the page says so and nothing is linked', async () => {
    await importTestEvent(t, eventDoc({ slug: 'unlinked' }));
    const { agent } = await organiser();
    const csrf = csrfFrom((await agent.get('/admin/events/unlinked/zoom?lang=ja')).text);
    const bad = await agent
      .post('/admin/events/unlinked/zoom/link?lang=ja')
      .type('form')
      .send({ _csrf: csrf, kind: 'webinar', link: 'https://example.org/j/123' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Zoom のウェビナーまたはミーティングの ID');
    const unknown = await agent
      .post('/admin/events/unlinked/zoom/link?lang=en')
      .type('form')
      .send({ _csrf: csrf, kind: 'webinar', link: '999 9999 9999' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Zoom refused: Meeting does not exist.');
    expect((await eventBySlug(t.db.pool, 'unlinked'))!.zoom).toBeNull();
  });

  it('when an organiser presses "Create on Zoom", then the webinar is created with our time and the page shows it without warnings', async () => {
    await importTestEvent(t, eventDoc({ slug: 'created' }));
    const { agent } = await organiser();
    const csrf = csrfFrom((await agent.get('/admin/events/created/zoom')).text);
    const res = await agent
      .post('/admin/events/created/zoom/create')
      .type('form')
      .send({ _csrf: csrf, kind: 'meeting' });
    expect(res.status).toBe(303);
    const event = (await eventBySlug(t.db.pool, 'created'))!;
    expect(event.zoom?.kind).toBe('meeting');
    expect(zoom.session(event.zoom!.id)).toMatchObject({ kind: 'meetings', duration: 135 });
    const page = await agent.get('/admin/events/created/zoom?lang=en');
    expect(page.text).toContain(`data-zoom-linked="meeting:${event.zoom!.id}"`);
    expect(page.text).not.toContain('data-zoom-warning');
  });
});
