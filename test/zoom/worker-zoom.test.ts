import { startWorker, type Worker } from '../../src/worker/worker';
import {
  encodeForm,
  eventDoc,
  formData,
  formSession,
  importTestEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { fastRetries, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { startFakeZoom, type FakeZoom } from '../helpers/fake-zoom';

/** The whole way through a running worker: form → zoom-sync job → Zoom → the mail with the own link. */

let zoom: FakeZoom;
let t: TestApp;
let sink: SmtpSink;
let worker: Worker | undefined;

beforeAll(async () => {
  zoom = await startFakeZoom();
  t = await startTestApp({ now: '2026-12-01T00:00:00Z', env: zoom.env });
  sink = await startSmtpSink();
});
afterAll(async () => {
  await worker?.stop();
  await sink.close();
  await t.close();
  await zoom.close();
});

it('when someone registers for an event on Zoom, then the running worker registers them and the confirmation carries their own Zoom link', async () => {
  zoom.addSession({ id: '81234567890' });
  await importTestEvent(t, eventDoc({ zoom: { kind: 'webinar', id: '81234567890' } }));
  worker = await startWorker(t.db.pool, {
    config: mailConfig(t, sink.url, zoom.env),
    now: t.clock.now,
    retryPolicy: fastRetries,
    pollingSeconds: 0.5,
  });
  const { agent, token } = await formSession(t.app, 'tsunagaru-test');
  const res = await agent
    .post('/events/tsunagaru-test/register')
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData({ email: 'kenji@example.org', givenName: 'Kenji' }) }));
  expect(res.status).toBe(303);
  const [mail] = await sink.waitFor(1, 30_000);
  const registered = zoom.session('81234567890')!.registrants;
  expect(registered).toEqual([
    expect.objectContaining({ email: 'kenji@example.org', first_name: 'Kenji', status: 'approved' }),
  ]);
  expect(mail!.parsed.text).toContain(`https://us02web.zoom.us/w/81234567890?tk=${registered[0]!.id}`);
}, 60_000);
