import { demoEvent, parseEventInput, type EventInput, type EventRecord } from '../../src/events';

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
    approval: false,
    meetingUrl: 'https://zoom.example/j/123',
    meetingPasscode: 'secret-pass',
    contactEmail: 'tokyo@ilo.example',
    questions: [],
    reminders: ['P1D', 'PT1H'],
    materials: [{ title: { en: 'Slides', ja: 'スライド' }, url: 'https://materials.example/slides.pdf' }],
    followUp: null,
    bilingualMail: false,
    zoom: null,
    attendanceMinutes: 10,
    retentionDays: 365,
    embedOrigins: [],
    branding: { organisation: {}, accent: null },
    ...overrides,
  };
}

/**
 * Events as the domain holds them (EventRecord), for tests of pure functions that need no database:
 * built from the same event documents the database tests import, so there is one source of test events.
 */
export function eventRecord(doc: EventInput, extra: Partial<EventRecord> = {}): EventRecord {
  return {
    ...doc,
    id: 1,
    startsAt: new Date(doc.startsAt),
    endsAt: new Date(doc.endsAt),
    registrationOpensAt: doc.registrationOpensAt ? new Date(doc.registrationOpensAt) : null,
    registrationClosesAt: doc.registrationClosesAt ? new Date(doc.registrationClosesAt) : null,
    revision: 1,
    anonymisedAt: null,
    branding: { ...doc.branding, logo: null, cover: null },
    installationBranding: { organisation: {}, accent: null, logo: null },
    createdAt: new Date('2026-10-01T00:00:00Z'),
    updatedAt: new Date('2026-10-01T00:00:00Z'),
    ...extra,
  };
}

/**
 * The reference webinar with the demo event's texts: Wed 16 Dec 2026, 15:00–17:15 Tokyo time
 * (07:00–09:15 CET), registration closing 14 Dec 23:59 JST, 500 seats with a waiting list.
 */
export function referenceEvent(extra: Partial<EventRecord> = {}): EventRecord {
  // The demo starts 28 days after "now" at 15:00 Tokyo time.
  return eventRecord(parseEventInput(demoEvent(new Date('2026-11-18T03:00:00Z'))), extra);
}
