import request from 'supertest';
import { addEventMember, createApiToken, sessionActor, type Role, type User } from '../../src/accounts';
import { cancelEvent, createEvent, eventBySlug } from '../../src/events';
import { createTestAccount, signedInAgent } from '../helpers/admin';
import { eventDoc, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { eventRegistrants } from '../../src/registrations';

/**
 * The rules of a command live in its service, so every surface gives the same answer: the workspace,
 * the REST API, and a direct call (as the CLI or a job would make it).
 */

let t: TestApp;
let n = 0;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-11-01T00:00:00Z' });
});
afterAll(() => t.close());

/** An account of `role`, signed in to the workspace, with an API token acting as it. */
async function person(role: Role) {
  n += 1;
  const user: User = await createTestAccount(t.db.pool, { role, email: `${role}-rules-${n}@example.org` });
  const { agent, csrf } = await signedInAgent(t.app, user.email);
  const { token } = await createApiToken(
    t.db.pool,
    { name: `rules ${n}` },
    { now: t.clock.now(), by: sessionActor(user) },
  );
  return { user, agent, csrf, bearer: { Authorization: `Bearer ${token}` } };
}

describe('cancelling a draft', () => {
  it('when an organiser cancels a draft, then the workspace, the API and the service all refuse (409) and it stays a draft', async () => {
    const organiser = await person('organiser');
    const event = await makeEvent(t, { slug: 'rules-draft', status: 'draft' });
    await addEventMember(t.db.pool, event.id, organiser.user.id, t.clock.now());

    const workspace = await organiser.agent
      .post('/admin/events/rules-draft/cancel')
      .type('form')
      .send({ _csrf: organiser.csrf, confirm: 'yes' });
    expect(workspace.status).toBe(409);
    expect(workspace.text).toContain('Only a published event can be cancelled.');

    const api = await request(t.app).post('/api/v1/events/rules-draft/cancel').set(organiser.bearer);
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('conflict');
    expect(api.body.error.message).toBe('Only a published event can be cancelled.');

    await expect(
      cancelEvent(t.db.pool, 'rules-draft', { now: t.clock.now(), actor: 'cli' }, eventRegistrants),
    ).rejects.toMatchObject({ code: 'conflict' });

    expect((await eventBySlug(t.db.pool, 'rules-draft'))!.status).toBe('draft');
  });
});

describe('creating an event without the right to', () => {
  it('when a viewer creates an event, then the workspace, the API and the service all refuse (403) and nothing is created', async () => {
    const viewer = await person('viewer');
    const event = await makeEvent(t, { slug: 'rules-source', status: 'draft' });
    await addEventMember(t.db.pool, event.id, viewer.user.id, t.clock.now());

    const form = await viewer.agent
      .post('/admin/events/new')
      .type('form')
      .send({ _csrf: viewer.csrf, slug: 'rules-new' });
    expect(form.status).toBe(403);

    const api = await request(t.app)
      .post('/api/v1/events')
      .set(viewer.bearer)
      .send(eventDoc({ slug: 'rules-new' }));
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('forbidden');

    await expect(
      createEvent(
        t.db.pool,
        eventDoc({ slug: 'rules-new' }),
        { now: t.clock.now(), actor: 'someone' },
        eventRegistrants,
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      createEvent(
        t.db.pool,
        eventDoc({ slug: 'rules-new' }),
        {
          now: t.clock.now(),
          actor: viewer.user.email,
          userId: viewer.user.id,
          mayCreateEvents: false,
        },
        eventRegistrants,
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });

    expect(await eventBySlug(t.db.pool, 'rules-new')).toBeUndefined();
  });
});
