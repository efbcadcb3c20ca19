import type pg from 'pg';

/**
 * Watches every client of a real pool: each statement sent, and each round trip, counted when a
 * statement goes out while its client has none in flight (statements sent behind others travel in the
 * same pipeline, src/db/pool.ts). A wrapper around pg's own clients, not a stand-in for our code.
 */
export function watchStatements(pool: pg.Pool) {
  const seen = { statements: [] as string[], roundTrips: 0 };
  const wrap = (client: pg.PoolClient) => {
    const marked = client as pg.PoolClient & { watched?: boolean };
    if (marked.watched) return;
    marked.watched = true;
    let inFlight = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string };
      seen.statements.push((typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').trim());
      if (inFlight++ === 0) seen.roundTrips++;
      const settle = () => inFlight--;
      // pool.query passes a callback (and gets nothing back); our code awaits the promise.
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...done: unknown[]) => {
          settle();
          return (callback as (...a: unknown[]) => unknown)(...done);
        };
        return query(...args);
      }
      const result = query(...args);
      result.then(settle, settle);
      return result;
    };
  };
  pool.on('connect', wrap);
  pool.on('acquire', wrap);
  return {
    seen,
    reset() {
      seen.statements.length = 0;
      seen.roundTrips = 0;
    },
  };
}
