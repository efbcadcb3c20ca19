import http from 'node:http';

/**
 * A small closed-loop load generator: `connections` keep-alive connections, each sending its next
 * request as soon as the previous answer has been read, for `durationMs`. Each connection may first run
 * `setup` (e.g. GET the form for its cookie and token), which is neither timed nor counted. Written here
 * rather than taken from autocannon because P1 needs a per-connection set-up that autocannon would count
 * as a request, and a plain http.Agent per connection is the same work a browser's keep-alive does.
 */

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One connection's own view of the target: its agent, and whatever its set-up returned. */
export interface Connection<S> {
  index: number;
  state: S;
  send(req: Request): Promise<Answer>;
}

export interface LoadResult {
  requests: number;
  /** Answers whose status was not the expected one, and network errors. */
  failures: number;
  statuses: Record<string, number>;
  durationMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Every latency, for pooling rounds into one percentile. */
  latencies: number[];
}

export interface LoadOptions<S> {
  port: number;
  connections: number;
  durationMs: number;
  setup: (conn: Omit<Connection<S>, 'state'>) => Promise<S>;
  /** The i-th request of a connection. */
  request: (conn: Connection<S>, i: number) => Request;
  /** The status a good answer has (303 for a registration, 200 for a page). */
  expect: number;
}

function sendOn(agent: http.Agent, port: number, req: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** The p-th percentile (0–100) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs the load and returns what it measured; see the module comment. */
export async function runLoad<S>(opts: LoadOptions<S>): Promise<LoadResult> {
  const conns = await Promise.all(
    Array.from({ length: opts.connections }, async (_, index) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const base = { index, send: (req: Request) => sendOn(agent, opts.port, req) };
      return { agent, conn: { ...base, state: await opts.setup(base) } as Connection<S> };
    }),
  );
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  const start = performance.now();
  const end = start + opts.durationMs;
  await Promise.all(
    conns.map(async ({ conn }) => {
      for (let i = 0; performance.now() < end; i++) {
        const t0 = performance.now();
        try {
          const answer = await conn.send(opts.request(conn, i));
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status !== opts.expect) failures++;
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'error';
          statuses[code] = (statuses[code] ?? 0) + 1;
          failures++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const durationMs = performance.now() - start;
  for (const { agent } of conns) agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    statuses,
    durationMs,
    rps: latencies.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    latencies,
  };
}

/** Several rounds as one: all requests over all time, percentiles over every latency. */
export function pooled(rounds: LoadResult[]): LoadResult {
  const latencies = rounds.flatMap((r) => r.latencies);
  const sorted = [...latencies].sort((a, b) => a - b);
  const durationMs = rounds.reduce((s, r) => s + r.durationMs, 0);
  const statuses: Record<string, number> = {};
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    requests: latencies.length,
    failures: rounds.reduce((s, r) => s + r.failures, 0),
    statuses,
    durationMs,
    rps: latencies.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    latencies,
  };
}
