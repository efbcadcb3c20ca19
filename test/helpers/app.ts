import type express from 'express';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { importEvent, type EventInput } from '../../src/events';
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
  opts: { now?: string; registrationsPerWindow?: number; poolSize?: number } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(opts.poolSize);
  const clock = testClock(opts.now ?? '2026-11-01T00:00:00Z');
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SEED_DEMO: 'false' });
  const app = buildApp({
    pool: db.pool,
    config,
    sessionSecret: 'test-secret-test-secret-test-secret-0123',
    now: clock.now,
    limits: { registrationsPerWindow: opts.registrationsPerWindow ?? 1000, windowSeconds: 600 },
  });
  return { app, db, clock, close: () => db.drop() };
}

/** An event document with sensible defaults: published, 16 Dec 2026 15:00–17:15 JST, closing 14 Dec 23:59 JST. */
export function eventDoc(overrides: Partial<EventInput> = {}): EventInput {
  return {
    slug: 'tsunagaru-test',
    status: 'published',
    title: { en: 'TSUNAGARU by Social & Solidarity Economy', ja: 'TSUNAGARU 社会的連帯経済' },
    summary: { en: 'A webinar.', ja: 'ウェビナーです。' },
    description: { en: 'About the webinar.', ja: 'ウェビナーについて。' },
    programme: { en: 'Opening\nKeynote', ja: '開会\n基調講演' },
    organisers: { en: 'ILO Office for Japan', ja: 'ILO駐日事務所' },
    startsAt: '2026-12-16T15:00:00+09:00',
    endsAt: '2026-12-16T17:15:00+09:00',
    timezone: 'Asia/Tokyo',
    displayTimezones: ['Asia/Tokyo', 'Europe/Zurich'],
    registrationOpensAt: null,
    registrationClosesAt: '2026-12-14T23:59:00+09:00',
    capacity: null,
    waitlist: false,
    meetingUrl: 'https://zoom.example/j/123',
    meetingPasscode: 'secret-pass',
    contactEmail: 'tokyo@ilo.example',
    questions: [],
    reminders: ['P1D', 'PT1H'],
    materials: [{ title: { en: 'Slides', ja: 'スライド' }, url: 'https://materials.example/slides.pdf' }],
    bilingualMail: false,
    ...overrides,
  };
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
