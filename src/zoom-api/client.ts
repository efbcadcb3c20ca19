import type { ZoomConfig } from '../config';
import { loggerFor } from '../logger';

const log = loggerFor('zoom-api');

/**
 * A small client for the parts of Zoom's REST API (v2) the product uses: webinars and meetings,
 * their registrants, and the participant reports. Authentication is a Server-to-Server OAuth app: a
 * token from `POST {oauthUrl}?grant_type=account_credentials&account_id=…` with Basic auth, kept until
 * shortly before it expires and fetched again once when Zoom answers 401 (a token revoked early).
 * Errors come out as ZoomError: retryable (429, 5xx, no answer; with Zoom's Retry-After) or permanent
 * (other 4xx, with Zoom's own message), so the caller can decide between trying later and telling the
 * organiser.
 */

/** Zoom has two kinds of thing people register for; their paths differ only in this word. */
export type ZoomKind = 'webinar' | 'meeting';

/** A webinar or meeting as Zoom reports it. */
export interface ZoomSession {
  id: string;
  topic: string;
  /** An instant (ISO 8601, UTC), or null for a meeting without a fixed time. */
  startTime: string | null;
  /** Minutes. */
  duration: number;
  timezone: string | null;
  joinUrl: string | null;
}

/** A person to register: Zoom's first and last name are our given and family name. */
export interface ZoomPerson {
  email: string;
  firstName: string;
  lastName: string;
}

/** A registration Zoom accepted. */
export interface ZoomRegistrant {
  email: string;
  registrantId: string;
  joinUrl: string;
}

/** One row of the participant report: one stay in the webinar (people who rejoin have several). */
export interface ZoomParticipation {
  registrantId: string | null;
  email: string | null;
  name: string | null;
  joinTime: string | null;
  leaveTime: string | null;
  /** Seconds present in this stay. */
  durationSeconds: number;
}

/** A failed call. `retryable`: try again later (after `retryAfterSeconds` when Zoom said). */
export class ZoomError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
    readonly zoomCode?: number,
  ) {
    super(message);
    this.name = 'ZoomError';
  }
}

/** Most registrants Zoom takes in one batch_registrants call. */
export const BATCH_LIMIT = 30;

/** A token is refreshed this long before Zoom says it expires (clock skew, a slow call). */
const EARLY_REFRESH_MS = 60_000;
const TIMEOUT_MS = 15_000;

const plural = (kind: ZoomKind) => (kind === 'webinar' ? 'webinars' : 'meetings');

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
}

/** The API client. Keep one per process: it holds the cached token. */
export class ZoomClient {
  private token: { value: string; until: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(
    private readonly config: ZoomConfig,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `GET /webinars/{id}` or `/meetings/{id}`. */
  async session(kind: ZoomKind, id: string): Promise<ZoomSession> {
    return toSession(await this.call('GET', `/${plural(kind)}/${encodeURIComponent(id)}`));
  }

  /**
   * Creates a webinar (type 5) or scheduled meeting (type 2) for `host`, registration required and
   * approved automatically; Zoom's own registration mails are off, since ours carry the link.
   */
  async createSession(
    kind: ZoomKind,
    s: { topic: string; startTime: string; duration: number; timezone: string },
  ): Promise<ZoomSession> {
    const body = {
      topic: s.topic.slice(0, 200),
      type: kind === 'webinar' ? 5 : 2,
      start_time: s.startTime,
      duration: s.duration,
      timezone: s.timezone,
      settings: {
        approval_type: 0,
        registration_type: 1,
        registrants_email_notification: false,
        registrants_confirmation_email: false,
      },
    };
    const path = `/users/${encodeURIComponent(this.config.host)}/${plural(kind)}`;
    return toSession(await this.call('POST', path, { body }));
  }

  /** `PATCH` the start and duration (after our event moved). */
  async moveSession(
    kind: ZoomKind,
    id: string,
    s: { startTime: string; duration: number; timezone: string },
  ): Promise<void> {
    await this.call('PATCH', `/${plural(kind)}/${encodeURIComponent(id)}`, {
      body: { start_time: s.startTime, duration: s.duration, timezone: s.timezone },
    });
  }

  /** `POST …/registrants`: one person, with their own join URL back. */
  async addRegistrant(kind: ZoomKind, id: string, p: ZoomPerson): Promise<ZoomRegistrant> {
    const res = await this.call('POST', `/${plural(kind)}/${encodeURIComponent(id)}/registrants`, {
      body: { email: p.email, first_name: p.firstName, last_name: p.lastName },
    });
    return { email: p.email, registrantId: str(res.registrant_id), joinUrl: str(res.join_url) };
  }

  /** `POST …/batch_registrants`: at most BATCH_LIMIT people at once, approved at once. */
  async addRegistrants(kind: ZoomKind, id: string, people: ZoomPerson[]): Promise<ZoomRegistrant[]> {
    if (people.length > BATCH_LIMIT) throw new RangeError(`at most ${BATCH_LIMIT} registrants per batch`);
    const res = await this.call('POST', `/${plural(kind)}/${encodeURIComponent(id)}/batch_registrants`, {
      body: {
        auto_approve: true,
        registrants_confirmation_email: false,
        registrants: people.map((p) => ({ email: p.email, first_name: p.firstName, last_name: p.lastName })),
      },
    });
    const list = Array.isArray(res.registrants) ? (res.registrants as Record<string, unknown>[]) : [];
    return list.map((r) => ({
      email: str(r.email),
      registrantId: str(r.registrant_id),
      joinUrl: str(r.join_url),
    }));
  }

  /**
   * `PUT …/registrants/status`: `cancel`, or `approve` to admit a cancelled registrant again, who keeps
   * their registrant id and join URL (registering them afresh would spend one of Zoom's three
   * registrations per address and day).
   */
  async registrantStatus(
    kind: ZoomKind,
    id: string,
    action: 'cancel' | 'approve',
    registrants: { id: string; email?: string }[],
  ): Promise<void> {
    if (!registrants.length) return;
    await this.call('PUT', `/${plural(kind)}/${encodeURIComponent(id)}/registrants/status`, {
      body: { action, registrants },
    });
  }

  /** Every row of `GET /report/{webinars|meetings}/{id}/participants`, following next_page_token. */
  async participants(kind: ZoomKind, id: string): Promise<ZoomParticipation[]> {
    const out: ZoomParticipation[] = [];
    let next = '';
    for (let page = 0; page < 1000; page++) {
      const query: Record<string, string> = { page_size: '300' };
      if (next) query.next_page_token = next;
      const res = await this.call('GET', `/report/${plural(kind)}/${encodeURIComponent(id)}/participants`, {
        query,
      });
      const rows = Array.isArray(res.participants) ? (res.participants as Record<string, unknown>[]) : [];
      for (const r of rows) {
        out.push({
          registrantId: optStr(r.registrant_id),
          email: optStr(r.user_email),
          name: optStr(r.name),
          joinTime: optStr(r.join_time),
          leaveTime: optStr(r.leave_time),
          durationSeconds: typeof r.duration === 'number' ? r.duration : 0,
        });
      }
      next = typeof res.next_page_token === 'string' ? res.next_page_token : '';
      if (!next) break;
    }
    return out;
  }

  /** One API call, with the token; a 401 drops the token and tries once more with a fresh one. */
  private async call(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const url = new URL(this.config.apiUrl + path);
      for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
      const res = await send(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      if (res.status === 401 && attempt === 0) {
        log.info({ path }, 'Zoom refused the token; fetching a new one');
        this.token = undefined;
        continue;
      }
      return readAnswer(res, `${method} ${path}`);
    }
  }

  /** The cached token, or a new one (one request at a time, however many callers wait). */
  private async accessToken(): Promise<string> {
    if (this.token && this.clock() < this.token.until) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL(this.config.oauthUrl);
    url.searchParams.set('grant_type', 'account_credentials');
    url.searchParams.set('account_id', this.config.accountId);
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`).toString('base64');
    const res = await send(url, { method: 'POST', headers: { authorization: `Basic ${basic}` } });
    const body = await readAnswer(res, 'token');
    const value = str(body.access_token);
    if (!value) throw new ZoomError('Zoom sent no access token', res.status, true);
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value, until: this.clock() + expiresIn * 1000 - EARLY_REFRESH_MS };
    return value;
  }
}

/** fetch with a timeout; no answer at all is a retryable error. */
async function send(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new ZoomError(`Zoom could not be reached: ${(err as Error).message}`, 0, true);
  }
}

/** The JSON body of a success (or {} for 204); a ZoomError for anything else. */
async function readAnswer(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (res.ok) return body;
  const message =
    typeof body.message === 'string' && body.message
      ? body.message
      : typeof body.reason === 'string'
        ? body.reason
        : `HTTP ${res.status}`;
  const retryable = res.status === 429 || res.status >= 500;
  const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
  log.warn({ what, status: res.status, zoomCode: body.code, message }, 'Zoom refused a call');
  return Promise.reject(
    new ZoomError(
      message,
      res.status,
      retryable,
      retryAfter,
      typeof body.code === 'number' ? body.code : undefined,
    ),
  );
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
function optStr(v: unknown): string | null {
  const s = str(v);
  return s ? s : null;
}

function toSession(r: Record<string, unknown>): ZoomSession {
  return {
    id: str(r.id),
    topic: str(r.topic),
    startTime: optStr(r.start_time),
    duration: typeof r.duration === 'number' ? r.duration : 0,
    timezone: optStr(r.timezone),
    joinUrl: optStr(r.join_url),
  };
}
