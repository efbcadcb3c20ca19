import pg from 'pg';
import { loggerFor } from '../logger';

const log = loggerFor('db');

/** Anything a named query function can run SQL on: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * How long opening one connection may take. Without a bound, a database host that drops packets keeps
 * a request waiting for the operating system's TCP timeout (minutes); with it, the request fails in
 * seconds and the visitor is told to try again (503). Waiting for a free connection of a busy pool is
 * not bounded by it: that wait is load, not an outage, and ends as other requests finish.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A client whose connect() gives up after CONNECT_TIMEOUT_MS, with TCP keep-alive on its socket, in
 * pipeline mode: statements issued without awaiting the previous one go to the server at once and come
 * back in order, so independent statements of one transaction cost one round trip together rather than
 * one each (a registration: src/registrations/registrations.service.ts). Code that awaits each
 * statement behaves exactly as without it. Pipelining refuses cursors and streamed results, which
 * nothing here uses.
 */
class BoundedClient extends pg.Client {
  private readonly unnamed: boolean;

  constructor(config: pg.ClientConfig & { preparedStatements?: boolean } = {}) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, pipeline: true });
    this.unnamed = config.preparedStatements === false;
  }

  /** With prepared statements off (createPool), a `prepared` statement goes as an unnamed one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, ...rest: any[]): any {
    const plain =
      this.unnamed && typeof config === 'object' && config !== null && typeof config.name === 'string';
    return (super.query as (...a: unknown[]) => unknown)(
      plain ? { text: config.text, values: config.values } : config,
      ...rest,
    );
  }
}

/** Statements made with `prepared`, by name: a name stands for one text only. */
const preparedTexts = new Map<string, string>();

/**
 * A statement of a hot path (a registration, the event page) that PostgreSQL parses and plans once per
 * connection instead of on every call: pg sends it as a named prepared statement, and from the second
 * call on a connection only binds and executes it. That takes parsing and planning, about a third of
 * PostgreSQL's work on a registration, off every call after the first. Fixed SQL text only; each name
 * stands for one text (pg would refuse a second), checked here when the module loads.
 */
export function prepared(name: string, text: string): (values?: unknown[]) => pg.QueryConfig {
  const known = preparedTexts.get(name);
  if (known !== undefined && known !== text) throw new Error(`two statements are named ${name}`);
  preparedTexts.set(name, text);
  return (values = []) => ({ name, text, values });
}

/**
 * The connection pool for one database URL. Errors on idle clients are logged, never fatal. With
 * `preparedStatements: false`, statements made with `prepared` are sent unnamed, for a connection pooler
 * that cannot keep named statements (DATABASE_PREPARED_STATEMENTS).
 */
export function createPool(
  connectionString: string,
  max = 10,
  opts: { preparedStatements?: boolean } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'tsunagaru',
    Client: BoundedClient,
    preparedStatements: opts.preparedStatements !== false,
  } as pg.PoolConfig);
  pool.on('error', (err) => log.error({ err }, 'idle database client failed'));
  return pool;
}

/**
 * Clients whose transaction `commitBehind` has ended, with what their `query` was before it: withTransaction
 * sends neither COMMIT nor ROLLBACK of its own for them and gives them their `query` back.
 */
const committedBehind = new WeakMap<pg.PoolClient, PropertyDescriptor | undefined>();

/**
 * Sends COMMIT on `tx` behind the statements already sent on it, without waiting for their answers, and
 * resolves to whether the transaction committed: false when one of them failed, since PostgreSQL then
 * answers COMMIT by rolling back. It saves the round trip between the last answer and the COMMIT, the
 * time a transaction holds its locks for nothing. Call it in the same tick as the statements it must
 * follow, before awaiting anything. Inside withTransaction only; withTransaction then sends no COMMIT
 * (or ROLLBACK) of its own.
 */
export async function commitBehind(tx: pg.PoolClient): Promise<boolean> {
  committedBehind.set(tx, Object.getOwnPropertyDescriptor(tx, 'query'));
  const committing = tx.query('COMMIT');
  // A statement sent from here on would run outside the transaction, in a commit of its own: refuse it
  // loudly until the client goes back to the pool.
  Object.defineProperty(tx, 'query', {
    configurable: true,
    writable: true,
    value: () => Promise.reject(new Error('a statement was sent after the COMMIT of its transaction')),
  });
  return (await committing).command === 'COMMIT';
}

/** Gives a client that went through commitBehind its own `query` back. */
function reopen(client: pg.PoolClient): void {
  if (!committedBehind.has(client)) return;
  const own = committedBehind.get(client);
  if (own) Object.defineProperty(client, 'query', own);
  else delete (client as { query?: unknown }).query;
  committedBehind.delete(client);
}

/**
 * Runs `work` inside one transaction on one client: COMMIT when it resolves, ROLLBACK when it throws.
 * The only way code in this project opens a transaction.
 *
 * The pool listens for errors only on idle clients. A transaction may wait on something else (a mail
 * delivery waits for the SMTP server), and a connection lost meanwhile (the database restarted) would be
 * an 'error' event nobody handles, which ends the process. So the client is listened to while it is
 * ours: the loss is logged, the next query fails (the work is rolled back with the server's restart) and
 * the client is discarded rather than returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
    log.warn({ err }, 'database connection lost in the middle of a transaction');
  };
  client.on('error', onError);
  try {
    // Not awaited: BEGIN travels with the transaction's first statements (pipeline mode, above). Should
    // it fail, the connection is broken and so are they; awaiting it before COMMIT surfaces its error.
    const begun = client.query('BEGIN');
    begun.catch(() => undefined);
    const result = await work(client);
    await begun;
    if (!committedBehind.has(client)) await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!committedBehind.has(client)) await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    reopen(client);
    client.off('error', onError);
    client.release(lost);
  }
}

/**
 * Which of `emails` a query finds, compared without case: `sql` takes the event id as $1 and the
 * lower-cased addresses as $2 (text[]) and returns them as `email`, lower-cased. No addresses, no query.
 */
export async function emailsFound(
  db: Queryable,
  sql: string,
  eventId: number,
  emails: readonly string[],
): Promise<Set<string>> {
  if (!emails.length) return new Set();
  const res = await db.query<{ email: string }>(sql, [eventId, emails.map((e) => e.toLowerCase())]);
  return new Set(res.rows.map((r) => r.email));
}
