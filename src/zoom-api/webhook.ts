import crypto from 'node:crypto';

/**
 * Zoom's webhook signatures (pure). Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with the app's
 * secret token (HMAC-SHA256, hex) and sends `v0=<hex>` in `x-zm-signature`; the endpoint's URL
 * validation asks for the plain token signed the same way.
 */

/** How far a webhook's timestamp may be from our clock: older ones may be replays. */
export const WEBHOOK_WINDOW_SECONDS = 300;

function hmac(secret: string, text: string): string {
  return crypto.createHmac('sha256', secret).update(text).digest('hex');
}

/** The `x-zm-signature` Zoom would send for this timestamp (seconds) and body. */
export function webhookSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${hmac(secret, `v0:${timestamp}:${rawBody}`)}`;
}

/**
 * Whether a webhook is Zoom's: a signature that matches (compared in constant time) and a timestamp at
 * most five minutes from `now`.
 */
export function webhookVerdict(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: string,
  now: Date,
): 'ok' | 'bad-signature' | 'stale' {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,13}$/.test(timestamp)) return 'bad-signature';
  const expected = Buffer.from(webhookSignature(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'bad-signature';
  // Zoom sends seconds; accept milliseconds too, which some senders use.
  const seconds = timestamp.length > 11 ? Number(timestamp) / 1000 : Number(timestamp);
  if (Math.abs(now.getTime() / 1000 - seconds) > WEBHOOK_WINDOW_SECONDS) return 'stale';
  return 'ok';
}

/** The answer to `endpoint.url_validation`. */
export function urlValidationAnswer(
  secret: string,
  plainToken: string,
): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: hmac(secret, plainToken) };
}

/**
 * The numeric id in what an organiser pasted: the id itself (spaces and dashes allowed, as Zoom prints
 * it: 857 4606 5432) or a join link (`https://us02web.zoom.us/j/85746065432?pwd=…`, `/w/` for
 * webinars, `/s/` for the host's start link). Undefined when neither.
 */
export function zoomIdFrom(input: string): string | undefined {
  const trimmed = input.trim();
  const bare = trimmed.replace(/[\s-]/g, '');
  if (/^\d{9,12}$/.test(bare)) return bare;
  if (!URL.canParse(trimmed)) return undefined;
  const url = new URL(trimmed);
  if (!/(^|\.)zoom\.(us|com)$|(^|\.)zoomgov\.com$/.test(url.hostname)) return undefined;
  const m = /^\/(?:j|w|s|wc\/join|wc)\/(\d{9,12})(?:\/|$)/.exec(url.pathname);
  return m?.[1];
}
