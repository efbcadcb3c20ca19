import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Zoom's OAuth endpoint and REST API (v2), on 127.0.0.1 at a free port, answering in the
 * shapes Zoom documents (openapi.v2.json): tokens, webinars and meetings, registrants (one and in
 * batches), the registrant status change, and the participant reports with next_page_token paging.
 * It records every call so a test can see what the product asked for, and can be told to fail.
 */

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

interface Session {
  id: string;
  kind: 'webinars' | 'meetings';
  topic: string;
  start_time: string;
  duration: number;
  timezone: string;
  registrants: { id: string; email: string; first_name: string; last_name: string; status: string }[];
}

interface Failure {
  match: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  times: number;
}

export interface FakeZoom {
  /** `ZOOM_*` settings pointing at this server. */
  env: Record<string, string>;
  calls: RecordedCall[];
  /** API calls (not the token endpoint) whose `METHOD path` matches. */
  callsTo(pattern: RegExp): RecordedCall[];
  /** How many tokens were handed out. */
  tokensIssued(): number;
  /** Revokes every token handed out so far (the next API call gets 401). */
  revokeTokens(): void;
  /** Seconds each new token is valid. */
  tokenLifetime: number;
  /** Adds a webinar or meeting Zoom already knows. */
  addSession(s: Partial<Session> & { id: string; kind?: 'webinars' | 'meetings' }): void;
  session(id: string): Session | undefined;
  /** The next `times` calls whose `METHOD path` matches get this answer instead. */
  failNext(
    match: RegExp,
    status: number,
    body?: unknown,
    headers?: Record<string, string>,
    times?: number,
  ): void;
  /** The participant report of a session, served `pageSize` rows per page. */
  setReport(id: string, rows: Record<string, unknown>[], pageSize?: number): void;
  close(): Promise<void>;
}

export const FAKE_ZOOM_SECRETS = {
  ZOOM_ACCOUNT_ID: 'acct-1',
  ZOOM_CLIENT_ID: 'client-1',
  ZOOM_CLIENT_SECRET: 'secret-1',
  ZOOM_WEBHOOK_SECRET: 'webhook-secret-1',
};

export async function startFakeZoom(): Promise<FakeZoom> {
  const calls: RecordedCall[] = [];
  const sessions = new Map<string, Session>();
  const reports = new Map<string, { rows: Record<string, unknown>[]; pageSize: number }>();
  const failures: Failure[] = [];
  const validTokens = new Set<string>();
  let issued = 0;
  let nextId = 81000000000;
  let nextRegistrant = 1;

  const fake: FakeZoom = {
    env: {},
    calls,
    callsTo: (p) => calls.filter((c) => c.path !== '/oauth/token' && p.test(`${c.method} ${c.path}`)),
    tokensIssued: () => issued,
    revokeTokens: () => validTokens.clear(),
    tokenLifetime: 3599,
    addSession(s) {
      sessions.set(s.id, {
        kind: 'webinars',
        topic: 'Zoom topic',
        start_time: '2026-12-30T01:00:00Z',
        duration: 90,
        timezone: 'Asia/Tokyo',
        registrants: [],
        ...s,
      });
    },
    session: (id) => sessions.get(id),
    failNext(match, status, body = { code: 300, message: 'Failure' }, headers = {}, times = 1) {
      failures.push({ match, status, body, headers, times });
    },
    setReport(id, rows, pageSize = 300) {
      reports.set(id, { rows, pageSize });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/v2/, ''),
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      calls.push(call);
      const answer = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
      };
      const failure = failures.find((f) => f.times > 0 && f.match.test(`${call.method} ${call.path}`));
      if (failure) {
        failure.times--;
        return answer(failure.status, failure.body, failure.headers);
      }
      if (call.path === '/oauth/token') return token(call, answer);
      const auth = String(req.headers.authorization ?? '');
      if (!validTokens.has(auth.replace(/^Bearer /, ''))) {
        return answer(401, { code: 124, message: 'Invalid access token.' });
      }
      return api(call, answer);
    });
  });

  type Answer = (status: number, payload?: unknown, headers?: Record<string, string>) => void;

  function token(call: RecordedCall, answer: Answer) {
    const e = FAKE_ZOOM_SECRETS;
    const expected = `Basic ${Buffer.from(`${e.ZOOM_CLIENT_ID}:${e.ZOOM_CLIENT_SECRET}`).toString('base64')}`;
    if (
      call.method !== 'POST' ||
      call.headers.authorization !== expected ||
      call.query.grant_type !== 'account_credentials' ||
      call.query.account_id !== e.ZOOM_ACCOUNT_ID
    ) {
      return answer(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    }
    issued++;
    const value = `token-${issued}`;
    validTokens.add(value);
    return answer(200, {
      access_token: value,
      token_type: 'bearer',
      expires_in: fake.tokenLifetime,
      scope: 'webinar:write:admin meeting:write:admin report:read:admin',
      api_url: 'https://api.zoom.us',
    });
  }

  function sessionJson(s: Session) {
    return {
      id: Number(s.id),
      uuid: `uuid-${s.id}`,
      host_id: 'host-1',
      topic: s.topic,
      type: s.kind === 'webinars' ? 5 : 2,
      start_time: s.start_time,
      duration: s.duration,
      timezone: s.timezone,
      join_url: `https://us02web.zoom.us/${s.kind === 'webinars' ? 'w' : 'j'}/${s.id}`,
      settings: { approval_type: 0 },
    };
  }

  function register(s: Session, p: { email: string; first_name: string; last_name: string }) {
    const id = `reg-${nextRegistrant++}`;
    s.registrants.push({ id, ...p, status: 'approved' });
    return { id, join_url: `https://us02web.zoom.us/w/${s.id}?tk=${id}` };
  }

  function api(call: RecordedCall, answer: Answer) {
    const notFound = () => answer(404, { code: 3001, message: 'Meeting does not exist.' });
    let m: RegExpExecArray | null;
    if ((m = /^\/users\/([^/]+)\/(webinars|meetings)$/.exec(call.path)) && call.method === 'POST') {
      const b = call.body as Record<string, unknown>;
      const id = String(nextId++);
      fake.addSession({
        id,
        kind: m[2] as Session['kind'],
        topic: String(b.topic),
        start_time: String(b.start_time),
        duration: Number(b.duration),
        timezone: String(b.timezone),
      });
      return answer(201, sessionJson(sessions.get(id)!));
    }
    if ((m = /^\/report\/(webinars|meetings)\/(\d+)\/participants$/.exec(call.path))) {
      const report = reports.get(m[2]!);
      if (!report) return answer(404, { code: 3001, message: 'Meeting does not exist.' });
      const start = Number(call.query.next_page_token?.replace('page-', '') ?? 0);
      const rows = report.rows.slice(start, start + report.pageSize);
      const more = start + report.pageSize < report.rows.length;
      return answer(200, {
        page_count: Math.ceil(report.rows.length / report.pageSize),
        page_size: report.pageSize,
        total_records: report.rows.length,
        next_page_token: more ? `page-${start + report.pageSize}` : '',
        participants: rows,
      });
    }
    if (!(m = /^\/(webinars|meetings)\/(\d+)(\/.*)?$/.exec(call.path))) return notFound();
    const s = sessions.get(m[2]!);
    if (!s || s.kind !== m[1]) return notFound();
    const rest = m[3] ?? '';
    const b = (call.body ?? {}) as Record<string, unknown>;
    if (rest === '' && call.method === 'GET') return answer(200, sessionJson(s));
    if (rest === '' && call.method === 'PATCH') {
      if (typeof b.start_time === 'string') s.start_time = b.start_time;
      if (typeof b.duration === 'number') s.duration = b.duration;
      if (typeof b.timezone === 'string') s.timezone = b.timezone;
      return answer(204);
    }
    if (rest === '/registrants' && call.method === 'POST') {
      const r = register(s, b as never);
      return answer(201, {
        id: Number(s.id),
        join_url: r.join_url,
        registrant_id: r.id,
        start_time: s.start_time,
        topic: s.topic,
      });
    }
    if (rest === '/batch_registrants' && call.method === 'POST') {
      const people = (b.registrants ?? []) as { email: string; first_name: string; last_name: string }[];
      if (people.length > 30) return answer(400, { code: 300, message: 'Only 30 registrants per request.' });
      return answer(201, {
        registrants: people.map((p) => {
          const r = register(s, p);
          return { email: p.email, join_url: r.join_url, registrant_id: r.id };
        }),
      });
    }
    if (rest === '/registrants/status' && call.method === 'PUT') {
      const list = (b.registrants ?? []) as { id?: string; email: string }[];
      for (const item of list) {
        const r = s.registrants.find((x) => x.id === item.id || x.email === item.email);
        if (r && b.action === 'cancel') r.status = 'cancelled';
        if (r && b.action === 'approve') r.status = 'approved';
      }
      return answer(204);
    }
    return notFound();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.env = {
    ...FAKE_ZOOM_SECRETS,
    ZOOM_API_URL: `http://127.0.0.1:${port}/v2`,
    ZOOM_OAUTH_URL: `http://127.0.0.1:${port}/oauth/token`,
  };
  return fake;
}
