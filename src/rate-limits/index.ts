/** Hit counters per bucket and fixed window; the only SQL on `rate_limit_hits`. */
export { countHit, giveBackHit, windowStartFor, deleteOldRateLimitWindows } from './rate-limits.queries';
