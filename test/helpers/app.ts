import type express from 'express';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { importEvent, type EventInput } from '../../src/events';
import { eventDoc } from './events';

export { eventDoc };
import { createTestDatabase, type TestDatabase } from './db';

/** A clock the test moves by hand. */
export interface TestClock {
  now: () => Date;
  set(at: Date | string): void;
}

export function testClock(start: Date | string): TestClock {
  let current = new Date(start);
  return { now: () => new Date(current), set: (at) => (current = new Date(at)) };
}

export interface TestApp {
  app: express.Express;
  db: TestDatabase;
  clock: TestClock;
  close(): Promise<void>;
}

/** The real app on a database of its own, with a hand-moved clock and a given registration limit. */
export async function startTestApp(
  opts: {
    now?: string;
    registrationsPerWindow?: number;
    poolSize?: number;
    env?: Record<string, string>;
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(opts.poolSize);
  const clock = testClock(opts.now ?? '2026-11-01T00:00:00Z');
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SEED_DEMO: 'false', ...opts.env });
  const app = buildApp({
    pool: db.pool,
    config,
    sessionSecret: 'test-secret-test-secret-test-secret-0123',
    now: clock.now,
    // A REGISTRATION_RATE_LIMIT in `env` applies as it would in production; otherwise a high test limit.
    limits:
      opts.registrationsPerWindow === undefined && opts.env?.REGISTRATION_RATE_LIMIT
        ? config.registrationRateLimit
        : { registrationsPerWindow: opts.registrationsPerWindow ?? 1000, windowSeconds: 600 },
  });
  return { app, db, clock, close: () => db.drop() };
}

/** Creates an event through the same path the CLI uses. */
export async function makeEvent(t: TestApp, overrides: Partial<EventInput> = {}) {
  const res = await importEvent(t.db.pool, eventDoc(overrides), { now: t.clock.now(), actor: 'test' });
  return res.event;
}

/** A valid registration form; override any field. */
export function formData(
  overrides: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return {
    email: 'hanako@example.org',
    familyName: 'Yamada',
    givenName: 'Hanako',
    organisation: 'JCA',
    affiliation: 'cooperative',
    country: 'JP',
    locale: 'ja',
    interpretation: 'ja',
    consent: 'yes',
    ...overrides,
  };
}

/** An agent holding the CSRF cookie, and the token its forms carry. */
export async function formSession(app: express.Express, slug: string, lang = 'en') {
  const agent = request.agent(app);
  const page = await agent.get(`/events/${slug}?lang=${lang}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no CSRF token on the page (status ${page.status})`);
  return { agent, token };
}

/** URL-encodes a form body, repeating keys for arrays as browsers do. */
export function encodeForm(data: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(data)) for (const one of [v].flat()) params.append(k, one);
  return params.toString();
}
