import { startSmtpSink, type AcceptedMail, type SmtpSink } from '../helpers/smtp';
import { createEvent, startCluster, type Cluster } from './cluster';
import { percentile, register, statusCounts, succeeded, type Attempt } from './visitors';

/**
 * The webinar announcement burst: 1,000 people register at the same moment for an event of 100 seats
 * with a waiting list, through the public registration endpoint, spread over three web processes while two workers send
 * the confirmations. Five rounds, a new event each. The guarantees, never the speed, are asserted; the
 * figures of each run are printed.
 */

const ROUNDS = 5;
const VISITORS = 1000;
const CAPACITY = 100;

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

/** The registrations of an event by email: their status. */
async function rowsOf(eventId: number): Promise<Map<string, string>> {
  const res = await cluster.pool.query<{ email: string; status: string }>(
    'SELECT email, status FROM registrations WHERE event_id = $1',
    [eventId],
  );
  return new Map(res.rows.map((r) => [r.email, r.status]));
}

it(`when ${VISITORS} people register at once for ${CAPACITY} seats with a waiting list, ${ROUNDS} times over three web processes, then each time exactly ${CAPACITY} are confirmed and the rest waitlisted, with no 5xx and one row per success`, async () => {
  const figures: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const event = await createEvent(cluster.pool, {
      slug: `stress-round-${round}`,
      capacity: CAPACITY,
      waitlist: true,
    });
    const started = Date.now();
    const attempts: Attempt[] = await Promise.all(
      Array.from({ length: VISITORS }, (_, i) =>
        register(
          cluster.webs[i % cluster.webs.length]!.baseUrl,
          event.slug,
          `round${round}.visitor${i}@example.org`,
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const rows = await rowsOf(event.id);
    const statuses: Record<string, number> = {};
    for (const s of rows.values()) statuses[s] = (statuses[s] ?? 0) + 1;
    const ms = attempts.map((a) => a.ms);
    figures.push(
      `round ${round}: ${VISITORS} visitors in ${seconds.toFixed(1)} s ` +
        `(${(VISITORS / seconds).toFixed(0)} registrations/s, p50 ${percentile(ms, 50)} ms, ` +
        `p99 ${percentile(ms, 99)} ms, max ${Math.max(...ms)} ms); answers ${JSON.stringify(statusCounts(attempts))}; ` +
        `rows ${JSON.stringify(statuses)}; mails accepted by the SMTP server so far ${sink.received.length}`,
    );
    console.log(figures.at(-1));

    // No 5xx, no failure of any kind: every visitor was answered with the thank-you redirect.
    expect({ round, answers: statusCounts(attempts) }).toEqual({ round, answers: { '202': VISITORS } });
    expect(attempts.every(succeeded)).toBe(true);
    // Every success answer has its row, and every row had a success answer.
    const answered = new Set(attempts.filter(succeeded).map((a) => a.email));
    expect([...answered].filter((e) => !rows.has(e))).toEqual([]);
    expect([...rows.keys()].filter((e) => !answered.has(e))).toEqual([]);
    // Exactly the capacity confirmed, everybody else on the waiting list.
    expect({ round, statuses }).toEqual({
      round,
      statuses: { confirmed: CAPACITY, waitlisted: VISITORS - CAPACITY },
    });
  }
  // The processes are all still there.
  for (const p of [...cluster.webs, ...cluster.workers])
    expect({ name: p.name, exit: p.child.exitCode ?? p.child.signalCode }).toEqual({
      name: p.name,
      exit: null,
    });
  console.log(`Load test figures:\n${figures.join('\n')}`);
}, 420_000);
