import request from 'supertest';
import { Resvg } from '@resvg/resvg-js';
import { createAccount, type Role } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import { createTransport } from '../../src/delivery/transport';
import { exportEvent, type EventRecord } from '../../src/events';
import {
  encodeForm,
  formData,
  formSession,
  importTestEvent,
  makeEvent,
  startTestApp,
  type TestApp,
} from '../helpers/app';
import { deliverDue, mailConfig } from '../helpers/mail';
import { startSmtpSink } from '../helpers/smtp';

/**
 * The organiser profile: the installation's name, accent and logo in the workspace, each event's
 * override and cover, what the public pages and mails show of them, and what is refused.
 */

const password = 'correct horse battery staple';

/** A real PNG of `width` x `height`, drawn by the same renderer the server uses for SVG logos. */
function png(width = 120, height = 40, fill = '#7a1f5c'): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="${fill}"/></svg>`;
  return new Resvg(svg).render().asPng();
}

const cleanSvg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="30" viewBox="0 0 90 30"><circle cx="15" cy="15" r="12" fill="#1b6e3a"/></svg>',
);
const scriptSvg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="30"><script>alert(1)</script><rect width="9" height="9"/></svg>',
);

type Agent = ReturnType<typeof request.agent>;

async function signedIn(t: TestApp, email: string, role: Role): Promise<{ agent: Agent; csrf: string }> {
  await withTransaction(t.db.pool, (tx) =>
    createAccount(tx, { email, name: '', role, password, locale: 'en' }, { now: t.clock.now(), by: 'cli' }),
  );
  const agent = request.agent(t.app);
  const page = await agent.get('/admin/login?lang=en');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  expect((await agent.post('/admin/login').type('form').send({ _csrf: csrf, email, password })).status).toBe(
    303,
  );
  const after = await agent.get('/admin/tokens');
  return { agent, csrf: /name="_csrf" value="([^"]+)"/.exec(after.text)![1]! };
}

/** Posts a branding form as a browser would: token and texts first, then the files. */
function postBranding(
  agent: Agent,
  path: string,
  form: { csrf: string; en?: string; ja?: string; accent?: string; removeLogo?: boolean; lang?: string },
  files: { logo?: [Buffer, string, string]; cover?: [Buffer, string, string] } = {},
) {
  let req = agent
    .post(`${path}?lang=${form.lang ?? 'en'}`)
    .field('_csrf', form.csrf)
    .field('organisationEn', form.en ?? '')
    .field('organisationJa', form.ja ?? '')
    .field('accent', form.accent ?? '');
  if (form.removeLogo) req = req.field('removeLogo', 'yes');
  for (const kind of ['logo', 'cover'] as const) {
    const f = files[kind];
    if (f) req = req.attach(kind, f[0], { filename: f[1], contentType: f[2] });
  }
  return req;
}

function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

async function profileRow(t: TestApp) {
  return (await t.db.pool.query('SELECT organisation, accent, logo FROM installation_branding')).rows[0];
}
/** Sets the installation profile directly (other tests' TRUNCATE … CASCADE may have removed its row). */
async function setProfile(t: TestApp, organisation: string, accent: string | null) {
  await t.db.pool.query(
    `INSERT INTO installation_branding (id, organisation, accent, logo) VALUES (true, $1, $2, NULL)
     ON CONFLICT (id) DO UPDATE SET organisation = $1, accent = $2, logo = NULL`,
    [organisation, accent],
  );
}
async function imageCount(t: TestApp): Promise<number> {
  return (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM branding_images')).rows[0]!.n;
}

describe('organiser profile: the installation profile in the workspace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query(
      'TRUNCATE events, registrations, users, audit_log, sessions, branding_images CASCADE',
    );
    await setProfile(t, '{}', null);
  });

  it('when the accent is too light, then the form says its ratio in English and Japanese (422) and nothing is saved', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const en = await postBranding(
      agent,
      '/admin/branding',
      { csrf, en: 'ILO', accent: '#cccccc' },
      {
        logo: [png(), 'logo.png', 'image/png'],
      },
    );
    expect(en.status).toBe(422);
    expect(en.text).toContain('This colour has a contrast of 1.6:1 against white');
    const ja = await postBranding(agent, '/admin/branding', { csrf, accent: '#ccc', lang: 'ja' });
    expect(ja.status).toBe(422);
    expect(ja.text).toContain('白に対するコントラスト比は 1.6:1 です');
    expect(await profileRow(t)).toEqual({ organisation: {}, accent: null, logo: null });
    expect(await imageCount(t)).toBe(0);
  });

  it('when an SVG logo holds a script, then it is refused naming the script, and nothing is stored', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const res = await postBranding(
      agent,
      '/admin/branding',
      { csrf, en: 'ILO' },
      {
        logo: [scriptSvg, 'logo.svg', 'image/svg+xml'],
      },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('This SVG was refused because it contains scripts.');
    expect(await imageCount(t)).toBe(0);
    expect((await profileRow(t)).organisation).toEqual({});
  });

  it('when the logo is not an image or is too large, then it is refused (422, 413) and nothing is stored', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const pdf = await postBranding(
      agent,
      '/admin/branding',
      { csrf },
      {
        logo: [Buffer.from('%PDF-1.7\n%%EOF\n'), 'logo.png', 'image/png'],
      },
    );
    expect(pdf.status).toBe(422);
    expect(pdf.text).toContain('This file is not an image we accept');
    const big = Buffer.concat([png(), Buffer.alloc(3 * 1024 * 1024)]);
    const tooBig = await postBranding(
      agent,
      '/admin/branding',
      { csrf },
      { logo: [big, 'big.png', 'image/png'] },
    );
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toContain('The file is too large');
    const overLogo = Buffer.concat([png(), Buffer.alloc(1200 * 1024)]);
    const tooBigLogo = await postBranding(
      agent,
      '/admin/branding',
      { csrf },
      { logo: [overLogo, 'l.png', 'image/png'] },
    );
    expect(tooBigLogo.status).toBe(422);
    expect(await imageCount(t)).toBe(0);
  });

  it('when an admin saves a PNG logo, then it is served under its hash with long caching and nosniff, and audited', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const bytes = png(160, 40);
    const res = await postBranding(
      agent,
      '/admin/branding',
      { csrf, en: 'ILO Office for Japan', ja: 'ILO駐日事務所', accent: '#7A1F5C' },
      {
        logo: [bytes, 'logo.png', 'image/png'],
      },
    );
    expect(res.status).toBe(303);
    const row = await profileRow(t);
    expect(row).toMatchObject({
      organisation: { en: 'ILO Office for Japan', ja: 'ILO駐日事務所' },
      accent: '#7a1f5c',
    });
    expect(row.logo).toMatchObject({ contentType: 'image/png', width: 160, height: 40 });
    const url = `/branding/images/${row.logo.id}-${row.logo.sha256.slice(0, 16)}.png`;
    const page = await agent.get('/admin/branding');
    expect(page.text).toContain(url);
    const image = await request(t.app).get(url).buffer(true).parse(binary);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(image.body as Buffer, bytes)).toBe(0);
    const mailPng = await request(t.app).get(url.replace('.png', '.mail.png'));
    expect(mailPng.status).toBe(200);
    expect((await request(t.app).get(url.replace(row.logo.sha256.slice(0, 4), '0000'))).status).toBe(404);
    const audit = await t.db.pool.query(
      `SELECT action, data FROM audit_log WHERE action = 'branding.updated'`,
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].data.changed).toEqual(['organisation', 'accent', 'logo']);
  });

  it('when an SVG logo is clean, then it is served with a locked-down policy and mails get a PNG of it; removing it clears it', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    expect(
      (await postBranding(agent, '/admin/branding', { csrf }, { logo: [cleanSvg, 'l.svg', 'image/svg+xml'] }))
        .status,
    ).toBe(303);
    const { logo } = await profileRow(t);
    expect(logo).toMatchObject({ contentType: 'image/svg+xml', width: 90, height: 30 });
    const base = `/branding/images/${logo.id}-${logo.sha256.slice(0, 16)}`;
    const svg = await request(t.app).get(`${base}.svg`);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    const mail = await request(t.app).get(`${base}.mail.png`).buffer(true).parse(binary);
    expect(mail.headers['content-type']).toBe('image/png');
    expect((mail.body as Buffer).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect((mail.body as Buffer).readUInt32BE(20)).toBe(80);
    expect((await postBranding(agent, '/admin/branding', { csrf, removeLogo: true })).status).toBe(303);
    expect((await profileRow(t)).logo).toBeNull();
  });

  it('when an organiser opens or posts the profile, then it is forbidden', async () => {
    const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser');
    expect((await agent.get('/admin/branding')).status).toBe(403);
    expect((await postBranding(agent, '/admin/branding', { csrf, accent: '#7a1f5c' })).status).toBe(403);
    expect((await profileRow(t)).accent).toBeNull();
  });
});

describe('organiser profile: events, public pages and mails', () => {
  let t: TestApp;
  let branded: EventRecord;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query(
      'TRUNCATE events, registrations, users, audit_log, sessions, branding_images CASCADE',
    );
    await setProfile(t, '{"en": "House Org", "ja": "本部"}', '#1b6e3a');
    branded = await makeEvent(t, { slug: 'branded' });
    await makeEvent(t, { slug: 'plain' });
  });

  it('when an event sets its own name, accent, logo and cover, then its page shows them and other events keep the installation profile', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const res = await postBranding(
      agent,
      '/admin/events/branded/branding',
      { csrf, en: 'Event Org', ja: 'イベント団体', accent: '#7a1f5c' },
      {
        logo: [png(120, 40), 'logo.png', 'image/png'],
        cover: [png(1200, 400, '#334455'), 'cover.png', 'image/png'],
      },
    );
    expect(res.status).toBe(303);
    const page = await request(t.app).get('/events/branded?lang=en');
    expect(page.text).toContain('href="/branding/accent-7a1f5c.css"');
    expect(page.text).toContain('Event Org');
    expect(page.text).toMatch(
      /<img class="cover" src="\/branding\/images\/\d+-[0-9a-f]{16}\.png" width="1200" height="400" alt="">/,
    );
    expect(page.text).toMatch(
      /<img class="brand-logo" src="\/branding\/images\/\d+-[0-9a-f]{16}\.png" width="120" height="40" alt="">/,
    );
    const ja = await request(t.app).get('/events/branded?lang=ja');
    expect(ja.text).toContain('イベント団体');
    const other = await request(t.app).get('/events/plain?lang=en');
    expect(other.text).toContain('href="/branding/accent-1b6e3a.css"');
    expect(other.text).toContain('House Org');
    expect(other.text).not.toContain('class="cover"');
    const css = await request(t.app).get('/branding/accent-7a1f5c.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.text).toContain('--accent:#7a1f5c;--accent-dark:#551640;');
    expect((await request(t.app).get('/branding/accent-eeeeee.css')).status).toBe(404);
    const audit = await t.db.pool.query(
      `SELECT event_id, data FROM audit_log WHERE action = 'event.branding_updated'`,
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].event_id).toBe(String(branded.id));
    expect(audit.rows[0].data.changed).toEqual(['organisation', 'accent', 'logo', 'cover']);
  });

  it('when nothing is branded, then the page looks as before: the site name, no accent sheet, no cover', async () => {
    await setProfile(t, '{}', null);
    const page = await request(t.app).get('/events/plain?lang=en');
    expect(page.text).toContain('<span class="brand-name">Tsunagaru</span>');
    expect(page.text).not.toContain('/branding/');
  });

  it('when a cover is not a PNG or JPEG, then it is refused and the event keeps what it had', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    const res = await postBranding(
      agent,
      '/admin/events/branded/branding',
      { csrf, en: 'Event Org' },
      {
        cover: [cleanSvg, 'cover.svg', 'image/svg+xml'],
      },
    );
    expect(res.status).toBe(422);
    const row = (
      await t.db.pool.query('SELECT brand_organisation, brand_cover FROM events WHERE id = $1', [branded.id])
    ).rows[0];
    expect(row).toEqual({ brand_organisation: {}, brand_cover: null });
  });

  it('when an event document carries branding, then it round-trips through import and export, and a light accent is refused with its ratio', async () => {
    const doc = {
      ...(await exportEvent(t.db.pool, 'plain')),
      branding: { organisation: { en: 'JSON Org' }, accent: '#7A1F5C' },
    };
    await importTestEvent(t, doc);
    expect((await exportEvent(t.db.pool, 'plain')).branding).toEqual({
      organisation: { en: 'JSON Org' },
      accent: '#7a1f5c',
    });
    await expect(importTestEvent(t, { ...doc, branding: { accent: '#cccccc' } })).rejects.toMatchObject({
      code: 'validation_failed',
      params: {
        issues: [
          { path: '$.branding.accent', key: 'validation:event.accentContrast', params: { ratio: 1.6 } },
        ],
      },
    });
  });

  it('when a branded event confirms a registration, then the mail carries its accent, the logo PNG URL and the organisation name', async () => {
    const { agent, csrf } = await signedIn(t, 'admin@example.org', 'admin');
    await postBranding(
      agent,
      '/admin/events/branded/branding',
      { csrf, en: 'Event Org', ja: 'イベント団体', accent: '#7a1f5c' },
      {
        logo: [cleanSvg, 'logo.svg', 'image/svg+xml'],
      },
    );
    const sink = await startSmtpSink();
    const config = mailConfig(t, sink.url);
    const transport = createTransport(config);
    try {
      const { agent: visitor, token } = await formSession(t.app, 'branded');
      const reg = await visitor
        .post('/events/branded/register')
        .type('form')
        .send(encodeForm({ _csrf: token, ...formData({ locale: 'en' }) }));
      expect(reg.status).toBe(303);
      // The thank-you page wears the event's branding too.
      const thanks = await visitor.get(String(reg.headers.location));
      expect(thanks.text).toContain('href="/branding/accent-7a1f5c.css"');
      expect(thanks.text).toContain('Event Org');
      expect(await deliverDue(t, transport, config)).toEqual(['sent']);
      const [mail] = await sink.waitFor(1);
      const html = String(mail!.parsed.html);
      expect(html).toContain('background:#7a1f5c');
      expect(html).toContain('color:#7a1f5c');
      expect(html).not.toContain('#0b5cad');
      const logo = /<img src="([^"]+\.mail\.png)" width="(\d+)" height="40" alt="([^"]*)"/.exec(html);
      expect(logo).not.toBeNull();
      expect(logo![1]).toMatch(
        new RegExp(`^${config.baseUrl}/branding/images/\\d+-[0-9a-f]{16}\\.mail\\.png$`),
      );
      expect(logo![3]).toBe('Event Org');
      expect(mail!.parsed.text).toMatch(/^Event Org\n/);
      const served = await request(t.app).get(new URL(logo![1]!).pathname);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('image/png');
    } finally {
      transport.close();
      await sink.close();
    }
  });
});
