import http from 'node:http';
import { formData } from '../helpers/app';

/**
 * Visitors registering through the public registration endpoint (`POST /api/v1/events/:slug/registrations`,
 * what an event's own site or an embedded form posts to): one request per registration, as many at once
 * as the test asks.
 */

/** How one visitor's registration went. */
export interface Attempt {
  email: string;
  /** The answer's status (0: none: the connection failed or the client gave up). */
  status: number;
  /** Milliseconds until the answer. */
  ms: number;
  /** When it was sent, in ms since the epoch. */
  at: number;
  /** A network error or the client's timeout. */
  error?: string;
}

/** The client's patience, as a browser or proxy has: well above the product's own database timeouts. */
export const CLIENT_TIMEOUT_MS = 120_000;

/** The endpoint's success answer: 202 for confirmed and waiting list alike (the mail tells which). */
export function succeeded(a: Attempt): boolean {
  return a.status === 202;
}

/**
 * One visitor registers, on a connection of its own (as separate people are): no keep-alive connection
 * reused across visitors, so a server closing an idle connection never shows up as a failed request.
 * Never throws; what happened is in the result.
 */
export function register(baseUrl: string, slug: string, email: string): Promise<Attempt> {
  const at = Date.now();
  const attempt: Attempt = { email, status: 0, ms: 0, at };
  const body = JSON.stringify({ ...formData({ email, locale: 'en' }), consent: true });
  return new Promise((resolve) => {
    const done = (error?: string) => {
      if (error && !attempt.status) attempt.error = error;
      attempt.ms = Date.now() - at;
      resolve(attempt);
    };
    const req = http.request(
      `${baseUrl}/api/v1/events/${slug}/registrations`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: CLIENT_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          attempt.status = res.statusCode ?? 0;
          done();
        });
        res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error('client timeout'), { code: 'client timeout' })),
    );
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end(body);
  });
}

/** Percentile of a list of milliseconds. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Counts of answers by status (and `error` for none), for the printed figures. */
export function statusCounts(attempts: Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) {
    const key = a.error ? `error: ${a.error}` : String(a.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
