import { startSmtpSink, type AcceptedMail, type SmtpSink } from '../helpers/smtp';
import { waitUntil } from '../helpers/workers';
import { createEvent, startCluster, type Cluster } from './cluster';
import { CLIENT_TIMEOUT_MS, register, statusCounts, succeeded, type Attempt } from './visitors';

/**
 * PostgreSQL stops (fast shutdown: connections cut, open transactions rolled back) in the middle of a
 * stream of registrations over three web processes, stays down a few seconds and starts again. While it
 * is down every request is answered at once with 503, none hangs; the processes reconnect by themselves
 * within 10 s of its return; every registration that was answered with success is stored; the workers
 * survive and send the confirmations.
 */

/** Registrations in flight at any moment. */
const IN_FLIGHT = 30;
const DOWN_MS = 5_000;
/** How soon after the database is back every request must succeed again. */
const RECOVERY_MS = 10_000;
/** Load that goes on after the recovery deadline, to show it holds. */
const AFTER_MS = 5_000;
/** The longest any answer may take while the database is down: the pool's connect timeout and a margin. */
const DOWN_ANSWER_MS = 15_000;

let cluster: Cluster;
let sink: SmtpSink<AcceptedMail>;

beforeAll(async () => {
  sink = await startSmtpSink({ light: true });
  cluster = await startCluster({ smtpUrl: sink.url });
  await Promise.all([cluster.startWeb('web-1'), cluster.startWeb('web-2'), cluster.startWeb('web-3')]);
  await Promise.all([cluster.startWorker('worker-1'), cluster.startWorker('worker-2')]);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await sink?.close();
});

/** Which web process visitor <i> was sent to (round-robin). */
function webOf(a: Attempt): number {
  return Number(/visitor(\d+)@/.exec(a.email)![1]) % cluster.webs.length;
}

it('when PostgreSQL restarts during a load of registrations, then requests answer 503 at once while it is down, every process recovers within 10 s and every success is stored', async () => {
  const event = await createEvent(cluster.pool, { slug: 'stress-db-restart', capacity: null });
  const attempts: Attempt[] = [];
  let stop = false;
  let n = 0;
  // IN_FLIGHT visitors, each registering again as soon as it is answered, round-robin over the webs.
  const load = Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (!stop) {
        const i = n++;
        const web = cluster.webs[i % cluster.webs.length]!;
        const a = await register(web.baseUrl, event.slug, `visitor${i}@example.org`);
        attempts.push(a);
        // A refused request comes back at once; do not spin.
        if (!succeeded(a)) await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );

  // Instants of the outage, set as it happens.
  const when = { stopping: 0, downAt: 0, startingAt: 0, backAt: 0 };
  try {
    await waitUntil('the load is under way', () => attempts.filter(succeeded).length >= 100, 60_000);
    when.stopping = Date.now();
    await cluster.stopDatabase();
    when.downAt = Date.now();
    await new Promise((r) => setTimeout(r, DOWN_MS));
    when.startingAt = Date.now();
    await cluster.startDatabase();
    when.backAt = Date.now();
    await new Promise((r) => setTimeout(r, RECOVERY_MS + AFTER_MS));
  } finally {
    stop = true;
    await load;
  }
  const { stopping, downAt, startingAt, backAt } = when;

  const during = attempts.filter((a) => a.at >= downAt && a.at + a.ms <= startingAt);
  const after = attempts.filter((a) => a.at >= backAt + RECOVERY_MS);
  const recovered = attempts
    .filter((a) => a.at >= backAt && succeeded(a))
    .reduce((first, a) => Math.min(first, a.at + a.ms), Infinity);
  // Per web process: when it first answered with success after the database was back.
  const perWeb = cluster.webs.map((w, k) => {
    const mine = attempts.filter((a) => a.at >= backAt && webOf(a) === k);
    const first = mine.filter(succeeded).reduce((t, a) => Math.min(t, a.at + a.ms), Infinity);
    return { web: w.name, recoveredAfterMs: first - backAt };
  });
  const rows = await cluster.pool.query<{ email: string }>(
    'SELECT email FROM registrations WHERE event_id = $1',
    [event.id],
  );
  const stored = new Set(rows.rows.map((r) => r.email));
  const successes = attempts.filter(succeeded);
  console.log(
    `Database restart: stop took ${downAt - stopping} ms, down ${startingAt - downAt} ms, start took ` +
      `${backAt - startingAt} ms; ${attempts.length} requests, answers ${JSON.stringify(statusCounts(attempts))}; ` +
      `while down: ${during.length} requests, answers ${JSON.stringify(statusCounts(during))}, slowest ` +
      `${Math.max(0, ...during.map((a) => a.ms))} ms; first success ${recovered - backAt} ms after the ` +
      `database was back, per process ${JSON.stringify(perWeb)}; ${successes.length} successes, ` +
      `${stored.size} rows (${stored.size - successes.length} stored without a success answer)`,
  );

  // Nothing hung and nothing failed in any other way than 503.
  expect(attempts.filter((a) => a.error || (a.status !== 202 && a.status !== 503))).toEqual([]);
  expect(Math.max(...attempts.map((a) => a.ms))).toBeLessThan(CLIENT_TIMEOUT_MS);
  // While it was down: answered, with 503, quickly.
  expect(during.length).toBeGreaterThan(0);
  expect(during.every((a) => a.status === 503)).toBe(true);
  expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(DOWN_ANSWER_MS);
  // Each process serves again within 10 s of the database's return, and from then on every request
  // succeeds.
  for (const w of perWeb) expect(w.recoveredAfterMs).toBeLessThanOrEqual(RECOVERY_MS);
  expect(after.length).toBeGreaterThan(0);
  expect(statusCounts(after)).toEqual({ '202': after.length });
  // Every success answer has its row.
  expect(successes.filter((a) => !stored.has(a.email)).map((a) => a.email)).toEqual([]);
  // The processes are all still there, and the workers send every confirmation.
  for (const p of [...cluster.webs, ...cluster.workers])
    expect({ name: p.name, exit: p.child.exitCode ?? p.child.signalCode }).toEqual({
      name: p.name,
      exit: null,
    });
  await waitUntil(
    `all ${stored.size} confirmations sent`,
    () => new Set(sink.received.map((m) => m.to)).size >= stored.size,
    120_000,
  );
  expect([...stored].filter((e) => !sink.received.some((m) => m.to === e))).toEqual([]);
}, 420_000);
