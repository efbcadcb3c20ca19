import request from 'supertest';
import { addEventMember, createAccount, type Role } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';
import {
  addEventFile,
  maxFileBytes,
  maxFilesPerEvent,
  sanitiseFileName,
  type EventRecord,
} from '../../src/events';
import { renderMail } from '../../src/delivery/render';
import { withFileMaterials } from '../../src/delivery/render-model';
import { createTransport } from '../../src/delivery/transport';
import { cancelRegistration, mintLinkToken } from '../../src/registrations';
import { encodeForm, formData, formSession, makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { eventRecord, eventDoc } from '../helpers/events';
import { deliverDue, linksIn, mailConfig } from '../helpers/mail';
import { startSmtpSink } from '../helpers/smtp';

/**
 * Uploaded PDF materials: organisers upload, list and delete them in the workspace; confirmed
 * registrants download them through their manage token, from the manage page and from their mails.
 */

const password = 'correct horse battery staple';
const japaneseName = '2026年 第1部 資料（最終版）.pdf';

/** A small but real-looking PDF with every byte value in it, so a mangled download shows. */
function pdf(label = 'slides'): Buffer {
  const bytes = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  return Buffer.concat([Buffer.from(`%PDF-1.7\n% ${label}\n`), bytes, Buffer.from('\n%%EOF\n')]);
}

/** An account of `role`, signed in through the real login form; its agent keeps the cookies. */
async function signedIn(t: TestApp, email: string, role: Role, eventIds: number[] = []) {
  const user = await withTransaction(t.db.pool, async (tx) => {
    const u = await createAccount(
      tx,
      { email, name: '', role, password, locale: 'en' },
      { now: t.clock.now(), by: 'cli' },
    );
    for (const id of eventIds) await addEventMember(tx, id, u.id, t.clock.now());
    return u;
  });
  const agent = request.agent(t.app);
  const page = await agent.get('/admin/login?lang=en');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error(`no CSRF token on the sign-in page (status ${page.status})`);
  const res = await agent.post('/admin/login').type('form').send({ _csrf: csrf, email, password });
  expect(res.status).toBe(303);
  // The workspace's token is bound to the session that signing in started.
  const signedInPage = await agent.get('/admin/tokens');
  return { agent, csrf: /name="_csrf" value="([^"]+)"/.exec(signedInPage.text)![1]!, user };
}

type Agent = ReturnType<typeof request.agent>;

/** Reads a response body as bytes (superagent has no parser for application/pdf). */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  // Superagent hands a parser the raw Node response stream, whatever the declared type says.
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Posts the upload form as a browser would: token and titles first, then the file. */
function upload(
  agent: Agent,
  slug: string,
  form: {
    csrf?: string;
    titleEn?: string;
    titleJa?: string;
    file?: Buffer;
    filename?: string;
    type?: string;
  },
) {
  let req = agent.post(`/admin/events/${slug}/files`);
  if (form.csrf !== undefined) req = req.field('_csrf', form.csrf);
  req = req.field('titleEn', form.titleEn ?? '').field('titleJa', form.titleJa ?? '');
  if (form.file) {
    req = req.attach('file', form.file, {
      filename: form.filename ?? 'slides.pdf',
      contentType: form.type ?? 'application/pdf',
    });
  }
  return req;
}

/** Registers through the public form and returns the registration id and a manage token for it. */
async function registrant(t: TestApp, slug: string, data: Record<string, string> = {}) {
  const { agent, token } = await formSession(t.app, slug);
  const res = await agent
    .post(`/events/${slug}/register`)
    .type('form')
    .send(encodeForm({ _csrf: token, ...formData(data) }));
  expect(res.status).toBe(303);
  const email = data.email ?? 'hanako@example.org';
  const { rows } = await t.db.pool.query<{ id: string; status: string }>(
    `SELECT r.id, r.status FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE e.slug = $1 AND r.email = $2`,
    [slug, email],
  );
  const id = Number(rows[0]!.id);
  const manage = await mintLinkToken(t.db.pool, {
    registrationId: id,
    purpose: 'manage',
    mailId: null,
    at: t.clock.now(),
  });
  return { id, status: rows[0]!.status, manage };
}

async function fileRows(t: TestApp) {
  return (
    await t.db.pool.query(
      `SELECT id, event_id, title, filename, content_type, size_bytes, sha256, data, created_by
         FROM event_files ORDER BY id`,
    )
  ).rows;
}

/** Stores a file through the service, as the upload would. */
async function storedFile(
  t: TestApp,
  event: EventRecord,
  title: { en?: string; ja?: string },
  name = 'a.pdf',
) {
  return addEventFile(
    t.db.pool,
    { eventId: event.id, title, filename: name, data: pdf(name) },
    { now: t.clock.now(), actor: 'test' },
  );
}

describe('event files: uploading and listing in the workspace', () => {
  let t: TestApp;
  let event: EventRecord;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, users, audit_log, sessions CASCADE');
    event = await makeEvent(t);
  });

  it('when an organiser uploads a PDF with a Japanese file name, then it is stored with its hash, listed under both titles, downloadable and audited', async () => {
    const { agent, csrf, user } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const bytes = pdf();
    const res = await upload(agent, event.slug, {
      csrf,
      titleEn: 'Keynote slides',
      titleJa: '基調講演スライド',
      file: bytes,
      filename: japaneseName,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/files?done=added`);

    const [row] = await fileRows(t);
    expect(row).toMatchObject({
      event_id: String(event.id),
      title: { en: 'Keynote slides', ja: '基調講演スライド' },
      filename: japaneseName,
      content_type: 'application/pdf',
      size_bytes: bytes.length,
      created_by: String(user.id),
    });
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.compare(row.data, bytes)).toBe(0);

    const page = await agent.get(res.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The file has been uploaded.');
    for (const text of ['Keynote slides', '基調講演スライド', japaneseName])
      expect(page.text).toContain(text);
    expect(page.text).toContain(`href="/admin/events/${event.slug}/files/${row.id}"`);

    const download = await agent
      .get(`/admin/events/${event.slug}/files/${row.id}`)
      .buffer(true)
      .parse(binary);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(download.body as Buffer, bytes)).toBe(0);

    const audit = await t.db.pool.query(
      `SELECT actor, user_id, data FROM audit_log WHERE action = 'event.file_added'`,
    );
    expect(audit.rows).toEqual([
      {
        actor: 'org@example.org',
        user_id: String(user.id),
        data: { fileId: Number(row.id), filename: japaneseName, sizeBytes: bytes.length },
      },
    ]);
  });

  it('when the upload is not a PDF by its content (whatever the browser says), then the page says so (422), keeps the titles and stores nothing', async () => {
    const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const res = await upload(agent, event.slug, {
      csrf,
      titleEn: 'Not really',
      file: Buffer.from('<html>hello</html>'),
      filename: 'slides.pdf',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This file is not a PDF.');
    expect(res.text).toContain('value="Not really"');
    expect(await fileRows(t)).toEqual([]);
    const audit = await t.db.pool.query(`SELECT 1 FROM audit_log WHERE action LIKE 'event.file%'`);
    expect(audit.rowCount).toBe(0);
  });

  it.each([
    ['no file', { titleEn: 'Slides' }, 'Choose a PDF file to upload.'],
    ['an empty file', { titleEn: 'Slides', file: Buffer.alloc(0) }, 'The chosen file is empty.'],
    ['no title in either language', { titleEn: '  ', file: pdf() }, 'Give the file a title'],
  ])(
    'when the upload has %s, then the page says so (422) and nothing is stored',
    async (_what, form, message) => {
      const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
      const res = await upload(agent, event.slug, { csrf, ...form });
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(await fileRows(t)).toEqual([]);
    },
  );

  it('when the upload is cut off half-way, then the page says it could not be read (422) and nothing is stored', async () => {
    const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const res = await agent
      .post(`/admin/events/${event.slug}/files?lang=en`)
      .set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send(
        `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n` +
          `--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n%PDF-1.4 cut off here`,
      );
    expect(res.status).toBe(422);
    expect(res.text).toContain('The upload could not be read.');
    expect(await fileRows(t)).toEqual([]);
  });

  it('when the file is over the 20 MB limit, then the page says so (413, no error page) and nothing is stored', async () => {
    const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const big = Buffer.alloc(maxFileBytes + 1, 0x20);
    big.write('%PDF-1.7\n');
    const res = await upload(agent, event.slug, { csrf, titleEn: 'Huge', file: big });
    expect(res.status).toBe(413);
    expect(res.text).toContain('The file is larger than 20 MB.');
    expect(res.text).toContain('value="Huge"');
    expect(await fileRows(t)).toEqual([]);
  });

  it('when the form carries no CSRF token, then it is refused (403) and nothing is stored', async () => {
    const { agent } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const res = await upload(agent, event.slug, { titleEn: 'Slides', file: pdf() });
    expect(res.status).toBe(403);
    expect(await fileRows(t)).toEqual([]);
  });

  it('when the event has its 30 files, then another upload is refused (409) with the limit', async () => {
    const { agent, csrf } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    for (let i = 0; i < maxFilesPerEvent; i++) await storedFile(t, event, { en: `File ${i}` }, `${i}.pdf`);
    const res = await upload(agent, event.slug, { csrf, titleEn: 'One more', file: pdf() });
    expect(res.status).toBe(409);
    expect(res.text).toContain('An event can have at most 30 files.');
    expect(await fileRows(t)).toHaveLength(maxFilesPerEvent);
  });

  it('when a viewer opens the files, then they see the list and can download, but uploading and deleting are refused (403)', async () => {
    const file = await storedFile(t, event, { en: 'Programme' }, 'programme.pdf');
    const { agent, csrf } = await signedIn(t, 'viewer@example.org', 'viewer', [event.id]);
    const page = await agent.get(`/admin/events/${event.slug}/files`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('programme.pdf');
    expect(page.text).not.toContain('enctype="multipart/form-data"');
    expect(page.text).not.toContain('/delete"');
    expect((await agent.get(`/admin/events/${event.slug}/files/${file.id}`)).status).toBe(200);

    const up = await upload(agent, event.slug, { csrf, titleEn: 'Mine', file: pdf() });
    expect(up.status).toBe(403);
    const del = await agent
      .post(`/admin/events/${event.slug}/files/${file.id}/delete`)
      .type('form')
      .send({ _csrf: csrf });
    expect(del.status).toBe(403);
    expect(await fileRows(t)).toHaveLength(1);
  });

  it('when someone not added to the event asks for its files, then there is no such event for them (404)', async () => {
    const file = await storedFile(t, event, { en: 'Programme' });
    const { agent } = await signedIn(t, 'stranger@example.org', 'organiser');
    expect((await agent.get(`/admin/events/${event.slug}/files`)).status).toBe(404);
    expect((await agent.get(`/admin/events/${event.slug}/files/${file.id}`)).status).toBe(404);
  });

  it('when an organiser deletes a file, then it is gone, audited, and its registrant link stops working', async () => {
    const file = await storedFile(t, event, { en: 'Programme' }, 'programme.pdf');
    const reg = await registrant(t, event.slug);
    expect((await request(t.app).get(`/manage/${reg.manage}/files/${file.id}`)).status).toBe(200);

    const { agent, csrf, user } = await signedIn(t, 'org@example.org', 'organiser', [event.id]);
    const res = await agent
      .post(`/admin/events/${event.slug}/files/${file.id}/delete`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/files?done=removed`);
    expect(await fileRows(t)).toEqual([]);
    const audit = await t.db.pool.query(
      `SELECT user_id, data FROM audit_log WHERE action = 'event.file_removed'`,
    );
    expect(audit.rows).toEqual([
      {
        user_id: String(user.id),
        data: { fileId: file.id, filename: 'programme.pdf', sizeBytes: file.sizeBytes },
      },
    ]);
    expect((await request(t.app).get(`/manage/${reg.manage}/files/${file.id}`)).status).toBe(404);
  });
});

describe('event files: registrants download them through their manage token', () => {
  let t: TestApp;
  let event: EventRecord;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    event = await makeEvent(t);
  });

  it('when a confirmed registrant follows a file link, then they get the exact bytes as a private, unsniffed attachment with the Japanese name intact', async () => {
    const bytes = pdf();
    const file = await addEventFile(
      t.db.pool,
      { eventId: event.id, title: { ja: '資料' }, filename: japaneseName, data: bytes },
      { now: t.clock.now(), actor: 'test' },
    );
    const reg = await registrant(t, event.slug);
    const res = await request(t.app).get(`/manage/${reg.manage}/files/${file.id}`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; /);
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent(japaneseName)}`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('when the registration is cancelled, on the waiting list or of another event, or the file id is not one, then the link is not valid (404) and the page lists no files', async () => {
    const file = await storedFile(t, event, { en: 'Slides' });
    const cancelled = await registrant(t, event.slug, { email: 'gone@example.org' });
    await cancelRegistration(t.db.pool, { token: cancelled.manage, now: t.clock.now() });

    const full = await makeEvent(t, { slug: 'small-room', capacity: 1, waitlist: true });
    await registrant(t, full.slug, { email: 'first@example.org' });
    const waiting = await registrant(t, full.slug, { email: 'second@example.org' });
    expect(waiting.status).toBe('waitlisted');
    await storedFile(t, full, { en: 'Small room slides' });

    const elsewhere = await makeEvent(t, { slug: 'another-event' });
    const other = await registrant(t, elsewhere.slug, { email: 'hanako@example.org' });
    const own = await registrant(t, event.slug);
    for (const path of [
      `/manage/${cancelled.manage}/files/${file.id}`,
      `/manage/${waiting.manage}/files/${file.id}`,
      `/manage/${other.manage}/files/${file.id}`,
      `/manage/${own.manage}/files/${file.id + 1000}`,
      `/manage/${own.manage}/files/not-an-id`,
      `/manage/${'C'.repeat(43)}/files/${file.id}`,
    ]) {
      const res = await request(t.app).get(`${path}?lang=en`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).toContain('This link is not valid');
      expect(res.headers['content-disposition']).toBeUndefined();
    }
    for (const token of [cancelled.manage, waiting.manage]) {
      const page = await request(t.app).get(`/manage/${token}?lang=en`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('/files/');
    }
  });

  it('when a confirmed registrant opens their manage page, then the link materials and files are listed in the page language, the other language as fallback', async () => {
    const ja = await storedFile(t, event, { en: 'Keynote slides', ja: '基調講演スライド' }, 'keynote.pdf');
    const enOnly = await storedFile(t, event, { en: 'Speaker biographies' }, 'bios.pdf');
    const reg = await registrant(t, event.slug, { locale: 'ja' });
    const page = await request(t.app).get(`/manage/${reg.manage}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="ja"');
    expect(page.text).toContain('https://materials.example/slides.pdf');
    expect(page.text).toContain(`href="/manage/${reg.manage}/files/${ja.id}"`);
    expect(page.text).toMatch(new RegExp(`files/${ja.id}" download>基調講演スライド</a>`));
    expect(page.text).toMatch(new RegExp(`files/${enOnly.id}" download lang="en">Speaker biographies</a>`));
    expect(page.text).not.toContain('Keynote slides');
  });

  it('when the confirmation mail goes out, then it lists the file with a link through its own manage token that downloads it', async () => {
    const sink = await startSmtpSink();
    const config = mailConfig(t, sink.url);
    const transport = createTransport(config);
    try {
      const file = await storedFile(
        t,
        event,
        { en: 'Keynote slides', ja: '基調講演スライド' },
        'keynote.pdf',
      );
      await registrant(t, event.slug, { locale: 'en' });
      expect(await deliverDue(t, transport, config)).toEqual(['sent']);
      const [mail] = await sink.waitFor(1);
      const manage = linksIn(mail!.parsed).manage!;
      const fileUrl = `${manage}/files/${file.id}`;
      expect(mail!.parsed.text).toContain(`Keynote slides\n${fileUrl}`);
      expect(mail!.parsed.html).toContain(`href="${fileUrl}"`);
      const res = await request(t.app).get(new URL(fileUrl).pathname).buffer(true).parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
    } finally {
      transport.close();
      await sink.close();
    }
  });
});

describe('event files: pure parts', () => {
  it('when a confirmation is rendered with uploaded files, then they follow the link materials, linked through the manage token; a waitlisted mail lists none', () => {
    const manage = 'https://events.example/manage/M4nage-T0ken-0123456789abcdefghijkl';
    const event = withFileMaterials(
      eventRecord(eventDoc()),
      [{ id: 7, title: { en: 'Keynote slides', ja: '基調講演スライド' } }],
      manage,
    );
    const input = {
      kind: 'registration.confirmed' as const,
      lang: 'ja' as const,
      event,
      registration: {
        familyName: '山田',
        givenName: '花子',
        email: 'hanako@example.org',
        status: 'confirmed' as const,
        interpretation: 'ja' as const,
        locale: 'ja' as const,
      },
      links: { eventPage: 'https://events.example/events/x', manage },
    };
    const mail = renderMail(input);
    expect(mail.text).toContain(
      `スライド\nhttps://materials.example/slides.pdf\n・基調講演スライド\n${manage}/files/7`,
    );
    expect(mail.html).toContain(`href="${manage}/files/7"`);
    const waitlisted = renderMail({
      ...input,
      kind: 'registration.waitlisted',
      registration: { ...input.registration, status: 'waitlisted' },
    });
    expect(waitlisted.text).not.toContain('/files/');
    expect(
      withFileMaterials(eventRecord(eventDoc()), [{ id: 7, title: { en: 'x' } }], undefined).materials,
    ).toEqual(eventDoc().materials);
  });

  it.each([
    ['C:\\Users\\hanako\\Desktop\\資料.pdf', '資料.pdf'],
    ['../../etc/passwd', 'passwd.pdf'],
    ['report\u202Efdp.exe', 'reportfdp.exe.pdf'],
    ['a\nb\tc.PDF', 'abc.pdf'],
    ['what?: "quoted" <x>.pdf', 'what__ _quoted_ _x_.pdf'],
    ['  .hidden.pdf ', 'hidden.pdf'],
    ['', 'file.pdf'],
    ['.pdf', 'file.pdf'],
  ])('when the uploaded file is named %j, then it is stored as %j', (name, stored) => {
    expect(sanitiseFileName(name)).toBe(stored);
  });

  it('when the uploaded file name is very long, then it is cut to 120 characters, still ending in .pdf', () => {
    expect(sanitiseFileName(`${'長'.repeat(300)}.pdf`)).toBe(`${'長'.repeat(116)}.pdf`);
  });
});
