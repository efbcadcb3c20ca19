import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { ensureBuilt, freePort, start, waitFor200, waitUntil } from '../helpers/processes';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';

/**
 * A stop while work is in flight, as a service manager does it: SIGTERM while a request is half
 * received and a mail is in its SMTP exchange. Both must finish first, then the process exits 0.
 */

jest.setTimeout(120_000);

let db: TestDatabase;
let sink: SmtpSink;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  db = await createTestDatabase(2);
  sink = await startSmtpSink();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-stop-'));
});
afterAll(async () => {
  await sink.close();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const registration = (email: string) =>
  JSON.stringify({
    email,
    familyName: '山田',
    givenName: '花子',
    affiliation: 'cooperative',
    country: 'JP',
    locale: 'ja',
    interpretation: 'ja',
    consent: true,
  });

/** Sends the request line, headers and the first half of the body; returns how to send the rest. */
function halfSentRegistration(port: number, email: string) {
  const body = Buffer.from(registration(email));
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString()));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `POST /api/v1/events/tsunagaru-demo/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  );
  socket.write(body.subarray(0, 40));
  return {
    async finish(): Promise<string> {
      // As browsers do: the rest of the body, then wait for the answer (no half-close before it).
      socket.write(body.subarray(40));
      await ended;
      return answer;
    },
  };
}

it('when SIGTERM arrives while a request is half received and a mail is in its SMTP exchange, then both finish, the mail is recorded as sent, and the process exits 0 within 30 s', async () => {
  const port = await freePort();
  const app = start(process.execPath, ['dist/main.js'], {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
    BASE_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    SMTP_URL: sink.url,
    DATA_DIR: dir,
  });
  try {
    await waitFor200(`http://127.0.0.1:${port}/readyz`);
    // A confirmation that the SMTP server receives but does not answer yet: a mail in flight.
    sink.hold();
    const first = await fetch(`http://127.0.0.1:${port}/api/v1/events/tsunagaru-demo/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: registration('in-flight@example.org'),
    });
    expect(first.status).toBe(202);
    await waitUntil(() => sink.held().length === 1, 'the confirmation to reach the SMTP server');
    const request = halfSentRegistration(port, 'half-sent@example.org');
    await new Promise((r) => setTimeout(r, 200));

    const stopAsked = Date.now();
    app.child.kill('SIGTERM');
    await waitUntil(() => app.output().includes('"msg":"shutting down"'), 'the shutdown to begin');
    // The process waits for both: it is still there a second later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(app.child.exitCode).toBeNull();

    const answer = await request.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
    expect(sink.release()).toEqual({ answered: 1, dropped: 0 });
    expect(await app.exited).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(30_000);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
  expect(sink.received.map((m) => m.to)).toContain('in-flight@example.org');
  const mails = await db.pool.query<{ recipient: string; status: string }>(
    `SELECT r.email AS recipient, m.status FROM outgoing_mails m JOIN registrations r ON r.id = m.registration_id ORDER BY m.id`,
  );
  expect(mails.rows).toEqual([
    { recipient: 'in-flight@example.org', status: 'sent' },
    // Accepted during the stop: recorded with its mail, which a worker sends (this one, or the next).
    { recipient: 'half-sent@example.org', status: expect.stringMatching(/^(queued|sent)$/) },
  ]);
});
