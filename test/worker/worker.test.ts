import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { registerAttendee } from '../../src/registrations';
import { startWorker, type Worker } from '../../src/worker/worker';
import { makeEvent, startTestApp, type TestApp } from '../helpers/app';
import { fastRetries, inviteOf, mailConfig } from '../helpers/mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';

/**
 * The worker role delivering through the pg-boss queue to a real SMTP server that misbehaves: refuses
 * for a while, refuses for good, is shared by two workers, and loses a worker killed mid-send.
 */
async function rows(t: TestApp, sql: string, params: unknown[] = []) {
  return (await t.db.pool.query(sql, params)).rows;
}

/** Registrations and their confirmation mails, written the way the form writes them. */
async function registrants(t: TestApp, count: number, prefix = 'person') {
  for (let i = 0; i < count; i++) {
    await registerAttendee(t.db.pool, {
      slug: 'tsunagaru-test',
      body: {
        email: `${prefix}${i}@example.org`,
        familyName: 'Yamada',
        givenName: `Taro ${i}`,
        affiliation: 'cooperative',
        country: 'JP',
        locale: i % 2 ? 'ja' : 'en',
        interpretation: 'ja',
        consent: 'yes',
      },
      pageLang: 'en',
      now: t.clock.now(),
    });
  }
}

function recipientCounts(sink: SmtpSink): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of sink.received) counts[m.to] = (counts[m.to] ?? 0) + 1;
  return counts;
}

async function waitUntil(check: () => Promise<boolean>, ms = 20_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the delivery worker', () => {
  let t: TestApp;
  let sink: SmtpSink;
  const workers: Worker[] = [];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-12-01T00:00:00Z', poolSize: 20 });
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await t.close();
  });
  beforeEach(async () => {
    sink.received.length = 0;
    sink.refuse(undefined);
    sink.delay(0);
    await t.db.pool.query('TRUNCATE events, registrations, outgoing_mails, audit_log CASCADE');
    await t.db.pool.query('DELETE FROM pgboss.job');
    await makeEvent(t);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  async function worker() {
    const w = await startWorker(t.db.pool, {
      config: mailConfig(t, sink.url),
      now: t.clock.now,
      retryPolicy: fastRetries,
      pollingSeconds: 0.5,
    });
    workers.push(w);
    return w;
  }

  it('when the server answers 4xx for a while and then accepts, then every mail arrives exactly once', async () => {
    await registrants(t, 3);
    sink.refuse((_rcpt, attempt) =>
      attempt <= 5 ? { code: 451, message: '4.7.1 Greylisted, please try again later' } : undefined,
    );
    await worker();
    await sink.waitFor(3, 30_000);
    await waitUntil(
      async () => (await rows(t, `SELECT 1 FROM outgoing_mails WHERE status <> 'sent'`)).length === 0,
    );
    // Long enough for any stray retry to have fired.
    await new Promise((r) => setTimeout(r, 2500));
    expect(recipientCounts(sink)).toEqual({
      'person0@example.org': 1,
      'person1@example.org': 1,
      'person2@example.org': 1,
    });
    const sent = await rows(t, 'SELECT attempts, last_error FROM outgoing_mails ORDER BY id');
    expect(sent.reduce((n, r) => n + r.attempts, 0)).toBe(3 + 5);
    expect(sent.every((r) => r.last_error === null)).toBe(true);
  });

  it('when the server refuses a recipient with 5xx, then that mail is marked failed with the reply and never retried, and the others arrive', async () => {
    await registrants(t, 3);
    sink.refuse((rcpt) =>
      rcpt === 'person1@example.org' ? { code: 550, message: '5.1.1 No such mailbox here' } : undefined,
    );
    await worker();
    await waitUntil(
      async () => (await rows(t, `SELECT 1 FROM outgoing_mails WHERE status = 'queued'`)).length === 0,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(Object.keys(recipientCounts(sink)).sort()).toEqual(['person0@example.org', 'person2@example.org']);
    const [failed] = await rows(
      t,
      `SELECT status, attempts, last_error FROM outgoing_mails WHERE recipient = 'person1@example.org'`,
    );
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('550');
    expect(failed.last_error).toContain('No such mailbox here');
  });

  it('when two workers share the queue, then each of 40 mails is sent exactly once', async () => {
    await registrants(t, 40);
    await Promise.all([worker(), worker()]);
    await sink.waitFor(40, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const counts = recipientCounts(sink);
    expect(Object.keys(counts)).toHaveLength(40);
    expect(Object.values(counts).every((n) => n === 1)).toBe(true);
  });

  it('when a worker process is killed in the middle of a batch and another starts, then no mail is lost, and invites made under TZ=America/New_York are exact', async () => {
    await registrants(t, 12);
    sink.delay(400);
    const spawnWorker = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(__dirname, 'fixtures', 'worker-process.ts')],
          {
            cwd: path.resolve(__dirname, '..', '..'),
            env: {
              ...process.env,
              TZ: 'America/New_York',
              WORKER_DATABASE_URL: t.db.url,
              WORKER_SMTP_URL: sink.url,
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });

    const first = await spawnWorker();
    await sink.waitFor(2, 30_000);
    first.removeAllListeners('exit');
    const gone = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await gone;
    const beforeRestart = sink.received.length;
    expect(beforeRestart).toBeLessThan(12);

    const second = await spawnWorker();
    try {
      await waitUntil(
        async () => (await rows(t, `SELECT 1 FROM outgoing_mails WHERE status <> 'sent'`)).length === 0,
        60_000,
      );
    } finally {
      second.removeAllListeners('exit');
      const stopped = new Promise((r) => second.once('exit', r));
      second.kill('SIGTERM');
      await stopped;
    }
    const counts = recipientCounts(sink);
    expect(Object.keys(counts)).toHaveLength(12);
    // A repeat is possible only for a mail the server accepted just as the worker died.
    const repeats = Object.values(counts).reduce((n, c) => n + c - 1, 0);
    expect(repeats).toBeLessThanOrEqual(4);
    for (const m of sink.received) {
      expect(inviteOf(m.parsed)!.start.toISOString()).toBe('2026-12-16T06:00:00.000Z');
    }
    // The mails the first worker was sending wait for their lease (20 s here) and the lease sweep (15 s).
  }, 90_000);
});
