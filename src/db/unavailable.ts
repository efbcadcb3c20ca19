/**
 * Whether an error means the database could not be reached, rather than that it refused what we asked:
 * the server is down, restarting or shutting down, or a connection to it broke or could not be made in
 * time. Such a failure is nobody's input and passes by itself, so callers answer "try again shortly"
 * (HTTP 503) instead of reporting a fault of ours.
 */

/** Network errors of the socket under a connection. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server going away or not taking connections: 57P01 admin_shutdown (a fast shutdown
 * cut the connection), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down),
 * 53300 too_many_connections, and class 08 (connection exceptions).
 */
const sqlStates = /^(57P0[123]|53300|08[0-9A-Z]{3})$/;

/** What node-postgres says, without a code, when a connection ends or cannot be had in time. */
const driverMessages = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout expired',
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** True when `err` says the database is unreachable for now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (socketCodes.has(e.code) || sqlStates.test(e.code))) return true;
  // A host name with several addresses fails with an AggregateError of one error per address.
  if (Array.isArray(e.errors) && e.errors.length && e.errors.every(isDatabaseUnavailable)) return true;
  return typeof e.message === 'string' && driverMessages.some((m) => e.message === m);
}
